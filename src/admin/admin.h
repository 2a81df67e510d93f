/* admin: mmf's own API (include/mmf/mmf.h) — listing live named objects with their
 * holders, reclaiming stale ones, forcing a name out — and the one table of every kind,
 * which only this top layer may see. */
#ifndef MMF_ADMIN_H
#define MMF_ADMIN_H

#include "mm/mm.h"
#include "ps/ps.h"

/* types.c: every kind's row, NULL-terminated (what a static program links them by). */
extern const struct mmf__type *const mmf__kinds[];

#endif
