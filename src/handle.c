/* The process handle table: HANDLE -> (object, granted access).
 *
 * Handle values are multiples of 4 starting at 4, like Windows'; the low two bits of a
 * value are ignored on lookup, as the Windows kernel does.
 *
 * Lookups take no lock. Slots live in chunks that never move; a lookup *pins* its slot
 * (one atomic increment), reads the object, and unpins when done. CloseHandle empties
 * the slot, then waits for the pins on it to drain before it drops the handle's
 * reference, so a pinned object cannot go away under its user. Pins are for short
 * operations; a wait that must sleep takes a reference of its own first. Allocation
 * and closing serialize on one mutex. */
#include <sched.h>
#include <stdlib.h>

#include "internal.h"

#define CHUNK_BITS 10
#define CHUNK (1u << CHUNK_BITS)
#define MAX_CHUNKS 4096 /* a million handles and more */

struct slot {
    _Atomic(struct mmf__object *) obj; /* NULL: free, or being closed */
    _Atomic uint32_t pins;
    DWORD access;
    bool closing; /* emptied but still pinned: not to be reused yet (alloc_lock) */
};

static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct slot *) chunks[MAX_CHUNKS];
static size_t nslots, first_free;

void mmf__object_init(struct mmf__object *obj, enum mmf__kind kind,
                      void (*destroy)(struct mmf__object *))
{
    obj->kind = kind;
    atomic_init(&obj->refs, 1);
    obj->destroy = destroy;
    obj->ns = NULL;
}

void mmf__ref(struct mmf__object *obj)
{
    atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
}

void mmf__unref(struct mmf__object *obj)
{
    if (obj && atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1)
        obj->destroy(obj);
}

static struct slot *slot_at(size_t i)
{
    if (i >= (size_t)MAX_CHUNKS * CHUNK)
        return NULL;
    struct slot *c = atomic_load_explicit(&chunks[i >> CHUNK_BITS], memory_order_acquire);
    return c ? &c[i & (CHUNK - 1)] : NULL;
}

/* The slot index a handle names, or SIZE_MAX for values that can never be handles. */
static size_t index_of(HANDLE h)
{
    uintptr_t v = (uintptr_t)h & ~(uintptr_t)3;
    return v == 0 ? SIZE_MAX : v / 4 - 1;
}

int mmf__handle_new(struct mmf__object *obj, DWORD access, HANDLE *out)
{
    struct slot *s;
    pthread_mutex_lock(&alloc_lock);
    while (first_free < nslots && ((s = slot_at(first_free))->obj || s->closing))
        first_free++;
    if (first_free == nslots) {
        struct slot *c = nslots / CHUNK < MAX_CHUNKS ? calloc(CHUNK, sizeof *c) : NULL;
        if (!c) {
            pthread_mutex_unlock(&alloc_lock);
            mmf__handle_drop(obj);
            return MMF__W(ERROR_NO_SYSTEM_RESOURCES);
        }
        atomic_store_explicit(&chunks[nslots / CHUNK], c, memory_order_release);
        nslots += CHUNK;
    }
    size_t i = first_free++;
    s = slot_at(i);
    s->access = access;
    atomic_store_explicit(&s->obj, obj, memory_order_release); /* after its access */
    pthread_mutex_unlock(&alloc_lock);
    *out = (HANDLE)(uintptr_t)((i + 1) * 4);
    return 0;
}

int mmf__handle_pin(HANDLE h, struct mmf__object **out, DWORD *access, void **pin)
{
    struct slot *s = slot_at(index_of(h));
    if (!s)
        return MMF__W(ERROR_INVALID_HANDLE);
    atomic_fetch_add(&s->pins, 1); /* before reading obj: CloseHandle sees one or the other */
    struct mmf__object *obj = atomic_load(&s->obj);
    if (!obj) {
        atomic_fetch_sub_explicit(&s->pins, 1, memory_order_release);
        return MMF__W(ERROR_INVALID_HANDLE);
    }
    *out = obj;
    if (access)
        *access = s->access;
    *pin = s;
    return 0;
}

void mmf__handle_unpin(void *pin)
{
    atomic_fetch_sub_explicit(&((struct slot *)pin)->pins, 1, memory_order_release);
}

int mmf__handle_get_any(HANDLE h, struct mmf__object **out, DWORD *access)
{
    void *pin;
    int st = mmf__handle_pin(h, out, access, &pin);
    if (st == 0) {
        mmf__ref(*out);
        mmf__handle_unpin(pin);
    }
    return st;
}

