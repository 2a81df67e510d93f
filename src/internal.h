/* Internal interfaces of mmf. Nothing here is exported: the library is built with
 * -fvisibility=hidden and only the MMF_API Win32 entry points are visible.
 *
 * Status convention (one error path): internal functions return 0 (or a count) on
 * success, and on failure either -errno or MMF__W(win32 code) for errors that have no
 * errno. Public entry points convert a status to the thread's last error exactly once,
 * through the table in error.c (mmf__fail). */
#ifndef MMF_INTERNAL_H
#define MMF_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <windows.h>

#define MMF__W_BASE 0x10000
#define MMF__W(code) (-(MMF__W_BASE + (int)(code)))

/* error.c */
DWORD mmf__win32_error(int status);
/* Sets the last error from a failure status; returns nothing so callers write
 * `return mmf__fail(st), NULL;` at the boundary. */
void mmf__fail(int status);

/* sys.c: every system call the library makes goes through this table so that tests can
 * inject failures (the idea of SQLite's os_unix.c). Entries behave like libc: -1 and
 * errno on failure. mmf__sysret() turns that into a status. */
struct mmf__sys {
    int (*open)(const char *path, int flags, ...);
    int (*close)(int fd);
    ssize_t (*pread)(int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(int fd, const void *buf, size_t n, off_t off);
    ssize_t (*read)(int fd, void *buf, size_t n);
    ssize_t (*write)(int fd, const void *buf, size_t n);
    off_t (*lseek)(int fd, off_t off, int whence);
    int (*ftruncate)(int fd, off_t len);
    int (*fallocate)(int fd, int mode, off_t off, off_t len);
    int (*fstat)(int fd, struct stat *st);
    int (*fsync)(int fd);
    int (*fcntl)(int fd, int cmd, ...);
    int (*flock)(int fd, int op);
    int (*unlink)(const char *path);
    int (*openat)(int dirfd, const char *path, int flags, ...);
    int (*fstatat)(int dirfd, const char *path, struct stat *st, int flags);
    int (*linkat)(int olddirfd, const char *old, int newdirfd, const char *new_, int flags);
    int (*unlinkat)(int dirfd, const char *path, int flags);
    int (*mkdir)(const char *path, mode_t mode);
    int (*fchmod)(int fd, mode_t mode);
    int (*memfd_create)(const char *name, unsigned flags);
    void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
    int (*munmap)(void *addr, size_t len);
    int (*mprotect)(void *addr, size_t len, int prot);
    int (*msync)(void *addr, size_t len, int flags);
    int (*madvise)(void *addr, size_t len, int advice);
};
extern struct mmf__sys mmf__sys;
static inline long mmf__sysret(long r)
{
    return r < 0 ? -errno : r;
}

/* Page and allocation granularity. */
#define MMF__GRANULARITY 0x10000u
extern size_t mmf__page_size;
static inline uint64_t mmf__round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* handle.c: process handle table and reference-counted objects. Named kinds share one
 * namespace; their values are stored in object headers, so they never change. */
enum mmf__kind {
    MMF__KIND_FILE = 1,
    MMF__KIND_SECTION = 2,
    MMF__KIND_EVENT = 3,
    MMF__KIND_MUTEX = 4,
    MMF__KIND_SEMAPHORE = 5,
    MMF__KIND_THREAD = 6,
};
struct mmf__nsobj;
struct mmf__object {
    enum mmf__kind kind;
    atomic_int refs;
    void (*destroy)(struct mmf__object *obj);
    struct mmf__nsobj *ns; /* named objects: their name, held while handles exist */
};
void mmf__object_init(struct mmf__object *obj, enum mmf__kind kind,
                      void (*destroy)(struct mmf__object *));
void mmf__ref(struct mmf__object *obj);
void mmf__unref(struct mmf__object *obj);
/* Stores obj in a new handle, which takes over the caller's reference and, for a named
 * object, the handle counted on its name; if no handle can be made, both are given back
 * (mmf__handle_drop). */
int mmf__handle_new(struct mmf__object *obj, DWORD access, HANDLE *out);
/* Gives back what a handle holds: its reference, and a named object's counted handle (the
 * name goes with the last one). */
void mmf__handle_drop(struct mmf__object *obj);
/* Looks up a handle of the given kind; returns a new reference and the granted access. */
int mmf__handle_get(HANDLE h, enum mmf__kind kind, struct mmf__object **out, DWORD *access);
int mmf__handle_get_any(HANDLE h, struct mmf__object **out, DWORD *access);
/* For short operations: the object without a reference, valid until unpinned (a close of
 * the handle waits for it). Never sleep while pinned. */
int mmf__handle_pin(HANDLE h, struct mmf__object **out, DWORD *access, void **pin);
void mmf__handle_unpin(void *pin);
/* What GENERIC_READ/WRITE/EXECUTE/ALL mean for one kind of object (Windows'
 * GENERIC_MAPPING), and the rights an access mask stands for. */
struct mmf__generic_mapping {
    DWORD read, write, execute, all;
};
DWORD mmf__map_generic(DWORD access, const struct mmf__generic_mapping *m);
#define MMF__CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)

/* name.c: Windows' name rules and the file name an object is stored under. */
enum mmf__scope { MMF__SCOPE_LOCAL, MMF__SCOPE_GLOBAL };
struct mmf__name {
    enum mmf__scope scope;
    const WCHAR *text; /* without the Local\ or Global\ prefix */
    size_t units;
};
int mmf__name_parse(const WCHAR *name, size_t len, struct mmf__name *out);
int mmf__name_encode(const struct mmf__name *n, char *out, size_t cap);
int mmf__name_from_a(const char *name, WCHAR **out, size_t *units);
/* The same for a Create* name, where NULL and "" mean unnamed (*out NULL, *units 0). */
int mmf__name_from_a_optional(const char *name, WCHAR **out, size_t *units);

/* namespace.c: named objects as files with a versioned header; see docs/namespace.md. */
#define MMF__OBJ_MAGIC 0x4F464D4Du /* "MMFO" */
#define MMF__OBJ_VERSION 2u
struct mmf__objhdr {
    uint32_t magic;
    uint32_t version;
    uint32_t kind;        /* enum mmf__kind */
    uint32_t header_len;  /* bytes of header (page multiple): the SEC_RESERVE map follows */
    uint64_t data_offset; /* page multiple: where a paging-file section's bytes start */
    uint64_t size;        /* section size in bytes */
    uint32_t protect, attrs;
    uint32_t creator_pid, creator_uid;
    uint64_t created_ns;  /* CLOCK_REALTIME at creation */
    uint32_t name_units;  /* UTF-16 units of the name, stored after this header */
    uint32_t path_len;    /* file-backed: bytes of the file's path, stored after the name */
    uint64_t file_dev, file_ino;
    uint32_t sync[16];    /* state words of events, mutexes, semaphores */
};
struct mmf__nsobj {
    struct mmf__nsobj *next;  /* the process's list of held names */
    struct mmf__object *obj;  /* the typed object this name belongs to */
    enum mmf__scope scope;
    int fd;                   /* the object file; its OFD holds the lease (a shared flock) */
    bool writable;
    unsigned handles;         /* handles in this process; the lease is held while > 0 */
    struct mmf__objhdr info;  /* private copy of the header, validated once at open */
    uint64_t file_size;       /* of the object file, when it was opened */
    char *path;               /* file-backed sections: the file's path, from the header */
    struct mmf__objhdr *hdr;  /* shared mapping of [0, info.data_offset): state words and
                                 the SEC_RESERVE map live here; never trusted for layout.
                                 NULL for sections without SEC_RESERVE (nothing to share) */
    char fname[256];
};
/* Layout of a new object: header bytes (for the name and path), extra bytes before the
 * data (the SEC_RESERVE map), and data bytes from hdr->data_offset. init() fills type
 * fields in the header of the not yet published file and, when it has extra or data
 * bytes, sizes the file (writing the header covers the header's own bytes). */
struct mmf__ns_new {
    uint32_t kind;
    mode_t mode;
    size_t extra_len;
    const char *path; /* file-backed sections: the file, recorded in the header */
    int (*init)(int fd, struct mmf__objhdr *hdr, void *ctx);
    void *ctx;
};
/* Builds the typed object for a name found or created on disk: sets ns->obj (holding one
 * reference) and obj->ns = ns. */
typedef int (*mmf__ns_build)(struct mmf__nsobj *ns, void *ctx);
/* Finds or creates the object named `name`. On success *out is referenced and one handle
 * is counted on its name: the caller makes the handle (or calls
 * mmf__ns_handle_closed and mmf__unref if it cannot). */
int mmf__ns_create(const struct mmf__name *name, const struct mmf__ns_new *nw,
                   mmf__ns_build build, void *ctx, struct mmf__object **out, bool *existed);
int mmf__ns_open(const struct mmf__name *name, uint32_t kind, bool want_write,
                 mmf__ns_build build, void *ctx, struct mmf__object **out);
int mmf__ns_hold(struct mmf__nsobj *ns);
/* For listing and reclaiming (nslist.c): the namespace root, a namespace directory
 * (checked as on every use: owner, mode, no links), and a header read from a file, checked
 * for layout; *tail gets the name (UTF-16) and the path, NUL-terminated, malloc'd. */
const char *mmf__ns_root(void);
int mmf__ns_open_dir(enum mmf__scope scope, uid_t uid, bool create, int *out);
int mmf__ns_read_info(int fd, uint64_t file_size, struct mmf__objhdr *info, char **tail);
/* The lease on an object file: flock(op | LOCK_NB); 0 or negative errno (-EWOULDBLOCK:
 * held otherwise). LOCK_SH is a holder's; LOCK_EX succeeds only with no other holder. */
int mmf__ns_lease(int fd, int op);
/* Removes the name of a stale object (one this process holds the exclusive lease on): 1 if
 * removed, 0 if the name no longer leads to fd, or negative: ERROR_REVISION_MISMATCH for an
 * object of another format version (held by its version's rules, which this one cannot
 * judge: never taken for stale), or why the name cannot be removed. */
int mmf__ns_reclaim(int dirfd, const char *fname, int fd);
void mmf__ns_handle_closed(struct mmf__nsobj *ns);
void mmf__ns_free(struct mmf__nsobj *ns);

/* unicode.c: UTF-16 <-> UTF-8 (lone surrogates survive as WTF-8 so no name is lost).
 * Results are malloc'd; lengths are in code units, excluding the terminator. */
int mmf__utf16_to_utf8(const WCHAR *s, size_t len, char **out, size_t *outlen);
int mmf__utf8_to_utf16(const char *s, size_t len, WCHAR **out, size_t *outlen);
size_t mmf__wcslen(const WCHAR *s);

/* file.c */
struct mmf__file {
    struct mmf__object obj;
    int fd;
    DWORD access; /* granted FILE_* rights after generic mapping */
    char *delete_path; /* FILE_FLAG_DELETE_ON_CLOSE */
};
extern const struct mmf__generic_mapping mmf__file_generic;
#define MMF__FILE_CAN_READ(a) (((a) & (FILE_READ_DATA | FILE_EXECUTE)) != 0)
#define MMF__FILE_CAN_WRITE(a) (((a) & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0)
/* Fails with ERROR_USER_MAPPED_FILE when a section of the file reaches past new_size. */
int mmf__file_check_truncate(int fd, uint64_t new_size);

/* lock.c: OFD byte-range locks far above any file data carry cross-process facts about a
 * file: which sections map it (and how far), and the share modes of its open handles. */
#define MMF__LK_SHARE 0x3FFFFFFFFFFF0000LL
#define MMF__LK_SECTION 0x4000000000000000LL
int mmf__lock(int fd, short type, off_t start, off_t len);
bool mmf__lock_unsupported(int status);
/* 1 if another open file description holds a lock conflicting with `type` there. */
int mmf__lock_conflict(int fd, short type, off_t start, off_t len);
int mmf__share_acquire(int fd, DWORD access, DWORD share);
int mmf__reopen(int fd, int flags);

/* section.c */
struct mmf__section {
    struct mmf__object obj;
    int fd;              /* the data: a memfd, the named object's file, or the mapped file */
    uint64_t data_off;   /* where the section's bytes start in fd */
    uint64_t size;       /* bytes, as created */
    DWORD protect;       /* PAGE_* of the section */
    DWORD attrs;         /* SEC_* */
    struct mmf__file *file; /* file-backed: the file object stays open with the section */
    int lock_fd;         /* file-backed: own OFD holding the mapped-range lock */
    _Atomic uint64_t *commit; /* SEC_RESERVE: one bit a page, set when committed */
    size_t commit_len;   /* bytes of the commit bitmap mapping */
};
bool mmf__section_committed(struct mmf__section *s, uint64_t page);
int mmf__section_commit(struct mmf__section *s, uint64_t first, uint64_t count);

/* sync.c, wait.c, thread.c: events, mutexes, semaphores and threads. Every one is
 * sixteen 32-bit state words: in the object file's header when named (so futexes are
 * shared between processes), in the object itself otherwise. Operations on one object are
 * lock-free atomics on these words, so a process killed at any moment leaves no internal
 * lock held; see docs/sync.md. */
enum {
    MMF__S_STATE,      /* event: signaled; semaphore: count; mutex: owner TID; thread: ended */
    MMF__S_SEQ,        /* bumped on every change a waiter may care about: the futex word */
    MMF__S_WAITERS,    /* sleepers on SEQ, so that signalers skip the wake when there are none */
    MMF__S_AUX,        /* event: manual reset; semaphore: maximum; mutex: recursion;
                          thread: exit code */
    MMF__S_ABANDONED,  /* mutex: its owner died or exited owning it */
    MMF__S_PULSE,      /* event: PulseEvent generation */
    MMF__S_PULSE_TOKEN /* auto-reset event: the generation one waiter may still take */
};
struct mmf__sync {
    struct mmf__object obj;
    _Atomic uint32_t *w;     /* the state words */
    _Atomic uint32_t own[16]; /* unnamed objects keep them here */
    bool shared;             /* named: futexes are shared between processes */
};
/* Result of trying to take an object. */
enum mmf__take { MMF__TAKE_NO, MMF__TAKE_OK, MMF__TAKE_ABANDONED };
enum mmf__take mmf__sync_try(struct mmf__sync *s, uint32_t pulse0);
void mmf__sync_untake(struct mmf__sync *s, enum mmf__take how);
/* Publishes a state change: bumps SEQ and wakes sleepers (all of them, or `n`). */
void mmf__sync_changed(struct mmf__sync *s, int n);
bool mmf__sync_is_waitable(const struct mmf__object *obj);
void mmf__sync_init(struct mmf__sync *s, enum mmf__kind kind, void (*destroy)(struct mmf__object *));
/* Signals for SignalObjectAndWait: SetEvent, ReleaseMutex or ReleaseSemaphore(1). */
int mmf__sync_signal(struct mmf__object *obj, DWORD access);
/* A mutex that other waiters must stop waiting for: its owner thread is gone. */
bool mmf__mutex_owner_dead(struct mmf__sync *m);
void mmf__mutex_abandon(struct mmf__sync *m, uint32_t owner);
/* thread.c: this thread's id, and its list of owned mutexes (abandoned when it exits). */
uint32_t mmf__tid(void);
int mmf__thread_owns(struct mmf__sync *m);
void mmf__thread_disowns(struct mmf__sync *m);
/* wait.c */
int mmf__futex_wait(_Atomic uint32_t *word, uint32_t val, bool shared, const struct timespec *deadline);
void mmf__futex_wake(_Atomic uint32_t *word, int n, bool shared);

/* security.c: the file mode a security descriptor asks for (NULL DACL: everyone). */
mode_t mmf__sa_mode(const SECURITY_ATTRIBUTES *sa);

/* Protection helpers (vm.c). */
bool mmf__prot_is_valid(DWORD prot);
int mmf__prot_to_posix(DWORD prot);

/* view.c / vm.c: the registry of address ranges mmf manages (views and VirtualAlloc
 * regions), sorted by address, under one rwlock. */
struct mmf__region {
    uintptr_t base;
    size_t size;           /* page-rounded */
    DWORD type;            /* MEM_MAPPED or MEM_PRIVATE */
    DWORD alloc_protect;
    uint8_t *prot;         /* per page PAGE_* (0: not committed); NULL: all alloc_protect */
    struct mmf__section *section; /* views */
    uint64_t offset;       /* views: offset in the section */
    bool copy;             /* views: private copy-on-write */
    _Atomic uint8_t *applied; /* SEC_RESERVE views: one bit a page, protection applied */
};
extern pthread_rwlock_t mmf__regions_lock;
struct mmf__region *mmf__region_find(uintptr_t addr);
struct mmf__region *mmf__region_next(uintptr_t addr); /* first region above addr */
int mmf__region_insert(struct mmf__region *r);
void mmf__region_remove(struct mmf__region *r);
void mmf__region_free(struct mmf__region *r);
/* Each region of this process that views section s, in address order. */
struct mmf__region *mmf__region_of_section(struct mmf__section *s, size_t *cursor);
DWORD mmf__region_page_prot(const struct mmf__region *r, size_t page);
bool mmf__region_page_committed(const struct mmf__region *r, size_t page);
/* Reserves len bytes at a 64 KiB-aligned address (or exactly at fixed) as PROT_NONE. */
int mmf__reserve(void *fixed, size_t len, void **out);
/* Applies page protections to [first, first+count) of a view from its state. */
int mmf__view_apply(struct mmf__region *r, size_t first, size_t count);
/* reserve.c: resolves first touches of pages other processes committed. */
void mmf__reserve_handler_install(void);

#endif
