/* Events, mutexes and semaphores: creation (named through the namespace, or not), and the
 * operations on their state words. See docs/sync.md.
 *
 * Named objects keep their words in the object file's header, shared with every process
 * that holds them; those words are written by other processes and are never trusted to
 * be sane: a hostile value can make a wait return early or late, never crash. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct mmf__generic_mapping generic[] = {
    [MMF__KIND_EVENT] = {STANDARD_RIGHTS_READ | SYNCHRONIZE,
                         STANDARD_RIGHTS_WRITE | EVENT_MODIFY_STATE,
                         STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, EVENT_ALL_ACCESS},
    [MMF__KIND_MUTEX] = {STANDARD_RIGHTS_READ | SYNCHRONIZE,
                         STANDARD_RIGHTS_WRITE | MUTEX_MODIFY_STATE,
                         STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, MUTEX_ALL_ACCESS},
    [MMF__KIND_SEMAPHORE] = {STANDARD_RIGHTS_READ | SYNCHRONIZE,
                             STANDARD_RIGHTS_WRITE | SEMAPHORE_MODIFY_STATE,
                             STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, SEMAPHORE_ALL_ACCESS},
};
static const DWORD all_access[] = {
    [MMF__KIND_EVENT] = EVENT_ALL_ACCESS,
    [MMF__KIND_MUTEX] = MUTEX_ALL_ACCESS,
    [MMF__KIND_SEMAPHORE] = SEMAPHORE_ALL_ACCESS,
};
/* The right that changing an object's state needs. ReleaseMutex needs SYNCHRONIZE
 * (MUTEX_MODIFY_STATE is "reserved for future use"). */
static const DWORD modify_access[] = {
    [MMF__KIND_EVENT] = EVENT_MODIFY_STATE,
    [MMF__KIND_MUTEX] = SYNCHRONIZE,
    [MMF__KIND_SEMAPHORE] = SEMAPHORE_MODIFY_STATE,
};

static void sync_destroy(struct mmf__object *obj)
{
    if (obj->ns)
        mmf__ns_free(obj->ns);
    free(obj);
}

void mmf__sync_init(struct mmf__sync *s, enum mmf__kind kind,
                    void (*destroy)(struct mmf__object *))
{
    mmf__object_init(&s->obj, kind, destroy);
    s->w = s->own;
    s->shared = false;
}

bool mmf__sync_is_waitable(const struct mmf__object *obj)
{
    return obj->kind >= MMF__KIND_EVENT && obj->kind <= MMF__KIND_THREAD;
}

void mmf__sync_changed(struct mmf__sync *s, int n)
{
    atomic_fetch_add(&s->w[MMF__S_SEQ], 1);
    if (atomic_load(&s->w[MMF__S_WAITERS]))
        mmf__futex_wake(&s->w[MMF__S_SEQ], n, s->shared);
}

/* --- Taking and giving back ----------------------------------------------------------- */

static enum mmf__take try_event(struct mmf__sync *s, uint32_t pulse0)
{
    _Atomic uint32_t *w = s->w;
    bool manual = atomic_load(&w[MMF__S_AUX]) != 0;
    uint32_t one = 1;
    if (manual ? atomic_load(&w[MMF__S_STATE]) != 0
               : atomic_compare_exchange_strong(&w[MMF__S_STATE], &one, 0))
        return MMF__TAKE_OK;
    /* A PulseEvent since this wait began: all waiters of a manual event, one of an
     * automatic one (the first to take the pulse's token). */
    uint32_t gen = atomic_load(&w[MMF__S_PULSE]);
    if (gen == pulse0)
        return MMF__TAKE_NO;
    if (manual)
        return MMF__TAKE_OK;
    uint32_t token = atomic_load(&w[MMF__S_PULSE_TOKEN]);
    if (token && (int32_t)(token - pulse0) > 0 &&
        atomic_compare_exchange_strong(&w[MMF__S_PULSE_TOKEN], &token, 0))
        return MMF__TAKE_OK;
    return MMF__TAKE_NO;
}

