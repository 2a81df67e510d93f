/* Cells: the state words of unnamed events, mutexes and semaphores, in one memfd per
 * process (sealed against shrinking) that another process maps where it is handed such an
 * object (DuplicateHandle, inheritance). See docs/sync.md.
 *
 * A cell is MMF__SYNC_WORDS words. Its REFS word counts the objects built on it in every
 * process, and the handings in flight; GEN is bumped each time the creator reuses it. The
 * creator reuses a cell only once its own object is gone and REFS is 0, so a cell handed on
 * lives as long as any process uses it. A process killed while holding one never gives
 * its count back: the cell is lost to reuse (64 bytes), never reused under a user. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "sync/sync.h"

#define CELL_BYTES (MMF__SYNC_WORDS * sizeof(uint32_t))
#define CHUNK_CELLS 1024u
#define CHUNK_BYTES (CHUNK_CELLS * CELL_BYTES)
#define MAX_CHUNKS 16384u /* a gigabyte: 16 million objects */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int arena = -1;
static _Atomic uint32_t *chunks[MAX_CHUNKS];
static uint32_t ncells;          /* cells ever given out */
static uint32_t *spare, nspare, cap_spare; /* free cells */
static uint32_t *lent, nlent, cap_lent;    /* cells whose object went, still used elsewhere */

static _Atomic uint32_t *cell_at(uint32_t i)
{
    return chunks[i / CHUNK_CELLS] + (size_t)(i % CHUNK_CELLS) * MMF__SYNC_WORDS;
}

/* Room for `need` entries in a list. */
static bool reserve(uint32_t **list, uint32_t *cap, uint32_t need)
{
    if (*cap >= need)
        return true;
    uint32_t more = *cap * 2 > need ? *cap * 2 : need < 64 ? 64 : need;
    uint32_t *l = realloc(*list, more * sizeof *l);
    if (!l)
        return false;
    *list = l;
    *cap = more;
    return true;
}

static int grow(void)
{
    uint32_t c = ncells / CHUNK_CELLS;
    if (c >= MAX_CHUNKS)
        return MMF__W(ERROR_NO_SYSTEM_RESOURCES);
    if (arena < 0) {
        int fd = mmf__sys.memfd_create("mmf-sync", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
            return -errno;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0 || (arena = mmf__dup_high(fd)) < 0) {
            int st = arena < 0 && errno ? -errno : -EINVAL;
            mmf__sys.close(fd);
            arena = -1;
            return st;
        }
        mmf__sys.close(fd);
    }
    off_t end = (off_t)(c + 1) * CHUNK_BYTES;
    if (mmf__sys.ftruncate(arena, end) < 0)
        return -errno;
    void *p = mmf__sys.mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, arena,
                            end - CHUNK_BYTES);
    if (p == MAP_FAILED)
        return -errno;
    chunks[c] = p;
    return 0;
}

/* A free cell: one given back, one lent whose last user went, or a new one. */
static int take_cell(uint32_t *out)
{
    for (uint32_t k = 0; !nspare && k < nlent;) {
        if (atomic_load(&cell_at(lent[k])[MMF__S_REFS]) == 0) {
            spare[nspare++] = lent[k]; /* room: every cell fits in spare */
            lent[k] = lent[--nlent];
        } else {
            k++;
        }
    }
    if (nspare) {
        *out = spare[--nspare];
        return 0;
    }
    if (ncells % CHUNK_CELLS == 0) {
        int st = grow();
        if (st < 0)
            return st;
    }
    /* Room in spare for every cell, so that giving one back never fails. */
    if (!reserve(&spare, &cap_spare, ncells + 1))
        return -ENOMEM;
    *out = ncells++;
    return 0;
}

