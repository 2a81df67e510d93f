/* Windows byte-range locks, under LockFile, LockFileEx, UnlockFile and UnlockFileEx
 * (file.c).
 *
 * Windows keeps each lock as it was taken: a shared lock over the same handle's exclusive
 * one stacks on it, and an unlock removes exactly one lock of exactly its range. POSIX
 * record locks merge instead, so each file object keeps its own list of the locks taken
 * through it, and the kernel holds, on an open file description of the object's own, the
 * strongest of them over each byte: an OFD write lock where one of the list's locks is
 * exclusive, a read lock where only shared ones are. Other descriptions — other handles,
 * other processes — meet those records, and they go with the description: at the last
 * close of the handle's object, or when the process dies however it dies.
 *
 * The description is the object's own (not the handle's descriptor, which children
 * inherit and whose access mode may not allow a write lock), opened read-write where the
 * file allows it. A zero-length lock counts as covering its one offset, as Windows counts
 * it against other locks. From MMF__LOCK_LIMIT up, where io/lock.c keeps its own records,
 * the list alone decides: only the same handle sees locks there.
 *
 * A blocking request waits without holding the object's lock: on a description opened for
 * the wait, for the range that refused it, then tries again. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"

struct range {
    uint64_t lo, hi; /* inclusive; a zero-length lock covers lo alone */
    uint64_t len;
    bool excl;
};

struct mmf__locks {
    pthread_mutex_t mu;
    pthread_cond_t released; /* a lock of this object went: own conflicts may be gone */
    int fd;                  /* the object's own description */
    int mode;                /* its access mode */
    size_t n, cap;
    struct range *v;
};

static bool overlap(const struct range *a, const struct range *b)
{
    return a->lo <= b->hi && b->lo <= a->hi;
}

/* The strongest lock of the list at offset x: F_WRLCK, F_RDLCK or F_UNLCK. */
static short level_at(const struct mmf__locks *l, uint64_t x)
{
    short level = F_UNLCK;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].lo > x || x > l->v[i].hi)
            continue;
        if (l->v[i].excl)
            return F_WRLCK;
        level = F_RDLCK;
    }
    return level;
}

/* The first offset above x (and at most hi + 1) where some lock of the list starts or
 * ends: the level is the same over [x, that). */
static uint64_t next_edge(const struct mmf__locks *l, uint64_t x, uint64_t hi)
{
    uint64_t e = hi + 1;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].lo > x && l->v[i].lo < e)
            e = l->v[i].lo;
        if (l->v[i].hi >= x && l->v[i].hi < hi && l->v[i].hi + 1 < e)
            e = l->v[i].hi + 1;
    }
    return e;
}

/* The record a level takes on a description of access mode `mode`: Linux needs write
 * access for a write lock and read access for a read lock, so a description that lacks it
 * records the level as the strongest it can hold (docs/deviations.md). */
static short record_of(short level, int mode)
{
    if (level == F_WRLCK && mode == O_RDONLY)
        return F_RDLCK;
    if (level == F_RDLCK && mode == O_WRONLY)
        return F_UNLCK;
    return level;
}

/* -EAGAIN when another description holds a conflicting record. */
static int set_kernel(int fd, short type, uint64_t lo, uint64_t end, bool wait)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)lo,
                       .l_len = (off_t)(end - lo)};
    int st = (int)mmf__sysret(mmf__sys.fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl));
    return st == -EACCES ? -EAGAIN : st;
}

/* Makes the kernel's records over [lo, hi] the list's levels. On a refusal (-EAGAIN)
 * [*at, *at_end) is the range refused and *at_type the record asked there. */
static int sync_kernel(struct mmf__locks *l, uint64_t lo, uint64_t hi, uint64_t *at,
                       uint64_t *at_end, short *at_type)
{
    if (lo >= MMF__LOCK_LIMIT)
        return 0;
    if (hi >= MMF__LOCK_LIMIT)
        hi = MMF__LOCK_LIMIT - 1;
    for (uint64_t x = lo; x <= hi;) {
        short type = level_at(l, x);
        uint64_t end = next_edge(l, x, hi);
        while (end <= hi && level_at(l, end) == type) /* one call for a run of one level */
            end = next_edge(l, end, hi);
        int st = set_kernel(l->fd, record_of(type, l->mode), x, end, false);
        if (st < 0) {
            *at = x, *at_end = end, *at_type = record_of(type, l->mode);
            return st;
        }
        x = end;
    }
    return 0;
}

