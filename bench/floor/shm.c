/* POSIX floors for named objects: shm_open + ftruncate + mmap + touch + munmap + close +
 * shm_unlink (named_create_cycle), and shm_open + close of an existing name
 * (open_close_existing). Prints ns per cycle. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"

#define SIZE 65536

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/mmf-floor-%d", (int)getpid());
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 16; i++, n++) {
            int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
            if (fd < 0 || ftruncate(fd, SIZE) < 0)
                return 1;
            volatile char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (p == MAP_FAILED)
                return 1;
            for (int k = 0; k < SIZE; k += 4096)
                p[k] = 1;
            munmap((void *)p, SIZE);
            close(fd);
            shm_unlink(name);
        }
    } while ((t = now_ns() - t0) < 1e9);
    printf("named_create_cycle %.1f ns\n", t / n);
    int keep = shm_open(name, O_RDWR | O_CREAT, 0600);
    n = 0;
    t0 = now_ns();
    do {
        for (int i = 0; i < 64; i++, n++) {
            int fd = shm_open(name, O_RDONLY, 0);
            if (fd < 0)
                return 1;
            close(fd);
        }
    } while ((t = now_ns() - t0) < 1e9);
    printf("open_close_existing %.1f ns\n", t / n);
    close(keep);
    shm_unlink(name);
    return 0;
}
