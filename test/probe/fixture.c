/* An image for the SEC_IMAGE tests, built with mingw-w64 as a PE32+ and a PE32 DLL
 * (fixture64.dll, fixture32.dll, next to the runner): code, read-only data, data, zeroed
 * data, a shared section and base relocations, as a linker lays them out. */
#include <windows.h>

__attribute__((section(".shared"), shared)) volatile LONG fixture_shared = 7;
const char fixture_text[] = "read-only data";
char fixture_data[64] = "writable data";
char fixture_zeroed[8192];
char *fixture_pointer = fixture_data; /* an address: a base relocation */

__declspec(dllexport) int fixture_code(int x)
{
    return x * 3 + fixture_data[0] + fixture_zeroed[x & 4095];
}
