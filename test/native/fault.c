/* Fault injection through the system-call table (SQLite's os_unix.c idea): each test makes
 * one kind of call fail and checks that mmf reports Windows' error, leaks no descriptor or
 * mapping, and leaves files as they were. Linked with the static library and src/. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mmf/mmf.h>

#include "../test.h"
#include "base/base.h"
#include "native.h"

/* How many times the injected failure fires before the real call runs again. */
static int fail_count;
static int fail_errno;

int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    ASSERT(d != NULL);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static bool inject(void)
{
    if (fail_count <= 0)
        return false;
    fail_count--;
    errno = fail_errno;
    return true;
}

static void arm(int count, int err)
{
    fail_count = count;
    fail_errno = err;
}

static int (*real_memfd)(const char *, unsigned);
static int fake_memfd(const char *name, unsigned flags)
{
    return inject() ? -1 : real_memfd(name, flags);
}

TEST(fault_memfd_exhausted)
{
    real_memfd = mmf__sys.memfd_create;
    mmf__sys.memfd_create = fake_memfd;
    int fds = count_fds();
    arm(1, EMFILE);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL),
               ERROR_TOO_MANY_OPEN_FILES);
    ASSERT_EQ(count_fds(), fds);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(m != NULL); /* the next call works */
    CloseHandle(m);
}

static int (*real_fallocate)(int, int, off_t, off_t);
static int fake_fallocate(int fd, int mode, off_t off, off_t len)
{
    return inject() ? -1 : real_fallocate(fd, mode, off, len);
}

/* Growing a file for a section allocates its blocks: no room is ERROR_DISK_FULL at
 * CreateFileMapping, and the file keeps its size. */
TEST(fault_file_growth_disk_full)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "fault-grow", 100, GENERIC_READ | GENERIC_WRITE);
    real_fallocate = mmf__sys.fallocate;
    mmf__sys.fallocate = fake_fallocate;
    int fds = count_fds();
    arm(1, ENOSPC);
    ASSERT_ERR(!CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 1 << 20, NULL), ERROR_DISK_FULL);
    ASSERT_EQ(count_fds(), fds);
    ASSERT_EQ(GetFileSize(f, NULL), 100);
    /* No section was left behind: truncation is allowed. */
    ASSERT_EQ(SetFilePointer(f, 10, NULL, FILE_BEGIN), 10);
    ASSERT(SetEndOfFile(f));
    /* A file system that cannot allocate ahead: the file is extended all the same. */
    arm(1, EOPNOTSUPP);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 1 << 20, NULL);
    ASSERT(m != NULL);
    ASSERT_EQ(fail_count, 0);
    ASSERT_EQ(GetFileSize(f, NULL), 1 << 20);
    CloseHandle(m);
    mmf__sys.fallocate = real_fallocate;
    drop_file(f, path);
}

static int (*real_fcntl)(int, int, ...);
static int fake_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (cmd == F_OFD_SETLK && inject())
        return -1;
    return real_fcntl(fd, cmd, arg);
}

TEST(fault_section_lock_fails)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "fault-lock", 4096, GENERIC_READ | GENERIC_WRITE);
    real_fcntl = mmf__sys.fcntl;
    mmf__sys.fcntl = fake_fcntl;
    /* A filesystem without locks: the section works, unprotected from truncation. */
    arm(1, ENOLCK);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 8192, NULL);
    ASSERT(m != NULL);
    ASSERT_EQ(GetFileSize(f, NULL), 8192);
    CloseHandle(m);
    drop_file(f, path);
}

static int (*real_open)(const char *, int, ...);
static const char *watched_path; /* fake_open ORs into opened_flags what opens it asked */
static int opened_flags;
static int fake_open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = va_arg(ap, int);
    va_end(ap);
    if (watched_path && strcmp(path, watched_path) == 0)
        opened_flags |= flags;
    return inject() ? -1 : real_open(path, flags, mode);
}

TEST(fault_section_descriptor_fails)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "fault-reopen", 4096, GENERIC_READ | GENERIC_WRITE);
    real_open = mmf__sys.open;
    mmf__sys.open = fake_open;
    int fds = count_fds();
    arm(1, EMFILE);
    ASSERT_ERR(!CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 8192, NULL),
               ERROR_TOO_MANY_OPEN_FILES);
    ASSERT_EQ(count_fds(), fds);
    ASSERT_EQ(GetFileSize(f, NULL), 4096); /* not grown */
    drop_file(f, path);
}

static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *fake_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    /* Only the mapping of the section itself fails, not the address reservation. */
    if (fd >= 0 && inject())
        return MAP_FAILED;
    return real_mmap(addr, len, prot, flags, fd, off);
}

