/* What the POSIX floor programs share. */
#ifndef MMF_FLOOR_H
#define MMF_FLOOR_H

#include <stdbool.h>
#include <time.h>

static inline double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Times round trips between two processes: turn(ctx, i) makes round trip i (0, 1, ...):
 * 1000 of them to settle, then about a second's worth. ns per round trip, or -1 when a
 * turn failed. */
static inline double time_round_trips(bool (*turn)(void *ctx, unsigned i), void *ctx)
{
    double t0 = 0, t = 0;
    unsigned i;
    for (i = 0;; i++) {
        if (i == 1000)
            t0 = now_ns();
        if (i > 1000 && (i & 255) == 0 && (t = now_ns() - t0) > 1e9)
            break;
        if (!turn(ctx, i))
            return -1;
    }
    return t / (i - 1000);
}

#endif
