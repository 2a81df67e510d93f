/* Streaming 64 KiB messages through a 1 MiB ring in a named section, with two named
 * semaphores (free slots, full slots), from a producer process to this one, for about a
 * second. Prints GB/s. */
#include "bench.h"

#define MSG 65536
#define SLOTS 16 /* 16 x 64 KiB = 1 MiB */

struct ring {
    volatile LONG stop;
    char pad[4092];
    char slot[SLOTS][MSG];
};

static void names(const char *base, char *map, char *free_, char *full)
{
    sprintf(map, "%s-ring", base);
    sprintf(free_, "%s-free", base);
    sprintf(full, "%s-full", base);
}

int main(int argc, char **argv)
{
    char base[48], map[64], fre[64], full[64];
    static char msg[MSG];
    if (argc == 2) { /* the producer */
        names(argv[1], map, fre, full);
        HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, map);
        HANDLE hf = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, fre);
        HANDLE hu = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, full);
        struct ring *r = m ? MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
        if (!r || !hf || !hu)
            die("producer");
        memset(msg, 'x', sizeof msg);
        for (long i = 0; !r->stop; i++) {
            if (WaitForSingleObject(hf, 1000) != WAIT_OBJECT_0)
                continue;
            memcpy(r->slot[i % SLOTS], msg, MSG);
            ReleaseSemaphore(hu, 1, NULL);
        }
        return 0;
    }
    snprintf(base, sizeof base, "mmf-bench-ring-%lu", (unsigned long)GetCurrentProcessId());
    names(base, map, fre, full);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                  sizeof(struct ring), map);
    HANDLE hf = CreateSemaphoreA(NULL, SLOTS, SLOTS, fre);
    HANDLE hu = CreateSemaphoreA(NULL, 0, SLOTS, full);
    struct ring *r = m ? MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
    if (!r || !hf || !hu)
        die("ring");
    intptr_t child = spawn_self(argv[0], base);
    long n = 0;
    double t0 = 0, t = 0;
    for (long i = 0;; i++) {
        if (i == 64)
            t0 = now_ns();
        if (i > 64 && (t = now_ns() - t0) > 1e9)
            break;
        if (WaitForSingleObject(hu, INFINITE) != WAIT_OBJECT_0)
            die("consume");
        memcpy(msg, r->slot[i % SLOTS], MSG);
        ReleaseSemaphore(hf, 1, NULL);
        n = i - 64;
    }
    r->stop = 1;
    ReleaseSemaphore(hf, 1, NULL);
    join_self(child);
    report("stream_64k_ring", (double)n * MSG / t, "GB/s");
    return 0;
}
