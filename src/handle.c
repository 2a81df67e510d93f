/* The process handle table: HANDLE -> (object, granted access).
 *
 * Handle values are multiples of 4 starting at 4, like Windows'; the low two bits of a
 * value are ignored on lookup, as the Windows kernel does. */
#include <stdlib.h>

#include "internal.h"

struct slot {
    struct mmf__object *obj; /* NULL: free */
    DWORD access;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *slots;
static size_t nslots, first_free;

void mmf__object_init(struct mmf__object *obj, enum mmf__kind kind,
                      void (*destroy)(struct mmf__object *))
{
    obj->kind = kind;
    atomic_init(&obj->refs, 1);
    obj->destroy = destroy;
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

static HANDLE value_of(size_t index)
{
    return (HANDLE)(uintptr_t)((index + 1) * 4);
}

/* The slot index a handle names, or SIZE_MAX for values that can never be handles. */
static size_t index_of(HANDLE h)
{
    uintptr_t v = (uintptr_t)h & ~(uintptr_t)3;
    return v == 0 ? SIZE_MAX : v / 4 - 1;
}

int mmf__handle_new(struct mmf__object *obj, DWORD access, HANDLE *out)
{
    pthread_mutex_lock(&table_lock);
    while (first_free < nslots && slots[first_free].obj)
        first_free++;
    if (first_free == nslots) {
        size_t n = nslots ? nslots * 2 : 64;
        struct slot *s = realloc(slots, n * sizeof *s);
        if (!s) {
            pthread_mutex_unlock(&table_lock);
            return -ENOMEM;
        }
        for (size_t i = nslots; i < n; i++)
            s[i] = (struct slot){0};
        slots = s;
        nslots = n;
    }
    size_t i = first_free++;
    slots[i] = (struct slot){obj, access};
    pthread_mutex_unlock(&table_lock);
    *out = value_of(i);
    return 0;
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

int mmf__handle_get_any(HANDLE h, struct mmf__object **out, DWORD *access)
{
    size_t i = index_of(h);
    int st = MMF__W(ERROR_INVALID_HANDLE);
    pthread_mutex_lock(&table_lock);
    if (i < nslots && slots[i].obj) {
        *out = slots[i].obj;
        if (access)
            *access = slots[i].access;
        mmf__ref(*out);
        st = 0;
    }
    pthread_mutex_unlock(&table_lock);
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
    pthread_mutex_lock(&table_lock);
    if (i < nslots && slots[i].obj) {
        obj = slots[i].obj;
        slots[i].obj = NULL;
        if (i < first_free)
            first_free = i;
    }
    pthread_mutex_unlock(&table_lock);
    if (!obj) {
        mmf__fail(MMF__W(ERROR_INVALID_HANDLE));
        return FALSE;
    }
    if (obj->ns)
        mmf__ns_handle_closed(obj->ns); /* the name goes with the last handle */
    mmf__unref(obj);
    return TRUE;
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
        if ((st = mmf__handle_new(obj, a, out)) < 0) {
            if (obj->ns)
                mmf__ns_handle_closed(obj->ns);
            mmf__unref(obj);
        }
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
