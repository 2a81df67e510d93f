/* CreateFile and the file operations a mapping program uses, with Windows' share modes
 * and the mapped-file rules (ERROR_USER_MAPPED_FILE) enforced across processes through
 * lock records (lock.c).
 *
 * Paths are Linux paths; a backslash is taken as a directory separator so that paths
 * built the Windows way ("dir\\file") keep working. */
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io.h"

struct mmf__file *mmf__file_new(int fd, bool directory)
{
    struct mmf__file *f = calloc(1, sizeof *f);
    if (f) {
        mmf__object_init(&f->obj, &mmf__file_type);
        f->fd = fd;
        f->directory = directory;
    }
    return f;
}

static void file_destroy(struct mmf__object *obj)
{
    struct mmf__file *f = (struct mmf__file *)obj;
    mmf__locks_free(f->locks);
    if (f->delete_path)
        mmf__sys.unlink(f->delete_path);
    mmf__sys.close(f->fd);
    free(f->delete_path);
    free(f);
}

/* An inherited file handle is the same open file as the parent's: one description, so one
 * file pointer and one set of share-mode records. Delete-on-close stays with the parent's
 * object. */
static int file_export(struct mmf__object *obj, struct mmf__xfer *x)
{
    struct mmf__file *f = (struct mmf__file *)obj;
    x->fd[0] = f->fd;
    x->v[0] = f->directory;
    return 0;
}

static int file_import(const struct mmf__type *type, struct mmf__xfer *x,
                       struct mmf__object **out)
{
    (void)type;
    struct mmf__file *f = mmf__file_new(x->fd[0], x->v[0] != 0);
    if (x->fd[1] >= 0)
        mmf__sys.close(x->fd[1]);
    if (!f) {
        mmf__sys.close(x->fd[0]);
        return -ENOMEM;
    }
    *out = &f->obj;
    return 0;
}

const struct mmf__type mmf__file_type = {
    .name = "File",
    .kind = MMF__KIND_FILE,
    .generic = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS},
    .valid = FILE_ALL_ACCESS,
    .destroy = file_destroy,
    .export_obj = file_export,
    .import_obj = file_import,
};
MMF__TYPE_ROW(mmf__file_type);

/* Devices, pipes and sockets: opened as files, never deleted as files (NUL is
 * /dev/null). */
static bool is_device(const struct stat *sb)
{
    return !S_ISREG(sb->st_mode) && !S_ISDIR(sb->st_mode) && !S_ISLNK(sb->st_mode);
}

static bool is_nul(const char *name)
{
    return strcasecmp(name, "NUL") == 0;
}

/* Windows' path prefixes: \\?\ (no normalization) and \\.\ (the device namespace)
 * name the path that follows them; nothing may follow them alone. Network paths
 * (\\?\UNC\) and named pipes (\\.\pipe\) do not exist here; NUL is /dev/null.
 * The rest of the path or an error; *dev set for a device. */
static int strip_prefix(const char **path, const char **dev)
{
    const char *p = *path;
    *dev = NULL;
    if (is_nul(p)) {
        *dev = "/dev/null";
        return 0;
    }
    if (!(p[0] == '\\' && p[1] == '\\' && (p[2] == '?' || p[2] == '.') && p[3] == '\\'))
        return 0;
    p += 4;
    if (!*p)
        return MMF__W(ERROR_INVALID_NAME);
    if (strncasecmp(p, "UNC\\", 4) == 0)
        return MMF__W(ERROR_PATH_NOT_FOUND);
    if (strncasecmp(p, "pipe\\", 5) == 0)
        return MMF__W(ERROR_FILE_NOT_FOUND);
    if (is_nul(p))
        *dev = "/dev/null";
    *path = p;
    return 0;
}

int mmf__linux_path(const char *path, char **out)
{
    const char *dev;
    if (!path || !*path)
        return MMF__W(ERROR_PATH_NOT_FOUND);
    int st = strip_prefix(&path, &dev);
    if (st < 0)
        return st;
    char *p = strdup(dev ? dev : path);
    if (!p)
        return -ENOMEM;
    for (char *c = p; *c; c++)
        if (*c == '\\')
            *c = '/';
    *out = p;
    return 0;
}

