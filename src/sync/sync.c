/* What events, mutexes and semaphores share: their state words, creation (named through
 * the namespace, or not), opening, and the pinned path every state change takes. See
 * docs/sync.md.
 *
 * Named objects keep their words in the shared region of their data file (ob), mapped by
 * every process that holds them; those words are written by other processes and are
 * never trusted to be sane: a hostile value can make a wait return early or late, never
 * crash. Unnamed ones keep them in a cell (cells.c), which other processes map when they
 * are handed the object. */
#include <stdlib.h>

#include "sync/sync.h"

void mmf__sync_init(struct mmf__sync *s, const struct mmf__type *type)
{
    mmf__object_init(&s->obj, type);
    s->w = s->own;
    s->shared = false;
    s->fd = -1;
}

_Thread_local bool mmf__sync_found_spinner;

void mmf__sync_changed(struct mmf__sync *s, int n)
{
    atomic_fetch_add(&s->w[MMF__S_SEQ], 1);
    mmf__sync_found_spinner = atomic_load_explicit(&s->w[MMF__S_SPINNERS], memory_order_relaxed);
    if (atomic_load(&s->w[MMF__S_WAITERS]))
        mmf__futex_wake(&s->w[MMF__S_SEQ], n, s->shared);
}

void mmf__sync_destroy(struct mmf__object *obj)
{
    struct mmf__sync *s = (struct mmf__sync *)obj;
    if (obj->ns)
        mmf__ns_free(obj->ns);
    if (s->cell_own || s->map)
        mmf__cell_release(s);
    free(obj);
}

int mmf__sync_export(struct mmf__object *obj, struct mmf__xfer *x)
{
    struct mmf__sync *s = (struct mmf__sync *)obj;
    if (!s->cell_own && !s->map)
        return MMF__W(ERROR_NOT_SUPPORTED);
    mmf__cell_export(s, x);
    return 0;
}

void mmf__sync_lend(struct mmf__object *obj, struct mmf__xfer *x)
{
    mmf__cell_lend((struct mmf__sync *)obj, x);
}

int mmf__sync_import(const struct mmf__type *type, struct mmf__xfer *x, struct mmf__object **out)
{
    struct mmf__sync *s = calloc(1, sizeof *s);
    if (x->fd[1] >= 0)
        mmf__sys.close(x->fd[1]);
    int st = s ? 0 : -ENOMEM;
    if (st == 0) {
        mmf__sync_init(s, type);
        st = mmf__cell_import(s, x);
    }
    if (st < 0) {
        free(s);
        mmf__sys.close(x->fd[0]);
        return st;
    }
    *out = &s->obj;
    return 0;
}

int mmf__sync_build_named(const struct mmf__type *type, struct mmf__nsobj *ns, void *ctx)
{
    (void)ctx;
    if (ns->shared_len < sizeof(uint32_t) * MMF__SYNC_WORDS)
        return MMF__W(ERROR_FILE_CORRUPT);
    struct mmf__sync *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    mmf__sync_init(s, type);
    s->w = ns->shared;
    s->shared = true;
    s->obj.ns = ns;
    ns->obj = &s->obj;
    return 0;
}

/* An unnamed object: its words in a cell, which other processes can be handed. */
static int create_unnamed(const struct mmf__sync_request *rq, struct mmf__object **out)
{
    struct mmf__sync *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    mmf__sync_init(s, rq->type);
    int st = mmf__cell_new(s);
    if (st < 0) {
        free(s);
        return st;
    }
    atomic_store(&s->w[MMF__S_STATE], rq->state);
    atomic_store(&s->w[MMF__S_AUX], rq->aux);
    *out = &s->obj;
    return 0;
}

HANDLE mmf__sync_create(const struct mmf__sync_request *rq, LPSECURITY_ATTRIBUTES sa,
                        const WCHAR *wname, size_t units, bool owned)
{
    struct mmf__object *obj = NULL;
    struct mmf__name name;
    bool existed = false;
    HANDLE h;
    int st;
    if (units) {
        /* A new named object's shared region starts with the words its creator asks for. */
        uint32_t w[MMF__SYNC_WORDS] = {[MMF__S_STATE] = rq->state, [MMF__S_AUX] = rq->aux};
        struct mmf__ns_new nw = {.mode = mmf__sa_mode(sa), .shared_len = sizeof w,
                                 .shared_init = w};
        if ((st = mmf__name_parse(wname, units, &name)) == 0)
            st = mmf__ns_create(&name, rq->type, &nw, &obj, &existed);
    } else {
        st = create_unnamed(rq, &obj);
    }
    if (st == 0 && owned && !existed &&
        rq->type->wait->take((struct mmf__sync *)obj, 0) == MMF__TAKE_NO) {
        mmf__handle_drop(obj); /* an owned mutex whose ownership cannot be recorded */
        st = -ENOMEM;
    }
    if (st == 0)
        st = mmf__handle_new(obj, rq->type->generic.all, mmf__sa_handle_flags(sa), &h);
    if (st < 0)
        return mmf__fail(st), NULL;
    SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return h;
}

HANDLE mmf__sync_create_a(const struct mmf__sync_request *rq, LPSECURITY_ATTRIBUTES sa,
                          LPCSTR name, bool owned)
{
    WCHAR *w;
    size_t units;
    int st = mmf__name_from_a_optional(name, &w, &units);
    if (st < 0)
        return mmf__fail(st), NULL;
    HANDLE h = mmf__sync_create(rq, sa, w, units, owned);
    free(w);
    return h;
}

static HANDLE open_units(const struct mmf__type *type, DWORD access, BOOL inherit,
                         const WCHAR *wname, size_t units)
{
    struct mmf__name name;
    struct mmf__object *obj;
    HANDLE h;
    int st = !wname ? MMF__W(ERROR_INVALID_PARAMETER)
             : units == 0 ? MMF__W(ERROR_INVALID_HANDLE)
                          : mmf__name_parse(wname, units, &name);
    if (st == 0)
        st = mmf__access_check(type, access, &access);
    if (st == 0)
        st = mmf__ns_open(&name, type, true, &obj);
    if (st == 0)
        st = mmf__handle_new(obj, access, mmf__inherit_flags(inherit), &h);
    if (st < 0)
        return mmf__fail(st), NULL;
    return h;
}

HANDLE mmf__sync_open(const struct mmf__type *type, DWORD access, BOOL inherit,
                      const WCHAR *name)
{
    return open_units(type, access, inherit, name, name ? mmf__wcslen(name) : 0);
}

HANDLE mmf__sync_open_a(const struct mmf__type *type, DWORD access, BOOL inherit, LPCSTR name)
{
    WCHAR *w = NULL;
    size_t units = 0;
    int st = name ? mmf__name_from_a(name, &w, &units) : 0;
    if (st < 0)
        return mmf__fail(st), NULL;
    HANDLE h = open_units(type, access, inherit, name ? w : NULL, units);
    free(w);
    return h;
}

BOOL mmf__sync_modify(HANDLE h, const struct mmf__type *type,
                      int (*op)(struct mmf__sync *s, DWORD access, void *ctx), void *ctx)
{
    struct mmf__object *obj;
    DWORD access;
    void *pin;
    int st = mmf__handle_pin(h, &obj, &access, &pin);
    if (st == 0) {
        st = obj->type == type ? op((struct mmf__sync *)obj, access, ctx)
                               : MMF__W(ERROR_INVALID_HANDLE);
        mmf__handle_unpin(pin);
    }
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}
