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

#include <wchar.h> /* after <windows.h>: its functions still work on UTF-16 units */

TEST(wide_c_string_functions)
{
    wchar_t buf[32];
    ASSERT_EQ(sizeof(wchar_t), 2); /* -fshort-wchar natively, as on Windows */
    ASSERT_EQ(wcslen(L"abc\x4e2d"), 4);
    ASSERT(wcscpy(buf, L"Hello") == buf && wcscat(buf, L", w\x00e9") == buf);
    ASSERT_EQ(wcslen(buf), 9);
    ASSERT(wcscmp(buf, L"Hello, w\x00e9") == 0 && wcscmp(L"a", L"b") < 0);
    ASSERT(wcsncmp(buf, L"Help", 3) == 0 && wcsncmp(buf, L"Help", 4) < 0);
    ASSERT(wcschr(buf, L',') == buf + 5 && wcsrchr(buf, L'l') == buf + 3);
    ASSERT(wcschr(buf, L'q') == NULL && wcsstr(buf, L"lo,") == buf + 3);
    ASSERT_EQ(wcsspn(L"aabbc", L"ab"), 4);
    ASSERT_EQ(wcscspn(L"xyz,", L",;"), 3);
    ASSERT(wcsncpy(buf, L"ab", 4) == buf && buf[2] == 0 && buf[3] == 0);
    wchar_t *d = wcsdup(L"dup");
    ASSERT(d && wcscmp(d, L"dup") == 0);
    free(d);
    wchar_t *end;
    ASSERT_EQ(wcstol(L"-42rest", &end, 10), -42);
    ASSERT(wcscmp(end, L"rest") == 0);
    ASSERT_EQ(wcstoul(L"ff", NULL, 16), 255);
    ASSERT(wmemset(buf, L'z', 3) == buf && wmemcmp(buf, L"zzz", 3) == 0);
    ASSERT(wmemchr(buf, L'z', 3) == buf);
    /* Microsoft's own, and the generic-text names over them. */
    ASSERT_EQ(_wcsicmp(L"ABC", L"abc"), 0); /* ASCII only, in the "C" locale */
    ASSERT(_wcsicmp(L"\x00c9t\x00c9", L"\x00e9T\x00e9") < 0);
    ASSERT(_wcsnicmp(L"ABCx", L"abcy", 3) == 0 && _wcsnicmp(L"ABCx", L"abcy", 4) < 0);
    TCHAR rev[] = _T("ab\x4e2d");
    ASSERT(_tcsrev(rev) == rev && rev[0] == 0x4e2d && rev[2] == 'a');
    TCHAR up[] = _T("up");
    ASSERT(_tcsicmp(_tcsupr(up), _T("UP")) == 0 && up[0] == 'U');
}
