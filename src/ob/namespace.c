/* The daemonless namespace: one file per named object in a namespace directory, with a
 * versioned header, and Windows' lifetime kept by open-file-description locks.
 *
 *   Local\x, x   <root>/mmf-<uid>/<encoded x>    directory 0700, owned by the user
 *   Global\x     <root>/mmf-global/<encoded x>   directory 1777 (sticky)
 *   <root>       $MMF_ROOT, or /dev/shm (nsdir.c finds and checks the directories)
 *
 * Lifetime (the lease): every process holding a handle to the object holds a shared flock
 * on its file. Taking it exclusive succeeds only when no other process holds the object. A
 * process that closes its last handle converts its lease to exclusive: flock drops the
 * shared lock before it tries, so of holders leaving at once exactly the last one gets it,
 * and unlinks the name. A killed process's locks vanish with it, so its objects become
 * "stale": an exclusive lock succeeds on them, and the next create or open of the name (or
 * mmf_gc) removes them. Open never needs a directory lock:
 *
 *   openat(name) -> exclusive ok?  stale: verify and unlink, "not found"
 *                -> shared ok?     live: verify the file still has its name
 *                -> neither        someone is deleting it: retry
 *
 * A name this process closed while others held it is opened again on the file it kept
 * (the same two locks, without the openat, and a look at the header it maps instead of
 * the fstat: "Names closed while others hold them", below).
 *
 * A new object is built in an O_TMPFILE (or a temporary name), leased, and linked
 * into place with linkat, which fails if the name appeared meanwhile (then it is opened).
 *
 * The object file is written by its creator alone. What other processes share (state
 * words, a commit map, a paging-file section's bytes) is in its data file: the object
 * file itself when only its owner may open it, else a file of its own, "<name>%data",
 * which others may write (a NULL DACL) and whose identity the header records.
 * See docs/namespace.md. */
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ob/ob.h"

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

/* The on-disk header is a contract between processes and versions: these are the offsets
 * docs/namespace.md documents. */
_Static_assert(offsetof(struct mmf__objhdr, kind) == 8, "kind");
_Static_assert(offsetof(struct mmf__objhdr, header_len) == 12, "header_len");
_Static_assert(offsetof(struct mmf__objhdr, data_offset) == 16, "data_offset");
_Static_assert(offsetof(struct mmf__objhdr, size) == 24, "size");
_Static_assert(offsetof(struct mmf__objhdr, created_ns) == 32, "created_ns");
_Static_assert(offsetof(struct mmf__objhdr, file_dev) == 40, "file_dev");
_Static_assert(offsetof(struct mmf__objhdr, file_ino) == 48, "file_ino");
_Static_assert(offsetof(struct mmf__objhdr, protect) == 56, "protect");
_Static_assert(offsetof(struct mmf__objhdr, attrs) == 60, "attrs");
_Static_assert(offsetof(struct mmf__objhdr, creator_pid) == 64, "creator_pid");
_Static_assert(offsetof(struct mmf__objhdr, name_units) == 68, "name_units");
_Static_assert(offsetof(struct mmf__objhdr, path_len) == 72, "path_len");
_Static_assert(offsetof(struct mmf__objhdr, removed) == 76, "removed");
_Static_assert(offsetof(struct mmf__objhdr, shared_offset) == 80, "shared_offset");
_Static_assert(offsetof(struct mmf__objhdr, shared_len) == 88, "shared_len");
_Static_assert(offsetof(struct mmf__objhdr, data_len) == 96, "data_len");
_Static_assert(offsetof(struct mmf__objhdr, data_ino) == 104, "data_ino");
_Static_assert(offsetof(struct mmf__objhdr, table) == 112, "table");
_Static_assert(offsetof(struct mmf__objhdr, slot) == 120, "slot");
_Static_assert(sizeof(struct mmf__objhdr) == 128, "the name starts at 128");

/* An object others may write keeps its header in a file only its owner can write, and
 * what others share in its data file, named after it with this suffix: never part of an
 * encoded name, whose escapes are '%' and two upper-case hex digits. */
#define DATA_SUFFIX "%data"

bool mmf__ns_is_data_name(const char *fname)
{
    size_t n = strlen(fname), k = sizeof DATA_SUFFIX - 1;
    return n > k && strcmp(fname + n - k, DATA_SUFFIX) == 0;
}

static void data_name(const char *fname, char out[256 + sizeof DATA_SUFFIX])
{
    snprintf(out, 256 + sizeof DATA_SUFFIX, "%s%s", fname, DATA_SUFFIX);
}

/* The process lock: the held names, their handle counts, the directory fds. In the
 * checking builds its holder is recorded, so that the functions that need it can assert
 * it. */
static pthread_mutex_t ns_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint32_t ns_lock_holder;
/* The held names, chained (ns->next) in buckets by their file name: a process may hold
 * tens of thousands, and each create or open looks its name up (with a list, creating
 * 20,000 names took 6 to 9 times as long each: BENCHMARKS.md). Grown to a bucket a name. */
#define FIRST_BUCKETS 64
static struct mmf__nsobj *first_buckets[FIRST_BUCKETS];
static struct mmf__nsobj **held = first_buckets;
static size_t held_buckets = FIRST_BUCKETS, held_count;
/* Names whose shared region is mapped (ns->shared), held or not: a sleeping wait or a
 * view may outlive the name's last handle, and its faults must still be resolved.
 * Linked both ways (ns->next_mapped, ns->prev_mapped), so that one goes in one step. */
static struct mmf__nsobj *mapped;
static int dirfds[2] = {-1, -1};

static void held_by_me(void)
{
    if (MMF__CHECKS)
        atomic_store_explicit(&ns_lock_holder, mmf__tid(), memory_order_relaxed);
}

static void lock_ns(void)
{
    pthread_mutex_lock(&ns_lock);
    held_by_me();
}

static void unlock_ns(void)
{
    if (MMF__CHECKS)
        atomic_store_explicit(&ns_lock_holder, 0, memory_order_relaxed);
    pthread_mutex_unlock(&ns_lock);
}

#define ASSERT_NS_LOCKED() \
    MMF__ASSERT(atomic_load_explicit(&ns_lock_holder, memory_order_relaxed) == mmf__tid())

static int dir_of(enum mmf__scope scope, int *fd)
{
    ASSERT_NS_LOCKED();
    if (dirfds[scope] < 0) {
        int st = mmf__ns_open_dir(scope, geteuid(), true, &dirfds[scope]);
        if (st < 0)
            return st;
    }
    *fd = dirfds[scope];
    return 0;
}

int mmf__ns_lease(int fd, int op)
{
    return (int)mmf__sysret(mmf__sys.flock(fd, op | LOCK_NB));
}

/* Does `fname` in dirfd still name the file (b: its fstat) found there once? mmf never
 * renames object files: with one link, that link is the name; with none, the name was
 * deleted (mmf_remove); more (a link made elsewhere): ask the directory. */
