/* The replaceable system-call table. Production code calls mmf__sys.fn(...); a fault
 * injection test swaps an entry to make, say, fallocate fail with ENOSPC.
 *
 * What goes through it: every call on files, directories, descriptors and memory
 * mappings, the calls whose failures (ENOSPC, EIO, ENOMEM, EMFILE, EINTR, a racing
 * deletion) a caller must turn into a Windows error and a test must be able to cause.
 * What may call libc directly, because it cannot fail in a way the caller could handle
 * differently: reading an open DIR (readdir, closedir), the process's identity and clocks
 * (getpid, gettid, geteuid, clock_gettime, sysconf), scheduling and sleeping
 * (sched_yield, nanosleep, pause), signals (sigaction, kill(pid, 0) as a liveness probe),
 * thread creation, and futexes (futex.c and the wait loop retry on every result). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/base.h"

/* Windows gives a process millions of handles; Linux's default soft limit of 1024
 * descriptors would stop a program near a thousand named objects. When a descriptor
 * cannot be had for that reason, the soft limit is raised to the hard one (and, for a
 * process allowed to, root, the hard one to the kernel's fs.nr_open) and the call made
 * again: lazily, so that a program that never needs more keeps the limit it started with
 * (and select() keeps working for it). True if the limit went up. */
static bool raise_limit(void)
{
    struct rlimit rl;
    char nr_open[32];
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return false;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
    } else { /* a process that may (root) raises the hard limit too, to the kernel's */
        int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, nr_open, sizeof nr_open - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n <= 0)
            return false;
        nr_open[n] = 0;
        rl.rlim_cur = rl.rlim_max = strtoul(nr_open, NULL, 10);
        if (rl.rlim_max == 0 || rl.rlim_cur <= (rlim_t)getdtablesize())
            return false;
    }
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static _Atomic(bool (*)(void)) spares;

void mmf__sys_spares(bool (*give_back)(void))
{
    atomic_store(&spares, give_back);
}

/* A call failed: may it be made again, with a descriptor to be had now? At the limit, a
 * higher one, else the descriptors kept only to be faster. */
static bool more_descriptors(void)
{
    if (errno != EMFILE)
        return false;
    if (raise_limit())
        return true;
    bool (*give_back)(void) = atomic_load(&spares);
    bool freed = give_back && give_back();
    errno = EMFILE;
    return freed;
}

/* The mode an open's caller passed after flags, if its flags come with one. */
#define MODE_ARG(flags)                                                    \
    ({                                                                     \
        mode_t mode_ = 0;                                                  \
        if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {   \
            va_list ap_;                                                   \
            va_start(ap_, flags);                                          \
            mode_ = va_arg(ap_, mode_t);                                   \
            va_end(ap_);                                                   \
        }                                                                  \
        mode_;                                                             \
    })

static int sys_open(const char *path, int flags, ...)
{
    mode_t mode = MODE_ARG(flags);
    int fd = open(path, flags, mode);
    return fd < 0 && more_descriptors() ? open(path, flags, mode) : fd;
}

static int sys_openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = MODE_ARG(flags);
    int fd = openat(dirfd, path, flags, mode);
    return fd < 0 && more_descriptors() ? openat(dirfd, path, flags, mode) : fd;
}

static int sys_dup(int old)
{
    int fd = dup(old);
    return fd < 0 && more_descriptors() ? dup(old) : fd;
}

/* The argument is an int or a pointer: taken as the wider, as libc's own fcntl does. */
static int sys_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    unsigned long arg = va_arg(ap, unsigned long);
    va_end(ap);
    int r = fcntl(fd, cmd, arg);
    bool duplicates = cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
    return r < 0 && duplicates && more_descriptors() ? fcntl(fd, cmd, arg) : r;
}

static int sys_memfd_create(const char *name, unsigned flags)
{
    int fd = memfd_create(name, flags);
    return fd < 0 && more_descriptors() ? memfd_create(name, flags) : fd;
}

/* A size past the process's file size limit is refused (EFBIG, ERROR_FILE_TOO_LARGE)
 * rather than asked of the kernel, which would also send SIGXFSZ: a Windows program would
 * be killed where it expects an error. */
static int sys_ftruncate(int fd, off_t len)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)len > rl.rlim_cur) {
        errno = EFBIG;
        return -1;
    }
    return ftruncate(fd, len);
}

/* Through syscall(): not every libc wraps it (musl before 1.2.5). */
static int sys_renameat2(int olddirfd, const char *old, int newdirfd, const char *new_,
                         unsigned flags)
{
    return (int)syscall(SYS_renameat2, olddirfd, old, newdirfd, new_, flags);
}

struct mmf__sys mmf__sys = {
    .open = sys_open,
    .close = close,
    .dup = sys_dup,
    .pread = pread,
    .pwrite = pwrite,
    .read = read,
    .write = write,
    .lseek = lseek,
    .ftruncate = sys_ftruncate,
    .fallocate = fallocate,
    .fstat = fstat,
    .fstatfs = fstatfs,
    .stat = stat,
    .lstat = lstat,
    .fsync = fsync,
    .fcntl = sys_fcntl,
    .flock = flock,
    .unlink = unlink,
    .readlink = readlink,
    .openat = sys_openat,
    .fstatat = fstatat,
    .linkat = linkat,
    .renameat2 = sys_renameat2,
    .unlinkat = unlinkat,
    .mkdir = mkdir,
    .rmdir = rmdir,
    .statvfs = statvfs,
    .chmod = chmod,
    .chown = chown,
    .fchmod = fchmod,
    .futimens = futimens,
    .opendir = opendir,
    .fdopendir = fdopendir,
    .memfd_create = sys_memfd_create,
    .process_vm_readv = process_vm_readv,
    .mmap = mmap,
    .munmap = munmap,
    .mprotect = mprotect,
    .msync = msync,
    .madvise = madvise,
};

int mmf__reopen(int fd, int flags)
{
    char path[40];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return (int)mmf__sysret(mmf__sys.open(path, flags | O_CLOEXEC | O_NOCTTY));
}

int mmf__dup_high(int fd)
{
    return (int)mmf__sysret(mmf__sys.fcntl(fd, F_DUPFD_CLOEXEC, 3));
}

ssize_t mmf__read_small_file(const char *path, char *buf, size_t cap)
{
    int fd = mmf__sys.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    ssize_t n = mmf__sys.read(fd, buf, cap - 1);
    n = n < 0 ? -errno : n;
    mmf__sys.close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n;
}
