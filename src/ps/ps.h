/* ps: processes and threads. Today threads: CreateThread and its thread objects. */
#ifndef MMF_PS_H
#define MMF_PS_H

#include "sync/sync.h"

extern const struct mmf__type mmf__thread_type;

#endif