static bool named_by(int dirfd, const char *fname, const struct stat *b)
{
    struct stat a;
    if (b->st_nlink == 0)
        return false;
    return b->st_nlink == 1 || (mmf__sys.fstatat(dirfd, fname, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
                                a.st_dev == b->st_dev && a.st_ino == b->st_ino);
}

static bool still_named(int dirfd, const char *fname, int fd)
{
    struct stat b;
    return mmf__sys.fstat(fd, &b) == 0 && named_by(dirfd, fname, &b);
}

/* Sets the object file's removal word, before its name goes: a reopen of a kept file
 * trusts the file is still at its name while the word is 0 (kept_live). Only the object's
 * owner, or root, can remove the name (the directory is the owner's, or sticky) and write
 * the word; a file its owner cannot write is never trusted so (map_head). -errno, 0 when
 * fd is read-only (this process may not write the file), else 1. */
static int mark_removed(int fd)
{
    static const uint32_t one = 1;
    if (mmf__sys.pwrite(fd, &one, sizeof one, offsetof(struct mmf__objhdr, removed)) ==
        (ssize_t)sizeof one)
        return 1;
    return errno == EBADF ? 0 : -errno;
}

/* With the exclusive lock held: the object has no holder left, remove its name, and its
 * data file's first (`data`: it may have one), so that a data file is never left without
 * its object: while the object's name stands, no other object has that name, and a data
 * file under it is this one's (or a leftover of an object removed by force); *data_bytes
 * (if asked) gets its allocated bytes. An object of this version (`ours`: never a file
 * planted under its name, which may be anyone's) has its removal word set first. 1 if
 * removed, 0 if the name no longer led to it; fails when the word cannot be written, or
 * the name cannot be removed (another user's file in the sticky Global\ directory). */
static int unlink_locked(int dirfd, const char *fname, int fd, bool data, bool ours,
                         uint64_t *data_bytes)
{
    char dname[256 + sizeof DATA_SUFFIX];
    struct stat sb;
    if (!still_named(dirfd, fname, fd))
        return 0;
    int st = ours ? mark_removed(fd) : 0;
    if (st < 0)
        return st;
    if (data) {
        data_name(fname, dname);
        if (data_bytes && mmf__sys.fstatat(dirfd, dname, &sb, AT_SYMLINK_NOFOLLOW) == 0)
            *data_bytes = (uint64_t)sb.st_blocks * 512;
        mmf__sys.unlinkat(dirfd, dname, 0);
    }
    if (mmf__sys.unlinkat(dirfd, fname, 0) == 0)
        return 1;
    return errno == ENOENT ? 0 : -errno;
}

/* What a file at an object's name is, by its fixed header (read into h; zeros past a
 * short file's end): an object of this version (1), of another (ERROR_REVISION_MISMATCH),
 * or none (0: anything else planted there). Only the first two words are checked. */
static int object_version(int fd, struct mmf__objhdr *h)
{
    *h = (struct mmf__objhdr){0};
    if (mmf__sys.pread(fd, h, sizeof *h, 0) < 8 || h->magic != MMF__OBJ_MAGIC)
        return 0;
    return h->version == MMF__OBJ_VERSION ? 1 : MMF__W(ERROR_REVISION_MISMATCH);
}

/* The removal word of the object at fname set, if it is this version's and this process
 * may write it (a name removed by force goes as a last holder's would). */
static int mark_by_name(int dirfd, const char *fname)
{
    struct stat sb;
    struct mmf__objhdr h;
    int fd = mmf__sys.openat(dirfd, fname, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) /* not there, not a file, not writable: nothing a reopen could trust */
        return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? -errno : 0;
    int st = mmf__sys.fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && object_version(fd, &h) == 1
                 ? mark_removed(fd)
                 : 0;
    mmf__sys.close(fd);
    return st;
}

int mmf__ns_remove(int dirfd, const char *fname)
{
    char dname[256 + sizeof DATA_SUFFIX];
    int st = mark_by_name(dirfd, fname);
    if (st < 0)
        return st;
    data_name(fname, dname);
    bool data = mmf__sys.unlinkat(dirfd, dname, 0) == 0; /* first, as unlink_locked */
    if (mmf__sys.unlinkat(dirfd, fname, 0) == 0 || (errno == ENOENT && data))
        return 0;
    return errno == ENOENT ? MMF__W(ERROR_FILE_NOT_FOUND) : -errno;
}

/* Whether anyone holds the slot of the lease table that the header h of the object open
 * as fd names (the table its owner's), asked through a description of the table of its
 * own, since this process's own leases count as anyone's: 1 held; 0 not (the table gone,
 * or the slot free: then *tfd keeps the slot's write lock until closed, so that nobody
 * takes a lease meanwhile); or negative. */
static int probe_table(int dirfd, int fd, const struct mmf__objhdr *h, int *tfd)
{
    struct stat sb;
    *tfd = -1;
    if (h->slot >= MMF__LT_SLOTS)
        return MMF__W(ERROR_FILE_CORRUPT);
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    fd = mmf__lt_open_fd(dirfd, h->table, sb.st_uid, &sb);
    if (fd < 0)
        return fd == -ENOENT ? 0 : fd;
    int st = mmf__lt_lock_fd(fd, h->slot, 1, F_WRLCK);
    if (st < 0) {
        mmf__sys.close(fd);
        return st == -EAGAIN ? 1 : st;
    }
    *tfd = fd;
    return 0;
}

/* mmf__ns_reclaim of a file object_version said `version` of: an object of another
 * format version is held by that version's rules, which this one cannot judge, and never
 * taken for stale. */
static int reclaim_version(int dirfd, const char *fname, int fd, int version,
                           uint64_t *data_bytes)
{
    return version < 0 ? version : unlink_locked(dirfd, fname, fd, true, version == 1, data_bytes);
}

/* An object whose lease is in a lease table is stale only if nobody holds its slot there. */
int mmf__ns_reclaim(int dirfd, const char *fname, int fd, uint64_t *data_bytes)
{
    struct mmf__objhdr h;
    int tfd = -1, st = object_version(fd, &h);
    if (st == 1 && h.table) {
        int busy = probe_table(dirfd, fd, &h, &tfd);
        if (busy != 0)
            return busy < 0 ? busy : 0;
    }
    st = reclaim_version(dirfd, fname, fd, st, data_bytes);
    if (tfd >= 0)
        mmf__sys.close(tfd);
    return st;
}

int mmf__ns_live(int dirfd, int fd)
{
    struct mmf__objhdr h;
    int tfd, st = mmf__ns_lease(fd, LOCK_EX);
    if (st < 0)
        return st == -EWOULDBLOCK ? 1 : st;
    st = 0;
    if (object_version(fd, &h) == 1 && h.table && (st = probe_table(dirfd, fd, &h, &tfd)) == 0 &&
        tfd >= 0)
        mmf__sys.close(tfd);
    mmf__ns_lease(fd, LOCK_UN);
    return st;
}

int mmf__ns_lease_place(int dirfd, int fd, ino_t *table_ino, uint32_t *slot)
{
    struct mmf__objhdr h;
    char name[MMF__LT_NAME];
    struct stat sb;
    if (object_version(fd, &h) != 1 || !h.table)
        return 0;
    mmf__lt_name(h.table, name);
    if (mmf__sys.fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    *table_ino = sb.st_ino;
    *slot = h.slot;
    return 1;
}

/* What a file found at an object's name is, once it is locked: only a plain file can be
 * an object. It must still be the file at the name: with no link left it was deleted after
 * we opened it, and with more than one (another user's hard link, made anywhere on the
 * file system) the directory says (still_named). A link count is never a reason to
 * refuse: that would let anyone who can link the file hide it from its holders.
 * 0: the file at the name; 1: look again; else the error. */
static int check_found(int dirfd, const char *fname, int fd, struct stat *sb)
{
    if (mmf__sys.fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode))
        return MMF__W(ERROR_ACCESS_DENIED);
    return !named_by(dirfd, fname, sb);
}

/* Opens a namespace file for writing if this process may, else for reading. */
static int open_either(int dirfd, const char *fname, bool *writable)
{
    const int flags = O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    *writable = true;
    int fd = mmf__sys.openat(dirfd, fname, O_RDWR | flags);
    if (fd < 0 && errno == EACCES) {
        *writable = false;
        fd = mmf__sys.openat(dirfd, fname, O_RDONLY | flags);
    }
    return fd;
}

/* How often an open looks again: at a name being removed, for a data file not linked in
 * yet (open_data stops after a second), or for the turn to remove a stale object of a
 * lease table. Each removal takes a few system calls, so only a lock held by someone who
 * never lets it go (a hostile holder) lasts the two seconds or so these rounds take. */
#define LOOK_ROUNDS 2100

/* Between two looks: the moment a remover or a creator needs, then a millisecond. */
static void wait_a_little(unsigned round)
{
    if (round < 100)
        sched_yield();
    else
        nanosleep(&(struct timespec){0, 1000000}, NULL);
}

/* What a removal of a stale object's name ended in (st) means to an open: the name is
 * free (-ENOENT), or stays taken until its owner (or mmf gc run by them) reclaims it. */
static int removed_stale(int st)
{
    return st >= 0                                 ? -ENOENT
           : st == MMF__W(ERROR_REVISION_MISMATCH) ? st
                                                   : MMF__W(ERROR_ACCESS_DENIED);
}

/* A stale object of a lease table, met by an opener: removed in the turn (-ENOENT), or
 * left to the next one that has it (1: look again). */
static int stale_in_table(int dirfd, struct mmf__nsobj *ns, int fd, bool turn)
{
    return turn ? removed_stale(unlink_locked(dirfd, ns->fname, fd, true, true, NULL)) : 1;
}

/* The object open as fd at ns->fname, flocked, whose lease is in a lease table (h: its
 * header, of this version, its owner's uid `owner`). The exclusive flock (`turn`) is the
 * turn every opener and remover of such an object takes first, since its holders hold
 * nothing on the file; a shared one (an opener met another's turn as it looked) keeps
 * every remover out as well. Its slot free (or its table gone) means nobody holds the
 * object: stale, and removed in the turn (-ENOENT). Else the lease is taken in the table
 * (0: ns->table, ns->slot) and the flock let go; 1 when the slot is being written (its
 * last holder removing it), or stale without the turn: look again. */
static int lease_in_table(int dirfd, struct mmf__nsobj *ns, int fd, const struct mmf__objhdr *h,
                          uid_t owner, bool turn)
{
    struct mmf__lt *t;
    if (h->slot >= MMF__LT_SLOTS)
        return MMF__W(ERROR_FILE_CORRUPT);
    int st = mmf__lt_find(dirfd, ns->scope, h->table, owner, &t);
    if (st < 0)
        return st == -ENOENT ? stale_in_table(dirfd, ns, fd, turn) : st;
    if (mmf__lt_holds(t, h->slot)) { /* held here under another name: a link to it */
        mmf__lt_put(dirfd, t);
        return MMF__W(ERROR_ACCESS_DENIED);
    }
    st = mmf__lt_lock(t, h->slot, F_WRLCK);
    if (st == -EAGAIN && (st = mmf__lt_lock(t, h->slot, F_RDLCK)) == 0 && mmf__lt_named(t)) {
        mmf__lt_hold(t, h->slot);
        ns->table = t;
        ns->slot = h->slot;
        ns->writable = true; /* its state words: the table, which its users open to write */
        mmf__ns_lease(fd, LOCK_UN);
        return 0; /* live, and its name cannot go while we hold the slot */
    }
    if (st == 0) /* nobody held the slot (or its table went: dead) */
        st = stale_in_table(dirfd, ns, fd, turn);
    else if (st == -EAGAIN)
        st = 1;
    mmf__lt_lock(t, h->slot, F_UNLCK);
    mmf__lt_put(dirfd, t);
    return st;
}

/* acquire's object found unheld on its own file (sb: its fstat), exclusively flocked:
 * one whose lease is in a table goes there (lease_in_table); any other is stale (its last
 * holder died), and removed. */
static int lease_or_reclaim(int dirfd, struct mmf__nsobj *ns, int fd, const struct stat *sb)
{
    struct mmf__objhdr h;
    int version = object_version(fd, &h);
    if (version == 1 && h.table)
        return lease_in_table(dirfd, ns, fd, &h, sb->st_uid, true);
    return removed_stale(reclaim_version(dirfd, ns->fname, fd, version, NULL));
}

/* Opens the live object at ns->fname with a lease (on the file, or in its lease table):
 * the fd, or -ENOENT when there is none (stale objects are removed on the way). */
static int acquire(int dirfd, struct mmf__nsobj *ns, struct stat *sb)
{
    const char *fname = ns->fname;
    for (unsigned round = 0;; round++) {
        int fd = open_either(dirfd, fname, &ns->writable);
        if (fd < 0)
            return errno == ELOOP ? MMF__W(ERROR_ACCESS_DENIED) : -errno;
        int st = mmf__ns_lease(fd, LOCK_EX);
        if (st == 0) {
            if ((st = check_found(dirfd, fname, fd, sb)) == 0 &&
                (st = lease_or_reclaim(dirfd, ns, fd, sb)) == 0)
                return fd;
        } else if (st == -EWOULDBLOCK && (st = mmf__ns_lease(fd, LOCK_SH)) == 0) {
            if ((st = check_found(dirfd, fname, fd, sb)) == 0)
                return fd; /* live, and the name cannot go while we hold the lease */
        } else if (st == -EWOULDBLOCK) {
            st = 1; /* being deleted: look again */
        }
        mmf__sys.close(fd);
        if (st != 1)
            return st;
        if (round == LOOK_ROUNDS)
            return MMF__W(ERROR_BUSY); /* a lock held by someone who never lets go */
        wait_a_little(round);
    }
}

static size_t page_up(size_t n)
{
    return (size_t)mmf__round_up(n, mmf__page_size);
}

/* Headers (name and path included) are small; anything larger is not one of ours. */
#define MAX_HEADER (1u << 20)

/* No region of an object lies past this: offsets and lengths below it cannot overflow. */
#define MAX_EXTENT (1ULL << 62)

static bool region_ok(uint64_t off, uint64_t len)
{
    return off % mmf__page_size == 0 && len % mmf__page_size == 0 && off <= MAX_EXTENT &&
           len <= MAX_EXTENT - off;
}

static bool apart(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return !alen || !blen || a + alen <= b || b + blen <= a;
}

/* The size the data file must have: the end of its last region (in the object file
 * itself, the header is one). */
static uint64_t data_end(const struct mmf__objhdr *h)
{
    uint64_t end = h->data_ino ? 0 : h->header_len;
    if (h->shared_len && h->shared_offset + h->shared_len > end)
        end = h->shared_offset + h->shared_len;
    if (h->data_len && h->data_offset + h->data_len > end)
        end = h->data_offset + h->data_len;
    return end;
}

/* Checks the fixed part of a header read from a file: everything in it is untrusted. */
static int check_layout(const struct mmf__objhdr *h, uint64_t file_size)
{
    if (h->magic != MMF__OBJ_MAGIC)
        return MMF__W(ERROR_FILE_CORRUPT);
    if (h->version != MMF__OBJ_VERSION)
        return MMF__W(ERROR_REVISION_MISMATCH);
    uint64_t need = sizeof *h + (uint64_t)h->name_units * sizeof(WCHAR) + h->path_len;
    if (h->header_len % mmf__page_size || need > h->header_len || h->header_len > MAX_HEADER ||
        h->header_len > file_size || !region_ok(h->shared_offset, h->shared_len) ||
        !region_ok(h->data_offset, h->data_len) ||
        !apart(h->shared_offset, h->shared_len, h->data_offset, h->data_len))
        return MMF__W(ERROR_FILE_CORRUPT);
    /* An object of a lease table keeps its state words in its slot there, and no file
     * but its data's (a paging-file section's). */
    if (h->table ? h->slot >= MMF__LT_SLOTS || h->shared_len || h->path_len : h->slot != 0)
        return MMF__W(ERROR_FILE_CORRUPT);
    /* In the object file itself, the regions follow the header. */
    if (!h->data_ino && !(apart(0, h->header_len, h->shared_offset, h->shared_len) &&
                          apart(0, h->header_len, h->data_offset, h->data_len)))
        return MMF__W(ERROR_FILE_CORRUPT);
    return 0;
}

/* The bytes after the header: the name (UTF-16) and the path, as stored; h checked. */
static size_t tail_len(const struct mmf__objhdr *h)
{
    return h->name_units * sizeof(WCHAR) + h->path_len;
}

/* A NUL-terminated copy of a tail of n bytes; NULL without memory. */
static char *dup_tail(const char *tail, size_t n)
{
    char *t = malloc(n + 1);
    if (t) {
        memcpy(t, tail, n);
        t[n] = 0;
    }
    return t;
}

int mmf__ns_read_info(int fd, uint64_t file_size, struct mmf__objhdr *h, char **tail)
{
    /* One read brings the header and, for names and paths of ordinary length, what
     * follows it. */
    char first[1024];
    ssize_t got = mmf__sys.pread(fd, first, sizeof first, 0);
    if (got < (ssize_t)sizeof *h)
        return MMF__W(ERROR_FILE_CORRUPT);
    memcpy(h, first, sizeof *h);
    int st = check_layout(h, file_size);
    if (st < 0)
        return st;
    size_t n = tail_len(h);
    char *t = malloc(n + 1);
    if (!t)
        return -ENOMEM;
    if (sizeof *h + n <= (size_t)got)
        memcpy(t, first + sizeof *h, n);
    else if (mmf__sys.pread(fd, t, n, sizeof *h) != (ssize_t)n) {
        free(t);
        return MMF__W(ERROR_FILE_CORRUPT);
    }
    t[n] = 0;
    *tail = t;
    return 0;
}

/* The headers this process read last, one a slot by inode: opening an object again (a
 * reader polling a name, say) skips the read (a tenth of an open and close). An entry
 * stands for the file as it was: another file at the name is another inode, and a write,
 * a cut, a chmod or a link moves the change time or the size (a write through a mapping
 * of the header page would not on tmpfs: mmf maps none, and the entry then holds the
 * header as it was when checked). Under the namespace lock. */
#define HEADER_SLOTS 16
static struct {
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
    off_t size;
    struct mmf__objhdr info;
    char *tail; /* name and path, as stored; NULL: the slot is empty */
} headers[HEADER_SLOTS];

/* Is the file sb describes as it was when its ctime and size were taken? Every change a
 * header could have had since (a write, a cut, chmod, chown, a link made or removed) moves
 * its ctime. */
static bool unchanged(const struct stat *sb, const struct timespec *ctime, uint64_t size)
{
    return sb->st_ctim.tv_sec == ctime->tv_sec && sb->st_ctim.tv_nsec == ctime->tv_nsec &&
           (uint64_t)sb->st_size == size;
}

static bool same_file(size_t i, const struct stat *sb)
{
    return headers[i].tail && headers[i].dev == sb->st_dev && headers[i].ino == sb->st_ino &&
           unchanged(sb, &headers[i].ctime, (uint64_t)headers[i].size);
}

/* A copy of the checked header of the file sb describes, and of its tail, if it is here. */
static bool recall_header(const struct stat *sb, struct mmf__objhdr *h, char **tail)
{
    size_t i = (size_t)sb->st_ino % HEADER_SLOTS;
    if (!same_file(i, sb) || !(*tail = dup_tail(headers[i].tail, tail_len(&headers[i].info))))
        return false;
    *h = headers[i].info;
    return true;
}

static void remember_header(const struct stat *sb, const struct mmf__objhdr *h, const char *tail)
{
    size_t i = (size_t)sb->st_ino % HEADER_SLOTS;
    char *copy = dup_tail(tail, tail_len(h));
    if (!copy)
        return;
    free(headers[i].tail);
    headers[i].dev = sb->st_dev;
    headers[i].ino = sb->st_ino;
    headers[i].ctime = sb->st_ctim;
    headers[i].size = sb->st_size;
    headers[i].info = *h;
    headers[i].tail = copy;
}

/* ns->info's tail (its name and path, as stored, NUL-terminated) becomes ns's. */
static void use_tail(struct mmf__nsobj *ns, char *tail)
{
    ns->tail = tail;
    ns->path = tail + ns->info.name_units * sizeof(WCHAR);
    ns->data_size = data_end(&ns->info);
}

/* Reads and checks the header of a leased object file into ns->info, ns->tail (its name
 * and path, as stored) and ns->path; found (an existing object's fstat, else NULL) lets a
 * header read before stand for it. A file that carries another name is refused. */
static int read_header(struct mmf__nsobj *ns, const struct mmf__name *name,
                       const struct stat *found)
{
    ASSERT_NS_LOCKED();
    struct mmf__objhdr *h = &ns->info;
    char *tail;
    if (!found || !recall_header(found, h, &tail)) {
        int st = mmf__ns_read_info(ns->fd, ns->file_size, h, &tail);
        if (st < 0)
            return st;
        if (found)
            remember_header(found, h, tail);
    }
    size_t nbytes = name->units * sizeof(WCHAR);
    if (h->name_units != name->units || memcmp(tail, name->text, nbytes) != 0) {
        free(tail);
        return MMF__W(ERROR_ACCESS_DENIED); /* another name's file: never taken for ours */
    }
    use_tail(ns, tail);
    return 0;
}

/* A new object's header as its creator wrote it (h, its tail after it) becomes ns->info:
 * checked as a read one would be, so that no request makes a header others would refuse. */
static int own_header(struct mmf__nsobj *ns, const struct mmf__objhdr *h)
{
    int st = check_layout(h, h->header_len);
    if (st < 0)
        return st;
    char *tail = dup_tail((const char *)(h + 1), tail_len(h));
    if (!tail)
        return -ENOMEM;
    ns->info = *h;
    use_tail(ns, tail);
    return 0;
}

/* Writes the header back to the object file open as fd, as this holder read it, so that
 * the name can be opened again (an object file that holds its own data, cut by its owner). */
static bool rewrite_header(const struct mmf__nsobj *ns, int fd)
{
    size_t tail = tail_len(&ns->info);
    return mmf__sys.pwrite(fd, &ns->info, sizeof ns->info, 0) == (ssize_t)sizeof ns->info &&
           mmf__sys.pwrite(fd, ns->tail, tail, sizeof ns->info) == (ssize_t)tail;
}

bool mmf__ns_repair(const struct mmf__nsobj *ns, int fd, void *page, int prot)
{
    struct stat sb;
    if (ns->writable && fd >= 0 && mmf__sys.fstat(fd, &sb) == 0) {
        if ((uint64_t)sb.st_size >= ns->data_size)
            return true; /* another holder grew it back already */
        if (mmf__sys.ftruncate(fd, (off_t)ns->data_size) == 0 &&
            (ns->info.data_ino || (uint64_t)sb.st_size >= ns->info.header_len ||
             rewrite_header(ns, fd)))
            return true;
    }
    return mmf__sys.mmap(page, mmf__page_size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                         -1, 0) != MAP_FAILED;
}

/* The namespace lock, for a fault handler: another thread may hold it for a moment (an
 * open, a close), so wait a little; never block (this thread may be its holder). */
static bool try_lock_ns(void)
{
    for (int i = 0; i < 100000; i++) {
        if (pthread_mutex_trylock(&ns_lock) == 0)
            return true;
        sched_yield();
    }
    return false;
}

/* The first page of a kept file while a reopen reads its header there (kept_live). */
static const void *_Atomic head_read;

/* A kept file cut to nothing (by its owner) faults where a reopen reads its header: the
 * reopen reads a private page that says "removed" instead, and does the full lookup. */
static bool head_cut(void *page)
{
    void *p = mmf__sys.mmap(page, mmf__page_size, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        return false;
    ((struct mmf__objhdr *)p)->removed = 1;
    return true;
}

/* The fault resolver for shared regions (state words, commit maps) and for kept files'
 * first pages. */
static bool header_cut(int sig, siginfo_t *si)
{
    (void)sig;
    uintptr_t addr = (uintptr_t)si->si_addr;
    if (si->si_code != BUS_ADRERR)
        return false;
    const void *head = atomic_load(&head_read);
    if (head && addr - (uintptr_t)head < mmf__page_size)
        return head_cut((void *)head);
    if (!try_lock_ns())
        return false;
    bool done = mmf__lt_repair(addr);
    for (struct mmf__nsobj *n = mapped; n && !done; n = n->next_mapped)
        if (addr - (uintptr_t)n->shared < n->info.shared_len) {
            void *page = (void *)(addr & ~(uintptr_t)(mmf__page_size - 1));
            done = mmf__ns_repair(n, n->data_fd, page, PROT_READ | (n->writable ? PROT_WRITE : 0));
        }
    pthread_mutex_unlock(&ns_lock);
    return done;
}

static pthread_once_t header_faults_once = PTHREAD_ONCE_INIT;

static void install_header_faults(void)
{
    mmf__fault_add(SIGBUS, header_cut);
}

/* Maps the data file's shared region, where the kind keeps state words or a commit map.
 * Objects that keep nothing there open and close cheaper without it. */
static int map_shared(struct mmf__nsobj *ns)
{
    if (!ns->info.shared_len)
        return 0;
    pthread_once(&header_faults_once, install_header_faults);
    int prot = PROT_READ | (ns->writable ? PROT_WRITE : 0);
    void *p = mmf__sys.mmap(NULL, ns->info.shared_len, prot, MAP_SHARED, ns->data_fd,
                            (off_t)ns->info.shared_offset);
    if (p == MAP_FAILED)
        return -errno;
    ns->shared = p;
    ns->shared_len = ns->info.shared_len;
    ns->next_mapped = mapped;
    ns->prev_mapped = NULL;
    if (mapped)
        mapped->prev_mapped = ns;
    mapped = ns;
    return 0;
}

/* An object of a lease table: its state words are its slot's, in the table this process
 * maps once for all its objects there. */
static void use_slot(struct mmf__nsobj *ns)
{
    ns->shared = (void *)mmf__lt_words(ns->table, ns->slot);
    ns->shared_len = MMF__LT_SLOT_BYTES;
}

/* FNV-1a of a file name. */
static uint64_t hash_of(const char *fname)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *c = (const unsigned char *)fname; *c; c++)
        h = (h ^ *c) * 0x100000001b3u;
    return h;
}

