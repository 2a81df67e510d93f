/* base: what every component stands on — the status convention and the one error table,
 * the replaceable system-call table, assertions, UTF-16, futexes, page sizes and ids.
 * Nothing in base knows about objects or handles.
 *
 * Nothing here is exported: the library is built with -fvisibility=hidden and only the
 * MMF_API Win32 entry points (and mmf.h's) are visible.
 *
 * Status convention (one error path): internal functions return 0 (or a count) on
 * success, and on failure either -errno or MMF__W(win32 code) for errors that have no
 * errno. Public entry points convert a status to the thread's last error exactly once,
 * through the table in base/error.c (mmf__fail). */
#ifndef MMF_BASE_H
#define MMF_BASE_H

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <windows.h>

#define MMF__W_BASE 0x10000
#define MMF__W(code) (-(MMF__W_BASE + (int)(code)))

/* error.c */
DWORD mmf__win32_error(int status);
/* Sets the last error from a failure status; returns nothing so callers write
 * `return mmf__fail(st), NULL;` at the boundary. */
void mmf__fail(int status);
/* Windows' text for a code (FormatMessage), or NULL. */
const char *mmf__error_message(DWORD code);

/* Invariants (reference and handle counts, which lock is held) are checked in the
 * sanitizer builds (MMF_CHECKS); elsewhere the condition is not even evaluated, and what
 * only the checks need (who holds a lock) is not recorded: `if (MMF__CHECKS)`. */
#ifdef MMF_CHECKS
#define MMF__CHECKS 1
#define MMF__ASSERT(c) ((c) ? (void)0 : mmf__assert_fail(#c, __FILE__, __LINE__))
#else
#define MMF__CHECKS 0
#define MMF__ASSERT(c) ((void)sizeof(!(c)))
#endif
_Noreturn void mmf__assert_fail(const char *what, const char *file, int line);

/* sys.c: every system call the library makes that touches files, directories or memory
 * goes through this table, so that tests can inject failures (the idea of SQLite's
 * os_unix.c). Entries behave like libc: -1 (or NULL) and errno on failure; mmf__sysret()
 * turns that into a status. What may bypass it is said in sys.c. */