static enum mmf__take try_semaphore(struct mmf__sync *s)
{
    uint32_t c = atomic_load(&s->w[MMF__S_STATE]);
    while ((int32_t)c > 0)
        if (atomic_compare_exchange_weak(&s->w[MMF__S_STATE], &c, c - 1))
            return MMF__TAKE_OK;
    return MMF__TAKE_NO;
}

static enum mmf__take try_mutex(struct mmf__sync *s)
{
    _Atomic uint32_t *w = s->w;
    uint32_t me = mmf__tid(), free_ = 0;
    if (atomic_load(&w[MMF__S_STATE]) == me) {
        if (atomic_load(&w[MMF__S_AUX]) >= 0x7FFFFFFF)
            return MMF__TAKE_NO; /* recursion limit: Windows' mutant limit */
        atomic_fetch_add(&w[MMF__S_AUX], 1);
        return MMF__TAKE_OK;
    }
    if (!atomic_compare_exchange_strong(&w[MMF__S_STATE], &free_, me))
        return MMF__TAKE_NO;
    if (mmf__thread_owns(s) < 0) { /* cannot record it: do not own what cannot be abandoned */
        atomic_store(&w[MMF__S_STATE], 0);
        mmf__sync_changed(s, 1);
        return MMF__TAKE_NO;
    }
    atomic_store(&w[MMF__S_AUX], 1);
    return atomic_exchange(&w[MMF__S_ABANDONED], 0) ? MMF__TAKE_ABANDONED : MMF__TAKE_OK;
}

enum mmf__take mmf__sync_try(struct mmf__sync *s, uint32_t pulse0)
{
    switch (s->obj.kind) {
    case MMF__KIND_EVENT:
        return try_event(s, pulse0);
    case MMF__KIND_SEMAPHORE:
        return try_semaphore(s);
    case MMF__KIND_MUTEX:
        return try_mutex(s);
    case MMF__KIND_THREAD:
        return atomic_load(&s->w[MMF__S_STATE]) ? MMF__TAKE_OK : MMF__TAKE_NO;
    default:
        return MMF__TAKE_NO;
    }
}

/* Gives back what a wait-all took before it found another object not signaled. */
void mmf__sync_untake(struct mmf__sync *s, enum mmf__take how)
{
    _Atomic uint32_t *w = s->w;
    switch (s->obj.kind) {
    case MMF__KIND_EVENT:
        if (atomic_load(&w[MMF__S_AUX]))
            return; /* a manual event was not consumed */
        atomic_store(&w[MMF__S_STATE], 1);
        break;
    case MMF__KIND_SEMAPHORE:
        atomic_fetch_add(&w[MMF__S_STATE], 1);
        break;
    case MMF__KIND_MUTEX:
        if (atomic_fetch_sub(&w[MMF__S_AUX], 1) > 1)
            return; /* it was already ours: one recursion less */
        if (how == MMF__TAKE_ABANDONED)
            atomic_store(&w[MMF__S_ABANDONED], 1); /* the next owner must still hear it */
        mmf__thread_disowns(s);
        atomic_store(&w[MMF__S_STATE], 0);
        break;
    default:
        return;
    }
    mmf__sync_changed(s, INT32_MAX);
}

void mmf__mutex_abandon(struct mmf__sync *m, uint32_t owner)
{
    _Atomic uint32_t *w = m->w;
    if (atomic_load(&w[MMF__S_STATE]) != owner)
        return;
    atomic_store(&w[MMF__S_ABANDONED], 1); /* before the owner word: no one misses it */
    if (atomic_compare_exchange_strong(&w[MMF__S_STATE], &owner, 0))
        mmf__sync_changed(m, 1);
}

/* --- Creation -------------------------------------------------------------------------- */

