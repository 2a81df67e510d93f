/* What else programs ask of files: their times (FILETIME) and identity, temporary file
 * names, and the result an OVERLAPPED records. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "io/io.h"

/* --- GetFileTime, SetFileTime ---------------------------------------------------------- */

/* NULL and 0 leave a time as it is; so does 0xFFFFFFFF'FFFFFFFF, which on Windows also
 * keeps later I/O through the handle from updating it (not kept here). */
static void from_filetime(const FILETIME *ft, struct timespec *t)
{
    uint64_t v = ft ? mmf__filetime_ticks(ft) : 0;
    if (v == 0 || v == UINT64_MAX) {
        *t = (struct timespec){.tv_nsec = UTIME_OMIT};
        return;
    }
    mmf__filetime_to_timespec(v, t);
}

/* What the file a handle refers to is, for a handle that may read its attributes. */
static int stat_of(HANDLE h, struct stat *sb)
{
    struct mmf__file *f;
    int st = mmf__file_get(h, FILE_READ_ATTRIBUTES, &f);
    if (st < 0)
        return st;
    st = (int)mmf__sysret(mmf__sys.fstat(f->fd, sb));
    mmf__unref(&f->obj);
    return st;
}

/* Linux keeps no creation time every file system and libc can give: the inode's change
 * time stands for it (docs/deviations.md). */
BOOL WINAPI GetFileTime(HANDLE h, LPFILETIME created, LPFILETIME accessed, LPFILETIME written)
{
    struct stat sb;
    int st = stat_of(h, &sb);
    if (st < 0)
        return mmf__fail(st), FALSE;
    if (created)
        mmf__to_filetime(&sb.st_ctim, created);
    if (accessed)
        mmf__to_filetime(&sb.st_atim, accessed);
    if (written)
        mmf__to_filetime(&sb.st_mtim, written);
    return TRUE;
}

