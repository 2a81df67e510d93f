/* What both client benchmarks share (lmdb-bench.c, sqlite-bench.c): the clock, the random keys
 * and how long each figure runs. Plain C11, for both of each program's builds. */
#ifndef MMF_BENCH_WORKLOAD_H
#define MMF_BENCH_WORKLOAD_H

#include <stdint.h>
#include <time.h>

#define SECONDS 1.0 /* each figure runs this long */

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A key in [0, n): xorshift64, the same sequence in every run and build. */
static uint64_t random_below(uint64_t n)
{
    static uint64_t x = 88172645463325252ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % n;
}

#endif
