/* The POSIX floor for an event round trip: the same workload on raw futexes. Two
 * processes, two auto-reset flags in shared memory (ping and pong, a cache line each, as
 * two events are two objects); SetEvent is a store, and a wake system call only when the
 * other side sleeps; a wait consumes its flag (1 -> 0) with a compare-and-swap. Built
 * twice (Makefile): _tuned spins before sleeping, as a tuned implementation does (a sleep
 * costs a scheduler wake-up each way); _plain (SPINS=0) is the textbook ping-pong that
 * sleeps every turn. About a second of turns; prints ns per round trip. */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"

#ifndef SPINS
#define SPINS 30000
#endif
enum { CLEAR, SET, STOP };

struct flag {
    _Alignas(64) _Atomic unsigned v;
    _Atomic unsigned sleepers;
};

/* Takes the flag when set; false when told to stop. */
static bool try_take(struct flag *f, unsigned v)
{
    return v == SET && atomic_compare_exchange_strong(&f->v, &v, CLEAR);
}

static bool wait_for(struct flag *f)
{
    unsigned v;
    for (int i = 0; i < SPINS; i++)
        if ((v = atomic_load(&f->v)) == STOP || try_take(f, v))
            return v != STOP;
    atomic_fetch_add(&f->sleepers, 1);
    while ((v = atomic_load(&f->v)) != STOP && !try_take(f, v))
        syscall(SYS_futex, &f->v, FUTEX_WAIT, v, NULL, NULL, 0);
    atomic_fetch_sub(&f->sleepers, 1);
    return v != STOP;
}

static void set_to(struct flag *f, unsigned v)
{
    atomic_store(&f->v, v);
    if (atomic_load(&f->sleepers))
        syscall(SYS_futex, &f->v, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* One round trip: ping the child, wait for its pong. */
static bool round_trip(void *flags, unsigned i)
{
    struct flag *ping = flags, *pong = ping + 1;
    (void)i;
    set_to(ping, SET);
    return wait_for(pong);
}

int main(void)
{
    struct flag *ping =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ping == MAP_FAILED)
        return 1;
    struct flag *pong = ping + 1;
    pid_t pid = fork();
    if (pid == 0) {
        while (wait_for(ping))
            set_to(pong, SET);
        _exit(0);
    }
    double ns = time_round_trips(round_trip, ping);
    set_to(ping, STOP);
    waitpid(pid, NULL, 0);
    printf("event_round_trip %.1f ns\n", ns);
    return 0;
}
