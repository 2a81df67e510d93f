/* The life of a named section: CreateFileMapping(name, 64 KiB) + MapViewOfFile + touch
 * every page + UnmapViewOfFile + CloseHandle (the name goes with it). Then OpenFileMapping +
 * CloseHandle of a name that another process holds. Prints ns per cycle. */
#include "bench.h"

#define SIZE 65536

static void touch(volatile char *p)
{
    for (int i = 0; i < SIZE; i += 4096)
        p[i] = 1;
}

int main(int argc, char **argv)
{
    char name[64];
    if (argc == 2) { /* the holder: keeps the name alive until its stop byte is set */
        HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SIZE,
                                      argv[1]);
        volatile char *p = m ? MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
        if (!p)
            die("holder");
        p[1] = 1; /* ready */
        while (!p[0])
            Sleep(1);
        return 0;
    }
    snprintf(name, sizeof name, "mmf-bench-cycle-%lu", (unsigned long)GetCurrentProcessId());
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 16; i++, n++) {
            HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SIZE,
                                          name);
            void *v = m ? MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
            if (!v)
                die("create cycle");
            touch(v);
            UnmapViewOfFile(v);
            CloseHandle(m);
        }
    } while ((t = now_ns() - t0) < 1e9);
    report("named_create_cycle", t / n, "ns");

    snprintf(name, sizeof name, "mmf-bench-held-%lu", (unsigned long)GetCurrentProcessId());
    intptr_t child = spawn_self(argv[0], name);
    HANDLE h = NULL;
    while (!(h = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name)))
        Sleep(1);
    volatile char *ctl = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    while (!ctl[1])
        Sleep(1);
    CloseHandle(h); /* only the child holds it now: every open takes a lease of its own */
    n = 0;
    t0 = now_ns();
    do {
        for (int i = 0; i < 64; i++, n++) {
            HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
            if (!o)
                die("open");
            CloseHandle(o);
        }
    } while ((t = now_ns() - t0) < 1e9);
    report("open_close_existing", t / n, "ns");
    ctl[0] = 1;
    join_self(child);
    return 0;
}
