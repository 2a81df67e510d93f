/* Facts about a file shared between processes without a daemon, kept as open-file-
 * description (OFD) byte-range locks at offsets far above any real data:
 *
 *   LK_SECTION + [0, size)  read-locked by each live section mapping the file, on an
 *                           OFD of the section's own. Truncating below `size` would cut
 *                           a mapped section: ERROR_USER_MAPPED_FILE.
 *   LK_SHARE + 0..2         read-locked by each handle that has read/write/delete access;
 *                           + 3..5 by each handle that does NOT share read/write/delete.
 *                           A new open conflicts exactly where Windows' share-mode rules
 *                           say it does. A handle's record goes with the handle's file
 *                           object, even while a section made from it lives.
 *   LK_SHARE + 6            read-locked by each live writable section of the file: a new
 *                           open that does not share writing fails, whatever it asks.
 *
 * OFD locks belong to the open file description, vanish with the last descriptor (and so
 * with a killed process), and conflict between descriptions even inside one process,
 * which is what Windows' per-handle rules need. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>

#include "io/io.h"

static struct flock range(short type, off_t start, off_t len)
{
    return (struct flock){.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
}

#define LK_SHARE ((off_t)MMF__LOCK_LIMIT) /* range.c's records are below */
#define LK_SECTION 0x4000000000000000LL

static int lock(int fd, short type, off_t start, off_t len)
{
    struct flock fl = range(type, start, len);
    return (int)mmf__sysret(mmf__sys.fcntl(fd, F_OFD_SETLK, &fl));
}

static bool lock_unsupported(int status)
{
    /* A filesystem without (OFD) locks, a descriptor whose mode cannot hold the lock, or
     * a full lock table: the fact goes unrecorded rather than failing the caller. */
    return status == -ENOLCK || status == -EOPNOTSUPP || status == -EINVAL ||
           status == -EBADF || status == -ENOSYS;
}

/* 1 if another open file description holds a lock conflicting with `type` there. */
static int conflict(int fd, short type, off_t start, off_t len)
{
    struct flock fl = range(type, start, len);
    if (mmf__sys.fcntl(fd, F_OFD_GETLK, &fl) < 0)
        return -errno;
    return fl.l_type != F_UNLCK;
}

enum { SH_READ, SH_WRITE, SH_DELETE, SH_DENY = 3, SH_WRITABLE_SECTION = 6 };

int mmf__lock_section(int fd, uint64_t size, bool writable)
{
    int st = lock(fd, F_RDLCK, LK_SECTION, (off_t)size);
    if (st == 0 && writable)
        st = lock(fd, F_RDLCK, LK_SHARE + SH_WRITABLE_SECTION, 1);
    return st < 0 && lock_unsupported(st) ? 0 : st;
}

int mmf__file_check_truncate(int fd, uint64_t new_size)
{
    int c = conflict(fd, F_WRLCK, LK_SECTION + (off_t)new_size, 0);
    return c < 0 ? c : c ? MMF__W(ERROR_USER_MAPPED_FILE) : 0;
}

/* Which of read/write/delete a handle's access uses, as three bits. */
static unsigned uses_of(DWORD access)
{
    return (MMF__FILE_CAN_READ(access) ? 1u << SH_READ : 0) |
           (MMF__FILE_CAN_WRITE(access) ? 1u << SH_WRITE : 0) |
           (access & DELETE ? 1u << SH_DELETE : 0);
}

int mmf__share_acquire(int fd, DWORD access, DWORD share)
{
    unsigned uses = uses_of(access), denies = ~share & 7u;
    /* A writable section of the file refuses any new handle that does not share writing,
     * an attribute-only one too (Windows: the section writes the file). */
    if (denies & 1u << SH_WRITE) {
        int c = conflict(fd, F_WRLCK, LK_SHARE + SH_WRITABLE_SECTION, 1);
        if (c > 0)
            return MMF__W(ERROR_SHARING_VIOLATION);
        if (c < 0 && !lock_unsupported(c))
            return c;
    }
    if (!uses)
        return 0; /* attribute-only opens neither conflict nor block otherwise */
    /* Serialize check-then-lock among openers. flock works whatever the descriptor's
     * mode, and is independent of the fcntl locks it guards. */
    int st = (int)mmf__sysret(mmf__sys.flock(fd, LOCK_EX));
    if (st < 0)
        return lock_unsupported(st) ? 0 : st;
    for (int k = 0; k < 3 && st == 0; k++) {
        int c = 0;
        if (uses & 1u << k)
            c = conflict(fd, F_WRLCK, LK_SHARE + SH_DENY + k, 1);
        if (c == 0 && denies & 1u << k)
            c = conflict(fd, F_WRLCK, LK_SHARE + k, 1);
        st = c < 0 ? c : c ? MMF__W(ERROR_SHARING_VIOLATION) : 0;
    }
    for (int k = 0; k < 3 && st == 0; k++) {
        if (uses & 1u << k)
            st = lock(fd, F_RDLCK, LK_SHARE + k, 1);
        if (st == 0 && denies & 1u << k)
            st = lock(fd, F_RDLCK, LK_SHARE + SH_DENY + k, 1);
    }
    mmf__sys.flock(fd, LOCK_UN);
    return lock_unsupported(st) ? 0 : st;
}

int mmf__share_check_delete(int fd)
{
    int c = conflict(fd, F_WRLCK, LK_SHARE + SH_DENY + SH_DELETE, 1);
    return c < 0 ? c : c ? MMF__W(ERROR_SHARING_VIOLATION) : 0;
}