/* ENOENT means "file not found" when the directory exists, "path not found" otherwise. */
static int missing(const char *path)
{
    char *copy = strdup(path);
    struct stat st;
    int r = copy && mmf__sys.stat(dirname(copy), &st) == 0 && S_ISDIR(st.st_mode)
                ? MMF__W(ERROR_FILE_NOT_FOUND)
                : MMF__W(ERROR_PATH_NOT_FOUND);
    free(copy);
    return r;
}

int mmf__path_status(const char *path, int err)
{
    if (err == ENOENT)
        return missing(path);
    if (err == ENOTDIR)
        return MMF__W(ERROR_PATH_NOT_FOUND);
    return -err;
}

/* Opens `path` with the access mode the rights need. A write-only request is opened
 * read-write where permitted so the descriptor can hold the share-mode read locks. */
static int open_for(const char *path, DWORD access, int extra, mode_t mode)
{
    bool r = MMF__FILE_CAN_READ(access), w = MMF__FILE_CAN_WRITE(access);
    int base = extra | O_CLOEXEC | O_NOCTTY;
    if (w && !(access & FILE_WRITE_DATA))
        base |= O_APPEND;
    if (w) {
        int fd = mmf__sys.open(path, base | O_RDWR, mode);
        if (fd >= 0 || r || errno != EACCES)
            return fd;
        return mmf__sys.open(path, base | O_WRONLY, mode);
    }
    return mmf__sys.open(path, base | O_RDONLY, mode);
}

/* Opens per the disposition, with `extra` open flags; *created tells whether the file
 * is new. */
static int open_disposition(const char *path, DWORD access, DWORD disp, int extra, mode_t mode,
                            bool *created)
{
    *created = false;
    for (;;) {
        int fd;
        if (disp != CREATE_NEW) {
            fd = open_for(path, access, extra, mode);
            if (fd >= 0 || errno != ENOENT || disp == OPEN_EXISTING || disp == TRUNCATE_EXISTING)
                return fd;
        }
        fd = open_for(path, access, extra | O_CREAT | O_EXCL, mode);
        if (fd >= 0 || errno != EEXIST || disp == CREATE_NEW) {
            *created = fd >= 0;
            return fd;
        }
        /* Created by someone else between the two opens: open it as existing. */
    }
}

/* Truncates to zero for CREATE_ALWAYS/TRUNCATE_EXISTING, unless a section maps it. */
static int truncate_existing(int fd)
{
    int st = mmf__file_check_truncate(fd, 0);
    if (st < 0)
        return st;
    if (mmf__sys.ftruncate(fd, 0) == 0)
        return 0;
    /* A read-only handle may still overwrite (CREATE_ALWAYS, TRUNCATE_EXISTING): truncate
     * through a description of its own. */
    int wfd = mmf__reopen(fd, O_WRONLY | O_TRUNC);
    if (wfd < 0)
        return wfd;
    mmf__sys.close(wfd);
    return 0;
}

/* A directory, opened as Windows opens one with FILE_FLAG_BACKUP_SEMANTICS and a
 * disposition that keeps it: Linux gives a directory no write access mode, so the
 * descriptor is read-only whatever the handle's rights, or a path descriptor if the
 * directory cannot be read. -1 with errno EISDIR otherwise (ERROR_ACCESS_DENIED). */
static int open_directory(const char *path, DWORD disp, DWORD attrs)
{
    if (!(attrs & FILE_FLAG_BACKUP_SEMANTICS) || (disp != OPEN_EXISTING && disp != OPEN_ALWAYS)) {
        errno = EISDIR;
        return -1;
    }
    int fd = mmf__sys.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == EACCES)
        fd = mmf__sys.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd;
}