/* The object's lock list, made at its first lock. */
static int locks_of(struct mmf__file *f, struct mmf__locks **out)
{
    struct mmf__locks *l = atomic_load_explicit(&f->locks, memory_order_acquire);
    if (l) {
        *out = l;
        return 0;
    }
    l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    l->fd = mmf__reopen(f->fd, O_RDWR);
    if (l->fd == -EACCES || l->fd == -EPERM) /* the user may not write it: what it may do */
        l->fd = mmf__reopen(f->fd, mmf__sys.fcntl(f->fd, F_GETFL) & O_ACCMODE);
    if (l->fd < 0) {
        int st = l->fd;
        free(l);
        return st;
    }
    l->mode = mmf__sys.fcntl(l->fd, F_GETFL) & O_ACCMODE;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->released, NULL);
    struct mmf__locks *none = NULL;
    if (!atomic_compare_exchange_strong(&f->locks, &none, l)) { /* another thread's won */
        mmf__locks_free(l);
        l = none;
    }
    *out = l;
    return 0;
}

void mmf__locks_free(struct mmf__locks *l)
{
    if (!l)
        return;
    mmf__sys.close(l->fd); /* the kernel's records go with it */
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->released);
    free(l->v);
    free(l);
}

static bool own_conflict(const struct mmf__locks *l, const struct range *r)
{
    for (size_t i = 0; r->excl && i < l->n; i++)
        if (overlap(&l->v[i], r))
            return true;
    return false;
}

/* One try, under the object's lock: 0, -EAGAIN with the range another description holds
 * ([*wait_lo, *wait_end) for *wait_type; *wait_end 0: this object's own locks refused). */
static int try_lock(struct mmf__locks *l, const struct range *r, uint64_t *wait_lo,
                    uint64_t *wait_end, short *wait_type)
{
    *wait_end = 0;
    if (own_conflict(l, r))
        return -EAGAIN;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        struct range *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        l->v = v, l->cap = cap;
    }
    l->v[l->n++] = *r;
    int st = sync_kernel(l, r->lo, r->hi, wait_lo, wait_end, wait_type);
    if (st < 0) {
        uint64_t a, b;
        short t;
        l->n--;
        sync_kernel(l, r->lo, r->hi, &a, &b, &t); /* back as it was: only lowers levels */
        if (st != -EAGAIN)
            *wait_end = 0;
    }
    return st;
}

/* Waits, on a description of its own, until the range another description holds is free
 * for `type`; what that one then holds goes at once (the next try takes it for real). */
static int wait_kernel(struct mmf__locks *l, uint64_t lo, uint64_t end, short type)
{
    int fd = mmf__reopen(l->fd, l->mode);
    if (fd < 0)
        return fd;
    int st;
    do
        st = set_kernel(fd, type, lo, end, true);
    while (st == -EINTR);
    mmf__sys.close(fd);
    return st;
}

int mmf__range_lock(struct mmf__file *f, uint64_t off, uint64_t len, bool excl, bool wait)
{
    struct mmf__locks *l;
    if (len && off + (len - 1) < off)
        return MMF__W(ERROR_INVALID_PARAMETER); /* wraps past the end of the offsets */
    struct range r = {off, len ? off + (len - 1) : off, len, excl};
    int st = locks_of(f, &l);
    while (st == 0) {
        uint64_t lo, end;
        short type;
        pthread_mutex_lock(&l->mu);
        st = try_lock(l, &r, &lo, &end, &type);
        if (st == -EAGAIN && wait && !end) /* this object's own lock: until it goes */
            pthread_cond_wait(&l->released, &l->mu);
        pthread_mutex_unlock(&l->mu);
        if (st != -EAGAIN)
            break;
        if (!wait)
            return MMF__W(ERROR_LOCK_VIOLATION);
        st = end ? wait_kernel(l, lo, end, type) : 0;
    }
    return st;
}

int mmf__range_unlock(struct mmf__file *f, uint64_t off, uint64_t len)
{
    struct mmf__locks *l = atomic_load_explicit(&f->locks, memory_order_acquire);
    if (!l)
        return MMF__W(ERROR_NOT_LOCKED);
    pthread_mutex_lock(&l->mu);
    size_t i = 0;
    while (i < l->n && !(l->v[i].lo == off && l->v[i].len == len))
        i++; /* the oldest of exactly that range: an exclusive one before its shared ones */
    int st = i < l->n ? 0 : MMF__W(ERROR_NOT_LOCKED);
    if (st == 0) {
        struct range r = l->v[i];
        uint64_t a, b;
        short t;
        memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof *l->v);
        l->n--;
        sync_kernel(l, r.lo, r.hi, &a, &b, &t); /* only lowers levels: cannot be refused */
        pthread_cond_broadcast(&l->released);
    }
    pthread_mutex_unlock(&l->mu);
    return st;
}

