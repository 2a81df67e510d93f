/* The POSIX floor of bench/scale.c's throughput rows: 1, 2, 4, 8 and 16 processes at
 * once for about a second each, all together, in operations per second: create cycles on
 * names of their own (shm_open O_CREAT|O_EXCL + ftruncate 64 KiB + close + shm_unlink,
 * what a create and close of a new name comes down to), and shm_open + close of a name
 * another process made, one name for all or one each. Prints kops/s. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"

#define MAX_PROCS 16

struct control {
    volatile int start, stop;
    volatile long ops[MAX_PROCS];
};

static bool cycle(const char *name, bool create)
{
    int fd = create ? shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600)
                    : shm_open(name, O_RDONLY, 0);
    if (fd < 0 || (create && ftruncate(fd, 65536) < 0))
        return false;
    close(fd);
    return !create || shm_unlink(name) == 0;
}

static void worker(struct control *c, int i, const char *name, bool create)
{
    long n = 0;
    while (!c->start)
        usleep(100);
    while (!c->stop)
        for (int k = 0; k < 16; k++, n++)
            if (!cycle(name, create)) {
                perror(name);
                _exit(1);
            }
    c->ops[i] = n;
    _exit(0);
}

static void name_of(char *buf, size_t cap, int i, bool create, bool one)
{
    snprintf(buf, cap, "/mmf-floor-scale-%d-%c%d", (int)getpid(), create ? 'c' : 'o',
             one ? 0 : i);
}

static int throughput(struct control *c, int procs, bool create, bool one)
{
    char name[80];
    pid_t w[MAX_PROCS];
    c->start = c->stop = 0;
    for (int i = 0; i < procs; i++) {
        name_of(name, sizeof name, i, create, one);
        int fd = create ? 0 : shm_open(name, O_RDWR | O_CREAT, 0600); /* the held name */
        if (fd < 0)
            return 1;
        if (!create)
            close(fd);
        if ((w[i] = fork()) == 0)
            worker(c, i, name, create);
    }
    usleep(100000);
    double t0 = now_ns();
    c->start = 1;
    usleep(1000000);
    c->stop = 1;
    double t = now_ns() - t0;
    long total = 0;
    int failed = 0, st;
    for (int i = 0; i < procs; i++) {
        failed |= waitpid(w[i], &st, 0) != w[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
        total += c->ops[i];
    }
    for (int i = 0; i < procs && !create; i++) { /* once every worker is done with them */
        name_of(name, sizeof name, i, create, one);
        shm_unlink(name);
    }
    if (failed)
        return 1;
    printf("%s_%dprocs_%s %.4g kops/s\n", create ? "create_cycle" : "open_close", procs,
           one ? "one_name" : "own_names", total / (t / 1e9) / 1000);
    return 0;
}

int main(void)
{
    struct control *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return 1;
    for (int procs = 1; procs <= MAX_PROCS; procs *= 2)
        if (throughput(c, procs, true, false) || throughput(c, procs, false, true) ||
            throughput(c, procs, false, false))
            return 1;
    return 0;
}
