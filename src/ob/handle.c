/* The process handle table: HANDLE -> (object, granted access, attributes).
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

#include "ob/ob.h"

#define CHUNK_BITS 10
#define CHUNK (1u << CHUNK_BITS)
#define MAX_CHUNKS 4096 /* a million handles and more */

struct slot {
    _Atomic(struct mmf__object *) obj; /* NULL: free, or being closed */
    _Atomic uint32_t pins;
    DWORD access;
    _Atomic uint32_t flags; /* HANDLE_FLAG_INHERIT, HANDLE_FLAG_PROTECT_FROM_CLOSE */
    bool closing; /* emptied but still pinned: not to be reused yet (alloc_lock) */
};

static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct slot *) chunks[MAX_CHUNKS];
static size_t nslots, first_free;

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

#define HANDLE_FLAGS (HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE)

int mmf__handle_new(struct mmf__object *obj, DWORD access, DWORD flags, HANDLE *out)
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
    atomic_store_explicit(&s->flags, flags & HANDLE_FLAGS, memory_order_relaxed);
    atomic_store_explicit(&s->obj, obj, memory_order_release); /* after access and flags */
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
    uint32_t before = atomic_fetch_sub_explicit(&((struct slot *)pin)->pins, 1,
                                                memory_order_release);
    MMF__ASSERT(before > 0);
    (void)before;
}

int mmf__handle_signal(HANDLE h, enum mmf__kind only)
{
    struct mmf__object *obj;
    DWORD access;
    void *pin;
    int st = mmf__handle_pin(h, &obj, &access, &pin);
    if (st < 0)
        return st;
    st = obj->type->signal && (!only || obj->type->kind == only) ? obj->type->signal(obj, access)
                                                                : MMF__W(ERROR_INVALID_HANDLE);
    mmf__handle_unpin(pin);
    return st;
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

int mmf__handle_get(HANDLE h, const struct mmf__type *type, struct mmf__object **out,
                    DWORD *access)
{
    int st = mmf__handle_get_any(h, out, access);
    if (st == 0 && (*out)->type != type) {
        mmf__unref(*out);
        st = MMF__W(ERROR_INVALID_HANDLE);
    }
    return st;
}

/* GetCurrentProcess() and GetCurrentThread(): closing them is a successful no-op. */
bool mmf__is_pseudo_handle(HANDLE h)
{
    return h == MMF__CURRENT_PROCESS || h == MMF__CURRENT_THREAD;
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return MMF__CURRENT_PROCESS;
}

BOOL WINAPI CloseHandle(HANDLE h)
{
    if (mmf__is_pseudo_handle(h))
        return TRUE;
    size_t i = index_of(h);
    struct mmf__object *obj = NULL;
    pthread_mutex_lock(&alloc_lock);
    struct slot *s = slot_at(i);
    /* A handle protected from close stays open; Windows says it is invalid to close. */
    if (s && !(atomic_load(&s->flags) & HANDLE_FLAG_PROTECT_FROM_CLOSE) &&
        (obj = atomic_exchange(&s->obj, NULL)))
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

/* Pins the slot of a live handle, for its attributes. */
static int pin_slot(HANDLE h, struct slot **out)
{
    struct mmf__object *obj;
    void *pin;
    int st = mmf__handle_pin(h, &obj, NULL, &pin);
    *out = pin;
    return st;
}

BOOL WINAPI GetHandleInformation(HANDLE h, LPDWORD flags)
{
    struct slot *s;
    int st = flags ? pin_slot(h, &s) : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    *flags = atomic_load(&s->flags);
    mmf__handle_unpin(s);
    return TRUE;
}

BOOL WINAPI SetHandleInformation(HANDLE h, DWORD mask, DWORD flags)
{
    struct slot *s;
    int st = pin_slot(h, &s);
    if (st < 0)
        return mmf__fail(st), FALSE;
    mask &= HANDLE_FLAGS;
    uint32_t old = atomic_load(&s->flags);
    while (!atomic_compare_exchange_weak(&s->flags, &old, (old & ~mask) | (flags & mask)))
        ;
    mmf__handle_unpin(s);
    return TRUE;
}

/* Within the current process only: mmf has no handles to other processes. The new
 * handle gets the rights asked for, mapped through the object's own kind (the object's
 * owner may have them all), or the source's with DUPLICATE_SAME_ACCESS; its attributes
 * come from bInheritHandle alone. */
static int duplicate(HANDLE sproc, HANDLE src, HANDLE tproc, HANDLE *out, DWORD access,
                     DWORD flags, DWORD options)
{
    struct mmf__object *obj;
    DWORD src_access;
    if (options & ~(DWORD)(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS))
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (sproc != MMF__CURRENT_PROCESS || tproc != MMF__CURRENT_PROCESS ||
        mmf__is_pseudo_handle(src))
        return MMF__W(ERROR_INVALID_HANDLE);
    int st = mmf__handle_get_any(src, &obj, &src_access);
    if (st < 0)
        return st;
    if (out) {
        DWORD a = options & DUPLICATE_SAME_ACCESS ? src_access
                                                  : mmf__access_map(obj->type, access);
        if (obj->ns && (st = mmf__ns_hold(obj->ns)) < 0) {
            mmf__unref(obj);
            return st;
        }
        mmf__ref(obj);
        st = mmf__handle_new(obj, a, flags, out);
    }
    mmf__unref(obj);
    return st;
}

BOOL WINAPI DuplicateHandle(HANDLE sproc, HANDLE src, HANDLE tproc, LPHANDLE out, DWORD access,
                            BOOL inherit, DWORD options)
{
    int st = duplicate(sproc, src, tproc, out, access, mmf__inherit_flags(inherit), options);
    /* DUPLICATE_CLOSE_SOURCE closes the source even when duplication failed. */
    if ((options & DUPLICATE_CLOSE_SOURCE) && sproc == MMF__CURRENT_PROCESS &&
        !mmf__is_pseudo_handle(src))
        CloseHandle(src);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}