/* The bucket of held names a file name goes in. */
static struct mmf__nsobj **bucket_of(const char *fname)
{
    return &held[hash_of(fname) % held_buckets];
}

/* --- Names this process removed ---------------------------------------------------------
 *
 * A name whose last holder was this process is most likely still free when this process
 * creates it again (a create cycle: create, use, close, again). Such a create builds its
 * object and links it in first, and looks the name up only if the link finds it taken:
 * the lookup of a missing name is what it spares, which on tmpfs (it keeps no negative
 * dentries) takes the directory's lock, shared, against every link and unlink there by
 * any process. Remembered by hash: a wrong guess costs one object built for nothing. */
#define REMOVED_SLOTS 8
static uint64_t removed[REMOVED_SLOTS]; /* hash of scope and file name; 0: none */
static unsigned removed_next;

static uint64_t removed_key(enum mmf__scope scope, const char *fname)
{
    return (hash_of(fname) ^ ((uint64_t)scope << 1)) | 1; /* never 0 */
}

static void note_removed(enum mmf__scope scope, const char *fname)
{
    ASSERT_NS_LOCKED();
    removed[removed_next++ % REMOVED_SLOTS] = removed_key(scope, fname);
}

/* Did this process remove the name last? Forgets it: one guess per removal. */
static bool take_removed(enum mmf__scope scope, const char *fname)
{
    ASSERT_NS_LOCKED();
    uint64_t key = removed_key(scope, fname);
    for (size_t i = 0; i < REMOVED_SLOTS; i++)
        if (removed[i] == key) {
            removed[i] = 0;
            return true;
        }
    return false;
}

