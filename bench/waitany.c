/* WaitForMultipleObjects over 1, 8 and 64 auto-reset events, the last one signaled (by
 * this same thread, so this is the cost of the wait itself). Prints ns per wait. */
#include "bench.h"

static void measure(HANDLE *ev, DWORD count)
{
    char name[64];
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 256; i++, n++) {
            SetEvent(ev[count - 1]);
            if (WaitForMultipleObjects(count, ev, FALSE, INFINITE) != WAIT_OBJECT_0 + count - 1)
                die("wait-any");
        }
    } while ((t = now_ns() - t0) < 1e9);
    snprintf(name, sizeof name, "wait_any_%lu_last_signaled", (unsigned long)count);
    report(name, t / n, "ns");
}

int main(void)
{
    HANDLE ev[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        if (!(ev[i] = CreateEventA(NULL, FALSE, FALSE, NULL)))
            die("CreateEvent");
    measure(ev, 1);
    measure(ev, 8);
    measure(ev, MAXIMUM_WAIT_OBJECTS);
    return 0;
}
