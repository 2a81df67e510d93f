/* Lease tables: where a process that holds many named objects keeps their leases and
 * state words, so that an object costs it neither a descriptor nor a mapping of its own
 * (docs/namespace.md, "Lease tables").
 *
 * A table is a file of the namespace directory, "%table-<16 hex digits>", of
 * MMF__LT_SLOTS slots of sixteen state words each. Slot s's lease is an open-file-
 * description (OFD) read lock on byte s; its creator holds one on byte MMF__LT_SLOTS
 * while it may still give slots out. A slot is given out once, never again: an object's
 * slot is its own for the table's life, so a free slot (a write lock succeeds) is an
 * object nobody holds. A table with no lock at all is dead, and goes.
 *
 * Each process opens a table once, for every slot it holds there, and maps it once. All
 * of this is under the namespace lock (namespace.c). Nothing here trusts the file: the
 * slot number comes from a checked header, and a table cut short is grown back. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ob/ob.h"

struct mmf__lt {
    struct mmf__lt *next;
    enum mmf__scope scope;
    uint64_t id;
    int fd;
    void *map;
    uid_t owner;
    mode_t mode;
    unsigned refs;   /* objects built on it in this process, and its creator's use */
    unsigned held;   /* slots this process holds a lease on: */
    uint64_t mine[MMF__LT_SLOTS / 64]; /* which */
    uint32_t next_slot; /* its creator's next slot to give (MMF__LT_SLOTS: none) */
    bool forked;     /* a forked child's copy of its parent's: one description, one set of
                        locks, its parent's to use (this process opens the table anew) */
};

static struct mmf__lt *tables;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* A forked child gives no slot out of its parent's tables (its parent gives the same
 * ones), and leaves alone the locks of the descriptions it shares with it. */
static void forked(void)
{
    for (struct mmf__lt *t = tables; t; t = t->next) {
        t->forked = true;
        t->next_slot = MMF__LT_SLOTS;
    }
}

static void watch_forks(void)
{
    pthread_atfork(NULL, NULL, forked);
}

void mmf__lt_name(uint64_t id, char out[MMF__LT_NAME])
{
    snprintf(out, MMF__LT_NAME, "%s%016" PRIx64, MMF__LT_PREFIX, id);
}

bool mmf__lt_is_name(const char *fname)
{
    return strncmp(fname, MMF__LT_PREFIX, sizeof MMF__LT_PREFIX - 1) == 0;
}

int mmf__lt_lock_fd(int fd, uint32_t start, uint32_t len, short type)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    int st = (int)mmf__sysret(mmf__sys.fcntl(fd, F_OFD_SETLK, &fl));
    return st == -EACCES ? -EAGAIN : st;
}

int mmf__lt_lock(struct mmf__lt *t, uint32_t slot, short type)
{
    return mmf__lt_lock_fd(t->fd, slot, 1, type);
}

uint64_t mmf__lt_id(const struct mmf__lt *t)
{
    return t->id;
}

int mmf__lt_fd(const struct mmf__lt *t)
{
    return t->fd;
}

_Atomic uint32_t *mmf__lt_words(const struct mmf__lt *t, uint32_t slot)
{
    return (_Atomic uint32_t *)((char *)t->map + (size_t)slot * MMF__LT_SLOT_BYTES);
}

/* A table file open as fd (checked by the caller) becomes this process's: mapped. */
static int add(enum mmf__scope scope, uint64_t id, int fd, const struct stat *sb,
               struct mmf__lt **out)
{
    pthread_once(&fork_once, watch_forks);
    struct mmf__lt *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    void *p = mmf__sys.mmap(NULL, MMF__LT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int st = -errno;
        free(t);
        return st;
    }
    *t = (struct mmf__lt){.next = tables, .scope = scope, .id = id, .fd = fd, .map = p,
                          .owner = sb->st_uid, .mode = sb->st_mode & 07777, .refs = 1,
                          .next_slot = MMF__LT_SLOTS};
    tables = t;
    *out = t;
    return 0;
}

int mmf__lt_adopt_new(enum mmf__scope scope, uint64_t id, int fd, const struct stat *sb,
                      struct mmf__lt **out)
{
    int st = add(scope, id, fd, sb, out);
    if (st == 0)
        (*out)->next_slot = 0;
    return st;
}

struct mmf__lt *mmf__lt_current(enum mmf__scope scope, mode_t mode)
{
    for (struct mmf__lt *t = tables; t; t = t->next)
        if (t->scope == scope && t->mode == mode && t->next_slot < MMF__LT_SLOTS)
            return t;
    return NULL;
}

/* Checks a table found under its name: a regular file of the object's owner, as long as a
 * table (grown back if someone cut it). */
static int check(int fd, uid_t owner, struct stat *sb)
{
    if (mmf__sys.fstat(fd, sb) < 0)
        return -errno;
    if (!S_ISREG(sb->st_mode) || sb->st_uid != owner)
        return MMF__W(ERROR_ACCESS_DENIED);
    if (sb->st_size < (off_t)MMF__LT_BYTES && mmf__sys.ftruncate(fd, MMF__LT_BYTES) < 0)
        return MMF__W(ERROR_FILE_CORRUPT);
    return 0;
}

