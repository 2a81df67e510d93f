/* What programs ask of paths rather than handles: attributes, full path names, free disk
 * space, directories and the current directory. Paths are Linux paths with backslashes
 * taken as separators (mmf__linux_path); full path names come back the Linux way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "io/io.h"

/* Runs fn on the Linux path of a W argument's UTF-8 (or an A one's); fn's status. */
static int with_path(const char *name, int (*fn)(const char *path, void *ctx), void *ctx)
{
    char *path;
    int st = name ? mmf__linux_path(name, &path) : MMF__W(ERROR_INVALID_PARAMETER);
    if (st < 0)
        return st;
    st = fn(path, ctx);
    free(path);
    return st;
}

static int with_wpath(LPCWSTR name, int (*fn)(const char *path, void *ctx), void *ctx)
{
    char *a;
    int st = mmf__narrow(name, &a);
    if (st == 0)
        st = with_path(a, fn, ctx);
    free(a);
    return st;
}

/* A BOOL call's end: FALSE and the last error on failure. */
static BOOL result(int st)
{
    return st < 0 ? (mmf__fail(st), FALSE) : TRUE;
}

static int stat_path(const char *path, struct stat *sb)
{
    return mmf__sys.stat(path, sb) == 0 ? 0 : mmf__path_status(path, errno);
}

/* --- Attributes ------------------------------------------------------------------------ */

static int get_attrs(const char *path, void *ctx)
{
    struct stat sb;
    int st = stat_path(path, &sb);
    if (st == 0)
        *(DWORD *)ctx = mmf__file_attributes(&sb);
    return st;
}

DWORD WINAPI GetFileAttributesA(LPCSTR name)
{
    DWORD a;
    int st = with_path(name, get_attrs, &a);
    return st < 0 ? (mmf__fail(st), INVALID_FILE_ATTRIBUTES) : a;
}

DWORD WINAPI GetFileAttributesW(LPCWSTR name)
{
    DWORD a;
    int st = with_wpath(name, get_attrs, &a);
    return st < 0 ? (mmf__fail(st), INVALID_FILE_ATTRIBUTES) : a;
}

static int get_attr_data(const char *path, void *ctx)
{
    struct stat sb;
    int st = stat_path(path, &sb);
    if (st == 0)
        mmf__attribute_data(&sb, ctx);
    return st;
}

BOOL WINAPI GetFileAttributesExA(LPCSTR name, GET_FILEEX_INFO_LEVELS level, LPVOID out)
{
    return result(level != GetFileExInfoStandard || !out ? MMF__W(ERROR_INVALID_PARAMETER)
                                                         : with_path(name, get_attr_data, out));
}

BOOL WINAPI GetFileAttributesExW(LPCWSTR name, GET_FILEEX_INFO_LEVELS level, LPVOID out)
{
    return result(level != GetFileExInfoStandard || !out ? MMF__W(ERROR_INVALID_PARAMETER)
                                                         : with_wpath(name, get_attr_data, out));
}

/* Only read-only has a Linux meaning: no write permission for anyone, and back to the
 * owner's write permission when cleared. The other attributes are accepted and kept
 * nowhere; on a directory read-only means nothing, as on Windows. */
static int set_attrs(const char *path, void *ctx)
{
    DWORD a = *(DWORD *)ctx;
    struct stat sb;
    int st = stat_path(path, &sb);
    if (st < 0 || S_ISDIR(sb.st_mode))
        return st;
    mode_t mode = sb.st_mode & 07777;
    mode = (a & FILE_ATTRIBUTE_READONLY) ? mode & ~(mode_t)0222 : mode | S_IWUSR;
    if (mode == (sb.st_mode & 07777))
        return 0;
    return mmf__sys.chmod(path, mode) == 0 ? 0 : -errno;
}

BOOL WINAPI SetFileAttributesA(LPCSTR name, DWORD attrs)
{
    return result(with_path(name, set_attrs, &attrs));
}

BOOL WINAPI SetFileAttributesW(LPCWSTR name, DWORD attrs)
{
    return result(with_wpath(name, set_attrs, &attrs));
}

/* --- Full path names ------------------------------------------------------------------- */

/* The absolute form of path, "." and ".." and repeated separators resolved by name (as
 * Windows does, without looking at the file system): malloc'd. */