int mmf__handle_get(HANDLE h, enum mmf__kind kind, struct mmf__object **out, DWORD *access)
{
    int st = mmf__handle_get_any(h, out, access);
    if (st == 0 && (*out)->kind != kind) {
        mmf__unref(*out);
        st = MMF__W(ERROR_INVALID_HANDLE);
    }
    return st;
}

static bool is_pseudo_handle(HANDLE h)
{
    /* GetCurrentProcess() and GetCurrentThread(): closing them is a successful no-op. */
    return h == MMF__CURRENT_PROCESS || h == (HANDLE)(LONG_PTR)-2;
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return MMF__CURRENT_PROCESS;
}

BOOL WINAPI CloseHandle(HANDLE h)
{
    if (is_pseudo_handle(h))
        return TRUE;
    size_t i = index_of(h);
    struct mmf__object *obj = NULL;
    pthread_mutex_lock(&alloc_lock);
    struct slot *s = slot_at(i);
    if (s && (obj = atomic_exchange(&s->obj, NULL)))
        s->closing = true;
    pthread_mutex_unlock(&alloc_lock);
    if (!obj) {
        mmf__fail(MMF__W(ERROR_INVALID_HANDLE));
        return FALSE;
    }
    while (atomic_load_explicit(&s->pins, memory_order_acquire)) /* users of a moment ago */
        sched_yield();
    pthread_mutex_lock(&alloc_lock);
    s->closing = false;
    if (i < first_free)
        first_free = i;
    pthread_mutex_unlock(&alloc_lock);
    mmf__handle_drop(obj);
    return TRUE;
}

void mmf__handle_drop(struct mmf__object *obj)
{
    if (obj->ns)
        mmf__ns_handle_closed(obj->ns);
    mmf__unref(obj);
}
DWORD mmf__map_generic(DWORD access, const struct mmf__generic_mapping *m)
{
    DWORD a = access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
    if (access & GENERIC_READ)
        a |= m->read;
    if (access & GENERIC_WRITE)
        a |= m->write;
    if (access & GENERIC_EXECUTE)
        a |= m->execute;
    if (access & GENERIC_ALL)
        a |= m->all;
    return a;
}

static const struct mmf__generic_mapping section_generic = {
    STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ,
    STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
    STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, SECTION_ALL_ACCESS};

/* The rights a duplicate asks for, with generic rights mapped for the object's kind. */
static DWORD dup_access(const struct mmf__object *obj, DWORD want)
{
    return mmf__map_generic(want, obj->kind == MMF__KIND_FILE ? &mmf__file_generic
                                                               : &section_generic);
}

/* Within the current process only: mmf has no handles to other processes. The new
 * handle gets the rights asked for (the object's owner may have them all), or the
 * source's with DUPLICATE_SAME_ACCESS. */
static int duplicate(HANDLE sproc, HANDLE src, HANDLE tproc, HANDLE *out, DWORD access,
                     DWORD options)
{
    struct mmf__object *obj;
    DWORD src_access;
    if (options & ~(DWORD)(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS))
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (sproc != MMF__CURRENT_PROCESS || tproc != MMF__CURRENT_PROCESS || is_pseudo_handle(src))
        return MMF__W(ERROR_INVALID_HANDLE);
    int st = mmf__handle_get_any(src, &obj, &src_access);
    if (st < 0)
        return st;
    if (out) {
        DWORD a = options & DUPLICATE_SAME_ACCESS ? src_access : dup_access(obj, access);
        if (obj->ns && (st = mmf__ns_hold(obj->ns)) < 0) {
            mmf__unref(obj);
            return st;
        }
        mmf__ref(obj);
        st = mmf__handle_new(obj, a, out);
    }
    mmf__unref(obj);
    return st;
}

BOOL WINAPI DuplicateHandle(HANDLE sproc, HANDLE src, HANDLE tproc, LPHANDLE out, DWORD access,
                            BOOL inherit, DWORD options)
{
    (void)inherit;
    int st = duplicate(sproc, src, tproc, out, access, options);
    /* DUPLICATE_CLOSE_SOURCE closes the source even when duplication failed. */
    if ((options & DUPLICATE_CLOSE_SOURCE) && sproc == MMF__CURRENT_PROCESS &&
        !is_pseudo_handle(src))
        CloseHandle(src);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}
