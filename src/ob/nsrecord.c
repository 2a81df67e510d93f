/* Where an ordinary user's Local\ names live when another user took <root>/mmf-<uid>
 * first. The root is world-writable and sticky: the user cannot remove the squatter's
 * entry (root can, and does: nsdir.c). Its processes then agree on a directory of
 * another name, "mmf-<uid>.<16 hex digits>" (random: nobody can take it before it exists),
 * through a record in the user's home directory, which only the user can write:
 *
 *   <home>/.mmf-ns-<16 hex digits: FNV-1a-64 of the root's path>
 *       "mmf-namespace 1\n" <root> "\n" <directory name> "\n"
 *
 * The home is the password database's (or $MMF_HOME). Once a record exists it decides:
 * a process reads it under a shared flock and uses the directory it names while still
 * holding the lock. A process that finds no usable record there (empty, or naming a
 * directory that is not the user's) creates it if need be, then decides under an
 * exclusive flock: mmf-<uid> if it is the user's by then, else a new random directory,
 * and writes the record.
 *
 * Without a record, mmf-<uid> is used as before, and the record is looked for once more
 * after mmf-<uid> is found to be the user's: if it appeared meanwhile, it decides. Of a
 * process going without a record and one deciding, one always sees the other: either
 * the record did not exist yet when the first looked the second time, and then mmf-<uid>
 * was already the user's when the decider (which looks after creating the record) looked
 * — a squatter cannot remove the user's directory — so both use it; or it existed, and
 * the first waits for the decider's lock and follows it. So a squatter retreating and
 * coming back at any moment cannot split the user's processes between two directories.
 *
 * Without a home the user can write (no home, another owner, writable by others, not
 * visible to the process), a squatter still denies the namespace: docs/namespace.md. */
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "ob/ob.h"

#define MAGIC "mmf-namespace "
#define VERSION "1"

static const int denied = MMF__W(ERROR_ACCESS_DENIED);

long mmf__ns_local_owner(const char *entry)
{
    const char *p = entry + 4;
    char *end;
    if (strncmp(entry, "mmf-", 4) || *p < '0' || *p > '9')
        return -1;
    unsigned long uid = strtoul(p, &end, 10);
    if (uid > UINT32_MAX || (end - p > 1 && *p == '0'))
        return -1;
    if (*end == 0)
        return (long)uid;
    if (*end != '.' || strlen(end + 1) != 16 || strspn(end + 1, "0123456789abcdef") != 16)
        return -1;
    return (long)uid;
}

int mmf__ns_record_parse(const char *text, size_t n, const char *root, uid_t uid,
                         char name[MMF__NS_RECORD_NAME])
{
    size_t m = sizeof MAGIC - 1, r = strlen(root);
    if (n < m || memcmp(text, MAGIC, m))
        return 1;
    if (n < m + 2 || memcmp(text + m, VERSION "\n", 2))
        return MMF__W(ERROR_REVISION_MISMATCH);
    text += m + 2, n -= m + 2;
    if (n < r + 1 || memcmp(text, root, r) || text[r] != '\n')
        return 1;
    text += r + 1, n -= r + 1;
    if (n < 2 || n > MMF__NS_RECORD_NAME || text[n - 1] != '\n')
        return 1;
    memcpy(name, text, n - 1);
    name[n - 1] = 0;
    return memchr(name, 0, n - 1) || mmf__ns_local_owner(name) != (long)uid ? 1 : 0;
}

/* The record's path for uid, or -ENOENT if the user has no home. */
static int record_path(uid_t uid, char *path, size_t cap)
{
    char buf[8192];
    struct passwd pw, *res = NULL;
    const char *home = getenv("MMF_HOME"), *root = mmf__ns_root();
    if (!home || !*home) {
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) != 0 || !res || !pw.pw_dir)
            return -ENOENT;
        home = pw.pw_dir;
    }
    if (home[0] != '/')
        return -ENOENT;
    uint64_t h = 0xcbf29ce484222325u;
    for (const char *c = root; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3u;
    return snprintf(path, cap, "%s/.mmf-ns-%016" PRIx64, home, h) < (int)cap ? 0 : -ENOENT;
}

/* The home holding path: the user's, and nobody else may write in it. */
static bool home_is_private(const char *path, uid_t uid)
{
    char home[4200];
    struct stat sb;
    snprintf(home, sizeof home, "%s", path);
    *strrchr(home, '/') = 0;
    return mmf__sys.stat(*home ? home : "/", &sb) == 0 && S_ISDIR(sb.st_mode) &&
           sb.st_uid == uid && !(sb.st_mode & 022);
}

/* The record, opened with flags: a descriptor, -ENOENT if there is none, or another
 * failure (among them ERROR_ACCESS_DENIED: not a file only the user writes). */
static int open_record(const char *path, int flags, uid_t uid)
{
    struct stat sb;
    int fd = mmf__sys.open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (mmf__sys.fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != uid ||
        (sb.st_mode & 022) || !home_is_private(path, uid)) {
        mmf__sys.close(fd);
        return denied;
    }
    return fd;
}

/* With the record's lock held: opens the directory it names. 1 if it names none. */
static int follow(int fd, uid_t uid, bool create, int *out)
{
    char text[4200 + MMF__NS_RECORD_NAME], name[MMF__NS_RECORD_NAME];
    ssize_t n = mmf__sys.pread(fd, text, sizeof text, 0);
    if (n < 0)
        return -errno;
    int st = mmf__ns_record_parse(text, (size_t)n, mmf__ns_root(), uid, name);
    return st ? st : mmf__ns_dir_at(name, MMF__SCOPE_LOCAL, uid, create, out);
}

