/* Listing and reclaiming named objects, for the `mmf` command (include/mmf/mmf.h).
 *
 * Live objects are those some process holds a lease on (a shared flock on the object
 * file, or a read lock on its slot's byte in its lease table); stale ones (left by killed
 * processes) are never listed, and mmf_gc removes them, and the lease tables nobody holds
 * anything in. Holders are found as fuser does, by looking through /proc/<pid>/fd for
 * the object's inode (or its table's); a process counts while it holds a lease (its
 * fdinfo shows the lock, over the slot's byte for a table), not for a mere view. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "admin/admin.h"

/* One lock a process holds on a file of the namespace: over bytes first to last. */
struct holder {
    ino_t ino;
    uint32_t pid;
    uint64_t first, last;
};

struct holders {
    struct holder *v;
    size_t n, cap;
    dev_t dev;
};

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static void add_holder(struct holders *h, ino_t ino, uint32_t pid, uint64_t first,
                       uint64_t last)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct holder *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return; /* a shorter list, not a failure */
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = (struct holder){ino, pid, first, last};
}

/* The locks this fd of that process holds, as its fdinfo lists them:
 * "lock:\t1: OFDLCK ADVISORY  READ -1 fe:00:123 5 6" (a flock's range ends at EOF). */
static void add_locks(struct holders *h, const char *pid, const char *fd, ino_t ino)
{
    char path[600], buf[4096];
    snprintf(path, sizeof path, "/proc/%s/fdinfo/%s", pid, fd);
    if (mmf__read_small_file(path, buf, sizeof buf) <= 0)
        return;
    for (const char *l = strstr(buf, "lock:"); l; l = strstr(l + 1, "lock:")) {
        unsigned long long first = 0;
        char last[32] = "";
        if (sscanf(l, "lock: %*d: %*s %*s %*s %*d %*x:%*x:%*u %llu %31s", &first, last) != 2)
            continue;
        add_holder(h, ino, (uint32_t)atoi(pid), first,
                   isdigit((unsigned char)last[0]) ? strtoull(last, NULL, 10) : UINT64_MAX);
    }
}

/* Every (inode, pid) lease on the namespace's file system that /proc lets us see. */
static void find_holders(struct holders *h)
{
    DIR *proc = mmf__sys.opendir("/proc");
    if (!proc)
        return;
    for (struct dirent *p; (p = readdir(proc));) {
        char path[600];
        if (!all_digits(p->d_name))
            continue;
        snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
        DIR *fds = mmf__sys.opendir(path);
        if (!fds)
            continue;
        for (struct dirent *f; (f = readdir(fds));) {
            struct stat sb;
            snprintf(path, sizeof path, "/proc/%s/fd/%s", p->d_name, f->d_name);
            if (all_digits(f->d_name) && mmf__sys.stat(path, &sb) == 0 && sb.st_dev == h->dev &&
                S_ISREG(sb.st_mode))
                add_locks(h, p->d_name, f->d_name, sb.st_ino);
        }
        closedir(fds);
    }
    closedir(proc);
}

struct visit {
    mmf_list_fn fn;
    void *ctx;
    struct holders holders;
    bool stop;
};

/* Is the object's own name (its header's) the one it is found under? A file linked into
 * the directory under another name is not listed there. */
static bool found_under_its_name(enum mmf__scope scope, const struct mmf__objhdr *h,
                                 const char *tail, const char *fname)
{
    char own[256];
    struct mmf__name n = {scope, (const WCHAR *)tail, h->name_units};
    return mmf__name_encode(&n, own, sizeof own) == 0 && strcmp(own, fname) == 0;
}

/* The state words of an object whose kind has them, read once (they are changing) from
 * its data file dfd (its lease table, for an object of one: its slot there). */
static void describe(const struct mmf__type *type, const struct mmf__objhdr *h, int dfd,
                     struct mmf_object_info *info)
{
    uint32_t w[MMF__SYNC_WORDS];
    off_t at = h->table ? (off_t)h->slot * (off_t)MMF__LT_SLOT_BYTES : (off_t)h->shared_offset;
    if (type && type->describe && (h->table || h->shared_len >= sizeof w) &&
        mmf__sys.pread(dfd, w, sizeof w, at) == (ssize_t)sizeof w)
        type->describe(w, info);
}

/* The processes (up to cap, each once) holding a lease on the object open as fd (inode
 * ino): a lock on its file, or over its slot's byte in its lease table. */
static size_t holders_of(const struct holders *h, int dirfd, int fd, ino_t ino, uint32_t *pids,
                         size_t cap)
{
    uint32_t slot = 0;
    bool table = mmf__ns_lease_place(dirfd, fd, &ino, &slot) == 1;
    size_t n = 0;
    for (size_t i = 0; i < h->n && n < cap; i++) {
        const struct holder *e = &h->v[i];
        size_t j = 0;
        if (e->ino != ino || (table && (slot < e->first || slot > e->last)))
            continue;
        while (j < n && pids[j] != e->pid)
            j++;
        if (j == n)
            pids[n++] = e->pid;
    }
    return n;
}

