/* A stricter bound than the event round trip's floor: two processes hand a turn back and
 * forth through ONE futex word in shared memory (odd: the child's turn, even: the
 * parent's), spinning before sleeping and waking only sleepers. One word does what two
 * events need two objects for: taking the turn and handing it back are one store, on one
 * cache line. No pair of Win32 events can do that; it shows what the hardware allows.
 * Prints ns per round trip. */
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

#define SPINS 30000
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

/* Round trip i: hand the child turn 2i+1, wait for 2i+2 back. */
static bool round_trip(void *turn, unsigned i)
{
    set_to(turn, 2 * i + 1);
    return wait_for(turn, 2 * i + 2) != STOP;
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
    double ns = time_round_trips(round_trip, (void *)turn);
    set_to(turn, STOP);
    waitpid(pid, NULL, 0);
    printf("futex_turn_round_trip %.1f ns\n", ns);
    return 0;
}