/* The initial state of a new object: the words a creator asks for. */
struct sync_request {
    enum mmf__kind kind;
    uint32_t state, aux;
};

static int init_named(int fd, struct mmf__objhdr *h, void *ctx)
{
    const struct sync_request *rq = ctx;
    (void)fd;
    h->sync[MMF__S_STATE] = rq->state;
    h->sync[MMF__S_AUX] = rq->aux;
    return 0;
}

static int build_named(struct mmf__nsobj *ns, void *ctx)
{
    (void)ctx;
    struct mmf__sync *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    mmf__sync_init(s, (enum mmf__kind)ns->info.kind, sync_destroy);
    s->w = (_Atomic uint32_t *)ns->hdr->sync;
    s->shared = true;
    s->obj.ns = ns;
    ns->obj = &s->obj;
    return 0;
}

/* Creates (or, by name, opens) a sync object; `owned`: a mutex created owned by this
 * thread (only when it is new). */
static HANDLE create(const struct sync_request *rq, LPSECURITY_ATTRIBUTES sa, const WCHAR *wname,
                     size_t units, bool owned)
{
    struct mmf__object *obj = NULL;
    struct mmf__name name;
    bool existed = false;
    HANDLE h;
    int st = 0;
    if (units) {
        struct mmf__ns_new nw = {.kind = rq->kind, .mode = mmf__sa_mode(sa), .init = init_named,
                                 .ctx = (void *)rq};
        if ((st = mmf__name_parse(wname, units, &name)) == 0)
            st = mmf__ns_create(&name, &nw, build_named, NULL, &obj, &existed);
    } else {
        struct mmf__sync *s = calloc(1, sizeof *s);
        if (!s)
            st = -ENOMEM;
        else {
            mmf__sync_init(s, rq->kind, sync_destroy);
            atomic_store(&s->w[MMF__S_STATE], rq->state);
            atomic_store(&s->w[MMF__S_AUX], rq->aux);
            obj = &s->obj;
        }
    }
    if (st == 0 && owned && !existed &&
        mmf__sync_try((struct mmf__sync *)obj, 0) == MMF__TAKE_NO) {
        mmf__handle_drop(obj); /* an owned mutex whose ownership cannot be recorded */
        st = -ENOMEM;
    }
    if (st == 0)
        st = mmf__handle_new(obj, all_access[rq->kind], &h);
    if (st < 0)
        return mmf__fail(st), NULL;
    SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return h;
}

static HANDLE create_a(const struct sync_request *rq, LPSECURITY_ATTRIBUTES sa, LPCSTR name,
                       bool owned)
{
    WCHAR *w;
    size_t units;
    int st = mmf__name_from_a_optional(name, &w, &units);
    if (st < 0)
        return mmf__fail(st), NULL;
    HANDLE h = create(rq, sa, w, units, owned);
    free(w);
    return h;
}

static HANDLE open_sync(enum mmf__kind kind, DWORD access, const WCHAR *wname, size_t units)
{
    struct mmf__name name;
    struct mmf__object *obj;
    HANDLE h;
    int st = !wname ? MMF__W(ERROR_INVALID_PARAMETER)
             : units == 0 ? MMF__W(ERROR_INVALID_HANDLE)
                          : mmf__name_parse(wname, units, &name);
    if (st == 0)
        st = mmf__ns_open(&name, kind, true, build_named, NULL, &obj);
    if (st == 0)
        st = mmf__handle_new(obj, mmf__map_generic(access, &generic[kind]), &h);
    if (st < 0)
        return mmf__fail(st), NULL;
    return h;
}

static HANDLE open_a(enum mmf__kind kind, DWORD access, LPCSTR name)
{
    WCHAR *w = NULL;
    size_t units = 0;
    int st = name ? mmf__name_from_a(name, &w, &units) : 0;
    if (st < 0)
        return mmf__fail(st), NULL;
    HANDLE h = open_sync(kind, access, name ? w : NULL, units);
    free(w);
    return h;
}