static int absolute(const char *path, char **out)
{
    char *cwd = NULL;
    if (path[0] != '/' && !(cwd = getcwd(NULL, 0)))
        return -errno;
    size_t n = (cwd ? strlen(cwd) + 1 : 0) + strlen(path) + 2;
    char *joined = malloc(n), *res = malloc(n);
    if (!joined || !res) {
        free(cwd), free(joined), free(res);
        return -ENOMEM;
    }
    snprintf(joined, n, "%s%s%s", cwd ? cwd : "", cwd ? "/" : "", path);
    free(cwd);
    size_t len = 0;
    for (char *seg = joined, *next; *seg; seg = next) {
        size_t k = strcspn(seg, "/");
        next = seg + k + (seg[k] == '/');
        if (k == 0 || (k == 1 && seg[0] == '.'))
            continue;
        if (k == 2 && seg[0] == '.' && seg[1] == '.') {
            while (len > 0 && res[--len] != '/')
                ;
            continue;
        }
        res[len++] = '/';
        memcpy(res + len, seg, k);
        len += k;
    }
    /* A trailing separator stays: it names no file part. */
    size_t plen = strlen(path);
    if (len == 0 || (plen && path[plen - 1] == '/'))
        res[len++] = '/';
    res[len] = 0;
    free(joined);
    *out = res;
    return 0;
}

static int full_path(const char *path, void *ctx)
{
    return absolute(path, ctx);
}

/* Hands a malloc'd UTF-8 path (freed here) out by Windows' size rule: its length without
 * the terminator when it fits, else the size needed with it (the buffer untouched);
 * *file (if asked) its last component there, or NULL when it ends with a separator. */
static DWORD give_a(char *s, DWORD cap, LPSTR out, LPSTR *file)
{
    size_t n = strlen(s);
    DWORD r = (DWORD)(n < cap ? n : n + 1);
    if (n < cap) {
        memcpy(out, s, n + 1);
        char *slash = file ? strrchr(out, '/') : NULL;
        if (file)
            *file = slash && slash[1] ? slash + 1 : NULL;
    }
    free(s);
    return r;
}

static DWORD give_w(char *s, DWORD cap, LPWSTR out, LPWSTR *file)
{
    WCHAR *w, *last = NULL;
    size_t n;
    int st = mmf__utf8_to_utf16(s, strlen(s), &w, &n);
    free(s);
    if (st < 0)
        return mmf__fail(st), 0;
    DWORD r = (DWORD)(n < cap ? n : n + 1);
    if (n < cap) {
        memcpy(out, w, n * sizeof *w);
        out[n] = 0;
        for (WCHAR *p = out; file && *p; p++)
            if (*p == '/')
                last = p;
        if (file)
            *file = last && last[1] ? last + 1 : NULL;
    }
    free(w);
    return r;
}

/* An empty name is ERROR_INVALID_NAME, as on Windows. */
static int full_name(const char *name, char **full)
{
    return name && !*name ? MMF__W(ERROR_INVALID_NAME) : with_path(name, full_path, full);
}

DWORD WINAPI GetFullPathNameA(LPCSTR name, DWORD cap, LPSTR out, LPSTR *file)
{
    char *full;
    int st = full_name(name, &full);
    return st < 0 ? (mmf__fail(st), 0) : give_a(full, cap, out, file);
}

DWORD WINAPI GetFullPathNameW(LPCWSTR name, DWORD cap, LPWSTR out, LPWSTR *file)
{
    char *a, *full;
    int st = mmf__narrow(name, &a);
    if (st == 0)
        st = full_name(a, &full);
    free(a);
    return st < 0 ? (mmf__fail(st), 0) : give_w(full, cap, out, file);
}

/* --- Free space ------------------------------------------------------------------------ */

static int space_of(const char *path, void *ctx)
{
    struct statvfs *v = ctx;
    return mmf__sys.statvfs(path, v) == 0 ? 0 : mmf__path_status(path, errno);
}

/* NULL: the current directory's file system. */
static int volume(const char *name, struct statvfs *v)
{
    return with_path(name ? name : ".", space_of, v);
}

static int wvolume(LPCWSTR name, struct statvfs *v)
{
    return name ? with_wpath(name, space_of, v) : volume(NULL, v);
}

static DWORD clamp32(uint64_t v)
{
    return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (DWORD)v;
}

/* The unit statvfs counts blocks in. */
static uint64_t fragment(const struct statvfs *v)
{
    return v->f_frsize ? v->f_frsize : v->f_bsize;
}

/* Clusters are the file system's fragments, in 512-byte sectors. st: the volume's look-up. */
static BOOL old_space(int st, const struct statvfs *v, LPDWORD spc, LPDWORD bps, LPDWORD free_,
                      LPDWORD total)
{
    if (st < 0)
        return mmf__fail(st), FALSE;
    uint64_t frag = fragment(v);
    if (spc)
        *spc = clamp32(frag >= 512 ? frag / 512 : 1);
    if (bps)
        *bps = 512;
    if (free_)
        *free_ = clamp32(v->f_bavail);
    if (total)
        *total = clamp32(v->f_blocks);
    return TRUE;
}

