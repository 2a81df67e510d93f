/* Where the namespaces live: the root ($MMF_ROOT, or /dev/shm) and its directories,
 *
 *   <root>/mmf-<uid>     Local\ names of one user: 0700, owned by the user (or, if
 *                        another user took that name first, the directory its record
 *                        names: nsrecord.c)
 *   <root>/mmf-global    Global\ names: 1777 (sticky), owned by root or the user
 *
 * checked on every use, as the root is world-writable: a link, another owner or another
 * mode is never trusted with objects. See docs/namespace.md. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ob/ob.h"

#ifndef RENAME_EXCHANGE /* linux/fs.h's; not every libc defines them */
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#endif

const char *mmf__ns_root(void)
{
    const char *r = getenv("MMF_ROOT");
    return r && *r ? r : "/dev/shm";
}

/* A new directory for owner under a hidden name in the root, ready to be moved in. */
static int make_fresh(mode_t mode, uid_t owner, char *fresh, size_t cap)
{
    static atomic_uint counter;
    snprintf(fresh, cap, "%s/.mmf-%u-%u", mmf__ns_root(), (unsigned)mmf__pid(),
             atomic_fetch_add(&counter, 1));
    if (mmf__sys.mkdir(fresh, mode) < 0)
        return -errno;
    if (mmf__sys.chmod(fresh, mode) < 0 || /* past the umask */
        (owner != geteuid() && mmf__sys.chown(fresh, owner, (gid_t)-1) < 0)) {
        int st = -errno;
        mmf__sys.unlinkat(AT_FDCWD, fresh, AT_REMOVEDIR);
        return st;
    }
    return 0;
}

/* Root takes back a name another user took first (a directory, a file or a link made
 * before the name's first use), for its rightful owner: nobody may deny root its
 * namespace, or root a user's. A fresh directory is swapped in for the squatter's entry
 * in one step (RENAME_EXCHANGE), so nobody can slip in between; the squatter's entry is
 * then removed if it is empty or not a directory, else left under the hidden name. */
static void take_back(const char *path, mode_t mode, uid_t owner)
{
    char fresh[4200];
    struct stat sb;
    if (mmf__sys.lstat(path, &sb) < 0 || sb.st_uid == owner || sb.st_uid == 0 ||
        make_fresh(mode, owner, fresh, sizeof fresh) < 0)
        return; /* gone, or the owner's (or root's) own doing: checked as any other */
    if (mmf__sys.renameat2(AT_FDCWD, fresh, AT_FDCWD, path, RENAME_EXCHANGE) < 0) {
        mmf__sys.unlinkat(AT_FDCWD, fresh, AT_REMOVEDIR);
        return;
    }
    if (mmf__sys.unlinkat(AT_FDCWD, fresh, AT_REMOVEDIR) < 0)
        mmf__sys.unlinkat(AT_FDCWD, fresh, 0);
}

/* The caller's own directory, made in place. */
static int make_own(const char *path, mode_t mode)
{
    if (mmf__sys.mkdir(path, mode) < 0)
        return -errno;
    return mmf__sys.chmod(path, mode) < 0 ? -errno : 0; /* past the umask */
}

/* Another user's (by root): made apart, given to the user, and moved in whole, so that
 * the user never finds it root's. */
static int move_in_fresh(const char *path, mode_t mode, uid_t owner)
{
    char fresh[4200];
    int st = make_fresh(mode, owner, fresh, sizeof fresh);
    if (st < 0 || mmf__sys.renameat2(AT_FDCWD, fresh, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return st;
    st = -errno;
    mmf__sys.unlinkat(AT_FDCWD, fresh, AT_REMOVEDIR);
    return st;
}

/* Makes the directory at path ready for owner: made if absent, or taken back by root
 * from a squatter (whatever is there is checked next, as on every use). */
static int prepare(const char *path, mode_t mode, uid_t owner)
{
    int st = owner == geteuid() ? make_own(path, mode) : move_in_fresh(path, mode, owner);
    if (st == -EEXIST && geteuid() == 0)
        take_back(path, mode, owner);
    return st == -EEXIST ? 0 : st == -ENOENT ? MMF__W(ERROR_PATH_NOT_FOUND) : st;
}

int mmf__ns_dir_at(const char *name, enum mmf__scope scope, uid_t uid, bool create, int *out)
{
    char path[4200];
    bool global = scope == MMF__SCOPE_GLOBAL;
    mode_t mode = global ? 01777 : 0700;
    snprintf(path, sizeof path, "%s/%s", mmf__ns_root(), name);
    int fd = -1;
    /* Global\ belongs to root once root has used it; before, to the user that made it. An
     * entry gone between finding it there and opening it (another user's, leaving) is
     * made again: a bounded number of times, as each time the caller may come first. */
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        int st = create ? prepare(path, mode, global ? geteuid() : uid) : 0;
        if (st < 0)
            return st;
        fd = mmf__sys.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && !(create && errno == ENOENT))
            break;
    }
    if (fd < 0)
        return errno == ELOOP || errno == ENOTDIR ? MMF__W(ERROR_ACCESS_DENIED) : -errno;
    /* Other users' Local\ directories are theirs, 0700 as ours. */
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0 || !S_ISDIR(sb.st_mode) || (sb.st_mode & 07777) != mode ||
        !(sb.st_uid == uid || (global && sb.st_uid == 0))) {
        mmf__sys.close(fd);
        return MMF__W(ERROR_ACCESS_DENIED);
    }
    *out = fd;
    return 0;
}
