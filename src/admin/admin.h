/* admin: mmf's own API (include/mmf/mmf.h) — listing live named objects with their
 * holders, reclaiming stale ones, forcing a name out — and the one table of every kind,
 * which only this top layer may see. */
#ifndef MMF_ADMIN_H
#define MMF_ADMIN_H

#include "mm/mm.h"
#include "ps/ps.h"

/* The type of a kind id (as stored in object headers), or NULL for an unknown one. */
const struct mmf__type *mmf__type_of(uint32_t kind);

#endif