TEST(fault_view_mmap_fails)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, NULL);
    ASSERT(m != NULL);
    real_mmap = mmf__sys.mmap;
    mmf__sys.mmap = fake_mmap;
    arm(1, ENOMEM);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0), ERROR_NOT_ENOUGH_MEMORY);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    v[0] = 1;
    ASSERT(UnmapViewOfFile(v));
    ASSERT(CloseHandle(m));
}

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t fake_write(int fd, const void *buf, size_t n)
{
    if (inject())
        return -1;
    /* Short writes: at most 3 bytes a call. */
    return real_write(fd, buf, n < 3 ? n : 3);
}

TEST(fault_io_interrupted)
{
    char path[MAX_PATH], buf[16] = {0};
    HANDLE f = make_file(path, "fault-eintr", 0, GENERIC_READ | GENERIC_WRITE);
    real_write = mmf__sys.write;
    mmf__sys.write = fake_write;
    arm(2, EINTR);
    DWORD n = 0;
    ASSERT(WriteFile(f, "interrupted", 11, &n, NULL));
    ASSERT_EQ(n, 11);
    read_at(f, 0, buf, 11);
    ASSERT(strcmp(buf, "interrupted") == 0);
    arm(1, EIO);
    ASSERT_ERR(!WriteFile(f, "x", 1, &n, NULL), ERROR_IO_DEVICE);
    drop_file(f, path);
}

TEST(fault_open_denied)
{
    char path[MAX_PATH];
    temp_path(path, "fault-open");
    real_open = mmf__sys.open;
    mmf__sys.open = fake_open;
    arm(1, EACCES);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, CREATE_ALWAYS, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_ACCESS_DENIED);
    arm(1, ENFILE);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, CREATE_ALWAYS, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_TOO_MANY_OPEN_FILES);
}

/* FILE_FLAG_WRITE_THROUGH: the handle's descriptor writes synchronously (O_DSYNC), and
 * only that handle's: a write-through WriteFile is on the disk when it returns. */
TEST(write_through_handles_write_synchronously)
{
    char path[MAX_PATH];
    temp_path(path, "write-through");
    real_open = mmf__sys.open;
    mmf__sys.open = fake_open;
    watched_path = path;
    DWORD rw = GENERIC_READ | GENERIC_WRITE, share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    HANDLE f = CreateFileA(path, rw, share, NULL, CREATE_ALWAYS, FILE_FLAG_WRITE_THROUGH, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT((opened_flags & O_DSYNC) == O_DSYNC);
    opened_flags = 0;
    HANDLE g = CreateFileA(path, rw, share, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    ASSERT(g != INVALID_HANDLE_VALUE);
    ASSERT(opened_flags != 0 && (opened_flags & O_DSYNC) != O_DSYNC);
    DWORD n;
    ASSERT(WriteFile(f, "durable", 7, &n, NULL) && n == 7);
    char buf[8] = {0};
    read_at(g, 0, buf, 7);
    ASSERT(strcmp(buf, "durable") == 0);
    CloseHandle(g);
    drop_file(f, path);
}

static int (*real_linkat)(int, const char *, int, const char *, int);
static int fake_linkat(int a, const char *b, int c, const char *d, int e)
{
    return inject() ? -1 : real_linkat(a, b, c, d, e);
}

/* A failed publication leaves no name, no temporary file and no descriptor. */
TEST(fault_named_creation)
{
    real_linkat = mmf__sys.linkat;
    mmf__sys.linkat = fake_linkat;
    real_fallocate = mmf__sys.fallocate;
    mmf__sys.fallocate = fake_fallocate;
    HANDLE warm = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "warm");
    ASSERT(warm != NULL); /* the namespace directory exists and is open */
    int fds = count_fds();
    arm(1, EIO);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "f1"),
               ERROR_IO_DEVICE);
    arm(1, ENOSPC);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "f2"),
               ERROR_DISK_FULL);
    ASSERT_EQ(count_fds(), fds);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "f1"), ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "f2"), ERROR_FILE_NOT_FOUND);
    HANDLE ok = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "f1");
    ASSERT(ok != NULL);
    CloseHandle(ok);
    /* A file system that cannot reserve space: the section is made all the same, its file
     * sized, so its pages can be touched. */
    arm(1, EOPNOTSUPP);
    ok = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 3 * 4096, "f3");
    char *v = ok ? MapViewOfFile(ok, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    ASSERT(v != NULL);
    ASSERT_EQ(fail_count, 0);
    v[3 * 4096 - 1] = 1;
    UnmapViewOfFile(v);
    CloseHandle(ok);
    CloseHandle(warm);
}

