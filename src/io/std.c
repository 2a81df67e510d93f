/* GetStdHandle and SetStdHandle: the standard handles are file handles for descriptors 0,
 * 1 and 2, made when first asked for (each over a duplicate, so that closing the handle
 * leaves the descriptor to the C library), or the handles a parent passed with
 * STARTF_USESTDHANDLES and let the child inherit. SetStdHandle only changes what
 * GetStdHandle returns, as on Windows. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <io.h>

#include "io/io.h"

static pthread_mutex_t std_lock = PTHREAD_MUTEX_INITIALIZER;
static HANDLE std_handles[3];
static bool std_known[3];

static int std_index(DWORD which)
{
    return which == STD_INPUT_HANDLE ? 0 : which == STD_OUTPUT_HANDLE ? 1
           : which == STD_ERROR_HANDLE ? 2 : -1;
}

/* A handle over descriptor i (a duplicate of it), with the access its open mode gives;
 * NULL when the process has no such descriptor (Windows' answer for a missing standard
 * handle). */
static int make_std(int i, HANDLE *out)
{
    int mode = mmf__sys.fcntl(i, F_GETFL);
    if (mode < 0) {
        *out = NULL;
        return 0;
    }
    int fd = mmf__dup_high(i);
    if (fd < 0)
        return fd;
    struct mmf__file *f = mmf__file_new(fd, false);
    if (!f) {
        mmf__sys.close(fd);
        return -ENOMEM;
    }
    DWORD access = (mode & O_ACCMODE) == O_RDONLY   ? FILE_GENERIC_READ
                   : (mode & O_ACCMODE) == O_WRONLY ? FILE_GENERIC_WRITE
                                                    : FILE_GENERIC_READ | FILE_GENERIC_WRITE;
    return mmf__handle_new(&f->obj, access, 0, out);
}

HANDLE WINAPI GetStdHandle(DWORD which)
{
    int i = std_index(which), st = 0;
    if (i < 0)
        return mmf__fail(MMF__W(ERROR_INVALID_HANDLE)), INVALID_HANDLE_VALUE;
    pthread_mutex_lock(&std_lock);
    if (!std_known[i]) {
        HANDLE h = mmf__inherited_std(i);
        if (!h)
            st = make_std(i, &h);
        if (st == 0) {
            std_handles[i] = h;
            std_known[i] = true;
        }
    }
    HANDLE h = std_handles[i];
    pthread_mutex_unlock(&std_lock);
    if (st < 0)
        return mmf__fail(st), INVALID_HANDLE_VALUE;
    return h;
}

BOOL WINAPI SetStdHandle(DWORD which, HANDLE h)
{
    int i = std_index(which);
    if (i < 0)
        return mmf__fail(MMF__W(ERROR_INVALID_HANDLE)), FALSE;
    pthread_mutex_lock(&std_lock);
    std_handles[i] = h;
    std_known[i] = true;
    pthread_mutex_unlock(&std_lock);
    return TRUE;
}

/* --- The C runtime's bridges: _get_osfhandle and _open_osfhandle ---------------------------- */

/* Which handle stands for which descriptor, and the file it was made for: a descriptor
 * closed and reused for another file gets a handle of its own. */
struct fd_handle {
    HANDLE h;
    dev_t dev;
    ino_t ino;
};
static struct fd_handle *fd_handles;
static size_t fd_cap;

static bool same_file(int fd, const struct fd_handle *e)
{
    struct stat sb;
    return e->h && mmf__sys.fstat(fd, &sb) == 0 && sb.st_dev == e->dev && sb.st_ino == e->ino;
}

static int remember(int fd, HANDLE h)
{
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    if ((size_t)fd >= fd_cap) {
        size_t cap = (size_t)fd + 64;
        struct fd_handle *more = realloc(fd_handles, cap * sizeof *more);
        if (!more)
            return -ENOMEM;
        memset(more + fd_cap, 0, (cap - fd_cap) * sizeof *more);
        fd_handles = more;
        fd_cap = cap;
    }
    fd_handles[fd] = (struct fd_handle){h, sb.st_dev, sb.st_ino};
    return 0;
}

intptr_t _get_osfhandle(int fd)
{
    if (fd < 0 || mmf__sys.fcntl(fd, F_GETFD) < 0) {
        errno = EBADF;
        return (intptr_t)INVALID_HANDLE_VALUE;
    }
    if (fd <= 2)
        return (intptr_t)GetStdHandle(fd == 0 ? STD_INPUT_HANDLE
                                      : fd == 1 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE);
    HANDLE h = NULL;
    int st = 0;
    pthread_mutex_lock(&std_lock);
    if ((size_t)fd < fd_cap && same_file(fd, &fd_handles[fd]))
        h = fd_handles[fd].h;
    else if ((st = make_std(fd, &h)) == 0 && h && (st = remember(fd, h)) < 0)
        CloseHandle(h);
    pthread_mutex_unlock(&std_lock);
    if (st < 0 || !h) {
        errno = st == -ENOMEM ? ENOMEM : EBADF;
        return (intptr_t)INVALID_HANDLE_VALUE;
    }
    return (intptr_t)h;
}

int _open_osfhandle(intptr_t osfhandle, int flags)
{
    (void)flags;
    struct mmf__file *f;
    if (mmf__file_get((HANDLE)osfhandle, 0, &f) < 0) {
        errno = EBADF;
        return -1;
    }
    int fd = mmf__sys.fcntl(f->fd, F_DUPFD, 3);
    mmf__unref(&f->obj);
    if (fd < 0)
        return -1;
    pthread_mutex_lock(&std_lock);
    int st = remember(fd, (HANDLE)osfhandle);
    pthread_mutex_unlock(&std_lock);
    if (st < 0) {
        mmf__sys.close(fd);
        errno = -st;
        return -1;
    }
    return fd;
}