static int file_open(const char *wpath, DWORD access, DWORD share, DWORD disp, DWORD attrs,
                     DWORD flags, HANDLE *out, bool *existed)
{
    char *path;
    bool created;
    struct stat sb;
    if (disp < CREATE_NEW || disp > TRUNCATE_EXISTING || (share & ~7u))
        return MMF__W(ERROR_INVALID_PARAMETER);
    access = mmf__access_map(&mmf__file_type, access);
    int st = mmf__linux_path(wpath, &path);
    if (st < 0)
        return st;
    mode_t mode = attrs & FILE_ATTRIBUTE_READONLY ? 0444 : 0666;
    /* Write-through: WriteFile returns once the data is on the disk. LMDB writes its meta
     * page through such a handle and calls nothing else to make a commit durable. The
     * descriptor is the handle's own (one per CreateFile), as the flag is on Windows. */
    int extra = attrs & FILE_FLAG_WRITE_THROUGH ? O_DSYNC : 0;
    int fd = open_disposition(path, access, disp, extra, mode, &created);
    if (fd < 0 && errno == EISDIR)
        fd = open_directory(path, disp, attrs);
    if (fd < 0) {
        st = errno == EISDIR ? MMF__W(ERROR_ACCESS_DENIED) : mmf__path_status(path, errno);
        goto out;
    }
    if ((st = (int)mmf__sysret(mmf__sys.fstat(fd, &sb))) < 0)
        goto fail;
    if ((S_ISDIR(sb.st_mode) && !(attrs & FILE_FLAG_BACKUP_SEMANTICS)) ||
        (is_device(&sb) && (attrs & FILE_FLAG_DELETE_ON_CLOSE))) {
        st = MMF__W(ERROR_ACCESS_DENIED);
        goto fail;
    }
    if ((st = mmf__share_acquire(fd, access, share)) < 0)
        goto fail;
    if (!created && (disp == CREATE_ALWAYS || disp == TRUNCATE_EXISTING) &&
        (st = truncate_existing(fd)) < 0)
        goto fail;
    struct mmf__file *f = mmf__file_new(fd, S_ISDIR(sb.st_mode));
    if (!f) {
        st = -ENOMEM;
        goto fail;
    }
    if (attrs & FILE_FLAG_DELETE_ON_CLOSE)
        f->delete_path = path, path = NULL;
    if ((st = mmf__handle_new(&f->obj, access, flags, out)) < 0)
        goto out;
    *existed = !created && (disp == CREATE_ALWAYS || disp == OPEN_ALWAYS);
    goto out;
fail:
    mmf__sys.close(fd);
    if (created)
        mmf__sys.unlink(path);
out:
    free(path);
    return st;
}

HANDLE WINAPI CreateFileA(LPCSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                          DWORD disp, DWORD attrs, HANDLE tmpl)
{
    HANDLE h;
    bool existed = false;
    (void)tmpl;
    int st = file_open(name, access, share, disp, attrs, mmf__sa_handle_flags(sa), &h, &existed);
    if (st < 0)
        return mmf__fail(st), INVALID_HANDLE_VALUE;
    SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return h;
}

HANDLE WINAPI CreateFileW(LPCWSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa,
                          DWORD disp, DWORD attrs, HANDLE tmpl)
{
    char *u;
    int st = mmf__narrow(name, &u);
    if (st < 0)
        return mmf__fail(st), INVALID_HANDLE_VALUE;
    HANDLE h = CreateFileA(u, access, share, sa, disp, attrs, tmpl);
    free(u);
    return h;
}

HANDLE WINAPI CreateFileForMappingA(LPCSTR name, DWORD access, DWORD share,
                                    LPSECURITY_ATTRIBUTES sa, DWORD disp, DWORD attrs,
                                    HANDLE tmpl)
{
    return CreateFileA(name, access, share, sa, disp, attrs, tmpl);
}

HANDLE WINAPI CreateFileForMappingW(LPCWSTR name, DWORD access, DWORD share,
                                    LPSECURITY_ATTRIBUTES sa, DWORD disp, DWORD attrs,
                                    HANDLE tmpl)
{
    return CreateFileW(name, access, share, sa, disp, attrs, tmpl);
}

/* Looks up a file handle whose granted access includes `need` (0: any). */
int mmf__file_get(HANDLE h, DWORD need, struct mmf__file **out)
{
    return mmf__handle_get_for(h, &mmf__file_type, need, (struct mmf__object **)out);
}