static HANDLE open_w(enum mmf__kind kind, DWORD access, LPCWSTR name)
{
    return open_sync(kind, access, name, name ? mmf__wcslen(name) : 0);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name)
{
    struct sync_request rq = {MMF__KIND_EVENT, initial != 0, manual != 0};
    return create(&rq, sa, name, name ? mmf__wcslen(name) : 0, false);
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCSTR name)
{
    struct sync_request rq = {MMF__KIND_EVENT, initial != 0, manual != 0};
    return create_a(&rq, sa, name, false);
}

HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)inherit;
    return open_w(MMF__KIND_EVENT, access, name);
}

HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name)
{
    (void)inherit;
    return open_a(MMF__KIND_EVENT, access, name);
}

HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner, LPCWSTR name)
{
    struct sync_request rq = {MMF__KIND_MUTEX, 0, 0};
    return create(&rq, sa, name, name ? mmf__wcslen(name) : 0, owner != 0);
}

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner, LPCSTR name)
{
    struct sync_request rq = {MMF__KIND_MUTEX, 0, 0};
    return create_a(&rq, sa, name, owner != 0);
}

HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)inherit;
    return open_w(MMF__KIND_MUTEX, access, name);
}

HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name)
{
    (void)inherit;
    return open_a(MMF__KIND_MUTEX, access, name);
}

static bool bad_semaphore(LONG initial, LONG max)
{
    return max <= 0 || initial < 0 || initial > max;
}

HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCWSTR name)
{
    struct sync_request rq = {MMF__KIND_SEMAPHORE, (uint32_t)initial, (uint32_t)max};
    if (bad_semaphore(initial, max))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    return create(&rq, sa, name, name ? mmf__wcslen(name) : 0, false);
}

HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCSTR name)
{
    struct sync_request rq = {MMF__KIND_SEMAPHORE, (uint32_t)initial, (uint32_t)max};
    if (bad_semaphore(initial, max))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    return create_a(&rq, sa, name, false);
}

HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)inherit;
    return open_w(MMF__KIND_SEMAPHORE, access, name);
}

HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit, LPCSTR name)
{
    (void)inherit;
    return open_a(MMF__KIND_SEMAPHORE, access, name);
}

/* --- Signaling -------------------------------------------------------------------------- */

/* Pins a handle of `kind` that may modify the object's state (unpin when done). */
static int get_sync(HANDLE h, enum mmf__kind kind, struct mmf__sync **out, void **pin)
{
    struct mmf__object *obj;
    DWORD access;
    int st = mmf__handle_pin(h, &obj, &access, pin);
    if (st < 0)
        return st;
    if (obj->kind != kind)
        st = MMF__W(ERROR_INVALID_HANDLE);
    else if (!(access & modify_access[kind]))
        st = MMF__W(ERROR_ACCESS_DENIED);
    if (st < 0) {
        mmf__handle_unpin(*pin);
        return st;
    }
    *out = (struct mmf__sync *)obj;
    return 0;
}

enum event_op { EV_SET, EV_RESET, EV_PULSE };

static void event_op(struct mmf__sync *s, enum event_op op)
{
    _Atomic uint32_t *w = s->w;
    if (op == EV_RESET) {
        atomic_store(&w[MMF__S_STATE], 0);
        return;
    }
    if (op == EV_SET) {
        /* Release is enough: the SEQ increment that follows (a full barrier) publishes it
         * before the waiter count is read. */
        atomic_store_explicit(&w[MMF__S_STATE], 1, memory_order_release);
    } else {
        uint32_t gen = atomic_fetch_add(&w[MMF__S_PULSE], 1) + 1;
        if (!atomic_load(&w[MMF__S_AUX]))
            atomic_store(&w[MMF__S_PULSE_TOKEN], gen ? gen : 1);
        atomic_store(&w[MMF__S_STATE], 0);
    }
    mmf__sync_changed(s, INT32_MAX);
}