int mmf__cell_new(struct mmf__sync *s)
{
    uint32_t i;
    pthread_mutex_lock(&lock);
    int st = take_cell(&i);
    pthread_mutex_unlock(&lock);
    if (st < 0)
        return st;
    _Atomic uint32_t *w = cell_at(i);
    /* Only this process writes GEN; what it publishes crosses by system calls. */
    for (int k = 0; k < MMF__S_GEN; k++)
        atomic_store_explicit(&w[k], 0, memory_order_relaxed);
    atomic_store_explicit(&w[MMF__S_GEN], atomic_load_explicit(&w[MMF__S_GEN],
                                                                memory_order_relaxed) + 1,
                          memory_order_relaxed);
    atomic_store_explicit(&w[MMF__S_REFS], 1, memory_order_relaxed);
    s->w = w;
    s->shared = true;
    s->cell = (uint64_t)i * CELL_BYTES;
    s->cell_own = true;
    return 0;
}

void mmf__cell_release(struct mmf__sync *s)
{
    uint32_t left = atomic_fetch_sub(&s->w[MMF__S_REFS], 1) - 1;
    if (!s->cell_own) {
        mmf__sys.munmap(s->map, mmf__page_size);
        mmf__sys.close(s->fd);
        return;
    }
    uint32_t i = (uint32_t)(s->cell / CELL_BYTES);
    pthread_mutex_lock(&lock);
    if (left == 0)
        spare[nspare++] = i;
    else if (reserve(&lent, &cap_lent, nlent + 1)) /* else the cell is lost to reuse */
        lent[nlent++] = i;
    pthread_mutex_unlock(&lock);
}

void mmf__cell_export(const struct mmf__sync *s, struct mmf__xfer *x)
{
    x->fd[0] = s->cell_own ? arena : s->fd;
    x->v[0] = s->cell;
    x->v[1] = atomic_load(&s->w[MMF__S_GEN]);
}

void mmf__cell_lend(struct mmf__sync *s, struct mmf__xfer *x)
{
    atomic_fetch_add(&s->w[MMF__S_REFS], 1);
    x->v[2] = 1;
}

/* A count of one's own on the cell a handing names: the one it carries, or one taken
 * while the cell is still in use (REFS never 0) and the same object (GEN unchanged). */
static bool hold(_Atomic uint32_t *w, const struct mmf__xfer *x)
{
    uint32_t refs = atomic_load(&w[MMF__S_REFS]);
    if (!x->v[2]) {
        do
            if (refs == 0)
                return false;
        while (!atomic_compare_exchange_weak(&w[MMF__S_REFS], &refs, refs + 1));
    }
    if (atomic_load(&w[MMF__S_GEN]) == (uint32_t)x->v[1])
        return true;
    atomic_fetch_sub(&w[MMF__S_REFS], 1);
    return false;
}

int mmf__cell_import(struct mmf__sync *s, const struct mmf__xfer *x)
{
    struct stat sb;
    uint64_t off = x->v[0], base = off & ~(uint64_t)(mmf__page_size - 1);
    if (mmf__sys.fstat(x->fd[0], &sb) < 0)
        return -errno;
    if (off % CELL_BYTES || off > (uint64_t)sb.st_size || (uint64_t)sb.st_size - off < CELL_BYTES ||
        !(fcntl(x->fd[0], F_GET_SEALS) & F_SEAL_SHRINK))
        return MMF__W(ERROR_FILE_CORRUPT); /* a cell that could vanish under a futex */
    void *p = mmf__sys.mmap(NULL, mmf__page_size, PROT_READ | PROT_WRITE, MAP_SHARED, x->fd[0],
                            (off_t)base);
    if (p == MAP_FAILED)
        return -errno;
    _Atomic uint32_t *w = (_Atomic uint32_t *)((char *)p + (off - base));
    if (!hold(w, x)) {
        mmf__sys.munmap(p, mmf__page_size);
        return MMF__W(ERROR_INVALID_HANDLE); /* its last user went meanwhile */
    }
    s->w = w;
    s->shared = true;
    s->map = p;
    s->fd = x->fd[0];
    s->cell = off;
    s->cell_own = false;
    return 0;
}
