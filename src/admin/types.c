/* mmf.h's kinds and scopes are the internal ones, by value (they are stored on disk). The
 * table of kinds itself is the set of MMF__TYPE_ROW entries (ob/object.c reads it). */
#include "admin/admin.h"

_Static_assert(MMF_TYPE_SECTION == (int)MMF__KIND_SECTION, "section");
_Static_assert(MMF_TYPE_EVENT == (int)MMF__KIND_EVENT, "event");
_Static_assert(MMF_TYPE_MUTEX == (int)MMF__KIND_MUTEX, "mutex");
_Static_assert(MMF_TYPE_SEMAPHORE == (int)MMF__KIND_SEMAPHORE, "semaphore");
_Static_assert(MMF_SCOPE_LOCAL == (int)MMF__SCOPE_LOCAL, "local");
_Static_assert(MMF_SCOPE_GLOBAL == (int)MMF__SCOPE_GLOBAL, "global");

/* Every kind, one line each. The shared library has every row anyway; a static program
 * links this table (mmf.pc's static flags ask the linker for it), and with it every kind's
 * file, so that it can be handed an object of any kind (ob/xfer.c) whatever it calls. */
const struct mmf__type *const mmf__kinds[] = {
    &mmf__file_type, &mmf__section_type,   &mmf__event_type,   &mmf__mutex_type,
    &mmf__semaphore_type, &mmf__thread_type, &mmf__process_type, NULL,
};
