/* A library with a shared variable, for test-shared.c: built as mmfprobe.so against mmf
 * (MMF_SHARED) and as mmfprobe.dll with mingw-w64 (a section marked shared), next to the
 * runner, which loads it with LoadLibrary. */
#include <windows.h>

#ifndef MMF_SHARED
#define MMF_SHARED __attribute__((section(".shared"), shared))
#endif

LONG probe_bump(void);

static volatile LONG count MMF_SHARED = 100;

/* One more; the count after it. */
LONG probe_bump(void)
{
    return InterlockedIncrement(&count);
}
