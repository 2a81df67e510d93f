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
