/* Heaps: GetProcessHeap, HeapCreate, HeapAlloc and the rest, and the CRT's aligned blocks.
 *
 * A heap is a list of malloc'd blocks, each behind a header naming its heap and its size
 * as asked (HeapSize gives it back exactly), so that HeapDestroy frees what is left in it
 * and HeapValidate can tell a block of the heap from anything else. Payloads are 16-byte
 * aligned, as Windows' (MEMORY_ALLOCATION_ALIGNMENT on 64-bit). As on Windows, the Heap*
 * calls do not set the last error when they fail. A NULL heap is refused; any other pointer
 * is taken for a heap, as Windows takes it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define BLOCK_MAGIC 0x6d6d66486561704bULL /* "mmfHeapK" */

struct heap {
    pthread_mutex_t lock;
    struct block *blocks;
    size_t used, max;       /* max 0: grows as needed */
};

struct block {
    struct heap *heap;
    struct block *prev, *next;
    size_t size;
    uint64_t magic;
    uint64_t pad;           /* the payload starts 16-byte aligned */
};
_Static_assert(sizeof(struct block) % 16 == 0, "payload alignment");

static struct heap process_heap = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static struct block *block_of(struct heap *h, void *p)
{
    struct block *b = (struct block *)p - 1;
    return p && ((uintptr_t)p & 15) == 0 && b->magic == BLOCK_MAGIC && b->heap == h ? b : NULL;
}

static void link_block(struct heap *h, struct block *b)
{
    b->prev = NULL;
    b->next = h->blocks;
    if (h->blocks)
        h->blocks->prev = b;
    h->blocks = b;
}

static void unlink_block(struct heap *h, struct block *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        h->blocks = b->next;
    if (b->next)
        b->next->prev = b->prev;
}

static bool fits(const struct heap *h, size_t old, size_t size)
{
    return size <= SIZE_MAX - sizeof(struct block) &&
           (!h->max || (size <= h->max && h->used - old <= h->max - size));
}

HANDLE WINAPI GetProcessHeap(void)
{
    return &process_heap;
}

HANDLE WINAPI HeapCreate(DWORD options, SIZE_T initial, SIZE_T max)
{
    (void)options, (void)initial; /* serialised always; executable heaps are not kept apart */
    struct heap *h = calloc(1, sizeof *h);
    if (!h)
        return mmf__fail(-ENOMEM), NULL;
    pthread_mutex_init(&h->lock, NULL);
    h->max = max;
    return h;
}

BOOL WINAPI HeapDestroy(HANDLE heap)
{
    struct heap *h = heap;
    if (!h || h == &process_heap)
        return mmf__fail(MMF__W(ERROR_INVALID_HANDLE)), FALSE;
    for (struct block *b = h->blocks, *next; b; b = next) {
        next = b->next;
        b->magic = 0;
        free(b);
    }
    pthread_mutex_destroy(&h->lock);
    free(h);
    return TRUE;
}

LPVOID WINAPI HeapAlloc(HANDLE heap, DWORD flags, SIZE_T size)
{
    struct heap *h = heap;
    struct block *b = NULL;
    if (!h)
        return NULL;
    pthread_mutex_lock(&h->lock);
    if (fits(h, 0, size) &&
        (b = (flags & HEAP_ZERO_MEMORY) ? calloc(1, sizeof *b + size) : malloc(sizeof *b + size))) {
        *b = (struct block){.heap = h, .size = size, .magic = BLOCK_MAGIC};
        link_block(h, b);
        h->used += size;
    }
    pthread_mutex_unlock(&h->lock);
    return b ? b + 1 : NULL;
}

LPVOID WINAPI HeapReAlloc(HANDLE heap, DWORD flags, LPVOID p, SIZE_T size)
{
    struct heap *h = heap;
    struct block *b, *nb = NULL;
    if (!h)
        return NULL;
    pthread_mutex_lock(&h->lock);
    if ((b = block_of(h, p)) && fits(h, b->size, size)) {
        size_t old = b->size;
        if ((flags & HEAP_REALLOC_IN_PLACE_ONLY) && size > old)
            nb = NULL; /* a block never grows where it is: it would have to move */
        else {
            unlink_block(h, b); /* it may move */
            nb = realloc(b, sizeof *b + size);
            link_block(h, nb ? nb : b);
        }
        if (nb) {
            if ((flags & HEAP_ZERO_MEMORY) && size > old)
                memset((char *)(nb + 1) + old, 0, size - old);
            nb->size = size;
            h->used = h->used - old + size;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return nb ? nb + 1 : NULL;
}

BOOL WINAPI HeapFree(HANDLE heap, DWORD flags, LPVOID p)
{
    struct heap *h = heap;
    (void)flags;
    if (!p)
        return TRUE;
    if (!h)
        return FALSE;
    pthread_mutex_lock(&h->lock);
    struct block *b = block_of(h, p);
    if (b) {
        unlink_block(h, b);
        h->used -= b->size;
        b->magic = 0;
    }
    pthread_mutex_unlock(&h->lock);
    free(b);
    return b != NULL;
}

SIZE_T WINAPI HeapSize(HANDLE heap, DWORD flags, LPCVOID p)
{
    struct heap *h = heap;
    (void)flags;
    if (!h)
        return (SIZE_T)-1;
    pthread_mutex_lock(&h->lock);
    struct block *b = block_of(h, (void *)p);
    SIZE_T n = b ? b->size : (SIZE_T)-1;
    pthread_mutex_unlock(&h->lock);
    return n;
}

BOOL WINAPI HeapValidate(HANDLE heap, DWORD flags, LPCVOID p)
{
    struct heap *h = heap;
    (void)flags;
    if (!h)
        return FALSE;
    if (!p)
        return TRUE;
    pthread_mutex_lock(&h->lock);
    bool ok = block_of(h, (void *)p) != NULL;
    pthread_mutex_unlock(&h->lock);
    return ok;
}

/* The largest free block: blocks go back to the C library when freed, none is kept. */
SIZE_T WINAPI HeapCompact(HANDLE heap, DWORD flags)
{
    (void)heap, (void)flags;
    SetLastError(ERROR_SUCCESS);
    return 0;
}

void *_aligned_malloc(size_t size, size_t alignment)
{
    void *p;
    if (!alignment || (alignment & (alignment - 1))) {
        errno = EINVAL;
        return NULL;
    }
    int st = posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *) : alignment, size);
    if (st) {
        errno = st;
        return NULL;
    }
    return p;
}

void _aligned_free(void *p)
{
    free(p);
}
