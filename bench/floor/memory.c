/* Memory floors: single-core memcpy bandwidth of 64 KiB blocks out of a 1 MiB buffer
 * (stream_64k_ring), and first-touch faults on a fresh 1 GiB shared anonymous mapping
 * (first_touch_faults). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "floor.h"

#define MSG 65536
#define SLOTS 16

int main(void)
{
    static char ring[SLOTS][MSG], msg[MSG];
    memset(ring, 'x', sizeof ring);
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 256; i++, n++) {
            memcpy(msg, ring[n % SLOTS], MSG);
            __asm__ __volatile__("" ::"r"(msg) : "memory"); /* the copy is used */
        }
    } while ((t = now_ns() - t0) < 1e9);
    printf("stream_64k_ring %.4g GB/s\n", (double)n * MSG / t);
    size_t size = 1ull << 30;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    t0 = now_ns();
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    printf("first_touch_faults %.4g Mfaults/s\n", (size / 4096) / ((now_ns() - t0) / 1e9) / 1e6);
    return 0;
}