/* Runs op on the object behind a handle of `kind` that may change its state; the Win32
 * result, with the last error set on failure. */
static BOOL modify(HANDLE h, enum mmf__kind kind, int (*op)(struct mmf__sync *, void *), void *ctx)
{
    struct mmf__sync *s;
    void *pin;
    int st = get_sync(h, kind, &s, &pin);
    if (st == 0) {
        st = op(s, ctx);
        mmf__handle_unpin(pin);
    }
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

static int event_cb(struct mmf__sync *s, void *op)
{
    event_op(s, *(enum event_op *)op);
    return 0;
}

BOOL WINAPI SetEvent(HANDLE h)
{
    enum event_op op = EV_SET;
    return modify(h, MMF__KIND_EVENT, event_cb, &op);
}

BOOL WINAPI ResetEvent(HANDLE h)
{
    enum event_op op = EV_RESET;
    return modify(h, MMF__KIND_EVENT, event_cb, &op);
}

BOOL WINAPI PulseEvent(HANDLE h)
{
    enum event_op op = EV_PULSE;
    return modify(h, MMF__KIND_EVENT, event_cb, &op);
}

static int release_mutex(struct mmf__sync *s)
{
    _Atomic uint32_t *w = s->w;
    if (atomic_load(&w[MMF__S_STATE]) != mmf__tid())
        return MMF__W(ERROR_NOT_OWNER);
    if (atomic_fetch_sub(&w[MMF__S_AUX], 1) > 1)
        return 0;
    mmf__thread_disowns(s);
    atomic_store(&w[MMF__S_STATE], 0);
    mmf__sync_changed(s, 1);
    return 0;
}

static int release_mutex_cb(struct mmf__sync *s, void *ctx)
{
    (void)ctx;
    return release_mutex(s);
}

BOOL WINAPI ReleaseMutex(HANDLE h)
{
    return modify(h, MMF__KIND_MUTEX, release_mutex_cb, NULL);
}

static int release_semaphore(struct mmf__sync *s, LONG n, LONG *prev)
{
    _Atomic uint32_t *w = s->w;
    if (n <= 0)
        return MMF__W(ERROR_INVALID_PARAMETER);
    uint32_t c = atomic_load(&w[MMF__S_STATE]);
    do {
        int64_t max = (int32_t)atomic_load(&w[MMF__S_AUX]);
        if ((int64_t)(int32_t)c + n > max)
            return MMF__W(ERROR_TOO_MANY_POSTS); /* count unchanged */
    } while (!atomic_compare_exchange_weak(&w[MMF__S_STATE], &c, c + (uint32_t)n));
    if (prev)
        *prev = (LONG)c;
    mmf__sync_changed(s, n);
    return 0;
}

struct semaphore_release {
    LONG n;
    LONG *prev;
};

static int release_semaphore_cb(struct mmf__sync *s, void *ctx)
{
    struct semaphore_release *r = ctx;
    return release_semaphore(s, r->n, r->prev);
}

BOOL WINAPI ReleaseSemaphore(HANDLE h, LONG n, LPLONG prev)
{
    struct semaphore_release r = {n, prev};
    return modify(h, MMF__KIND_SEMAPHORE, release_semaphore_cb, &r);
}

int mmf__sync_signal(struct mmf__object *obj, DWORD access)
{
    struct mmf__sync *s = (struct mmf__sync *)obj;
    if (obj->kind < MMF__KIND_EVENT || obj->kind > MMF__KIND_SEMAPHORE)
        return MMF__W(ERROR_INVALID_HANDLE);
    if (!(access & modify_access[obj->kind]))
        return MMF__W(ERROR_ACCESS_DENIED);
    if (obj->kind == MMF__KIND_EVENT) {
        event_op(s, EV_SET);
        return 0;
    }
    return obj->kind == MMF__KIND_MUTEX ? release_mutex(s) : release_semaphore(s, 1, NULL);
}
