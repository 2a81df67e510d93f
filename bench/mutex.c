/* Mutex acquire+release: uncontended in one thread, and contended by two threads, each
 * for about a second. Prints ns per acquire+release. */
#include "bench.h"

#define SECONDS 1.0

static HANDLE mutex;
static volatile LONG counter, stop;

static DWORD WINAPI contender(LPVOID p)
{
    LONG *mine = p;
    while (!stop) {
        WaitForSingleObject(mutex, INFINITE);
        counter++;
        ReleaseMutex(mutex);
        (*mine)++;
    }
    return 0;
}

int main(void)
{
    mutex = CreateMutexA(NULL, FALSE, NULL);
    if (!mutex)
        die("CreateMutex");
    long n = 0;
    double t0 = now_ns(), t;
    do {
        for (int i = 0; i < 256; i++, n++) {
            WaitForSingleObject(mutex, INFINITE);
            ReleaseMutex(mutex);
        }
    } while ((t = now_ns() - t0) < SECONDS * 1e9);
    report("mutex_uncontended", t / n, "ns");
    HANDLE th[2];
    LONG done[2] = {0, 0};
    t0 = now_ns();
    for (int i = 0; i < 2; i++)
        if (!(th[i] = CreateThread(NULL, 0, contender, &done[i], 0, NULL)))
            die("CreateThread");
    Sleep((DWORD)(SECONDS * 1000));
    stop = 1;
    WaitForMultipleObjects(2, th, TRUE, INFINITE);
    t = now_ns() - t0;
    if (counter != done[0] + done[1])
        die("lost updates");
    report("mutex_contended_2_threads", t / counter, "ns");
    return 0;
}
