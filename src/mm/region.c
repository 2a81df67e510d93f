/* The registry of address ranges mmf manages: views (MEM_MAPPED) and VirtualAlloc
 * regions (MEM_PRIVATE), kept sorted by address for lookup of any address inside one. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mm.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static pthread_rwlock_t regions_lock = PTHREAD_RWLOCK_INITIALIZER;
static _Atomic uint32_t writer; /* checking builds: the thread holding it for writing */
static struct mmf__region **regions;
static size_t nregions, capacity;

void mmf__regions_read(void)
{
    pthread_rwlock_rdlock(&regions_lock);
}

bool mmf__regions_try_read(void)
{
    /* Another thread may hold it for a moment (a map, an unmap): wait a little, never
     * block. Holders of the lock never touch view memory, so the wait ends. */
    for (int i = 0; i < 100000; i++) {
        if (pthread_rwlock_tryrdlock(&regions_lock) == 0)
            return true;
        sched_yield();
    }
    return false;
}

void mmf__regions_write(void)
{
    pthread_rwlock_wrlock(&regions_lock);
    if (MMF__CHECKS)
        atomic_store_explicit(&writer, mmf__tid(), memory_order_relaxed);
}

void mmf__regions_unlock(void)
{
    /* While readers hold the lock no writer does: a reader (the fault handler among them)
     * finds 0 here and asks for no thread id. */
    if (MMF__CHECKS && atomic_load_explicit(&writer, memory_order_relaxed))
        atomic_store_explicit(&writer, 0, memory_order_relaxed);
    pthread_rwlock_unlock(&regions_lock);
}

#define ASSERT_WRITER() \
    MMF__ASSERT(atomic_load_explicit(&writer, memory_order_relaxed) == mmf__tid())