/* Puts ns at the head of its bucket. */
static void chain(struct mmf__nsobj *ns)
{
    struct mmf__nsobj **b = bucket_of(ns->fname);
    ns->next = *b;
    *b = ns;
}

/* Doubles the buckets; without memory, the chains only grow longer. */
static void grow_held(void)
{
    size_t n = held_buckets * 2;
    struct mmf__nsobj **old = held, **fresh = calloc(n, sizeof *fresh);
    size_t old_n = held_buckets;
    if (!fresh)
        return;
    held = fresh;
    held_buckets = n;
    for (size_t i = 0; i < old_n; i++)
        for (struct mmf__nsobj *ns = old[i], *next; ns; ns = next) {
            next = ns->next;
            chain(ns);
        }
    if (old != first_buckets)
        free(old);
}

/* Lists a name as held by this process, with its first handle. */
static void list(struct mmf__nsobj *ns)
{
    ASSERT_NS_LOCKED();
    if (held_count >= held_buckets)
        grow_held();
    chain(ns);
    held_count++;
    ns->handles = 1;
}

/* Does ns's name still lead to its object file? (One of a lease table's is no longer
 * open: its name is looked up.) */
static bool held_named(int dirfd, const struct mmf__nsobj *ns)
{
    struct stat a;
    if (!ns->table)
        return still_named(dirfd, ns->fname, ns->fd);
    return mmf__sys.fstatat(dirfd, ns->fname, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
           a.st_ino == ns->ino && a.st_dev == ns->dev;
}

/* The object this process holds under the name, if the name still leads to it (a name
 * forced out by mmf_remove may since belong to a new object). */
static struct mmf__nsobj *find_held(int dirfd, enum mmf__scope scope, const char *fname)
{
    ASSERT_NS_LOCKED();
    for (struct mmf__nsobj *n = *bucket_of(fname); n; n = n->next)
        if (n->scope == scope && strcmp(n->fname, fname) == 0 && held_named(dirfd, n))
            return n;
    return NULL;
}

static void unlist(struct mmf__nsobj *ns)
{
    for (struct mmf__nsobj **p = bucket_of(ns->fname); *p; p = &(*p)->next)
        if (*p == ns) {
            *p = ns->next;
            held_count--;
            return;
        }
}

/* How many times the last holder of a lease table's object asks for the turn to remove
 * its name, which an opener holds for a few system calls: one stopped there leaves the
 * name to be reclaimed as stale. */
#define REMOVAL_TRIES 1000

/* The last holder of a lease table's object (holding its slot's write lock) removes its
 * name, in the turn every remover of such an object takes (the object file's exclusive
 * flock: lease_in_table): 1 if removed. */
static int remove_from_table(int dirfd, const struct mmf__nsobj *ns)
{
    struct stat sb;
    bool writable;
    int st = 0, fd = open_either(dirfd, ns->fname, &writable);
    if (fd < 0)
        return 0;
    for (int i = 0; i < REMOVAL_TRIES && (st = mmf__ns_lease(fd, LOCK_EX)) == -EWOULDBLOCK; i++)
        sched_yield();
    if (st == 0 && mmf__sys.fstat(fd, &sb) == 0 && sb.st_ino == ns->ino && sb.st_dev == ns->dev)
        st = unlink_locked(dirfd, ns->fname, fd, ns->info.data_ino != 0, true, NULL);
    mmf__sys.close(fd);
    return st;
}

/* release for an object of a lease table: its slot's read lock let go, then its write
 * lock tried, as the file's flock is converted: of holders leaving at once, exactly the
 * last gets it. */
static void release_in_table(struct mmf__nsobj *ns)
{
    int dirfd = dirfds[ns->scope];
    mmf__lt_lock(ns->table, ns->slot, F_UNLCK);
    int st = mmf__lt_lock(ns->table, ns->slot, F_WRLCK);
    if (st == 0 && remove_from_table(dirfd, ns) == 1)
        note_removed(ns->scope, ns->fname);
    if (st == 0)
        mmf__lt_lock(ns->table, ns->slot, F_UNLCK);
    ns->left_to_others = st == -EAGAIN;
    mmf__lt_unhold(ns->table, ns->slot);
}

/* Gives up this process's lease; removes the name if no other process holds it. When the
 * file is closed next (`closing`), its closing drops the lock: no call to unlock it. */
static void release(struct mmf__nsobj *ns, bool closing)
{
    ASSERT_NS_LOCKED();
    if (ns->table) {
        release_in_table(ns);
        return;
    }
    int st = mmf__ns_lease(ns->fd, LOCK_EX);
    bool data = ns->info.data_ino != 0;
    if (st == 0 && /* the last holder: the name goes with it */
        unlink_locked(dirfds[ns->scope], ns->fname, ns->fd, data, true, NULL) == 1)
        note_removed(ns->scope, ns->fname);
    ns->left_to_others = st == -EWOULDBLOCK;
    if (!closing)
        mmf__ns_lease(ns->fd, LOCK_UN);
}

/* Takes a mapped shared region off the list the fault resolver reads. */
static void forget_mapping(struct mmf__nsobj *ns)
{
    ASSERT_NS_LOCKED();
    if (ns->next_mapped)
        ns->next_mapped->prev_mapped = ns->prev_mapped;
    if (ns->prev_mapped)
        ns->prev_mapped->next_mapped = ns->next_mapped;
    else
        mapped = ns->next_mapped;
}

/* Whether ns's shared region is a mapping of its own, on the list the fault resolver reads
 * (a lease table's object uses its table's). */
static bool maps_own(const struct mmf__nsobj *ns)
{
    return ns->shared && !ns->table;
}

static void free_resources(struct mmf__nsobj *ns)
{
    if (ns->table)
        mmf__lt_put(dirfds[ns->scope], ns->table);
    else if (ns->shared)
        mmf__sys.munmap(ns->shared, ns->info.shared_len);
    if (ns->head)
        mmf__sys.munmap((void *)ns->head, mmf__page_size);
    if (ns->data_fd >= 0 && ns->data_fd != ns->fd)
        mmf__sys.close(ns->data_fd);
    if (ns->fd >= 0)
        mmf__sys.close(ns->fd);
    free(ns->tail);
    free(ns);
}

static void discard(struct mmf__nsobj *ns)
{
    if (maps_own(ns))
        forget_mapping(ns);
    free_resources(ns);
}

/* --- Names closed while others hold them ---------------------------------------------
 *
 * A name whose last handle here closed while other processes held it keeps its files (no
 * lease: the failed exclusive lock of release dropped it) and what was read of it, for a
 * while: a program that opens and closes a name over and over (a reader polling another
 * process's section) then takes its lease back on the file it has, and skips the lookup,
 * the header, the data file and the shared mapping. Instead of acquire's fstat, it reads
 * the header in the file's first page, mapped when the name was kept: every removal of a
 * name sets the header's removal word before the name goes, so an unchanged header is
 * a file still at its name. Held without a lease, the file keeps nothing alive: the last
 * real holder removes the name as if this process had closed it, and a killed holder's
 * object is as stale to this process as to any. */
#define KEPT_SLOTS 8
static struct mmf__nsobj *kept[KEPT_SLOTS];
static unsigned kept_next;   /* the slot the next one takes when none has its name */
static bool kept_inherited;  /* a forked child's are its parent's descriptions: unused */
static pthread_once_t keeping_once = PTHREAD_ONCE_INIT;

/* A lease the child took on its copy would be its parent's (one description, one lock). */
static void inherit_kept(void)
{
    kept_inherited = true;
}

/* Frees every kept name: whether there was one. */
static bool drop_kept(void)
{
    ASSERT_NS_LOCKED();
    bool any = false;
    for (size_t i = 0; i < KEPT_SLOTS; i++)
        if (kept[i]) {
            discard(kept[i]);
            kept[i] = NULL;
            any = true;
        }
    kept_inherited = false;
    return any;
}

/* Descriptors ran out in some call (sys.c): the kept names' files go, unless the lock is
 * taken (a lookup's own call: it gives them back itself), for a moment or by this thread. */
static bool give_back_kept(void)
{
    if (pthread_mutex_trylock(&ns_lock) != 0)
        return false;
    held_by_me();
    bool any = drop_kept();
    unlock_ns();
    return any;
}

static void start_keeping(void)
{
    pthread_atfork(NULL, NULL, inherit_kept);
    mmf__sys_spares(give_back_kept);
}

/* The slot of the name's kept file, or KEPT_SLOTS (a forked child's first look drops
 * what it inherited). */
static size_t kept_slot(enum mmf__scope scope, const char *fname)
{
    ASSERT_NS_LOCKED();
    if (kept_inherited)
        drop_kept();
    size_t i = 0;
    while (i < KEPT_SLOTS &&
           !(kept[i] && kept[i]->scope == scope && strcmp(kept[i]->fname, fname) == 0))
        i++;
    return i;
}

/* Maps a kept file's first page, once, for a reopen to compare the header there (its
 * removal word included) instead of an fstat. Only a file its owner may write: a removal
 * that cannot write the word cannot set it (and one that may remove the name but not
 * write the file is its directory's owner, who may replace any name there anyway). A
 * mapping that fails leaves the fstat. */
static void map_head(struct mmf__nsobj *ns)
{
    if (ns->head || !(ns->mode & S_IWUSR))
        return;
    pthread_once(&header_faults_once, install_header_faults);
    void *p = mmf__sys.mmap(NULL, mmf__page_size, PROT_READ, MAP_SHARED, ns->fd, 0);
    ns->head = p == MAP_FAILED ? NULL : p;
}

/* Keeps ns for a reopen; the one it displaces (the name's older one, else the oldest), to
 * be freed. */
static struct mmf__nsobj *put_kept(struct mmf__nsobj *ns)
{
    pthread_once(&keeping_once, start_keeping);
    map_head(ns);
    size_t i = kept_slot(ns->scope, ns->fname);
    if (i == KEPT_SLOTS)
        i = kept_next++ % KEPT_SLOTS;
    struct mmf__nsobj *old = kept[i];
    if (old && maps_own(old))
        forget_mapping(old);
    ns->obj = NULL;
    kept[i] = ns;
    return old;
}

static struct mmf__nsobj *take_kept(enum mmf__scope scope, const char *fname)
{
    size_t i = kept_slot(scope, fname);
    if (i == KEPT_SLOTS)
        return NULL;
    struct mmf__nsobj *ns = kept[i];
    kept[i] = NULL;
    return ns;
}

/* Worth keeping: others held it at the close, and its file was seen as it was read (its
 * creator made it and never saw its final ctime: a reopen could not tell it unchanged).
 * An object of a lease table keeps no file open. */
static bool reopenable(const struct mmf__nsobj *ns)
{
    return ns->left_to_others && !ns->table && (ns->ctime.tv_sec || ns->ctime.tv_nsec);
}

/* The last reference to a named object went. One worth keeping is kept (and the one it
 * displaces freed); only a mapped shared region is on a shared list, and a lease table
 * among this process's tables: the rest needs no lock. */
void mmf__ns_free(struct mmf__nsobj *ns)
{
    bool worth = reopenable(ns);
    if (!worth && !ns->shared && !ns->table) {
        free_resources(ns);
        return;
    }
    lock_ns();
    if (worth)
        ns = put_kept(ns);
    else if (maps_own(ns))
        forget_mapping(ns);
    bool table = ns && ns->table;
    if (table)
        free_resources(ns);
    unlock_ns();
    if (ns && !table)
        free_resources(ns);
}

/* A fresh file, not yet visible under any name, with the permission bits asked (past the
 * umask: NULL DACL objects are for every user, and a umask may narrow even the owner's),
 * and its fstat in *sb: its owner, its mode and its inode are what the creator knows of
 * it. A temporary name (no O_TMPFILE) is in tmpname, for the caller to remove. */
static int new_file(int dirfd, mode_t mode, char *tmpname, size_t cap, struct stat *sb)
{
    int fd = mmf__sys.openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
    tmpname[0] = 0;
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        static atomic_uint counter;
        snprintf(tmpname, cap, ".tmp-%u-%u", (unsigned)mmf__pid(),
                 atomic_fetch_add(&counter, 1));
        fd = mmf__sys.openat(dirfd, tmpname, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, mode);
    }
    if (fd < 0)
        return -errno;
    if (mmf__sys.fstat(fd, sb) < 0) {
        int st = -errno;
        mmf__sys.close(fd);
        if (tmpname[0])
            mmf__sys.unlinkat(dirfd, tmpname, 0);
        tmpname[0] = 0;
        return st;
    }
    /* Only a umask that took bits away costs a call: the usual 022 leaves 0600 and 0644. */
    if ((sb->st_mode & 07777) != mode && mmf__sys.fchmod(fd, mode) == 0)
        sb->st_mode = (sb->st_mode & ~(mode_t)07777) | mode;
    return fd;
}

