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

/* musl's wchar_t is int even under -fshort-wchar, so there the test reaches the same
 * UTF-16 functions by mmf's names, on WCHAR. */
#if defined(_WIN32) || defined(__GLIBC__)
typedef wchar_t wch;
#define W_(s) L##s
#else
typedef WCHAR wch;
#define W_(s) u##s
#define wcslen mmf_wcslen
#define wcscpy mmf_wcscpy
#define wcscat mmf_wcscat
#define wcscmp mmf_wcscmp
#define wcsncmp mmf_wcsncmp
#define wcschr mmf_wcschr
#define wcsrchr mmf_wcsrchr
#define wcsstr mmf_wcsstr
#define wcsspn mmf_wcsspn
#define wcscspn mmf_wcscspn
#define wcsncpy mmf_wcsncpy
#define wcsdup mmf_wcsdup
#define wcstol mmf_wcstol
#define wcstoul mmf_wcstoul
#define wmemset mmf_wmemset
#define wmemcmp mmf_wmemcmp
#define wmemchr mmf_wmemchr
#endif

TEST(wide_c_string_functions)
{
    wch buf[32];
    ASSERT_EQ(sizeof(wch), 2); /* -fshort-wchar natively, as on Windows */
    ASSERT_EQ(wcslen(W_("abc\x4e2d")), 4);
    ASSERT(wcscpy(buf, W_("Hello")) == buf && wcscat(buf, W_(", w\x00e9")) == buf);
    ASSERT_EQ(wcslen(buf), 9);
    ASSERT(wcscmp(buf, W_("Hello, w\x00e9")) == 0 && wcscmp(W_("a"), W_("b")) < 0);
    ASSERT(wcsncmp(buf, W_("Help"), 3) == 0 && wcsncmp(buf, W_("Help"), 4) < 0);
    ASSERT(wcschr(buf, (wch)',') == buf + 5 && wcsrchr(buf, (wch)'l') == buf + 3);
    ASSERT(wcschr(buf, (wch)'q') == NULL && wcsstr(buf, W_("lo,")) == buf + 3);
    ASSERT_EQ(wcsspn(W_("aabbc"), W_("ab")), 4);
    ASSERT_EQ(wcscspn(W_("xyz,"), W_(",;")), 3);
    ASSERT(wcsncpy(buf, W_("ab"), 4) == buf && buf[2] == 0 && buf[3] == 0);
    wch *d = wcsdup(W_("dup"));
    ASSERT(d && wcscmp(d, W_("dup")) == 0);
    free(d);
    wch *end;
    ASSERT_EQ(wcstol(W_("-42rest"), &end, 10), -42);
    ASSERT(wcscmp(end, W_("rest")) == 0);
    ASSERT_EQ(wcstoul(W_("ff"), NULL, 16), 255);
    ASSERT(wmemset(buf, (wch)'z', 3) == buf && wmemcmp(buf, W_("zzz"), 3) == 0);
    ASSERT(wmemchr(buf, (wch)'z', 3) == buf);
    /* Microsoft's own, and the generic-text names over them. */
    ASSERT_EQ(_wcsicmp(W_("ABC"), W_("abc")), 0); /* ASCII only, in the "C" locale */
    ASSERT(_wcsicmp(W_("\x00c9t\x00c9"), W_("\x00e9T\x00e9")) < 0);
    ASSERT(_wcsnicmp(W_("ABCx"), W_("abcy"), 3) == 0 && _wcsnicmp(W_("ABCx"), W_("abcy"), 4) < 0);
    TCHAR rev[] = _T("ab\x4e2d");
    ASSERT(_tcsrev(rev) == rev && rev[0] == 0x4e2d && rev[2] == 'a');
    TCHAR up[] = _T("up");
    ASSERT(_tcsicmp(_tcsupr(up), _T("UP")) == 0 && up[0] == 'U');
}