struct mmf__sys {
    int (*open)(const char *path, int flags, ...);
    int (*close)(int fd);
    int (*dup)(int fd);
    ssize_t (*pread)(int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(int fd, const void *buf, size_t n, off_t off);
    ssize_t (*read)(int fd, void *buf, size_t n);
    ssize_t (*write)(int fd, const void *buf, size_t n);
    off_t (*lseek)(int fd, off_t off, int whence);
    int (*ftruncate)(int fd, off_t len);
    int (*fallocate)(int fd, int mode, off_t off, off_t len);
    int (*fstat)(int fd, struct stat *st);
    int (*fstatfs)(int fd, struct statfs *st);
    int (*stat)(const char *path, struct stat *st);
    int (*lstat)(const char *path, struct stat *st);
    int (*fsync)(int fd);
    int (*fcntl)(int fd, int cmd, ...);
    int (*flock)(int fd, int op);
    int (*unlink)(const char *path);
    ssize_t (*readlink)(const char *path, char *buf, size_t n);
    int (*openat)(int dirfd, const char *path, int flags, ...);
    int (*fstatat)(int dirfd, const char *path, struct stat *st, int flags);
    int (*linkat)(int olddirfd, const char *old, int newdirfd, const char *new_, int flags);
    int (*renameat2)(int olddirfd, const char *old, int newdirfd, const char *new_,
                     unsigned flags);
    int (*unlinkat)(int dirfd, const char *path, int flags);
    int (*mkdir)(const char *path, mode_t mode);
    int (*rmdir)(const char *path);
    int (*statvfs)(const char *path, struct statvfs *st);
    int (*chmod)(const char *path, mode_t mode);
    int (*chown)(const char *path, uid_t uid, gid_t gid);
    int (*fchmod)(int fd, mode_t mode);
    int (*futimens)(int fd, const struct timespec times[2]);
    DIR *(*opendir)(const char *path);
    DIR *(*fdopendir)(int fd);
    int (*memfd_create)(const char *name, unsigned flags);
    ssize_t (*process_vm_readv)(pid_t pid, const struct iovec *local, unsigned long nlocal,
                                const struct iovec *remote, unsigned long nremote,
                                unsigned long flags);
    void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
    int (*munmap)(void *addr, size_t len);
    int (*mprotect)(void *addr, size_t len, int prot);
    int (*msync)(void *addr, size_t len, int flags);
    int (*madvise)(void *addr, size_t len, int advice);
};
extern struct mmf__sys mmf__sys;
/* Descriptors a component keeps only to be faster (ob's kept names): when a call runs
 * out of descriptors and the limit cannot be raised, give_back frees them, if it can
 * without waiting, and says whether it freed any (the call is then made again). Set from
 * above: base knows no component. */
void mmf__sys_spares(bool (*give_back)(void));
static inline long mmf__sysret(long r)
{
    return r < 0 ? -errno : r;
}
/* A new open file description of the file open as fd (through /proc/self/fd). */
int mmf__reopen(int fd, int flags);
/* A close-on-exec duplicate of fd numbered 3 or above (never a standard stream's number),
 * or a negative errno. */
int mmf__dup_high(int fd);
/* Reads the start of a small file (a /proc entry) into buf, NUL-terminated: the bytes read,
 * or a negative errno (buf then holds ""). */
ssize_t mmf__read_small_file(const char *path, char *buf, size_t cap);

/* Page and allocation granularity, and the top of the user address space Windows gives a
 * 64-bit process (GetSystemInfo's lpMaximumApplicationAddress). */
#define MMF__GRANULARITY 0x10000u
#define MMF__MAX_USER_ADDRESS ((uintptr_t)0x7FFFFFFEFFFF)
extern size_t mmf__page_size;
static inline uint64_t mmf__round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* sysinfo.c: the process's id, and the calling thread's kernel id (a mutex owner's
 * identity), each asked of the kernel once (again in a child after fork()). */
pid_t mmf__pid(void);
uint32_t mmf__tid(void);

/* unicode.c: UTF-16 <-> UTF-8 (lone surrogates survive as WTF-8 so no name is lost).
 * Results are malloc'd; lengths are in code units, excluding the terminator. */
int mmf__utf16_to_utf8(const WCHAR *s, size_t len, char **out, size_t *outlen);
int mmf__utf8_to_utf16(const char *s, size_t len, WCHAR **out, size_t *outlen);
size_t mmf__wcslen(const WCHAR *s);
/* A W function's string argument for its A twin: malloc'd UTF-8, NULL for NULL. */
int mmf__narrow(const WCHAR *w, char **out);
/* wcs.c: a UTF-16 unit's simple lower and upper case (itself where there is none). */
WCHAR mmf__wlower(WCHAR c);
WCHAR mmf__wupper(WCHAR c);

/* time.c: FILETIME for a Linux time; a FILETIME's ticks (100 ns from 1601-01-01 UTC), and
 * the Linux time of ticks. */
void mmf__to_filetime(const struct timespec *t, FILETIME *ft);
uint64_t mmf__filetime_ticks(const FILETIME *ft);
void mmf__filetime_to_timespec(uint64_t ticks, struct timespec *t);

/* fault.c: a resolver says whether a fault (SIGSEGV or SIGBUS) is one it fixed, so that
 * the access may run again. It runs in a signal handler: try-locks and async-signal-safe
 * calls only. Registering one twice is registering it once. */
typedef bool (*mmf__fault_resolver)(int sig, siginfo_t *si);
void mmf__fault_add(int sig, mmf__fault_resolver fn);

/* futex.c: shared (between processes) or private futexes on one 32-bit word. */
int mmf__futex_wait(_Atomic uint32_t *word, uint32_t val, bool shared,
                    const struct timespec *deadline);
void mmf__futex_wake(_Atomic uint32_t *word, int n, bool shared);

#endif