/* How many pages one probe asks about. */
#define PROBE_PAGES 256

/* Whether every page of [p, p + n) can be read, asked of the kernel, one byte a page in
 * one call for up to PROBE_PAGES pages: Windows checks a transfer's whole buffer before
 * it moves a byte, where Linux stops at the first bad page. Yes when the kernel will not
 * say (a sandbox refusing process_vm_readv): the transfer then finds out itself. */
static bool readable(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p, end = a + n, page = a & ~(uintptr_t)(mmf__page_size - 1);
    char sink[PROBE_PAGES];
    struct iovec local = {sink, 0}, remote[PROBE_PAGES];
    while (page < end) {
        size_t k = 0;
        for (; k < PROBE_PAGES && page < end; k++, page += mmf__page_size)
            remote[k] = (struct iovec){(void *)(page < a ? a : page), 1};
        local.iov_len = k;
        ssize_t r = mmf__sys.process_vm_readv(mmf__pid(), &local, 1, remote, k, 0);
        if (r < 0 && (errno == EPERM || errno == ENOSYS))
            return true;
        if (r != (ssize_t)k)
            return false;
    }
    return true;
}

/* A buffer Windows would refuse before transferring: one that runs into a page that
 * cannot be read. Within one page Linux fails before it moves a byte: nothing to ask. */
static bool bad_buffer(const void *p, size_t n)
{
    size_t in_page = (uintptr_t)p & (mmf__page_size - 1);
    return n > mmf__page_size - in_page && !readable(p, n);
}

/* Whether a transfer must be refused before it starts. A write must: the kernel would
 * write the pages before a bad one into the file. A read need not: the kernel reports
 * a bad page past the first as a short count followed by EFAULT, which transfer()
 * undoes, so a read is asked about only when it comes back short (read_after). */
static bool refused_before(bool write, const void *buf, size_t n)
{
    return (!buf && n) || (write && bad_buffer(buf, n));
}

/* A read that came back short (end of file) into a buffer that runs into a bad page:
 * Windows refuses it whatever the file holds. The position goes back. */
static long read_after(int fd, const void *buf, size_t n, off_t off, long r)
{
    if (r < 0 || (size_t)r == n || !bad_buffer(buf, n))
        return r;
    if (off < 0)
        mmf__sys.lseek(fd, -(off_t)r, SEEK_CUR);
    return MMF__W(ERROR_NOACCESS);
}

/* Reads or writes all of n bytes (short only at end of file), at `off` or, if off < 0,
 * at the file position. A buffer the kernel finds bad midway (a read into a page that
 * cannot be written) fails the whole transfer, with the position as it was: Windows
 * moves nothing then. */
