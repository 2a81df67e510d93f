/* Reference-counted objects and the access rules every kind shares.
 *
 * An object lives while references exist: one for each handle, view, sleeping wait or
 * owning thread (docs/design.md, "What keeps an object alive"). The last reference calls
 * its type's destroy. */
#include "ob/ob.h"

void mmf__object_init(struct mmf__object *obj, const struct mmf__type *type)
{
    obj->type = type;
    atomic_init(&obj->refs, 1);
    obj->ns = NULL;
}

void mmf__ref(struct mmf__object *obj)
{
    int before = atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
    MMF__ASSERT(before > 0); /* a reference is taken only from a live one */
    (void)before;
}

void mmf__unref(struct mmf__object *obj)
{
    if (!obj)
        return;
    int before = atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel);
    MMF__ASSERT(before > 0);
    if (before == 1)
        obj->type->destroy(obj);
}

DWORD mmf__access_map(const struct mmf__type *type, DWORD access)
{
    const struct mmf__generic_mapping *m = &type->generic;
    DWORD a = access & ~(DWORD)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL |
                                MAXIMUM_ALLOWED);
    if (access & GENERIC_READ)
        a |= m->read;
    if (access & GENERIC_WRITE)
        a |= m->write;
    if (access & GENERIC_EXECUTE)
        a |= m->execute;
    if (access & (GENERIC_ALL | MAXIMUM_ALLOWED))
        a |= m->all;
    return a;
}

int mmf__access_check(const struct mmf__type *type, DWORD access, DWORD *granted)
{
    DWORD a = mmf__access_map(type, access);
    if (a & ACCESS_SYSTEM_SECURITY)
        return MMF__W(ERROR_PRIVILEGE_NOT_HELD);
    if (a & ~(type->valid | STANDARD_RIGHTS_ALL))
        return MMF__W(ERROR_ACCESS_DENIED);
    *granted = a;
    return 0;
}

/* The linker gathers every MMF__TYPE_ROW entry between these two symbols (kept inside the
 * shared library by src/libmmf.map). */
extern const struct mmf__type *const __start_mmf__types[], *const __stop_mmf__types[];

const struct mmf__type *mmf__type_of(uint32_t kind)
{
    for (const struct mmf__type *const *t = __start_mmf__types; t < __stop_mmf__types; t++)
        if ((uint32_t)(*t)->kind == kind)
            return *t;
    return NULL;
}
