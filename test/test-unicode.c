/* A UNICODE build: the generic names map to the W functions, TCHAR is WCHAR, and L""
 * literals are UTF-16 (natively this file is compiled with -fshort-wchar, as such
 * ported code must be). */
#define UNICODE
#define _UNICODE
#include "test.h"
#include <tchar.h>

TEST(unicode_generic_names)
{
    TCHAR dir[MAX_PATH], path[MAX_PATH];
    DWORD n = GetTempPath(MAX_PATH, dir);
    ASSERT(n > 0 && n < MAX_PATH - 40);
    _tcscpy(path, dir);
    _tcscat(path, L"mmf-test-unicode-\x00e9\x4e2d.bin"); /* é and a CJK character */
    ASSERT_EQ(_tcslen(path), n + 23);
    HANDLE f = CreateFile(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                          FILE_FLAG_DELETE_ON_CLOSE, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    HANDLE m = CreateFileMapping(f, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(m != NULL);
    char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    v[0] = 'u';
    ASSERT(UnmapViewOfFile(v));
    CloseHandle(m);
    CloseHandle(f);
    TCHAR msg[256];
    ASSERT(FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                         ERROR_ACCESS_DENIED, 0, msg, 256, NULL) > 0);
    const WCHAR *t = TEXT("text");
    ASSERT_EQ(lstrlen(t), 4);
    ASSERT(_tcscmp(_T("same"), L"same") == 0);
}