/* A file system without O_TMPFILE: new objects are made under a temporary name. */
static int (*real_openat)(int, const char *, int, ...);
static int no_tmpfile_openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if ((flags & O_TMPFILE) == O_TMPFILE) {
        errno = EOPNOTSUPP;
        return -1;
    }
    return real_openat(dirfd, path, flags, mode);
}

static int (*real_fstat)(int, struct stat *);
static int fstats_to_pass; /* before the injected failure */
static int fake_fstat(int fd, struct stat *st)
{
    if (fstats_to_pass > 0) {
        fstats_to_pass--;
        return real_fstat(fd, st);
    }
    return inject() ? -1 : real_fstat(fd, st);
}

/* Files left under a temporary name in the namespace directory. */
static int temporary_names(void)
{
    char dir[300];
    int n = 0;
    local_dir(dir);
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    for (struct dirent *e; (e = readdir(d));)
        n += strncmp(e->d_name, ".tmp-", 5) == 0;
    closedir(d);
    return n;
}

/* A new file that cannot be looked at (its fstat fails) is given up whole: under a
 * temporary name (no O_TMPFILE), that name too. */
TEST(fault_new_file_cannot_be_looked_at)
{
    real_openat = mmf__sys.openat;
    mmf__sys.openat = no_tmpfile_openat;
    real_fstat = mmf__sys.fstat;
    mmf__sys.fstat = fake_fstat;
    HANDLE warm = CreateEventA(everyone(), FALSE, FALSE, "warm");
    ASSERT(warm != NULL);
    int fds = count_fds();
    arm(1, EIO); /* the object file's */
    ASSERT_ERR(!CreateEventA(NULL, FALSE, FALSE, "s1"), ERROR_IO_DEVICE);
    fstats_to_pass = 1; /* an object open to all: its data file's */
    arm(1, EIO);
    ASSERT_ERR(!CreateEventA(everyone(), FALSE, FALSE, "s2"), ERROR_IO_DEVICE);
    ASSERT_EQ(fail_count, 0);
    ASSERT_EQ(count_fds(), fds);
    ASSERT_EQ(temporary_names(), 0);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, "s1"), ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, "s2"), ERROR_FILE_NOT_FOUND);
    HANDLE ok = CreateEventA(everyone(), FALSE, FALSE, "s2");
    ASSERT(ok != NULL);
    CloseHandle(ok);
    CloseHandle(warm);
    mmf__sys.fstat = real_fstat;
    mmf__sys.openat = real_openat;
}

/* Fails only the link of a data file ("<name>%data"), after its object's name is in. */
static int fake_data_linkat(int a, const char *b, int c, const char *d, int e)
{
    size_t n = strlen(d);
    return n > 5 && strcmp(d + n - 5, "%data") == 0 && inject() ? -1 : real_linkat(a, b, c, d, e);
}

/* An object everyone may open is published in two links, its name and then its data
 * file: when the second fails, the first is undone, and the name is free again. */
TEST(fault_data_file_link_fails)
{
    real_linkat = mmf__sys.linkat;
    mmf__sys.linkat = fake_data_linkat;
    HANDLE warm = CreateEventA(everyone(), FALSE, FALSE, "warm");
    ASSERT(warm != NULL);
    int fds = count_fds();
    arm(1, EIO);
    ASSERT_ERR(!CreateEventA(everyone(), FALSE, FALSE, "d1"), ERROR_IO_DEVICE);
    arm(1, ENOSPC);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, everyone(), PAGE_READWRITE, 0, 4096, "d2"),
               ERROR_DISK_FULL);
    ASSERT_EQ(count_fds(), fds);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, "d1"), ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "d2"), ERROR_FILE_NOT_FOUND);
    HANDLE ok = CreateEventA(everyone(), FALSE, FALSE, "d1");
    ASSERT(ok != NULL);
    ASSERT_EQ(GetLastError(), 0);
    CloseHandle(ok);
    CloseHandle(warm);
    mmf__sys.linkat = real_linkat;
}

/* Deletes the name of the object an open is about to lease, between the open's openat
 * (or its failed exclusive lock) and its shared one: as any program could (unlink), as mmf
 * rm does, or by its holder closing it, the last one. */