/* Sizes a new file for len bytes at off, reserved so that writing state words or a commit
 * map there never faults for lack of room (ERROR_DISK_FULL here instead). */
static int reserve(int fd, uint64_t off, uint64_t len)
{
    int st = (int)mmf__sysret(mmf__sys.fallocate(fd, 0, (off_t)off, (off_t)len));
    if (st == -EOPNOTSUPP)
        st = (int)mmf__sysret(mmf__sys.ftruncate(fd, (off_t)(off + len)));
    return st == -ENOSPC || st == -EDQUOT ? MMF__W(ERROR_DISK_FULL) : st;
}

/* A new data file's shared region, reserved. */
static int reserve_shared(int dfd, const struct mmf__objhdr *h)
{
    return h->shared_len ? reserve(dfd, h->shared_offset, h->shared_len) : 0;
}

/* Writes a new object's header to fd and, if it has any, the first bytes of its shared
 * region (zero-padded to the region's end, so that the write itself reserves its pages):
 * in one write when dfd is fd. */
static int write_out(int fd, int dfd, struct mmf__objhdr *h, size_t init)
{
    char *page = (char *)h + h->header_len;
    if (dfd != fd && init && mmf__sys.pwrite(dfd, page, init, 0) != (ssize_t)init)
        return errno ? -errno : MMF__W(ERROR_DISK_FULL);
    size_t n = h->header_len + (dfd == fd ? init : 0);
    if (mmf__sys.pwrite(fd, h, n, 0) != (ssize_t)n)
        return errno ? -errno : MMF__W(ERROR_DISK_FULL);
    return 0;
}

/* The header of a new object, written to fd, its data file dfd (fd itself, or a file of
 * its own, whose inode is data_ino, else 0) laid out and made ready: the shared region first,
 * then the data. *out gets the header as written (its tail after it), for the creator to
 * adopt without reading it back: nobody else may write the object file. */
static int write_header(int fd, int dfd, uint64_t data_ino, const struct mmf__nsobj *ns,
                        const struct mmf__name *name, const struct mmf__type *type,
                        const struct mmf__ns_new *nw, struct mmf__objhdr **out)
{
    size_t plen = nw->path ? strlen(nw->path) : 0;
    size_t hlen = page_up(sizeof(struct mmf__objhdr) + name->units * sizeof(WCHAR) + plen);
    uint64_t base = dfd != fd ? 0 : hlen;
    size_t init = nw->shared_init ? page_up(nw->shared_len) : 0;
    struct mmf__objhdr *h = calloc(1, hlen + init);
    if (!h)
        return -ENOMEM;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    *h = (struct mmf__objhdr){
        .magic = MMF__OBJ_MAGIC,
        .version = MMF__OBJ_VERSION,
        .kind = type->kind,
        .header_len = (uint32_t)hlen,
        .shared_offset = base,
        .shared_len = mmf__round_up(nw->shared_len, mmf__page_size),
        .data_offset = base + mmf__round_up(nw->shared_len, mmf__page_size),
        .data_len = mmf__round_up(nw->data_len, mmf__page_size),
        .data_ino = data_ino,
        .creator_pid = (uint32_t)mmf__pid(),
        .created_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
        .name_units = (uint32_t)name->units,
        .path_len = (uint32_t)plen,
        .table = ns->table ? mmf__lt_id(ns->table) : 0,
        .slot = ns->slot,
    };
    memcpy(h + 1, name->text, name->units * sizeof(WCHAR));
    if (plen)
        memcpy((char *)(h + 1) + name->units * sizeof(WCHAR), nw->path, plen);
    if (init)
        memcpy((char *)h + hlen, nw->shared_init, nw->shared_len);
    int st = init ? 0 : reserve_shared(dfd, h);
    if (st == 0 && nw->init)
        st = nw->init(dfd, h, nw->ctx);
    if (st == 0)
        st = write_out(fd, dfd, h, init);
    if (st < 0)
        free(h);
    else
        *out = h;
    return st;
}

/* Links a new file (an O_TMPFILE, or one at tmpname) into the directory as fname: by its
 * descriptor where the kernel lets its opener do that (Linux 6.10 and later; earlier ones
 * refuse with ENOENT without CAP_DAC_READ_SEARCH), else through /proc, whose path walk
 * costs about 3 us more a creation. */
