/* Seed 004's Windows CE way: CreateFileForMapping, names written L"abc" (UNICODE, with
 * -fshort-wchar), a named section over the file, a second handle by the same name. */
#define UNICODE
#define _UNICODE
#include <windows.h>
#include <stdio.h>

int main(void)
{
    WCHAR path[MAX_PATH];
    if (!GetTempPath(MAX_PATH, path))
        return 1;
    lstrcat(path, L"mmf-seed-wince.dat");
    HANDLE f = CreateFileForMapping(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return 2;
    HANDLE m = CreateFileMapping(f, NULL, PAGE_READWRITE, 0, 4096, L"abc");
    if (!m || GetLastError() == ERROR_ALREADY_EXISTS)
        return 3;
    char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!v)
        return 4;
    lstrcpyA(v, "through abc");
    HANDLE again = OpenFileMapping(FILE_MAP_READ, FALSE, L"abc");
    char *w = again ? MapViewOfFile(again, FILE_MAP_READ, 0, 0, 0) : NULL;
    if (!w || lstrcmpA(w, "through abc") != 0)
        return 5;
    UnmapViewOfFile(w);
    UnmapViewOfFile(v);
    CloseHandle(again);
    CloseHandle(m);
    CloseHandle(f);
    DeleteFile(path);
    printf("ok\n");
    return 0;
}
