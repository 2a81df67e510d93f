/* The object-type table: one row per kind, each row defined in its kind's own file. A new
 * kind is a new file and a line here. */
#include "admin/admin.h"

static const struct mmf__type *const types[MMF__KIND_COUNT] = {
    [MMF__KIND_FILE] = &mmf__file_type,
    [MMF__KIND_SECTION] = &mmf__section_type,
    [MMF__KIND_EVENT] = &mmf__event_type,
    [MMF__KIND_MUTEX] = &mmf__mutex_type,
    [MMF__KIND_SEMAPHORE] = &mmf__semaphore_type,
    [MMF__KIND_THREAD] = &mmf__thread_type,
};

/* mmf.h's kinds are the internal ones, by value (they are stored on disk). */
_Static_assert(MMF_TYPE_SECTION == (int)MMF__KIND_SECTION, "section");
_Static_assert(MMF_TYPE_EVENT == (int)MMF__KIND_EVENT, "event");
_Static_assert(MMF_TYPE_MUTEX == (int)MMF__KIND_MUTEX, "mutex");
_Static_assert(MMF_TYPE_SEMAPHORE == (int)MMF__KIND_SEMAPHORE, "semaphore");
_Static_assert(MMF_SCOPE_LOCAL == (int)MMF__SCOPE_LOCAL, "local");
_Static_assert(MMF_SCOPE_GLOBAL == (int)MMF__SCOPE_GLOBAL, "global");

const struct mmf__type *mmf__type_of(uint32_t kind)
{
    return kind < MMF__KIND_COUNT ? types[kind] : NULL;
}