static int link_in(int dirfd, int fd, const char *tmpname, const char *fname)
{
    static atomic_bool by_proc;
    char proc[64];
    if (tmpname[0])
        return mmf__sys.linkat(dirfd, tmpname, dirfd, fname, 0) < 0 ? -errno : 0;
    if (!atomic_load_explicit(&by_proc, memory_order_relaxed)) {
        if (mmf__sys.linkat(fd, "", dirfd, fname, AT_EMPTY_PATH) == 0)
            return 0;
        if (errno != ENOENT)
            return -errno;
        atomic_store_explicit(&by_proc, true, memory_order_relaxed);
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return mmf__sys.linkat(AT_FDCWD, proc, dirfd, fname, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

/* Links a new object's data file in, once the object holds its name: a data file already
 * there is no live object's (unlink_locked) but a leftover of one removed by force, and
 * gives way; one that cannot be removed (another user's, in Global\) is refused. */
static int link_data(int dirfd, int dfd, const char *tmpname, const char *fname)
{
    char dname[256 + sizeof DATA_SUFFIX];
    data_name(fname, dname);
    int st = link_in(dirfd, dfd, tmpname, dname);
    if (st == -EEXIST && mmf__sys.unlinkat(dirfd, dname, 0) == 0)
        st = link_in(dirfd, dfd, tmpname, dname);
    return st == -EEXIST || st == -EPERM ? MMF__W(ERROR_ACCESS_DENIED) : st;
}

/* Whether a new object keeps what others share in a data file of its own: when others
 * may write it, so that its header stays in a file only its owner can write. */
static bool split_data(const struct mmf__ns_new *nw)
{
    return (nw->mode & (S_IWGRP | S_IWOTH)) && (nw->shared_len || nw->data_len);
}

/* How many names a process holds before it makes new objects in lease tables: a quarter
 * of the descriptors it may have (the hard limit: base/sys.c raises the soft one to it
 * when it is reached) or of the mappings (vm.max_map_count), whichever is fewer, so that
 * objects on files of their own, one descriptor and one mapping each, leave the rest of
 * both to the program. */
static size_t table_after(void)
{
    static size_t after;
    if (!after) {
        struct rlimit rl;
        char text[32];
        uint64_t fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (uint64_t)rl.rlim_max : 1024;
        uint64_t maps = mmf__read_small_file("/proc/sys/vm/max_map_count", text, sizeof text) > 0
                            ? strtoull(text, NULL, 10)
                            : 65530;
        uint64_t n = (fds < maps ? fds : maps) / 4;
        after = n < 16 ? 16 : n > SIZE_MAX ? SIZE_MAX : (size_t)n;
    }
    return after;
}

/* Whether a new object keeps its lease (and state words) in a lease table, made while
 * this process holds many: one of a kind with nothing but state words, or whose kind opens
 * its data again when it needs it (a paging-file section: at its first view). */
static bool in_table(const struct mmf__ns_new *nw)
{
    ASSERT_NS_LOCKED();
    bool words = nw->shared_len && nw->shared_len <= MMF__LT_SLOT_BYTES && !nw->data_len &&
                 !nw->init;
    return (words || nw->reopens) && !nw->path && held_count >= table_after();
}

/* A new lease table in dirfd, mode as its objects' data (0600, or 0666 for objects every
 * user may open), reserved in full and linked in under a random name, its creator's lock
 * taken before anyone can see it. */
static int new_table(int dirfd, enum mmf__scope scope, mode_t mode, struct mmf__lt **out)
{
    char tmpname[64], name[MMF__LT_NAME];
    struct stat sb;
    uint64_t id = 0;
    int fd = new_file(dirfd, mode, tmpname, sizeof tmpname, &sb);
    if (fd < 0)
        return fd;
    int st = reserve(fd, 0, MMF__LT_BYTES);
    if (st == 0)
        st = mmf__lt_lock_fd(fd, MMF__LT_SLOTS, 1, F_RDLCK);
    for (int tries = 0; st == 0 && tries < 8; tries++) {
        if (getrandom(&id, sizeof id, 0) != sizeof id) {
            st = -errno;
            break;
        }
        mmf__lt_name(id |= 1, name); /* never 0: "no table" */
        if ((st = link_in(dirfd, fd, tmpname, name)) != -EEXIST)
            break;
    }
    if (tmpname[0])
        mmf__sys.unlinkat(dirfd, tmpname, 0);
    if (st == 0 && (st = mmf__lt_adopt_new(scope, id, fd, &sb, out)) < 0)
        mmf__sys.unlinkat(dirfd, name, 0);
    if (st < 0)
        mmf__sys.close(fd);
    return st;
}

/* A slot for a new object in one of this process's tables (a new one if none has one
 * left), its lease taken: ns->table, ns->slot. */
static int take_slot(int dirfd, struct mmf__nsobj *ns, mode_t mode)
{
    struct mmf__lt *t = mmf__lt_current(ns->scope, mode);
    int st = t ? 0 : new_table(dirfd, ns->scope, mode, &t);
    if (st == 0 && (st = mmf__lt_take_slot(t, &ns->slot)) == 0)
        ns->table = t;
    return st;
}

/* A new object that could not be published gives its slot up (never to be used again). */
static void drop_slot(int dirfd, struct mmf__nsobj *ns)
{
    mmf__lt_lock(ns->table, ns->slot, F_UNLCK);
    mmf__lt_unhold(ns->table, ns->slot);
    mmf__lt_put(dirfd, ns->table);
    ns->table = NULL;
    ns->slot = 0;
}

/* Builds the object in files of its own and links it in under fname (then its data file,
 * if it has one: an opener that finds the object before its data file waits for it).
 * ns->fd and ns->data_fd, or -EEXIST if the name appeared meanwhile. An object made in a
 * lease table (in_table) has its slot's lease and state words there, and its file only
 * the header. */
static int publish_new(int dirfd, struct mmf__nsobj *ns, const struct mmf__name *name,
                       const struct mmf__type *type, const struct mmf__ns_new *nw)
{
    char tmpname[64], dtmpname[64] = "";
    struct stat sb, dsb;
    struct mmf__objhdr *h = NULL;
    struct mmf__ns_new bare;
    if (in_table(nw)) {
        int st = take_slot(dirfd, ns, nw->mode);
        if (st < 0)
            return st;
        if (nw->shared_init) /* the slot is new: zeros */
            memcpy((void *)mmf__lt_words(ns->table, ns->slot), nw->shared_init, nw->shared_len);
        bare = *nw;
        bare.shared_len = 0;
        bare.shared_init = NULL;
        nw = &bare;
    }
    bool split = split_data(nw);
    /* Nobody but its creator ever writes an object file (its header). */
    int fd = new_file(dirfd, nw->mode & ~(mode_t)(S_IWGRP | S_IWOTH), tmpname, sizeof tmpname,
                      &sb);
    if (fd < 0)
        return fd;
    int dfd = split ? new_file(dirfd, nw->mode, dtmpname, sizeof dtmpname, &dsb) : fd;
    uint64_t data_ino = split && dfd >= 0 ? (uint64_t)dsb.st_ino : 0;
    int st = dfd < 0 ? dfd : write_header(fd, dfd, data_ino, ns, name, type, nw, &h);
    if (st == 0)
        st = own_header(ns, h);
    free(h);
    if (st == 0 && !ns->table)
        st = mmf__ns_lease(fd, LOCK_SH); /* a holder from the first moment it is visible */
    if (st == 0)
        st = link_in(dirfd, fd, tmpname, ns->fname);
    if (st == 0 && split && (st = link_data(dirfd, dfd, dtmpname, ns->fname)) < 0)
        unlink_locked(dirfd, ns->fname, fd, false, true, NULL); /* useless without its data */
    if (tmpname[0])
        mmf__sys.unlinkat(dirfd, tmpname, 0);
    if (dtmpname[0])
        mmf__sys.unlinkat(dirfd, dtmpname, 0);
    if (st < 0) {
        if (dfd >= 0 && dfd != fd)
            mmf__sys.close(dfd);
        mmf__sys.close(fd);
        free(ns->tail);
        ns->tail = NULL;
        if (ns->table)
            drop_slot(dirfd, ns);
        return st;
    }
    ns->fd = fd;
    ns->data_fd = dfd;
    ns->dev = sb.st_dev;
    ns->ino = sb.st_ino;
    ns->owner = sb.st_uid;
    ns->mode = sb.st_mode & 07777;
    return 0;
}

/* An opener's wait for a data file not linked in yet (see open_data). */
#define NOT_YET 2

/* How long after its creation an object may still lack its data file: its creator links
 * it in right after the object, so only a creator stopped or killed in between (or a
 * planted header) makes an opener wait this long; a killed one's object is stale and
 * reclaimed on the way. */
#define PUBLICATION_NS 1000000000u

static bool being_published(const struct mmf__objhdr *h)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t t = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    return h->created_ns <= t && t - h->created_ns < PUBLICATION_NS;
}

/* A data file found shorter than its header says (cut by someone) is grown back, as a
 * holder's fault would; one this process may not write is ERROR_FILE_CORRUPT. */
static int grow_back(const struct mmf__nsobj *ns, int fd, uint64_t size)
{
    if (size >= ns->data_size)
        return 0;
    return ns->writable && mmf__sys.ftruncate(fd, (off_t)ns->data_size) == 0
               ? 0
               : MMF__W(ERROR_FILE_CORRUPT);
}

/* Opens the data file of a leased object whose header says it has one of its own: it
 * must be the file the header names (its inode), its owner's, and as long as the header
 * says (one cut short by another user is grown back first, as a holder's fault would).
 * NOT_YET when it is missing or another while the object is new: its creator has not
 * linked it in yet (or died before it could: the object is then stale, and reclaimed on
 * the way back); later, the object is broken (ERROR_FILE_CORRUPT). */
static int open_data(int dirfd, struct mmf__nsobj *ns)
{
    char dname[256 + sizeof DATA_SUFFIX];
    struct stat sb;
    data_name(ns->fname, dname);
    int fd = open_either(dirfd, dname, &ns->writable);
    int missing = being_published(&ns->info) ? NOT_YET : MMF__W(ERROR_FILE_CORRUPT);
    if (fd < 0)
        return errno == ENOENT ? missing : errno == ELOOP ? MMF__W(ERROR_ACCESS_DENIED) : -errno;
    int st = 0;
    if (mmf__sys.fstat(fd, &sb) < 0)
        st = -errno;
    else if ((uint64_t)sb.st_ino != ns->info.data_ino)
        st = missing;
    else if (!S_ISREG(sb.st_mode) || sb.st_uid != ns->owner)
        st = MMF__W(ERROR_ACCESS_DENIED);
    else
        st = grow_back(ns, fd, (uint64_t)sb.st_size);
    if (st != 0) {
        mmf__sys.close(fd);
        return st;
    }
    ns->data_fd = fd;
    return 0;
}

/* The data file of an object this process did not make: its own file (as long as its
 * header says: grown back if it was cut short and may be), or its %data file. */
static int find_data(int dirfd, struct mmf__nsobj *ns)
{
    if (ns->info.data_ino)
        return open_data(dirfd, ns);
    ns->data_fd = ns->fd;
    return grow_back(ns, ns->fd, ns->file_size);
}

/* A file of dirfd opened read-only for a listing: a regular file, of inode ino (0: any). */
static int open_listed(int dirfd, const char *name, uint64_t ino)
{
    struct stat sb;
    int fd = mmf__sys.openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    if (mmf__sys.fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (ino && (uint64_t)sb.st_ino != ino)) {
        mmf__sys.close(fd);
        return MMF__W(ERROR_FILE_CORRUPT);
    }
    return fd;
}

int mmf__ns_open_data(int dirfd, const char *fname, int fd, const struct mmf__objhdr *h)
{
    char dname[256 + sizeof DATA_SUFFIX];
    if (h->table) { /* its state words are in its slot there */
        mmf__lt_name(h->table, dname);
        return open_listed(dirfd, dname, 0);
    }
    if (!h->data_ino)
        return fd;
    data_name(fname, dname);
    return open_listed(dirfd, dname, h->data_ino);
}

int mmf__ns_reopen_data(const struct mmf__nsobj *ns)
{
    char dname[256 + sizeof DATA_SUFFIX];
    struct stat sb;
    bool writable;
    int dirfd, st;
    if (ns->info.data_ino)
        data_name(ns->fname, dname);
    else
        snprintf(dname, sizeof dname, "%s", ns->fname);
    lock_ns();
    int fd = (st = dir_of(ns->scope, &dirfd)) < 0 ? st : open_either(dirfd, dname, &writable);
    int err = errno;
    unlock_ns();
    if (fd < 0)
        return st < 0 ? st : err == ENOENT ? MMF__W(ERROR_FILE_NOT_FOUND) : -err;
    uint64_t ino = ns->info.data_ino ? ns->info.data_ino : (uint64_t)ns->ino;
    if (mmf__sys.fstat(fd, &sb) < 0)
        st = -errno;
    else if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_ino != ino || sb.st_uid != ns->owner)
        st = MMF__W(ERROR_FILE_NOT_FOUND); /* removed by force (mmf rm) since */
    else
        st = grow_back(ns, fd, (uint64_t)sb.st_size);
    if (st < 0) {
        mmf__sys.close(fd);
        return st;
    }
    return fd;
}

/* What a lookup asks: the name, its type, and for a Create what to make if it is absent
 * (NULL: open only). */
struct lookup {
    const struct mmf__name *name;
    const struct mmf__type *type;
    const struct mmf__ns_new *nw;
    bool want_write;
};

/* Another handle on a name this process holds already. */
static int add_handle(struct mmf__nsobj *ns, const struct lookup *lk, struct mmf__object **out)
{
    ASSERT_NS_LOCKED();
    if (ns->obj->type != lk->type)
        return MMF__W(ERROR_INVALID_HANDLE);
    if (lk->want_write && !ns->writable)
        return MMF__W(ERROR_ACCESS_DENIED);
    ns->handles++;
    mmf__ref(ns->obj);
    *out = ns->obj;
    return 0;
}

/* Opens the live object at fname with a lease, or (for a Create) publishes a new one
 * there: ns->fd (and a new one's ns->data_fd and header), ns->writable, an existing one's
 * ns->file_size, its owner and mode, and whether it existed. */
static int find_or_publish(int dirfd, const struct lookup *lk, struct mmf__nsobj *ns,
                           bool *existed, struct stat *found)
{
    struct stat sb;
    int fd, st;
    /* A create of a name this process removed last links first ("Names this process
     * removed"). */
    bool link_first = lk->nw && take_removed(ns->scope, ns->fname);
    for (;;) {
        if (!link_first) {
            fd = acquire(dirfd, ns, &sb);
            *existed = fd >= 0;
            if (fd != -ENOENT || !lk->nw)
                break;
        }
        link_first = false;
        *existed = false;
        ns->writable = true;
        if ((st = publish_new(dirfd, ns, lk->name, lk->type, lk->nw)) != -EEXIST) {
            fd = st < 0 ? st : ns->fd;
            break;
        }
    }
    if (fd < 0)
        return fd == -ENOENT ? MMF__W(ERROR_FILE_NOT_FOUND) : fd;
    if (!*existed)
        return 0; /* publish_new set what follows from what it made */
    ns->fd = fd;
    ns->file_size = (uint64_t)sb.st_size;
    ns->ctime = sb.st_ctim;
    ns->owner = sb.st_uid;
    ns->mode = sb.st_mode & 07777;
    ns->dev = sb.st_dev;
    ns->ino = sb.st_ino;
    *found = sb;
    return 0;
}

/* An object of a lease table needs its files no more once built: a name costs no
 * descriptor (a section opens its data again: mmf__ns_reopen_data). */
static void close_file(struct mmf__nsobj *ns)
{
    if (ns->data_fd >= 0 && ns->data_fd != ns->fd)
        mmf__sys.close(ns->data_fd);
    mmf__sys.close(ns->fd);
    ns->fd = ns->data_fd = -1;
}

/* Makes a leased object file this process's: its header read and checked, its data file
 * found, its typed object built, its name listed as held with one handle. Gives the lease
 * back on failure (NOT_YET included: look again). The creator's request goes to the
 * build only for the object this process made: a name that turned out to exist is
 * someone else's object, whatever this request said (asking for a paging-file section
 * under a file-backed name, or racing another creator). */
static int adopt(int dirfd, struct mmf__nsobj *ns, const struct lookup *lk, bool existed,
                 const struct stat *found)
{
    ASSERT_NS_LOCKED();
    int st = existed ? read_header(ns, lk->name, found) : 0; /* a new one's: publish_new's */
    if (st == 0 && ns->info.table && !ns->table &&
        (st = lease_in_table(dirfd, ns, ns->fd, &ns->info, ns->owner, false)) == 1) {
        /* A lease table's object, met in another's turn (acquire took a shared flock, no
         * lease), and stale: the next look takes the turn and removes it. */
        free_resources(ns);
        return NOT_YET;
    }
    if (st == 0 && ns->table &&
        (ns->info.table != mmf__lt_id(ns->table) || ns->info.slot != ns->slot))
        st = MMF__W(ERROR_FILE_CORRUPT); /* rewritten since acquire read it */
    if (st == 0 && ns->info.kind != lk->type->kind)
        st = MMF__W(ERROR_INVALID_HANDLE); /* the name belongs to another type */
    if (st == 0 && (ns->mode & (S_IWGRP | S_IWOTH)))
        st = MMF__W(ERROR_ACCESS_DENIED); /* a header others could have written: not ours */
    if (st == 0 && existed)
        st = find_data(dirfd, ns);
    if (st == 0 && lk->want_write && !ns->writable)
        st = MMF__W(ERROR_ACCESS_DENIED);
    if (st == 0 && ns->table)
        use_slot(ns);
    else if (st == 0)
        st = map_shared(ns);
    if (st == 0)
        st = lk->type->build_named(lk->type, ns, lk->nw && !existed ? lk->nw->ctx : NULL);
    if (st != 0) {
        if (ns->table || !ns->info.table) /* else a flock, no lease: closing lets it go */
            release(ns, true);
        discard(ns);
        return st;
    }
    if (ns->table)
        close_file(ns);
    list(ns);
    return 0;
}

/* Is the header at the start of a kept file's mapped first page still the one read (and
 * then not marked removed)? A fault there (the file cut) reads as a removal (head_cut). */
static bool head_unchanged(const struct mmf__nsobj *ns)
{
    ASSERT_NS_LOCKED();
    atomic_store(&head_read, ns->head);
    bool same = memcmp(ns->head, &ns->info, sizeof ns->info) == 0;
    atomic_store(&head_read, NULL);
    return same && !ns->info.removed;
}

/* Is a kept file whose lease was just taken back still the object at its name, as it was
 * read? Its header says, if mapped: every removal sets its removal word before the name
 * goes, and one that set it after this lease was taken would have needed the exclusive
 * lock (or forced the name out after this open, which then came first). Else fstat finds
 * it at its name with the ctime and size it had. */
static bool kept_live(int dirfd, const struct mmf__nsobj *ns)
{
    struct stat sb;
    if (ns->head)
        return head_unchanged(ns);
    return check_found(dirfd, ns->fname, ns->fd, &sb) == 0 &&
           unchanged(&sb, &ns->ctime, ns->file_size);
}

/* A kept name's file, leased again if it is still the live object at its name, as
 * acquire finds one, and of the kind and access asked: 0, with its typed object built;
 * else 1 (ns discarded), for the full lookup to decide (a stale object is reclaimed there,
 * a name since given to another object is opened there). */
static int reuse_kept(int dirfd, struct mmf__nsobj *ns, const struct lookup *lk)
{
    ASSERT_NS_LOCKED();
    bool live = ns->info.kind == lk->type->kind && (ns->writable || !lk->want_write) &&
                mmf__ns_lease(ns->fd, LOCK_EX) == -EWOULDBLOCK && /* someone holds it */
                mmf__ns_lease(ns->fd, LOCK_SH) == 0 &&            /* and is not removing it */
                kept_live(dirfd, ns);
    if (live) {
        ns->left_to_others = false;
        if (lk->type->build_named(lk->type, ns, NULL) == 0) {
            list(ns);
            return 0;
        }
        release(ns, true);
    }
    discard(ns);
    return 1;
}

/* Finds (or makes) the object on disk under fname and adopts it. */
static int find_and_adopt(int dirfd, const struct lookup *lk, const char *fname,
                          struct mmf__nsobj **out, bool *existed)
{
    for (unsigned round = 0;; round++) {
        struct mmf__nsobj *ns = calloc(1, sizeof *ns);
        if (!ns)
            return -ENOMEM;
        ns->scope = lk->name->scope;
        ns->fd = ns->data_fd = -1;
        snprintf(ns->fname, sizeof ns->fname, "%s", fname);
        struct stat found;
        int st = find_or_publish(dirfd, lk, ns, existed, &found);
        if (st < 0) {
            free(ns);
            return st;
        }
        st = adopt(dirfd, ns, lk, *existed, &found);
        if (st == 0)
            *out = ns;
        if (st != NOT_YET)
            return st;
        if (round == LOOK_ROUNDS)
            return MMF__W(ERROR_BUSY); /* a flock held by someone who never lets go */
        wait_a_little(round);
    }
}

/* The shared part of create and open: an object already held by this process, or one
 * found (or made) on disk and adopted. */
static int lookup(const struct lookup *lk, struct mmf__object **out, bool *existed)
{
    int dirfd, st = dir_of(lk->name->scope, &dirfd);
    char fname[256];
    if (st == 0)
        st = mmf__name_encode(lk->name, fname, sizeof fname);
    if (st < 0)
        return st;
    struct mmf__nsobj *ns = find_held(dirfd, lk->name->scope, fname);
    if (ns) {
        *existed = true;
        return add_handle(ns, lk, out);
    }
    if ((ns = take_kept(lk->name->scope, fname)) && reuse_kept(dirfd, ns, lk) == 0) {
        *existed = true;
        *out = ns->obj;
        return 0;
    }
    st = find_and_adopt(dirfd, lk, fname, &ns, existed);
    /* Out of descriptors: the kept names' are this process's to give back. */
    if ((st == -EMFILE || st == -ENFILE) && drop_kept())
        st = find_and_adopt(dirfd, lk, fname, &ns, existed);
    if (st < 0)
        return st;
    *out = ns->obj;
    return 0;
}

int mmf__ns_create(const struct mmf__name *name, const struct mmf__type *type,
                   const struct mmf__ns_new *nw, struct mmf__object **out, bool *existed)
{
    struct lookup lk = {name, type, nw, false};
    lock_ns();
    int st = lookup(&lk, out, existed);
    unlock_ns();
    return st;
}

int mmf__ns_open(const struct mmf__name *name, const struct mmf__type *type, bool want_write,
                 struct mmf__object **out)
{
    struct lookup lk = {name, type, NULL, want_write};
    bool existed;
    lock_ns();
    int st = lookup(&lk, out, &existed);
    unlock_ns();
    return st;
}

/* --- Crossing into another process (handle inheritance) ----------------------------------- */

/* An object of a lease table crosses as its table's descriptor, its slot (v[1], + 1: 0
 * for an object with a file of its own) and the table's id and its file's inode (v[2],
 * v[3]), by which the other side finds its file. */
void mmf__ns_export(const struct mmf__nsobj *ns, struct mmf__xfer *x)
{
    x->v[0] = ns->scope;
    if (ns->table) {
        x->fd[0] = mmf__lt_fd(ns->table);
        x->fd[1] = -1;
        x->v[1] = ns->slot + 1u;
        x->v[2] = mmf__lt_id(ns->table);
        x->v[3] = ns->ino;
        return;
    }
    x->fd[0] = ns->fd;
    x->fd[1] = ns->data_fd != ns->fd ? ns->data_fd : -1;
}

int mmf__ns_lease_copy(int fd, const uint64_t v[4])
{
    int flags = mmf__sys.fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    if (v[1] > MMF__LT_SLOTS)
        return MMF__W(ERROR_FILE_CORRUPT);
    /* A description of its own, with a lease of its own: the other process holds the name
     * from now on, whatever this one does next (closes its handle, is killed). */
    int copy = mmf__reopen(fd, flags & O_ACCMODE);
    int st = copy < 0    ? copy
             : v[1] == 0 ? mmf__ns_lease(copy, LOCK_SH)
                         : mmf__lt_lock_fd(copy, (uint32_t)v[1] - 1, 1, F_RDLCK);
    if (st == 0 && copy < 3) {
        int high = mmf__dup_high(copy);
        mmf__sys.close(copy);
        copy = high;
        st = copy < 0 ? copy : 0;
    }
    if (st < 0 && copy >= 0)
        mmf__sys.close(copy);
    return st < 0 ? st : copy;
}

/* The file name a header's own name is stored under: an imported object file must be the
 * one its name leads to, as an opened one is. An importer not told the name (one copied
 * out of another process, whose descriptor may show no name) takes the header's. */
static int check_imported_name(struct mmf__nsobj *ns)
{
    char fname[256];
    struct mmf__name n = {ns->scope, (const WCHAR *)ns->tail, ns->info.name_units};
    int st = mmf__name_encode(&n, fname, sizeof fname);
    if (st == 0 && !ns->fname[0])
        memcpy(ns->fname, fname, sizeof fname);
    return st < 0 ? st : strcmp(fname, ns->fname) ? MMF__W(ERROR_FILE_CORRUPT) : 0;
}

/* The data file an importer was given: the object file itself, or the %data file its
 * header names. */
static int check_imported_data(struct mmf__nsobj *ns)
{
    struct stat sb;
    if (!ns->info.data_ino)
        return ns->data_fd == ns->fd ? 0 : MMF__W(ERROR_FILE_CORRUPT);
    if (ns->data_fd == ns->fd || mmf__sys.fstat(ns->data_fd, &sb) < 0 ||
        (uint64_t)sb.st_ino != ns->info.data_ino || !S_ISREG(sb.st_mode) ||
        sb.st_uid != ns->owner)
        return MMF__W(ERROR_FILE_CORRUPT);
    return 0;
}

static int import_locked(const struct mmf__type *type, struct mmf__nsobj *ns)
{
    struct stat sb;
    int flags = mmf__sys.fcntl(ns->data_fd, F_GETFL);
    if (flags < 0 || mmf__sys.fstat(ns->fd, &sb) < 0)
        return -errno;
    ns->writable = (flags & O_ACCMODE) == O_RDWR;
    ns->file_size = (uint64_t)sb.st_size;
    ns->ctime = sb.st_ctim;
    ns->owner = sb.st_uid;
    ns->mode = sb.st_mode & 07777;
    char *tail;
    int st = mmf__ns_read_info(ns->fd, ns->file_size, &ns->info, &tail);
    if (st < 0)
        return st;
    ns->tail = tail;
    ns->path = tail + ns->info.name_units * sizeof(WCHAR);
    ns->data_size = data_end(&ns->info);
    if (ns->info.kind != (uint32_t)type->kind || !type->build_named ||
        (ns->mode & (S_IWGRP | S_IWOTH)))
        return MMF__W(ERROR_FILE_CORRUPT);
    if ((st = check_imported_name(ns)) < 0 || (st = check_imported_data(ns)) < 0 ||
        (st = map_shared(ns)) < 0)
        return st;
    return type->build_named(type, ns, NULL);
}

/* The name of the object file whose inode is ino, looked for in the directory: an import
 * of a lease table's object copied out of another process, which said no name. */
static int name_of(int dirfd, uint64_t ino, char fname[256])
{
    int st = MMF__W(ERROR_FILE_CORRUPT), fd = mmf__sys.dup(dirfd);
    DIR *d = fd >= 0 ? mmf__sys.fdopendir(fd) : NULL;
    if (!d) {
        st = -errno;
        if (fd >= 0)
            mmf__sys.close(fd);
        return st;
    }
    rewinddir(d); /* a dup shares the directory's offset: where the last scan ended */
    for (struct dirent *e; st < 0 && (e = readdir(d));)
        if ((uint64_t)e->d_ino == ino && e->d_name[0] != '.' && strlen(e->d_name) < 256) {
            strcpy(fname, e->d_name);
            st = 0;
        }
    closedir(d);
    return st;
}

/* The object of a lease table an export (x) stands for: its file found by name (or, not
 * told it, by inode) and checked as an opened one is, against the table and slot the
 * export gave, whose lease (held by tfd, the export's description) is taken again on this
 * process's own description of the table. */
static int import_in_table(const struct mmf__type *type, struct mmf__nsobj *ns,
                           const struct mmf__xfer *x, int dirfd, struct mmf__nsobj **same)
{
    struct stat sb;
    struct mmf__lt *t;
    char *tail;
    uint32_t slot = (uint32_t)x->v[1] - 1;
    int st = ns->fname[0] ? 0 : name_of(dirfd, x->v[3], ns->fname);
    if (st < 0 || (ns->fd = open_either(dirfd, ns->fname, &ns->writable)) < 0)
        return st < 0 ? st : MMF__W(ERROR_FILE_CORRUPT);
    if (mmf__sys.fstat(ns->fd, &sb) < 0 || (uint64_t)sb.st_ino != x->v[3] || !S_ISREG(sb.st_mode) ||
        (sb.st_mode & (S_IWGRP | S_IWOTH)))
        return MMF__W(ERROR_FILE_CORRUPT);
    ns->owner = sb.st_uid;
    ns->dev = sb.st_dev;
    ns->ino = sb.st_ino;
    ns->writable = true; /* what is shared is in the table, which its users open to write */
    if ((st = mmf__ns_read_info(ns->fd, (uint64_t)sb.st_size, &ns->info, &tail)) < 0)
        return st;
    use_tail(ns, tail);
    if (ns->info.kind != (uint32_t)type->kind || !type->build_named ||
        ns->info.table != x->v[2] || ns->info.slot != slot)
        return MMF__W(ERROR_FILE_CORRUPT);
    if ((st = check_imported_name(ns)) < 0 ||
        (st = mmf__lt_find(dirfd, ns->scope, ns->info.table, ns->owner, &t)) < 0)
        return st;
    ns->table = t;
    ns->slot = slot;
    /* Held here already: one lease a slot on this process's description (a second would
     * merge with the first, and go with either's release). */
    if ((*same = find_held(dirfd, ns->scope, ns->fname)) && (*same)->table == t &&
        (*same)->slot == slot)
        return (*same)->obj->type == type ? 0 : MMF__W(ERROR_FILE_CORRUPT);
    *same = NULL;
    if (mmf__lt_holds(t, slot)) /* under another name (find_held found none) */
        return MMF__W(ERROR_ACCESS_DENIED);
    if ((st = mmf__lt_lock(t, slot, F_RDLCK)) < 0)
        return st;
    mmf__lt_hold(t, slot);
    use_slot(ns);
    if ((st = type->build_named(type, ns, NULL)) < 0) {
        mmf__lt_lock(t, slot, F_UNLCK); /* the export's lease still holds the name */
        mmf__lt_unhold(t, slot);
        return st;
    }
    close_file(ns);
    return 0;
}

int mmf__ns_import(const struct mmf__type *type, struct mmf__xfer *x, bool keep_table,
                   struct mmf__object **out)
{
    MMF__ASSERT(!keep_table || x->v[1]);
    struct mmf__nsobj *ns = calloc(1, sizeof *ns);
    if (!ns || x->v[0] > MMF__SCOPE_GLOBAL || !memchr(x->fname, 0, sizeof x->fname)) {
        free(ns);
        if (!keep_table)
            mmf__sys.close(x->fd[0]);
        if (x->fd[1] >= 0)
            mmf__sys.close(x->fd[1]);
        return ns ? MMF__W(ERROR_FILE_CORRUPT) : -ENOMEM;
    }
    ns->scope = (enum mmf__scope)x->v[0];
    snprintf(ns->fname, sizeof ns->fname, "%s", x->fname);
    int tfd = -1; /* a lease table's: kept until this process's own lease is taken */
    struct mmf__nsobj *same = NULL;
    if (x->v[1]) {
        tfd = x->fd[0];
        ns->fd = ns->data_fd = -1;
        if (x->fd[1] >= 0)
            mmf__sys.close(x->fd[1]);
    } else {
        ns->fd = x->fd[0];
        ns->data_fd = x->fd[1] >= 0 ? x->fd[1] : x->fd[0];
    }
    lock_ns();
    int dirfd, st = dir_of(ns->scope, &dirfd); /* where the name goes when its last handle does */
    if (st == 0 && tfd >= 0)
        st = x->v[1] > MMF__LT_SLOTS ? MMF__W(ERROR_FILE_CORRUPT)
                                     : import_in_table(type, ns, x, dirfd, &same);
    else if (st == 0)
        st = import_locked(type, ns);
    if (tfd >= 0 && !keep_table)
        mmf__sys.close(tfd);
    if (st == 0 && same) {
        same->handles++;
        mmf__ref(same->obj);
        *out = same->obj;
        discard(ns);
    } else if (st == 0) {
        list(ns);
        *out = ns->obj;
    } else {
        discard(ns); /* the lease goes with the descriptor */
    }
    unlock_ns();
    return st;
}

int mmf__ns_hold(struct mmf__nsobj *ns)
{
    int st = 0;
    lock_ns();
    if (ns->handles)
        ns->handles++;
    else
        st = MMF__W(ERROR_INVALID_HANDLE); /* its last handle closed meanwhile */
    unlock_ns();
    return st;
}

/* Windows closes a process's handles when it exits: its names go then, not when someone
 * next trips over them. (A killed process cannot do this; its names are reclaimed by the
 * next open, or by mmf_gc.) */
__attribute__((destructor)) static void release_all_at_exit(void)
{
    lock_ns();
    for (size_t i = 0; i < held_buckets; i++) {
        for (struct mmf__nsobj *ns = held[i]; ns; ns = ns->next)
            release(ns, false); /* the files stay open: a library unloaded, not exited */
        held[i] = NULL;
    }
    held_count = 0;
    mmf__lt_retire_all(dirfds); /* the tables nobody holds anything in go */
    unlock_ns();
}

void mmf__ns_handle_closed(struct mmf__nsobj *ns)
{
    lock_ns();
    MMF__ASSERT(ns->handles > 0);
    if (--ns->handles == 0) {
        unlist(ns);
        /* The handle's reference the last one (no view, no sleeping wait): the file is
         * closed right after. No new reference can come: this was the last handle. */
        release(ns, atomic_load(&ns->obj->refs) == 1);
    }
    unlock_ns();
}
