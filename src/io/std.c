/* GetStdHandle and SetStdHandle: the standard handles are file handles for descriptors 0,
 * 1 and 2, made when first asked for (each over a duplicate, so that closing the handle
 * leaves the descriptor to the C library), or the handles a parent passed with
 * STARTF_USESTDHANDLES and let the child inherit. SetStdHandle only changes what
 * GetStdHandle returns, as on Windows. */
#include <fcntl.h>
#include <unistd.h>

#include "io/io.h"

static pthread_mutex_t std_lock = PTHREAD_MUTEX_INITIALIZER;
static HANDLE std_handles[3];
static bool std_known[3];

static int std_index(DWORD which)
{
    return which == STD_INPUT_HANDLE ? 0 : which == STD_OUTPUT_HANDLE ? 1
           : which == STD_ERROR_HANDLE ? 2 : -1;
}

/* A handle over descriptor i, with the access its open mode gives; NULL when the process
 * has no such descriptor (Windows' answer for a missing standard handle). */
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
