/* See test-headers.c: here <windows.h> comes first. */
#include "test.h"
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

TEST(headers_after_windows_h)
{
#ifndef _WIN32
    ASSERT_EQ((DWORD)getpid(), GetCurrentProcessId());
    ASSERT_EQ(sysconf(_SC_PAGESIZE), 4096);
#endif
}