static long transfer(int fd, bool write, void *buf, size_t n, off_t off)
{
    size_t done = 0;
    while (done < n) {
        char *p = (char *)buf + done;
        ssize_t r = off >= 0 ? (write ? mmf__sys.pwrite(fd, p, n - done, off + (off_t)done)
                                      : mmf__sys.pread(fd, p, n - done, off + (off_t)done))
                             : (write ? mmf__sys.write(fd, p, n - done)
                                      : mmf__sys.read(fd, p, n - done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EFAULT) {
            if (off < 0 && done)
                mmf__sys.lseek(fd, -(off_t)done, SEEK_CUR);
            return MMF__W(write ? ERROR_INVALID_USER_BUFFER : ERROR_NOACCESS);
        }
        if (r < 0)
            return -errno;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (long)done;
}

/* End of file has an NTSTATUS of its own; other errors are recorded in the form Windows
 * gives a Win32 code (NTSTATUS_FROM_WIN32: FACILITY_NTWIN32, severity error). */
#define STATUS_END_OF_FILE 0xC0000011u
#define STATUS_FROM_WIN32(e) (0xC0070000u | ((e) & 0xFFFFu))

void mmf__overlapped_done(OVERLAPPED *ov, int st, size_t bytes)
{
    ov->Internal = st == 0                          ? 0
                   : st == MMF__W(ERROR_HANDLE_EOF) ? STATUS_END_OF_FILE
                                                    : STATUS_FROM_WIN32(mmf__win32_error(st));
    ov->InternalHigh = bytes;
    /* Complete: its event is set, as Windows sets it, so that a program that waits on it
     * after a call that returned at once (or failed) does not wait forever. */
    if (ov->hEvent)
        mmf__handle_signal(ov->hEvent, MMF__KIND_EVENT);
}

int mmf__overlapped_error(ULONG_PTR status)
{
    if (status == STATUS_END_OF_FILE)
        return MMF__W(ERROR_HANDLE_EOF);
    if ((status & 0xFFFF0000u) == STATUS_FROM_WIN32(0))
        return MMF__W(status & 0xFFFFu);
    return MMF__W(ERROR_MR_MID_NOT_FOUND); /* what Windows maps an unknown NTSTATUS to */
}

static BOOL read_write(HANDLE h, bool write, void *buf, DWORD n, LPDWORD done, LPOVERLAPPED ov)
{
    struct mmf__file *f;
    int st = mmf__file_get(h, write ? FILE_WRITE_DATA | FILE_APPEND_DATA : FILE_READ_DATA, &f);
    if (st < 0)
        return mmf__fail(st), FALSE;
    long r;
    off_t off = ov ? (off_t)((uint64_t)ov->OffsetHigh << 32 | ov->Offset) : -1;
    if (refused_before(write, buf, n))
        r = MMF__W(write ? ERROR_INVALID_USER_BUFFER : ERROR_NOACCESS);
    else if (f->directory)
        r = MMF__W(ERROR_INVALID_FUNCTION); /* a directory's handle transfers nothing */
    else {
        r = transfer(f->fd, write, buf, n, off);
        if (!write)
            r = read_after(f->fd, buf, n, off, r);
        /* A synchronous handle's position follows an OVERLAPPED transfer too. */
        if (ov && r >= 0)
            mmf__sys.lseek(f->fd, off + r, SEEK_SET);
    }
    mmf__unref(&f->obj);
    /* Reading at or past the end through an OVERLAPPED is ERROR_HANDLE_EOF. */
    if (ov && !write && r == 0 && n)
        r = MMF__W(ERROR_HANDLE_EOF);
    if (done)
        *done = r > 0 ? (DWORD)r : 0;
    if (ov)
        mmf__overlapped_done(ov, r < 0 ? (int)r : 0, r > 0 ? (size_t)r : 0);
    if (r < 0)
        return mmf__fail((int)r), FALSE;
    return TRUE;
}

BOOL WINAPI ReadFile(HANDLE h, LPVOID buf, DWORD n, LPDWORD done, LPOVERLAPPED ov)
{
    return read_write(h, false, buf, n, done, ov);
}

BOOL WINAPI WriteFile(HANDLE h, LPCVOID buf, DWORD n, LPDWORD done, LPOVERLAPPED ov)
{
    return read_write(h, true, (void *)buf, n, done, ov);
}

/* --- Byte-range locks (range.c) ------------------------------------------------------ */

static uint64_t qword(DWORD lo, DWORD hi)
{
    return (uint64_t)hi << 32 | lo;
}

/* The handle needs read or write access (GENERIC_READ or GENERIC_WRITE), as Windows.
 * unlock: the call is an unlock, flags the lock's otherwise. */
static BOOL range_call(HANDLE h, uint64_t off, uint64_t len, DWORD flags, bool unlock,
                       LPOVERLAPPED ov)
{
    struct mmf__file *f;
    int st = mmf__file_get(h, FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA, &f);
    if (st == 0) {
        st = unlock ? mmf__range_unlock(f, off, len)
                    : mmf__range_lock(f, off, len, flags & LOCKFILE_EXCLUSIVE_LOCK,
                                      !(flags & LOCKFILE_FAIL_IMMEDIATELY));
        mmf__unref(&f->obj);
    }
    if (ov)
        mmf__overlapped_done(ov, st, 0);
    return st < 0 ? (mmf__fail(st), FALSE) : TRUE;
}

BOOL WINAPI LockFile(HANDLE h, DWORD off_lo, DWORD off_hi, DWORD len_lo, DWORD len_hi)
{
    return range_call(h, qword(off_lo, off_hi), qword(len_lo, len_hi),
                      LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, false, NULL);
}

BOOL WINAPI LockFileEx(HANDLE h, DWORD flags, DWORD reserved, DWORD len_lo, DWORD len_hi,
                       LPOVERLAPPED ov)
{
    if (reserved || !ov || (flags & ~(DWORD)(LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY)))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), FALSE;
    return range_call(h, qword(ov->Offset, ov->OffsetHigh), qword(len_lo, len_hi), flags, false,
                      ov);
}

BOOL WINAPI UnlockFile(HANDLE h, DWORD off_lo, DWORD off_hi, DWORD len_lo, DWORD len_hi)
{
    return range_call(h, qword(off_lo, off_hi), qword(len_lo, len_hi), 0, true, NULL);
}

BOOL WINAPI UnlockFileEx(HANDLE h, DWORD reserved, DWORD len_lo, DWORD len_hi, LPOVERLAPPED ov)
{
    if (reserved || !ov)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), FALSE;
    return range_call(h, qword(ov->Offset, ov->OffsetHigh), qword(len_lo, len_hi), 0, true, ov);
}

