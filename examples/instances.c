/* instances: seed 002's instance counter. A variable in a shared section is one variable
 * for every running copy of this program: each copy adds itself on start and takes
 * itself away on exit, and prints how many copies run. Nothing is named by hand: built
 * against mmf the variable is MMF_SHARED (from <windows.h>); built for Windows it is in a
 * section marked shared, as #pragma data_seg("Shared") with /SECTION:Shared,RWS makes it.
 * When the last copy is gone (killed ones included), the next starts from 0 again.
 * Usage: instances [SECONDS to stay, default: until Enter] */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#ifndef MMF_SHARED /* a Windows compiler: mingw-w64's attribute for a shared section */
#define MMF_SHARED __attribute__((section(".shared"), shared))
#endif

static volatile LONG copies MMF_SHARED = 0;

int main(int argc, char **argv)
{
    LONG n = InterlockedIncrement(&copies);
    printf("instance %lu: %ld cop%s running\n", (unsigned long)GetCurrentProcessId(), (long)n,
           n == 1 ? "y" : "ies");
    fflush(stdout);
    if (argc > 1)
        Sleep((DWORD)(atof(argv[1]) * 1000));
    else
        getchar();
    InterlockedDecrement(&copies);
    return 0;
}
