/* <windows.h> coexists with the C and POSIX headers, included before it (this file) and
 * after it (test-headers-after.c), as ported code mixes them. Native only: the POSIX
 * half has no meaning for a mingw build, where the check is skipped. */
#ifndef _WIN32
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#endif
#include "test.h"

#ifndef _WIN32
static void *other_thread(void *arg)
{
    (void)arg;
    SetLastError(77);
    return (void *)(uintptr_t)GetLastError();
}
#endif

TEST(headers_before_windows_h)
{
#ifndef _WIN32
    /* The last error is per thread. */
    pthread_t t;
    void *r;
    SetLastError(5);
    ASSERT(pthread_create(&t, NULL, other_thread, NULL) == 0);
    ASSERT(pthread_join(t, &r) == 0);
    ASSERT_EQ((uintptr_t)r, 77);
    ASSERT_EQ(GetLastError(), 5);
    void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT(p != MAP_FAILED);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(p, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(mbi.Protect, PAGE_READONLY);
    munmap(p, 4096);
#endif
}