static int write_record(int fd, const char *name)
{
    char text[4200 + MMF__NS_RECORD_NAME];
    int n = snprintf(text, sizeof text, MAGIC VERSION "\n%s\n%s\n", mmf__ns_root(), name);
    if (n >= (int)sizeof text)
        return MMF__W(ERROR_FILENAME_EXCED_RANGE);
    ssize_t w = mmf__sys.pwrite(fd, text, (size_t)n, 0);
    if (w != n)
        return w < 0 ? -errno : MMF__W(ERROR_DISK_FULL);
    return mmf__sys.ftruncate(fd, n) < 0 ? -errno : 0;
}

/* A new directory under a random name (made, checked, open as *out). */
static int make_random(uid_t uid, char name[MMF__NS_RECORD_NAME], int *out)
{
    int st = denied;
    for (int tries = 0; tries < 8 && st == denied; tries++) {
        uint64_t r;
        if (getrandom(&r, sizeof r, 0) != sizeof r)
            return -errno;
        snprintf(name, MMF__NS_RECORD_NAME, "mmf-%u.%016" PRIx64, (unsigned)uid, r);
        st = mmf__ns_dir_at(name, MMF__SCOPE_LOCAL, uid, true, out);
    }
    return st;
}

/* Whether the entry `name` in the root, found not the user's, was another user's (or is
 * gone already: a squatter leaving): the user's own mistakes (a link, another mode) are
 * refused, as root's are, not gone around. */
static bool squatted(const char *name, uid_t uid)
{
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", mmf__ns_root(), name);
    return mmf__sys.lstat(path, &sb) < 0 ? errno == ENOENT : sb.st_uid != uid;
}

/* own_dir: mmf-<uid> is another user's (or going: a squatter leaving). */
#define SQUATTED 2

/* mmf-<uid>, made if need be (out), or SQUATTED, or a failure. Refused but the user's
 * by then, it is looked at once more: a squatter left and another of the user's processes
 * made it in between (then it stays the user's: the root is sticky); refused again, it is
 * the user's own mistake. Squatting is judged once, here: asked again later, the answer
 * may have changed (both made racing creators fail with ERROR_ACCESS_DENIED a few times
 * in a hundred runs of the squatter race test). */
static int own_dir(const char *own, uid_t uid, bool create, int *out)
{
    for (int tries = 0;; tries++) {
        int st = mmf__ns_dir_at(own, MMF__SCOPE_LOCAL, uid, create, out);
        if (st != denied || !create)
            return st;
        if (squatted(own, uid))
            return SQUATTED;
        if (tries == 1)
            return st;
    }
}

/* With the record locked exclusively and naming no directory of the user's: decides
 * and writes it. */
static int decide(int fd, uid_t uid, const char *own, int *out)
{
    char name[MMF__NS_RECORD_NAME];
    int st = own_dir(own, uid, true, out);
    if (st == SQUATTED && (st = make_random(uid, name, out)) == 0)
        own = name;
    if (st == 0 && (st = write_record(fd, own)) < 0)
        mmf__sys.close(*out);
    return st;
}

/* Follows the record open as fd, under a shared lock, or under an exclusive one to
 * decide where it names no directory of the user's; closes fd (and lets go of the lock). */
static int follow_locked(int fd, uid_t uid, const char *own, bool create, bool exclusive,
                         int *out)
{
    int st = (int)mmf__sysret(mmf__sys.flock(fd, exclusive ? LOCK_EX : LOCK_SH));
    if (st == 0)
        st = follow(fd, uid, create, out);
    if (exclusive && (st == 1 || st == denied))
        st = decide(fd, uid, own, out);
    mmf__sys.close(fd);
    return st;
}

int mmf__ns_own_local(bool create, int *out)
{
    char own[32], path[4200];
    uid_t uid = geteuid();
    snprintf(own, sizeof own, "mmf-%u", (unsigned)uid);
    if (record_path(uid, path, sizeof path) < 0)
        return mmf__ns_dir_at(own, MMF__SCOPE_LOCAL, uid, create, out);
    int st, fd = open_record(path, O_RDONLY, uid);
    if (fd == -ENOENT) {
        st = own_dir(own, uid, create, out);
        if (st < 0)
            return st;
        if (st == 0) { /* once more, now that mmf-<uid> is the user's: see above */
            if ((fd = open_record(path, O_RDONLY, uid)) == -ENOENT)
                return 0;
            mmf__sys.close(*out);
        }
    }
    if (fd >= 0) {
        st = follow_locked(fd, uid, own, create, false, out);
        if (!create || (st != 1 && st != denied))
            return st == 1 ? -ENOENT : st;
    } else if (fd != -ENOENT) { /* a record or home not the user's alone: none */
        return mmf__ns_dir_at(own, MMF__SCOPE_LOCAL, uid, create, out);
    }
    fd = open_record(path, O_RDWR | O_CREAT, uid);
    return fd < 0 ? denied : follow_locked(fd, uid, own, true, true, out);
}

/* Which directory a scope of uid's names is in (nsdir.c opens and checks it). */
int mmf__ns_open_dir(enum mmf__scope scope, uid_t uid, bool create, int *out)
{
    char name[32];
    if (scope == MMF__SCOPE_GLOBAL)
        return mmf__ns_dir_at("mmf-global", scope, uid, create, out);
    /* An ordinary user cannot take its name back from a squatter: its processes agree
     * on where they went instead (above). Root takes names back (nsdir.c). */
    if (uid == geteuid() && uid != 0)
        return mmf__ns_own_local(create, out);
    snprintf(name, sizeof name, "mmf-%u", (unsigned)uid);
    return mmf__ns_dir_at(name, scope, uid, create, out);
}