/* Moves the position; fails without moving it if the result would be negative. */
static int seek(HANDLE h, int64_t dist, DWORD method, int64_t *pos)
{
    struct mmf__file *f;
    struct stat sb;
    if (method > FILE_END)
        return MMF__W(ERROR_INVALID_PARAMETER);
    int st = mmf__file_get(h, 0, &f);
    if (st < 0)
        return st;
    int64_t base = 0;
    if (method == FILE_CURRENT)
        base = mmf__sys.lseek(f->fd, 0, SEEK_CUR);
    else if (method == FILE_END)
        base = mmf__sys.fstat(f->fd, &sb) == 0 ? sb.st_size : -1;
    if (base < 0)
        st = -errno;
    else if (__builtin_add_overflow(base, dist, pos) || *pos < 0)
        st = MMF__W(ERROR_NEGATIVE_SEEK);
    else if (mmf__sys.lseek(f->fd, *pos, SEEK_SET) < 0)
        st = -errno;
    mmf__unref(&f->obj);
    return st;
}

/* Without a high word the distance is a signed 32-bit value and only the low half of the
 * new position comes back (Wine does the same past 4 GiB). */
DWORD WINAPI SetFilePointer(HANDLE h, LONG dist, PLONG high, DWORD method)
{
    int64_t d = high ? (int64_t)((uint64_t)(uint32_t)*high << 32 | (uint32_t)dist) : dist;
    int64_t pos;
    int st = seek(h, d, method, &pos);
    if (st < 0)
        return mmf__fail(st), INVALID_SET_FILE_POINTER;
    if (high)
        *high = (LONG)(pos >> 32);
    if ((DWORD)pos == INVALID_SET_FILE_POINTER)
        SetLastError(NO_ERROR); /* lets the caller tell this position from failure */
    return (DWORD)pos;
}

BOOL WINAPI SetFilePointerEx(HANDLE h, LARGE_INTEGER dist, PLARGE_INTEGER out, DWORD method)
{
    int64_t pos;
    int st = seek(h, dist.QuadPart, method, &pos);
    if (st < 0)
        return mmf__fail(st), FALSE;
    if (out)
        out->QuadPart = pos;
    return TRUE;
}