/* Lists the object open as fd at fname: who may open it is told by its data file's
 * permission bits (the object file's own are never writable by others). */
static void report(struct visit *v, enum mmf__scope scope, int dirfd, const char *fname, int fd,
                   const struct stat *sb)
{
    struct mmf__objhdr h;
    struct stat db;
    char *tail, *name;
    if (mmf__ns_read_info(fd, (uint64_t)sb->st_size, &h, &tail) < 0)
        return; /* not an object mmf can read: not listed */
    int dfd = mmf__ns_open_data(dirfd, fname, fd, &h);
    if (dfd >= 0 && found_under_its_name(scope, &h, tail, fname) &&
        mmf__sys.fstat(dfd, &db) == 0 &&
        mmf__utf16_to_utf8((const WCHAR *)tail, h.name_units, &name, NULL) == 0) {
        uint32_t pids[256];
        size_t n = holders_of(&v->holders, dirfd, fd, sb->st_ino, pids, 256);
        const char *path = tail + h.name_units * sizeof(WCHAR);
        const struct mmf__type *type = mmf__type_of(h.kind);
        struct mmf_object_info info = {
            .scope = (enum mmf_scope)scope,
            .type = (enum mmf_type)h.kind,
            .name = name,
            .owner_uid = sb->st_uid,
            .mode = db.st_mode & 0777,
            .creator_pid = h.creator_pid,
            .created_ns = h.created_ns,
            .size = h.size,
            .protect = h.protect,
            .attributes = h.attrs,
            .file = h.path_len ? path : NULL,
            .nholders = n,
            .holders = pids,
        };
        describe(type, &h, dfd, &info);
        v->stop = v->fn(&info, v->ctx) != 0;
        free(name);
    }
    if (dfd >= 0 && dfd != fd)
        mmf__sys.close(dfd);
    free(tail);
}

/* Calls each for every entry of a namespace directory: 0, or why it cannot be read. */
static int walk(int dirfd, void (*each)(int dirfd, const char *fname, void *arg), void *arg)
{
    int dup_fd = mmf__sys.dup(dirfd);
    DIR *d = dup_fd >= 0 ? mmf__sys.fdopendir(dup_fd) : NULL;
    if (!d) {
        int st = -errno;
        if (dup_fd >= 0)
            mmf__sys.close(dup_fd);
        return st;
    }
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            each(dirfd, e->d_name, arg);
    closedir(d);
    return 0;
}

struct list_arg {
    struct visit *v;
    enum mmf__scope scope;
};