enum deletion { BY_UNLINK, BY_REMOVE, BY_LAST_CLOSE };
static enum deletion doomed_by;
static char doomed_path[400];
static WCHAR doomed_name[64];
static struct child doomed_holder;
static int holder_gone_fds;
static int deletions;
static int (*real_flock)(int, int);
static int deleting_flock(int fd, int op)
{
    if ((op & LOCK_SH) && deletions > 0) {
        deletions--;
        if (doomed_by == BY_UNLINK)
            ASSERT(unlink(doomed_path) == 0);
        else if (doomed_by == BY_REMOVE)
            ASSERT_EQ(mmf_remove(doomed_name), 0);
        else {
            end_holder(&doomed_holder);
            holder_gone_fds = count_fds();
        }
    }
    return real_flock(fd, op);
}

/* An open that takes the lease of a file whose name went meanwhile starts over: it never
 * hands out an object that no longer has its name, and keeps no descriptor. `reopen`: the
 * name was opened and closed before, so the open first leases the file it kept, and trusts
 * its header's removal word: a name unlinked by another program then goes unseen by this
 * process while the object has holders (docs/namespace.md), so only mmf deletes it here. */
static void open_loses_the_race_to_a_deletion(bool reopen, enum deletion by)
{
    char name[64];
    test_name(name, "doomed");
    MultiByteToWideChar(CP_UTF8, 0, name, -1, doomed_name, 64);
    start_holder(&doomed_holder, name, doomed_path);
    /* The namespace directory stays open once used: open it before counting. */
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "mmf-test-none"), ERROR_FILE_NOT_FOUND);
    int fds = count_fds();
    if (reopen) {
        HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
        ASSERT(m != NULL);
        CloseHandle(m); /* only the child holds it now: its file is kept */
        ASSERT_EQ(count_fds(), fds + 1);
    }
    doomed_by = by;
    real_flock = mmf__sys.flock;
    mmf__sys.flock = deleting_flock;
    deletions = 1;
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    mmf__sys.flock = real_flock;
    ASSERT_EQ(deletions, 0);
    if (by == BY_LAST_CLOSE)
        fds = holder_gone_fds - 1; /* the child's handle went, then the kept file */
    ASSERT_EQ(count_fds(), fds);
    if (by != BY_LAST_CLOSE)
        kill_child(&doomed_holder);
}

TEST(fault_open_loses_the_race_to_a_deletion)
{
    open_loses_the_race_to_a_deletion(false, BY_UNLINK);
}

TEST(fault_reopen_loses_the_race_to_a_deletion)
{
    open_loses_the_race_to_a_deletion(true, BY_REMOVE);
}

TEST(fault_reopen_loses_the_race_to_the_last_close)
{
    open_loses_the_race_to_a_deletion(true, BY_LAST_CLOSE);
}

static DIR *(*real_fdopendir)(int);
static DIR *fake_fdopendir(int fd)
{
    return inject() ? NULL : real_fdopendir(fd);
}

static int count_named(const struct mmf_object_info *info, void *ctx)
{
    *(int *)ctx += strcmp(info->name, "listed") == 0;
    return 0;
}

/* A namespace directory that cannot be read is a failure of the listing and of gc, with
 * its reason, never an empty namespace; the next call sees everything again. */
TEST(fault_listing_cannot_read_the_namespace)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "listed");
    ASSERT(m != NULL);
    real_fdopendir = mmf__sys.fdopendir;
    mmf__sys.fdopendir = fake_fdopendir;
    int fds = count_fds(), n = 0;
    arm(1, EMFILE);
    ASSERT_EQ(mmf_list(0, count_named, &n), ERROR_TOO_MANY_OPEN_FILES);
    ASSERT_EQ(count_fds(), fds);
    arm(1, ENOMEM);
    ASSERT_EQ(mmf_gc(0, NULL, NULL), ERROR_NOT_ENOUGH_MEMORY);
    ASSERT_EQ(mmf_list(0, count_named, &n), 0);
    ASSERT_EQ(n, 1);
    mmf__sys.fdopendir = real_fdopendir;
    CloseHandle(m);
}

/* Under a file size limit (ulimit -f), growing a memfd or a file past it is an error, as a
 * Windows program expects one, never SIGXFSZ. */
TEST(file_size_limit_is_an_error_not_a_signal)
{
    struct rlimit rl = {1 << 20, 1 << 20};
    ASSERT(setrlimit(RLIMIT_FSIZE, &rl) == 0);
    SetLastError(0);
    ASSERT(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 8 << 20, NULL));
    ASSERT_EQ(GetLastError(), ERROR_FILE_TOO_LARGE);
    HANDLE small = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, NULL);
    ASSERT(small && CloseHandle(small));
}

/* Windows programs hold thousands of handles: reaching the soft descriptor limit raises it
 * to the hard one (and, for root with CAP_SYS_RESOURCE, the hard one too), once asked;
 * at the hard limit, ERROR_TOO_MANY_OPEN_FILES and nothing leaked. */
