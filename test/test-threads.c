/* Handles, views and private regions used from several threads at once. */
#include "test.h"

#define THREADS 4
#define ROUNDS 300

static HANDLE shared_section;
static volatile LONG *counters; /* one slot per thread, in a view of shared_section */

static void churn(int index)
{
    for (int round = 0; round < ROUNDS; round++) {
        /* A view of the shared section: write this thread's slot through it. */
        LONG *v = MapViewOfFile(shared_section, FILE_MAP_WRITE, 0, 0, 0);
        ASSERT(v != NULL);
        v[index * 16] += 1;
        MEMORY_BASIC_INFORMATION mbi;
        ASSERT(VirtualQuery(v + 100, &mbi, sizeof mbi) == sizeof mbi);
        ASSERT(mbi.AllocationBase == v && mbi.Type == MEM_MAPPED);
        /* A section and a private region of this thread's own. */
        HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 8192, NULL);
        ASSERT(m != NULL);
        char *p = VirtualAlloc(NULL, 65536, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        ASSERT(p != NULL);
        p[65535] = (char)index;
        ASSERT(VirtualFree(p, 0, MEM_RELEASE));
        ASSERT(CloseHandle(m));
        ASSERT(UnmapViewOfFile(v + 7));
    }
}

TEST(threads_share_handles_and_views)
{
    shared_section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, NULL);
    ASSERT(shared_section != NULL);
    counters = MapViewOfFile(shared_section, FILE_MAP_READ, 0, 0, 0);
    ASSERT(counters != NULL);
    run_threads(THREADS, churn);
    for (int i = 0; i < THREADS; i++)
        ASSERT_EQ(counters[i * 16], ROUNDS);
    ASSERT(UnmapViewOfFile((void *)counters));
    ASSERT(CloseHandle(shared_section));
}

/* Handles closed while other threads use them: each use either works on the object or
 * fails with ERROR_INVALID_HANDLE (a value given out again is a new event's), and the
 * close waits for the uses already begun; under the sanitizers, an object freed under a
 * user shows. Waits on eight handles hold more pins than a thread keeps at hand. */
#define EVENTS 8
static PVOID volatile in_use[EVENTS]; /* read and written with Interlocked calls only */
static volatile LONG closing_done;

static void use_or_invalid(BOOL ok)
{
    ASSERT(ok || GetLastError() == ERROR_INVALID_HANDLE);
}

static void close_while_used(int index)
{
    if (index == 0) {
        for (int round = 0; round < ROUNDS * 4; round++) {
            HANDLE h[EVENTS];
            for (int i = 0; i < EVENTS; i++) {
                ASSERT((h[i] = CreateEventA(NULL, FALSE, FALSE, NULL)) != NULL);
                InterlockedExchangePointer(&in_use[i], h[i]);
            }
            for (volatile int spin = 0; spin < 2000; spin++)
                ;
            for (int i = 0; i < EVENTS; i++)
                ASSERT(CloseHandle(h[i]));
        }
        InterlockedExchange(&closing_done, 1);
        return;
    }
    while (!InterlockedOr(&closing_done, 0)) {
        HANDLE h[EVENTS];
        DWORD flags;
        for (int i = 0; i < EVENTS; i++)
            h[i] = InterlockedCompareExchangePointer(&in_use[i], NULL, NULL);
        use_or_invalid(SetEvent(h[index % EVENTS]));
        DWORD r = WaitForSingleObject(h[index % EVENTS], 0);
        use_or_invalid(r != WAIT_FAILED);
        r = WaitForMultipleObjects(EVENTS, h, FALSE, 0);
        use_or_invalid(r != WAIT_FAILED);
        ASSERT(r == WAIT_FAILED || r == WAIT_TIMEOUT || r < WAIT_OBJECT_0 + EVENTS);
        use_or_invalid(GetHandleInformation(h[0], &flags));
    }
}

TEST(handles_closed_while_other_threads_use_them)
{
    run_threads(THREADS, close_while_used);
}
