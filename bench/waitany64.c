/* WaitForMultipleObjects over 64 auto-reset events, the last one signaled (by this same
 * thread, so this is the cost of the wait itself). Prints ns per wait. */
#include "bench.h"

int main(void)
{
    HANDLE ev[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++)
        if (!(ev[i] = CreateEventA(NULL, FALSE, FALSE, NULL)))
            die("CreateEvent");
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 256; i++, n++) {
            SetEvent(ev[MAXIMUM_WAIT_OBJECTS - 1]);
            if (WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, ev, FALSE, INFINITE) !=
                WAIT_OBJECT_0 + MAXIMUM_WAIT_OBJECTS - 1)
                die("wait-any");
        }
    } while ((t = now_ns() - t0) < 1e9);
    report("wait_any_64_last_signaled", t / n, "ns");
    return 0;
}
