/* instances: every running copy counts itself in a named section (guarded by a named
 * mutex) and prints how many copies run. The count falls as copies exit, and the section
 * vanishes with the last one. Usage: instances [SECONDS to stay, default: until Enter] */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

static LONG adjust(HANDLE mutex, volatile LONG *count, LONG by)
{
    DWORD r = WaitForSingleObject(mutex, INFINITE);
    if (r != WAIT_OBJECT_0 && r != WAIT_ABANDONED) /* a copy killed while counting */
        exit(1);
    LONG now = (*count += by);
    ReleaseMutex(mutex);
    return now;
}

int main(int argc, char **argv)
{
    HANDLE mutex = CreateMutexA(NULL, FALSE, "mmf-instances-lock");
    HANDLE map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                    "mmf-instances");
    volatile LONG *count = map ? MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!mutex || !count) {
        fprintf(stderr, "instances: error %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    LONG n = adjust(mutex, count, 1);
    printf("instance %lu: %ld cop%s running\n", (unsigned long)GetCurrentProcessId(), (long)n,
           n == 1 ? "y" : "ies");
    fflush(stdout);
    if (argc > 1)
        Sleep((DWORD)(atof(argv[1]) * 1000));
    else
        getchar();
    adjust(mutex, count, -1);
    return 0;
}