static BOOL new_space(int st, const struct statvfs *v, PULARGE_INTEGER avail,
                      PULARGE_INTEGER total, PULARGE_INTEGER free_)
{
    if (st < 0)
        return mmf__fail(st), FALSE;
    uint64_t frag = fragment(v);
    if (avail)
        avail->QuadPart = (uint64_t)v->f_bavail * frag;
    if (total)
        total->QuadPart = (uint64_t)v->f_blocks * frag;
    if (free_)
        free_->QuadPart = (uint64_t)v->f_bfree * frag;
    return TRUE;
}

BOOL WINAPI GetDiskFreeSpaceA(LPCSTR root, LPDWORD spc, LPDWORD bps, LPDWORD free_,
                              LPDWORD total)
{
    struct statvfs v;
    return old_space(volume(root, &v), &v, spc, bps, free_, total);
}

BOOL WINAPI GetDiskFreeSpaceW(LPCWSTR root, LPDWORD spc, LPDWORD bps, LPDWORD free_,
                              LPDWORD total)
{
    struct statvfs v;
    return old_space(wvolume(root, &v), &v, spc, bps, free_, total);
}

BOOL WINAPI GetDiskFreeSpaceExA(LPCSTR dir, PULARGE_INTEGER avail, PULARGE_INTEGER total,
                                PULARGE_INTEGER free_)
{
    struct statvfs v;
    return new_space(volume(dir, &v), &v, avail, total, free_);
}

BOOL WINAPI GetDiskFreeSpaceExW(LPCWSTR dir, PULARGE_INTEGER avail, PULARGE_INTEGER total,
                                PULARGE_INTEGER free_)
{
    struct statvfs v;
    return new_space(wvolume(dir, &v), &v, avail, total, free_);
}

/* The file functions take UTF-8 for their A forms: that is the ANSI code page here. */
BOOL WINAPI AreFileApisANSI(void)
{
    return TRUE;
}

/* --- Directories ----------------------------------------------------------------------- */

static int make_dir(const char *path, void *ctx)
{
    (void)ctx;
    if (mmf__sys.mkdir(path, 0777) == 0)
        return 0;
    return errno == EEXIST ? MMF__W(ERROR_ALREADY_EXISTS) : mmf__path_status(path, errno);
}

BOOL WINAPI CreateDirectoryA(LPCSTR name, LPSECURITY_ATTRIBUTES sa)
{
    (void)sa; /* the new directory's mode is the umask's, as any file's */
    return result(with_path(name, make_dir, NULL));
}

BOOL WINAPI CreateDirectoryW(LPCWSTR name, LPSECURITY_ATTRIBUTES sa)
{
    (void)sa;
    return result(with_wpath(name, make_dir, NULL));
}

/* A process's current directory is open on Windows, so removing it is a sharing
 * violation there; Linux would remove it. */
static int remove_dir(const char *path, void *ctx)
{
    struct stat sb, cwd;
    (void)ctx;
    int st = stat_path(path, &sb);
    if (st < 0)
        return st;
    if (!S_ISDIR(sb.st_mode))
        return MMF__W(ERROR_DIRECTORY);
    if (mmf__sys.stat(".", &cwd) == 0 && cwd.st_dev == sb.st_dev && cwd.st_ino == sb.st_ino)
        return MMF__W(ERROR_SHARING_VIOLATION);
    if (mmf__sys.rmdir(path) == 0)
        return 0;
    return errno == ENOTEMPTY || errno == EEXIST ? MMF__W(ERROR_DIR_NOT_EMPTY)
                                                 : mmf__path_status(path, errno);
}

BOOL WINAPI RemoveDirectoryA(LPCSTR name)
{
    return result(with_path(name, remove_dir, NULL));
}

BOOL WINAPI RemoveDirectoryW(LPCWSTR name)
{
    return result(with_wpath(name, remove_dir, NULL));
}

static int change_dir(const char *path, void *ctx)
{
    struct stat sb;
    (void)ctx;
    int st = stat_path(path, &sb);
    if (st == 0 && !S_ISDIR(sb.st_mode))
        st = MMF__W(ERROR_DIRECTORY);
    if (st == 0 && chdir(path) != 0)
        st = mmf__path_status(path, errno);
    return st;
}

BOOL WINAPI SetCurrentDirectoryA(LPCSTR name)
{
    return result(with_path(name, change_dir, NULL));
}

BOOL WINAPI SetCurrentDirectoryW(LPCWSTR name)
{
    return result(with_wpath(name, change_dir, NULL));
}

/* The size rule of GetFullPathName. */
DWORD WINAPI GetCurrentDirectoryA(DWORD cap, LPSTR out)
{
    char *cwd = getcwd(NULL, 0);
    return cwd ? give_a(cwd, cap, out, NULL) : (mmf__fail(-errno), 0);
}

DWORD WINAPI GetCurrentDirectoryW(DWORD cap, LPWSTR out)
{
    char *cwd = getcwd(NULL, 0);
    return cwd ? give_w(cwd, cap, out, NULL) : (mmf__fail(-errno), 0);
}