BOOL WINAPI SetEndOfFile(HANDLE h)
{
    struct mmf__file *f;
    struct stat sb;
    int st = mmf__file_get(h, FILE_WRITE_DATA, &f);
    if (st < 0)
        return mmf__fail(st), FALSE;
    off_t pos = mmf__sys.lseek(f->fd, 0, SEEK_CUR);
    if (pos < 0 || mmf__sys.fstat(f->fd, &sb) < 0)
        st = -errno;
    else if (pos < sb.st_size) /* Windows refuses any cut of a mapped file, even above
                                   every section's end (a 4-byte section, 8 -> 6 bytes) */
        st = mmf__file_check_truncate(f->fd, 0);
    if (st == 0)
        st = (int)mmf__sysret(mmf__sys.ftruncate(f->fd, pos));
    mmf__unref(&f->obj);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

static int file_size(HANDLE h, uint64_t *size)
{
    struct mmf__file *f;
    struct stat sb;
    int st = mmf__file_get(h, 0, &f);
    if (st < 0)
        return st;
    st = (int)mmf__sysret(mmf__sys.fstat(f->fd, &sb));
    *size = (uint64_t)sb.st_size;
    mmf__unref(&f->obj);
    return st;
}

DWORD WINAPI GetFileSize(HANDLE h, LPDWORD high)
{
    uint64_t size;
    int st = file_size(h, &size);
    if (st < 0)
        return mmf__fail(st), INVALID_FILE_SIZE;
    if (high)
        *high = (DWORD)(size >> 32);
    if ((DWORD)size == INVALID_FILE_SIZE)
        SetLastError(NO_ERROR);
    return (DWORD)size;
}

BOOL WINAPI GetFileSizeEx(HANDLE h, PLARGE_INTEGER out)
{
    uint64_t size;
    int st = out ? file_size(h, &size) : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    out->QuadPart = (LONGLONG)size;
    return TRUE;
}

BOOL WINAPI FlushFileBuffers(HANDLE h)
{
    struct mmf__file *f;
    int st = mmf__file_get(h, FILE_WRITE_DATA | FILE_APPEND_DATA, &f);
    if (st < 0)
        return mmf__fail(st), FALSE;
    st = (int)mmf__sysret(mmf__sys.fsync(f->fd));
    mmf__unref(&f->obj);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

/* Windows refuses to delete a file that a handle opened without FILE_SHARE_DELETE. */
static int check_deletable(const char *path)
{
    int fd = mmf__sys.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return 0; /* unreadable or a link: nothing recorded that could refuse it */
    int st = mmf__share_check_delete(fd);
    mmf__sys.close(fd);
    return st;
}

BOOL WINAPI DeleteFileA(LPCSTR name)
{
    char *path;
    struct stat sb;
    int st = mmf__linux_path(name, &path);
    if (st == 0) {
        if (mmf__sys.lstat(path, &sb) < 0)
            st = mmf__path_status(path, errno);
        else if (S_ISDIR(sb.st_mode) || is_device(&sb))
            st = MMF__W(ERROR_ACCESS_DENIED);
        else if ((st = check_deletable(path)) == 0 && mmf__sys.unlink(path) < 0)
            st = mmf__path_status(path, errno);
        free(path);
    }
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

BOOL WINAPI DeleteFileW(LPCWSTR name)
{
    char *u;
    int st = mmf__narrow(name, &u);
    if (st < 0)
        return mmf__fail(st), FALSE;
    BOOL r = DeleteFileA(u);
    free(u);
    return r;
}

/* TMPDIR or /tmp, with the trailing separator Windows programs append names to. */
static const char *temp_dir(char *buf, size_t cap)
{
    const char *t = getenv("TMPDIR");
    if (!t || *t != '/')
        t = "/tmp";
    size_t n = strlen(t);
    if (n + 2 > cap)
        return "/tmp/";
    memcpy(buf, t, n);
    if (buf[n - 1] != '/')
        buf[n++] = '/';
    buf[n] = 0;
    return buf;
}

DWORD WINAPI GetTempPathA(DWORD cap, LPSTR out)
{
    char buf[4096];
    const char *t = temp_dir(buf, sizeof buf);
    size_t n = strlen(t);
    if (cap < n + 1)
        return (DWORD)(n + 1);
    memcpy(out, t, n + 1);
    return (DWORD)n;
}

DWORD WINAPI GetTempPathW(DWORD cap, LPWSTR out)
{
    char buf[4096];
    const char *t = temp_dir(buf, sizeof buf);
    WCHAR *w;
    size_t n;
    int st = mmf__utf8_to_utf16(t, strlen(t), &w, &n);
    if (st < 0)
        return mmf__fail(st), 0;
    if (cap >= n + 1)
        memcpy(out, w, (n + 1) * sizeof *w);
    free(w);
    return (DWORD)(cap < n + 1 ? n + 1 : n);
}