/* Index of the first region whose base is above addr. */
static size_t upper_bound(uintptr_t addr)
{
    size_t lo = 0, hi = nregions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (regions[mid]->base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct mmf__region *mmf__region_find(uintptr_t addr)
{
    size_t i = upper_bound(addr);
    if (i == 0)
        return NULL;
    struct mmf__region *r = regions[i - 1];
    return addr - r->base < r->size ? r : NULL;
}

struct mmf__region *mmf__region_next(uintptr_t addr)
{
    size_t i = upper_bound(addr);
    return i < nregions ? regions[i] : NULL;
}

int mmf__region_insert(struct mmf__region *r)
{
    ASSERT_WRITER();
    if (nregions == capacity) {
        size_t n = capacity ? capacity * 2 : 32;
        struct mmf__region **p = realloc(regions, n * sizeof *p);
        if (!p)
            return -ENOMEM;
        regions = p;
        capacity = n;
    }
    size_t i = upper_bound(r->base);
    memmove(regions + i + 1, regions + i, (nregions - i) * sizeof *regions);
    regions[i] = r;
    nregions++;
    return 0;
}

void mmf__region_remove(struct mmf__region *r)
{
    ASSERT_WRITER();
    size_t i = upper_bound(r->base) - 1;
    memmove(regions + i, regions + i + 1, (nregions - i - 1) * sizeof *regions);
    nregions--;
}

void mmf__region_free(struct mmf__region *r)
{
    if (r->section)
        mmf__unref(&r->section->obj);
    free(r->prot);
    free((void *)r->applied);
    free(r);
}

struct mmf__region *mmf__region_of_section(struct mmf__section *s, size_t *cursor)
{
    while (*cursor < nregions) {
        struct mmf__region *r = regions[(*cursor)++];
        if (r->section == s)
            return r;
    }
    return NULL;
}

bool mmf__region_page_committed(const struct mmf__region *r, size_t page)
{
    if (r->type == MEM_PRIVATE)
        return r->prot[page] != 0;
    return mmf__section_committed(r->section, r->offset / mmf__page_size + page);
}

DWORD mmf__region_page_prot(const struct mmf__region *r, size_t page)
{
    if (!mmf__region_page_committed(r, page))
        return 0;
    return r->prot ? r->prot[page] : r->alloc_protect;
}

/* The last region released, as (base / 64 KiB) << 32 | its length in 64 KiB units: the
 * next reservation that fits tries it first, one mmap and no trimming, so a program that
 * maps and unmaps views in turn gets its aligned hole back at a third of the system calls.
 * Only a hint: a mapping made there meanwhile (by anyone) makes the try fail, and the
 * usual way follows. */
static _Atomic uint64_t released;

void mmf__va_release(void *p, size_t len)
{
    mmf__sys.munmap(p, len);
    uint64_t units = mmf__round_up(len, MMF__GRANULARITY) / MMF__GRANULARITY;
    if ((uintptr_t)p % MMF__GRANULARITY == 0 && units <= UINT32_MAX)
        atomic_store_explicit(&released, (uint64_t)(uintptr_t)p / MMF__GRANULARITY << 32 | units,
                              memory_order_relaxed);
}

/* Maps at exactly `fixed`, never over anything: ERROR_INVALID_ADDRESS when it is taken. */
static int map_at(void *fixed, size_t len, int prot, int flags, int fd, off_t off, void **out)
{
    void *p = mmf__sys.mmap(fixed, len, prot, flags | MAP_FIXED_NOREPLACE, fd, off);
    if (p == MAP_FAILED)
        return errno == EEXIST ? MMF__W(ERROR_INVALID_ADDRESS) : -errno;
    if (p != fixed) { /* kernels before 4.17 take the flag as a hint */
        mmf__sys.munmap(p, len);
        return MMF__W(ERROR_INVALID_ADDRESS);
    }
    *out = p;
    return 0;
}

/* The last place released, if len fits in it (taken: one try per release). */
static void *released_place(size_t len)
{
    uint64_t hint = atomic_exchange_explicit(&released, 0, memory_order_relaxed);
    if (!hint || len > (hint & UINT32_MAX) * MMF__GRANULARITY)
        return NULL;
    return (void *)(uintptr_t)((hint >> 32) * MMF__GRANULARITY);
}

#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/* Reserves len bytes at a 64 KiB-aligned place the kernel picks: over-reserves by the
 * granularity, then trims. */
static int reserve_aligned(size_t len, void **out)
{
    size_t extra = MMF__GRANULARITY - mmf__page_size;
    if (len > SIZE_MAX - extra)
        return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
    char *p = mmf__sys.mmap(NULL, len + extra, PROT_NONE, RESERVE_FLAGS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    char *a = (char *)mmf__round_up((uintptr_t)p, MMF__GRANULARITY);
    if (a > p)
        mmf__sys.munmap(p, (size_t)(a - p));
    if (a + len < p + len + extra)
        mmf__sys.munmap(a + len, (size_t)(p + len + extra - (a + len)));
    *out = a;
    return 0;
}

/* place: no place was asked, and the last one released did not do. */
#define NOT_PLACED 1

/* Maps at fixed, else at the last place released if len fits there: 0, fixed's failure,
 * or NOT_PLACED (the caller finds a place). */
static int place(void *fixed, size_t len, int prot, int flags, int fd, off_t off, void **out)
{
    void *at = fixed ? fixed : released_place(len);
    if (!at)
        return NOT_PLACED;
    int st = map_at(at, len, prot, flags, fd, off, out);
    return st == 0 || fixed ? st : NOT_PLACED;
}

int mmf__va_reserve(void *fixed, size_t len, void **out)
{
    int st = place(fixed, len, PROT_NONE, RESERVE_FLAGS, -1, 0, out);
    return st == NOT_PLACED ? reserve_aligned(len, out) : st;
}

int mmf__va_map(void *fixed, size_t len, int prot, int flags, int fd, off_t off, void **out)
{
    void *p;
    int st = place(fixed, len, prot, flags, fd, off, out);
    if (st != NOT_PLACED)
        return st;
    if ((st = reserve_aligned(len, &p)) < 0)
        return st;
    if (mmf__sys.mmap(p, len, prot, flags | MAP_FIXED, fd, off) == MAP_FAILED) {
        st = -errno;
        mmf__sys.munmap(p, len);
        return st;
    }
    *out = p;
    return 0;
}

/* First page in [from, to) of section s whose commit bit is not `bit`, else to: a word of
 * the bitmap at a time, since a view may span billions of pages. */
static uint64_t commit_run_end(const struct mmf__section *s, uint64_t from, uint64_t to, bool bit)
{
    uint64_t p = from;
    while (p < to) {
        uint64_t w = atomic_load_explicit(&s->commit[p / 64], memory_order_acquire);
        uint64_t differ = (bit ? ~w : w) >> (p % 64);
        if (differ) {
            p += (uint64_t)__builtin_ctzll(differ);
            return p < to ? p : to;
        }
        p = (p / 64 + 1) * 64;
    }
    return to;
}

size_t mmf__region_run_end(const struct mmf__region *r, size_t first, size_t end)
{
    bool committed = mmf__region_page_committed(r, first);
    if (r->type != MEM_PRIVATE && r->section->commit) {
        uint64_t base = r->offset / mmf__page_size;
        end = (size_t)(commit_run_end(r->section, base + first, base + end, committed) - base);
    }
    /* Uncommitted view pages all read as protection 0; private pages are committed exactly
     * when their protection is not 0. */
    if (!r->prot || (r->type != MEM_PRIVATE && !committed))
        return end;
    size_t j = first + 1;
    while (j < end && r->prot[j] == r->prot[first])
        j++;
    return j;
}

/* Marks pages [first, end) of a SEC_RESERVE view as having their protection applied. */
static void mark_applied(struct mmf__region *r, size_t first, size_t end)
{
    size_t k = first;
    for (; k < end && k % 8; k++)
        atomic_fetch_or(&r->applied[k / 8], (uint8_t)(1u << (k % 8)));
    for (; k + 8 <= end; k += 8)
        atomic_store(&r->applied[k / 8], 0xff);
    for (; k < end; k++)
        atomic_fetch_or(&r->applied[k / 8], (uint8_t)(1u << (k % 8)));
}

int mmf__view_apply(struct mmf__region *r, size_t first, size_t count)
{
    size_t i = first, end = first + count;
    while (i < end) {
        DWORD p = mmf__region_page_prot(r, i);
        size_t j = mmf__region_run_end(r, i, end);
        if (p && r->applied)
            mark_applied(r, i, j);
        if (mmf__sys.mprotect((void *)(r->base + i * mmf__page_size), (j - i) * mmf__page_size,
                              mmf__prot_to_posix(p)) < 0)
            return -errno;
        i = j;
    }
    return 0;
}
