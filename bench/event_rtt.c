/* Event round trip between two processes: SetEvent -> the other side's
 * WaitForSingleObject -> SetEvent back, for about a second. Prints ns per round trip. */
#include "bench.h"

#define SECONDS 1.0

struct shared {
    volatile LONG stop;
};

static HANDLE make(const char *base, const char *what, BOOL create)
{
    char n[96];
    snprintf(n, sizeof n, "%s-%s", base, what);
    HANDLE h = create ? CreateEventA(NULL, FALSE, FALSE, n) : OpenEventA(EVENT_ALL_ACCESS, FALSE, n);
    if (!h)
        die("create/open event");
    return h;
}

static struct shared *map_shared(const char *base, BOOL create)
{
    char n[96];
    snprintf(n, sizeof n, "%s-map", base);
    HANDLE m = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, n)
                      : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, n);
    struct shared *s = m ? MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
    if (!s)
        die("shared section");
    return s;
}

int main(int argc, char **argv)
{
    if (argc == 2) { /* the child: answers every ping until told to stop */
        HANDLE ping = make(argv[1], "ping", FALSE), pong = make(argv[1], "pong", FALSE);
        struct shared *s = map_shared(argv[1], FALSE);
        for (;;) {
            if (WaitForSingleObject(ping, INFINITE) != WAIT_OBJECT_0)
                die("child wait");
            if (s->stop)
                return 0;
            SetEvent(pong);
        }
    }
    char base[32];
    snprintf(base, sizeof base, "mmf-bench-rtt-%lu", (unsigned long)GetCurrentProcessId());
    HANDLE ping = make(base, "ping", TRUE), pong = make(base, "pong", TRUE);
    struct shared *s = map_shared(base, TRUE);
    intptr_t child = spawn_self(argv[0], base);
    long rounds = 0;
    double t0 = 0, t = 0;
    for (long i = 0;; i++) {
        if (i == 1000) /* settled */
            t0 = now_ns();
        if (i > 1000 && (i & 255) == 0 && (t = now_ns() - t0) > SECONDS * 1e9)
            break;
        SetEvent(ping);
        if (WaitForSingleObject(pong, INFINITE) != WAIT_OBJECT_0)
            die("wait");
        rounds = i - 1000;
    }
    s->stop = 1;
    SetEvent(ping);
    if (join_self(child) != 0)
        die("child");
    report("event_round_trip", t / rounds, "ns");
    return 0;
}
