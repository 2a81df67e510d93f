/* What the POSIX floor programs share. */
#ifndef MMF_FLOOR_H
#define MMF_FLOOR_H

#include <time.h>

static inline double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#endif