/* The creation time cannot be set on Linux: it is accepted and left (deviations.md). */
BOOL WINAPI SetFileTime(HANDLE h, const FILETIME *created, const FILETIME *accessed,
                        const FILETIME *written)
{
    struct mmf__file *f;
    struct timespec ts[2];
    (void)created;
    int st = mmf__file_get(h, FILE_WRITE_ATTRIBUTES, &f);
    if (st < 0)
        return mmf__fail(st), FALSE;
    from_filetime(accessed, &ts[0]);
    from_filetime(written, &ts[1]);
    st = (int)mmf__sysret(mmf__sys.futimens(f->fd, ts));
    mmf__unref(&f->obj);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

/* The attributes Windows reports for what Linux has: a directory, or an archive file
 * (what every file is once written), read-only when nobody may write it. */
DWORD mmf__file_attributes(const struct stat *sb)
{
    DWORD a = S_ISDIR(sb->st_mode) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
    if (!(sb->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        a |= FILE_ATTRIBUTE_READONLY;
    return a;
}

void mmf__attribute_data(const struct stat *sb, WIN32_FILE_ATTRIBUTE_DATA *d)
{
    uint64_t size = S_ISDIR(sb->st_mode) ? 0 : (uint64_t)sb->st_size;
    d->dwFileAttributes = mmf__file_attributes(sb);
    mmf__to_filetime(&sb->st_ctim, &d->ftCreationTime);
    mmf__to_filetime(&sb->st_atim, &d->ftLastAccessTime);
    mmf__to_filetime(&sb->st_mtim, &d->ftLastWriteTime);
    d->nFileSizeHigh = (DWORD)(size >> 32);
    d->nFileSizeLow = (DWORD)size;
}

/* The volume serial number stands for the device, the file index for the inode: the pair
 * names one file while it exists, as on Windows. */
BOOL WINAPI GetFileInformationByHandle(HANDLE h, LPBY_HANDLE_FILE_INFORMATION out)
{
    struct stat sb;
    WIN32_FILE_ATTRIBUTE_DATA d;
    int st = out ? stat_of(h, &sb) : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    mmf__attribute_data(&sb, &d);
    uint64_t dev = (uint64_t)sb.st_dev, ino = (uint64_t)sb.st_ino;
    *out = (BY_HANDLE_FILE_INFORMATION){
        .dwFileAttributes = d.dwFileAttributes,
        .ftCreationTime = d.ftCreationTime,
        .ftLastAccessTime = d.ftLastAccessTime,
        .ftLastWriteTime = d.ftLastWriteTime,
        .dwVolumeSerialNumber = (DWORD)(dev ^ dev >> 32),
        .nFileSizeHigh = d.nFileSizeHigh,
        .nFileSizeLow = d.nFileSizeLow,
        .nNumberOfLinks = (DWORD)sb.st_nlink,
        .nFileIndexHigh = (DWORD)(ino >> 32),
        .nFileIndexLow = (DWORD)ino,
    };
    return TRUE;
}

/* --- GetTempFileName ------------------------------------------------------------------- */

/* <dir>[/]<up to three characters of prefix><unique in hex>.tmp; Windows refuses a
 * directory longer than MAX_PATH - 14. */
static int temp_name(const char *dir, const char *prefix, unsigned unique, char out[MAX_PATH])
{
    size_t n = strlen(dir);
    if (n > MAX_PATH - 14)
        return MMF__W(ERROR_BUFFER_OVERFLOW);
    const char *sep = n && (dir[n - 1] == '/' || dir[n - 1] == '\\') ? "" : "/";
    snprintf(out, MAX_PATH, "%s%s%.3s%X.tmp", dir, sep, prefix ? prefix : "", unique);
    return 0;
}

/* Creates the file if it is not there: 0, 1 if it exists, or the error (a directory that
 * does not exist is ERROR_DIRECTORY, as on Windows). */
static int create_new(const char *name)
{
    char *path;
    int st = mmf__linux_path(name, &path);
    if (st < 0)
        return st;
    int fd = mmf__sys.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
    st = fd >= 0 ? 0 : errno == EEXIST ? 1 : errno == ENOENT || errno == ENOTDIR
                                               ? MMF__W(ERROR_DIRECTORY)
                                               : -errno;
    if (fd >= 0)
        mmf__sys.close(fd);
    free(path);
    return st;
}

/* Only the low 16 bits of unique count. With those 0, numbers from the clock on are tried
 * until a name is free, and the file is made; otherwise the name is only formed. The
 * number used, or 0. */
static UINT temp_file_name(const char *dir, const char *prefix, UINT unique, char out[MAX_PATH])
{
    int st = dir && out ? 0 : MMF__W(ERROR_INVALID_PARAMETER);
    unique &= 0xFFFF;
    if (st == 0 && unique)
        st = temp_name(dir, prefix, unique, out);
    if (st == 0 && !unique) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        UINT start = (UINT)(now.tv_nsec / 1000) & 0xFFFF, n = start;
        st = 1;
        do {
            unique = n ? n : 1;
            st = temp_name(dir, prefix, unique, out);
            if (st == 0)
                st = create_new(out);
            n = (n + 1) & 0xFFFF;
        } while (st == 1 && n != start);
        if (st == 1)
            st = MMF__W(ERROR_FILE_EXISTS); /* all 65535 names taken */
    }
    if (st < 0)
        return mmf__fail(st), 0;
    return unique;
}

UINT WINAPI GetTempFileNameA(LPCSTR dir, LPCSTR prefix, UINT unique, LPSTR out)
{
    return temp_file_name(dir, prefix, unique, out);
}

UINT WINAPI GetTempFileNameW(LPCWSTR dir, LPCWSTR prefix, UINT unique, LPWSTR out)
{
    char *d = NULL, *p = NULL, name[MAX_PATH];
    WCHAR *w = NULL;
    size_t n = 0;
    int st = dir && out ? mmf__narrow(dir, &d) : MMF__W(ERROR_INVALID_PARAMETER);
    if (st == 0)
        st = mmf__narrow(prefix, &p);
    UINT r = st == 0 ? temp_file_name(d, p, unique, name) : 0;
    if (r && (st = mmf__utf8_to_utf16(name, strlen(name), &w, &n)) == 0 && n < MAX_PATH)
        memcpy(out, w, (n + 1) * sizeof *w);
    else if (r)
        r = 0, st = st < 0 ? st : MMF__W(ERROR_BUFFER_OVERFLOW);
    free(d);
    free(p);
    free(w);
    if (st < 0)
        return mmf__fail(st), 0;
    return r;
}

/* --- GetOverlappedResult --------------------------------------------------------------- */

/* mmf's I/O is complete when ReadFile or WriteFile returns: an OVERLAPPED holds its final
 * status (mmf__overlapped_done) and count. One still STATUS_PENDING was never used. */
BOOL WINAPI GetOverlappedResult(HANDLE h, LPOVERLAPPED ov, LPDWORD done, BOOL wait)
{
    (void)h, (void)wait;
    if (!ov)
        return mmf__fail(MMF__W(ERROR_NOACCESS)), FALSE;
    if (ov->Internal == MMF__STATUS_PENDING)
        return mmf__fail(MMF__W(ERROR_IO_INCOMPLETE)), FALSE;
    if (done)
        *done = (DWORD)ov->InternalHigh;
    if (ov->Internal != 0)
        return mmf__fail(mmf__overlapped_error(ov->Internal)), FALSE;
    return TRUE;
}
