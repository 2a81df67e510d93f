/* Where the namespaces live: the root ($MMF_ROOT, or /dev/shm) and its directories,
 *
 *   <root>/mmf-<uid>     Local\ names of one user: 0700, owned by the user
 *   <root>/mmf-global    Global\ names: 1777 (sticky), owned by root or the user
 *
 * checked on every use, as the root is world-writable: a link, another owner or another
 * mode is never trusted with objects. See docs/namespace.md. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ob/ob.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1) /* linux/fs.h; not every libc defines it */
#endif

const char *mmf__ns_root(void)
{
    const char *r = getenv("MMF_ROOT");
    return r && *r ? r : "/dev/shm";
}

/* Root takes back a name of its own another user took first (a directory, a file or a
 * link planted before root's first use): nobody may deny root its namespace, as nobody
 * denies Windows' administrators theirs. A fresh directory is swapped in for the
 * squatter's entry in one step (RENAME_EXCHANGE), so nobody can slip in between; the
 * squatter's entry is then removed if it is empty or not a directory, else left under
 * the hidden name. */
static void take_back(const char *path, mode_t mode)
{
    static atomic_uint counter;
    char fresh[4200];
    struct stat sb;
    if (mmf__sys.lstat(path, &sb) < 0 || sb.st_uid == 0)
        return; /* gone, or root's own doing: checked (and refused) as any other */
    snprintf(fresh, sizeof fresh, "%s/.mmf-taken-%u-%u", mmf__ns_root(), (unsigned)getpid(),
             atomic_fetch_add(&counter, 1));
    if (mmf__sys.mkdir(fresh, mode) < 0)
        return;
    mmf__sys.chmod(fresh, mode);
    if (mmf__sys.renameat2(AT_FDCWD, fresh, AT_FDCWD, path, RENAME_EXCHANGE) < 0) {
        mmf__sys.unlinkat(AT_FDCWD, fresh, AT_REMOVEDIR);
        return;
    }
    if (mmf__sys.unlinkat(AT_FDCWD, fresh, AT_REMOVEDIR) < 0)
        mmf__sys.unlinkat(AT_FDCWD, fresh, 0);
}

int mmf__ns_open_dir(enum mmf__scope scope, uid_t uid, bool create, int *out)
{
    char path[4096];
    bool global = scope == MMF__SCOPE_GLOBAL;
    mode_t mode = global ? 01777 : 0700;
    if (global)
        snprintf(path, sizeof path, "%s/mmf-global", mmf__ns_root());
    else
        snprintf(path, sizeof path, "%s/mmf-%u", mmf__ns_root(), (unsigned)uid);
    if (create && mmf__sys.mkdir(path, mode) == 0)
        mmf__sys.chmod(path, mode); /* past the umask */
    else if (create && errno != EEXIST)
        return errno == ENOENT ? MMF__W(ERROR_PATH_NOT_FOUND) : -errno;
    else if (create && geteuid() == 0 && (global || uid == 0))
        take_back(path, mode);
    int fd = mmf__sys.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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