int mmf__lt_open_fd(int dirfd, uint64_t id, uid_t owner, struct stat *sb)
{
    char name[MMF__LT_NAME];
    mmf__lt_name(id, name);
    int fd = mmf__sys.openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ELOOP ? MMF__W(ERROR_ACCESS_DENIED) : -errno;
    int st = check(fd, owner, sb);
    if (st < 0) {
        mmf__sys.close(fd);
        return st;
    }
    return fd;
}

int mmf__lt_find(int dirfd, enum mmf__scope scope, uint64_t id, uid_t owner,
                 struct mmf__lt **out)
{
    struct stat sb;
    for (struct mmf__lt *t = tables; t; t = t->next)
        if (t->scope == scope && t->id == id && !t->forked) {
            if (t->owner != owner)
                return MMF__W(ERROR_ACCESS_DENIED);
            t->refs++;
            *out = t;
            return 0;
        }
    int fd = mmf__lt_open_fd(dirfd, id, owner, &sb);
    if (fd < 0)
        return fd;
    int st = add(scope, id, fd, &sb, out);
    if (st < 0)
        mmf__sys.close(fd);
    return st;
}

bool mmf__lt_named(const struct mmf__lt *t)
{
    struct stat sb;
    return mmf__sys.fstat(t->fd, &sb) == 0 && sb.st_nlink > 0;
}

/* Its creator gives no more slots out: the table can go once nobody holds one. Its
 * creator's use of it ends (the caller's to count). */
static void retire(struct mmf__lt *t)
{
    t->next_slot = MMF__LT_SLOTS;
    mmf__lt_lock(t, MMF__LT_SLOTS, F_UNLCK);
}

int mmf__lt_take_slot(struct mmf__lt *t, uint32_t *slot)
{
    MMF__ASSERT(t->next_slot < MMF__LT_SLOTS);
    int st = mmf__lt_lock(t, t->next_slot, F_RDLCK);
    if (st < 0)
        return st;
    *slot = t->next_slot++;
    mmf__lt_hold(t, *slot);
    if (t->next_slot == MMF__LT_SLOTS)
        retire(t); /* its creator's use becomes the slot's */
    else
        t->refs++;
    return 0;
}

/* Removes a table nobody holds a lock on any more (nor can: no slot left to give), once
 * this process holds none there. Under the write lock over every byte, so that an opener
 * that found it by name sees it unnamed once it gets its lease (mmf__lt_named). */
static void remove_if_dead(int dirfd, struct mmf__lt *t)
{
    char name[MMF__LT_NAME];
    struct stat a, b;
    if (t->held || t->next_slot < MMF__LT_SLOTS || t->forked ||
        mmf__lt_lock_fd(t->fd, 0, MMF__LT_SLOTS + 1, F_WRLCK) < 0)
        return;
    mmf__lt_name(t->id, name);
    if (mmf__sys.fstat(t->fd, &a) == 0 &&
        mmf__sys.fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev)
        mmf__sys.unlinkat(dirfd, name, 0);
    mmf__lt_lock_fd(t->fd, 0, MMF__LT_SLOTS + 1, F_UNLCK);
}

bool mmf__lt_holds(const struct mmf__lt *t, uint32_t slot)
{
    return t->mine[slot / 64] >> (slot % 64) & 1;
}

void mmf__lt_hold(struct mmf__lt *t, uint32_t slot)
{
    MMF__ASSERT(!mmf__lt_holds(t, slot));
    t->mine[slot / 64] |= 1ull << (slot % 64);
    t->held++;
}

void mmf__lt_unhold(struct mmf__lt *t, uint32_t slot)
{
    MMF__ASSERT(t->held > 0 && mmf__lt_holds(t, slot));
    t->mine[slot / 64] &= ~(1ull << (slot % 64));
    t->held--;
}

void mmf__lt_put(int dirfd, struct mmf__lt *t)
{
    MMF__ASSERT(t->refs > 0);
    if (--t->refs)
        return;
    remove_if_dead(dirfd, t);
    for (struct mmf__lt **p = &tables; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    mmf__sys.munmap(t->map, MMF__LT_BYTES);
    mmf__sys.close(t->fd);
    free(t);
}

void mmf__lt_retire_all(const int dirfds[2])
{
    for (struct mmf__lt *t = tables, *next; t; t = next) {
        next = t->next;
        bool mine = t->next_slot < MMF__LT_SLOTS;
        if (mine)
            retire(t);
        remove_if_dead(dirfds[t->scope], t); /* its objects may outlive this: not freed */
        if (mine)
            mmf__lt_put(dirfds[t->scope], t); /* its creator's use */
    }
}

bool mmf__lt_repair(uintptr_t addr)
{
    for (struct mmf__lt *t = tables; t; t = t->next)
        if (addr - (uintptr_t)t->map < MMF__LT_BYTES)
            return mmf__sys.ftruncate(t->fd, MMF__LT_BYTES) == 0;
    return false;
}