static void list_one(int dirfd, const char *fname, void *arg)
{
    struct list_arg *a = arg;
    struct stat sb;
    if (a->v->stop || fname[0] == '.' || mmf__ns_is_data_name(fname) || mmf__lt_is_name(fname))
        return;
    int fd = mmf__sys.openat(dirfd, fname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return;
    if (mmf__sys.fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && mmf__ns_live(dirfd, fd) == 1)
        report(a->v, a->scope, dirfd, fname, fd, &sb);
    mmf__sys.close(fd);
}

typedef int (*dir_fn)(int dirfd, enum mmf__scope scope, void *arg);

/* One namespace directory, as its opening ended (st, and fd if 0). One that does not
 * exist, or that mmf refuses to use (not its owner's, a link, another mode: nothing of
 * ours can be in it), has nothing to visit; any other failure is the caller's. */
static int visit_opened(int st, int fd, enum mmf__scope scope, dir_fn each, void *arg)
{
    if (st == -ENOENT || st == MMF__W(ERROR_ACCESS_DENIED))
        return 0;
    if (st < 0)
        return st;
    st = each(fd, scope, arg);
    mmf__sys.close(fd);
    return st;
}

static int visit(enum mmf__scope scope, uid_t uid, dir_fn each, void *arg)
{
    int fd = -1, st = mmf__ns_open_dir(scope, uid, false, &fd);
    return visit_opened(st, fd, scope, each, arg);
}

/* The namespace directories a listing or a reclaim covers, all of them visited: 0, or the
 * first failure. Other users' Local\ directories count only as far as the caller may
 * read them. */
static int for_each_dir(unsigned flags, dir_fn each, void *arg)
{
    uid_t me = geteuid();
    int st = visit(MMF__SCOPE_LOCAL, me, each, arg);
    if (flags & MMF_LIST_GLOBAL) {
        int g = visit(MMF__SCOPE_GLOBAL, me, each, arg);
        st = st < 0 ? st : g;
    }
    if (!(flags & MMF_LIST_ALL_USERS))
        return st;
    DIR *root = mmf__sys.opendir(mmf__ns_root());
    if (!root)
        return st < 0 ? st : -errno;
    for (struct dirent *e; (e = readdir(root));) {
        /* mmf-<uid>, or the directory a user's record names (ob/nsrecord.c) */
        long uid = mmf__ns_local_owner(e->d_name);
        int fd = -1;
        if (uid >= 0 && (uid_t)uid != me) {
            int opened = mmf__ns_dir_at(e->d_name, MMF__SCOPE_LOCAL, (uid_t)uid, false, &fd);
            visit_opened(opened, fd, MMF__SCOPE_LOCAL, each, arg);
        }
    }
    closedir(root);
    return st;
}

static int list_dir(int dirfd, enum mmf__scope scope, void *arg)
{
    struct list_arg a = {arg, scope};
    return walk(dirfd, list_one, &a);
}

static DWORD done(int st)
{
    DWORD e = mmf__win32_error(st);
    SetLastError(e);
    return e;
}

DWORD mmf_list(unsigned flags, mmf_list_fn fn, void *ctx)
{
    struct visit v = {.fn = fn, .ctx = ctx};
    struct stat sb;
    if (!fn || (flags & ~(unsigned)(MMF_LIST_GLOBAL | MMF_LIST_ALL_USERS)))
        return done(MMF__W(ERROR_INVALID_PARAMETER));
    if (mmf__sys.stat(mmf__ns_root(), &sb) == 0) {
        v.holders.dev = sb.st_dev;
        find_holders(&v.holders);
    }
    int st = for_each_dir(flags, list_dir, &v);
    free(v.holders.v);
    return done(st);
}

struct gc_count {
    uint64_t objects, bytes;
};

/* Removes a lease table no process holds a lock in (none holds one of its objects, and
 * its creator gives no slot out any more): 1 if removed. */
static int gc_table(int dirfd, const char *fname, int fd)
{
    if (mmf__lt_lock_fd(fd, 0, MMF__LT_SLOTS + 1, F_WRLCK) < 0)
        return 0;
    return mmf__sys.unlinkat(dirfd, fname, 0) == 0;
}

/* Removes fname if no process holds it: a stale object (and its data file), a lease table
 * nobody holds anything in, or a temporary file of a creation that died. Objects of
 * another format version are left to their version; data files go with their objects. */
static void gc_one(int dirfd, const char *fname, void *arg)
{
    struct gc_count *c = arg;
    struct stat sb;
    uint64_t data_bytes = 0;
    if (mmf__ns_is_data_name(fname))
        return;
    int fd = mmf__sys.openat(dirfd, fname, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return;
    if (mmf__lt_is_name(fname)) {
        if (mmf__sys.fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && gc_table(dirfd, fname, fd))
            c->bytes += (uint64_t)sb.st_blocks * 512;
    } else if (mmf__sys.fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
               mmf__ns_lease(fd, LOCK_EX) == 0 &&
               mmf__ns_reclaim(dirfd, fname, fd, &data_bytes) == 1) {
        c->objects++;
        c->bytes += (uint64_t)sb.st_blocks * 512 + data_bytes;
    }
    mmf__sys.close(fd);
}

static int gc_dir(int dirfd, enum mmf__scope scope, void *arg)
{
    (void)scope;
    return walk(dirfd, gc_one, arg);
}

DWORD mmf_gc(unsigned flags, uint64_t *objects, uint64_t *bytes)
{
    struct gc_count c = {0, 0};
    if (flags & ~(unsigned)MMF_LIST_GLOBAL)
        return done(MMF__W(ERROR_INVALID_PARAMETER));
    int st = for_each_dir(flags, gc_dir, &c);
    if (objects)
        *objects = c.objects;
    if (bytes)
        *bytes = c.bytes;
    return done(st);
}

DWORD mmf_remove(const WCHAR *wname)
{
    struct mmf__name name;
    char fname[256];
    int dirfd;
    if (!wname)
        return done(MMF__W(ERROR_INVALID_PARAMETER));
    int st = mmf__name_parse(wname, mmf__wcslen(wname), &name);
    if (st == 0)
        st = mmf__name_encode(&name, fname, sizeof fname);
    if (st == 0)
        st = mmf__ns_open_dir(name.scope, geteuid(), false, &dirfd);
    if (st < 0)
        return done(st == -ENOENT ? MMF__W(ERROR_FILE_NOT_FOUND) : st);
    st = mmf__ns_remove(dirfd, fname);
    mmf__sys.close(dirfd);
    return done(st);
}

DWORD mmf_provision(unsigned flags, uint32_t uid)
{
    enum mmf__scope scope = flags & MMF_LIST_GLOBAL ? MMF__SCOPE_GLOBAL : MMF__SCOPE_LOCAL;
    int fd;
    if (flags & ~(unsigned)MMF_LIST_GLOBAL)
        return done(MMF__W(ERROR_INVALID_PARAMETER));
    if (scope == MMF__SCOPE_GLOBAL)
        uid = geteuid();
    else if (uid != geteuid() && geteuid() != 0)
        return done(MMF__W(ERROR_ACCESS_DENIED)); /* it would be the caller's, not uid's */
    int st = mmf__ns_open_dir(scope, uid, true, &fd);
    if (st == 0)
        mmf__sys.close(fd);
    return done(st);
}
