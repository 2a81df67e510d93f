/* The streaming workload on raw POSIX: 64 KiB messages through a 1 MiB ring in shared
 * memory, from a producer process to this one, with two process-shared POSIX semaphores
 * (free slots, full slots), for about a second. Prints GB/s. The copies are the same as
 * mmf's; what differs is only how the two sides wait for each other.
 *
 * Built with BUSY_WAIT (ring_tuned), both sides poll instead of sleeping: sem_trywait is
 * an atomic operation, and a post with nobody asleep makes no system call. What is left
 * is the copies, every line written on one core and read on the other: the most a ring
 * that copies each message in and out can stream on this machine. */
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"

#define MSG 65536
#define SLOTS 16 /* 16 x 64 KiB = 1 MiB */

#ifdef BUSY_WAIT
#define NAME "stream_64k_ring_busy_wait"
static void wait_for(sem_t *s)
{
    while (sem_trywait(s) < 0)
        continue;
}
#else
#define NAME "stream_64k_ring"
#define wait_for sem_wait
#endif

struct ring {
    sem_t free_, full;
    volatile int stop;
    char slot[SLOTS][MSG] __attribute__((aligned(4096)));
};

int main(void)
{
    static char msg[MSG];
    struct ring *r =
        mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED || sem_init(&r->free_, 1, SLOTS) < 0 || sem_init(&r->full, 1, 0) < 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) { /* the producer */
        memset(msg, 'x', sizeof msg);
        for (long i = 0; !r->stop; i++) {
            wait_for(&r->free_);
            memcpy(r->slot[i % SLOTS], msg, MSG);
            sem_post(&r->full);
        }
        _exit(0);
    }
    long n = 0;
    double t0 = 0, t = 0;
    for (long i = 0;; i++) {
        if (i == 64)
            t0 = now_ns();
        if (i > 64 && (t = now_ns() - t0) > 1e9)
            break;
        wait_for(&r->full);
        memcpy(msg, r->slot[i % SLOTS], MSG);
        sem_post(&r->free_);
        n = i - 64;
    }
    r->stop = 1;
    sem_post(&r->free_);
    waitpid(pid, NULL, 0);
    printf(NAME " %.2f GB/s\n", (double)n * MSG / t);
    return 0;
}
