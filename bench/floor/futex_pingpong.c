/* The POSIX floor for an event round trip: two processes hand a turn back and forth
 * through a futex in shared memory, making the wake system call only when the other side
 * sleeps. Built twice (Makefile): _tuned spins before sleeping, as a tuned implementation
 * does (a sleep costs a scheduler wake-up each way); _plain (SPINS=0) is the textbook
 * ping-pong that sleeps every turn. About a second of turns; prints ns per round trip. */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"

#ifndef SPINS
#define SPINS 30000
#endif
#define STOP 0xFFFFFFFFu

static _Atomic unsigned *sleepers;

static unsigned wait_for(_Atomic unsigned *w, unsigned want)
{
    unsigned v;
    for (int i = 0; i < SPINS; i++)
        if ((v = atomic_load(w)) == want || v == STOP)
            return v;
    atomic_fetch_add(sleepers, 1);
    while ((v = atomic_load(w)) != want && v != STOP)
        syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0);
    atomic_fetch_sub(sleepers, 1);
    return v;
}

static void set_to(_Atomic unsigned *w, unsigned v)
{
    atomic_store(w, v);
    if (atomic_load(sleepers))
        syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

int main(void)
{
    _Atomic unsigned *turn =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (turn == MAP_FAILED)
        return 1;
    sleepers = turn + 1;
    pid_t pid = fork();
    if (pid == 0) {
        for (unsigned i = 0;; i++) {
            if (wait_for(turn, 2 * i + 1) == STOP)
                _exit(0);
            set_to(turn, 2 * i + 2);
        }
    }
    double t0 = 0, t = 0;
    unsigned i;
    for (i = 0;; i++) {
        if (i == 1000)
            t0 = now_ns();
        if (i > 1000 && (i & 255) == 0 && (t = now_ns() - t0) > 1e9)
            break;
        set_to(turn, 2 * i + 1);
        wait_for(turn, 2 * i + 2);
    }
    set_to(turn, STOP);
    waitpid(pid, NULL, 0);
    printf("event_round_trip %.1f ns\n", t / (i - 1000));
    return 0;
}