TEST(descriptor_limit_is_raised_when_reached)
{
    enum { N = 64 };
    struct rlimit rl, now;
    HANDLE h[N];
    char name[64];
    ASSERT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)count_fds() + 2 * N) {
        printf("# skipped descriptor_limit_is_raised_when_reached: hard limit too low\n");
        return;
    }
    struct rlimit low = {(rlim_t)count_fds() + 8, rl.rlim_max};
    ASSERT(setrlimit(RLIMIT_NOFILE, &low) == 0);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "many-%d", i);
        ASSERT((h[i] = CreateEventA(NULL, TRUE, FALSE, name)) != NULL);
    }
    ASSERT(getrlimit(RLIMIT_NOFILE, &now) == 0);
    ASSERT(now.rlim_cur == rl.rlim_max || now.rlim_cur > rl.rlim_max);
    for (int i = 0; i < N; i++)
        ASSERT(CloseHandle(h[i]));
    /* At the hard limit: raised further only by a process allowed to (root with
     * CAP_SYS_RESOURCE), else an error, the descriptors taken on the way given back. */
    struct rlimit tight = {(rlim_t)count_fds() + 4, (rlim_t)count_fds() + 4};
    ASSERT(setrlimit(RLIMIT_NOFILE, &tight) == 0);
    int fds = count_fds(), i = 0;
    for (; i < N; i++) {
        snprintf(name, sizeof name, "over-%d", i);
        if (!(h[i] = CreateEventA(NULL, TRUE, FALSE, name)))
            break;
    }
    ASSERT(getrlimit(RLIMIT_NOFILE, &now) == 0);
    if (i == N) {
        ASSERT(now.rlim_max > tight.rlim_max);
    } else {
        ASSERT_EQ(GetLastError(), ERROR_TOO_MANY_OPEN_FILES);
        ASSERT_EQ(now.rlim_max, tight.rlim_max);
    }
    while (i-- > 0)
        ASSERT(CloseHandle(h[i]));
    ASSERT_EQ(count_fds(), fds);
}

/* At the descriptor limit, with no higher one to be had, any call that needs a descriptor
 * (here CreateFile) gets one of the kept names' (namespace.c), not ERROR_TOO_MANY_OPEN_FILES. */
TEST(kept_names_give_their_descriptors_to_any_call)
{
    char name[64], path[400], file[64];
    test_name(name, "kept-spare");
    struct child c;
    start_kept(&c, name, path);
    snprintf(file, sizeof file, "/tmp/mmf-test-%d-spare", (int)getpid());
    struct rlimit tight = {(rlim_t)count_fds() + 8, (rlim_t)count_fds() + 8};
    ASSERT(setrlimit(RLIMIT_NOFILE, &tight) == 0);
    int fill[16], filled = 0; /* every descriptor left, taken */
    while (filled < 16 && (fill[filled] = dup(0)) >= 0)
        filled++;
    ASSERT(filled < 16);
    HANDLE h = CreateFileA(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    while (filled-- > 0)
        close(fill[filled]);
    struct rlimit now;
    ASSERT(getrlimit(RLIMIT_NOFILE, &now) == 0);
    if (now.rlim_max > tight.rlim_max)
        printf("# kept_names_give_their_descriptors_to_any_call: the limit was raised "
               "(CAP_SYS_RESOURCE), so nothing had to be given back\n");
    ASSERT(h != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    unlink(file);
    kill_child(&c);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND); /* stale */
}

/* An openat that fails while armed. */
static int failing_openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return inject() ? -1 : real_openat(dirfd, path, flags, mode);
}

/* The files of names closed while others held them are kept for a reopen (namespace.c):
 * when descriptors run out, an open or create gives them back before it fails. */
TEST(fault_kept_names_give_their_descriptors_back)
{
    char name[64], other[64], path[400];
    test_name(name, "kept");
    test_name(other, "kept-new");
    struct child c;
    start_holder(&c, name, path);
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(m != NULL);
    int held = count_fds();
    CloseHandle(m); /* kept: the child holds the name */
    ASSERT_EQ(count_fds(), held);
    real_openat = mmf__sys.openat;
    mmf__sys.openat = failing_openat;
    arm(1, EMFILE); /* descriptors run out once */
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, other);
    mmf__sys.openat = real_openat;
    ASSERT(e != NULL);
    ASSERT_EQ(count_fds(), held); /* the kept file went; the event's came */
    CloseHandle(e);
    kill_child(&c);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND); /* stale */
}
