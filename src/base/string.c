/* The Win32 string functions: lstr*, MultiByteToWideChar, WideCharToMultiByte. The ANSI
 * code page of mmf is UTF-8 (CP_ACP == CP_UTF8). */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int WINAPI lstrlenA(LPCSTR s)
{
    return s ? (int)strlen(s) : 0;
}

int WINAPI lstrlenW(LPCWSTR s)
{
    return s ? (int)mmf__wcslen(s) : 0;
}

int WINAPI lstrcmpW(LPCWSTR a, LPCWSTR b)
{
    while (*a && *a == *b)
        a++, b++;
    return (*a > *b) - (*a < *b);
}

LPWSTR WINAPI lstrcpyW(LPWSTR dst, LPCWSTR src)
{
    return memcpy(dst, src, (mmf__wcslen(src) + 1) * sizeof(WCHAR));
}

LPWSTR WINAPI lstrcatW(LPWSTR dst, LPCWSTR src)
{
    lstrcpyW(dst + mmf__wcslen(dst), src);
    return dst;
}

static bool is_utf8_codepage(UINT cp)
{
    return cp == CP_ACP || cp == CP_OEMCP || cp == CP_UTF8;
}

/* Copies a converted string out with MultiByteToWideChar's size rules: a size of 0 asks
 * only for the length; the count includes the terminator when the input had one. */
static int copy_out(const void *src, size_t units, size_t unit, void *dst, int cap)
{
    if (units > INT32_MAX)
        return MMF__W(ERROR_ARITHMETIC_OVERFLOW);
    if (cap == 0)
        return (int)units;
    if ((size_t)cap < units)
        return MMF__W(ERROR_INSUFFICIENT_BUFFER);
    memcpy(dst, src, units * unit);
    return (int)units;
}

int WINAPI MultiByteToWideChar(UINT cp, DWORD flags, LPCSTR s, int n, LPWSTR out, int cap)
{
    WCHAR *w;
    size_t wn;
    int st;
    (void)flags;
    if (!is_utf8_codepage(cp) || !s || n == 0 || n < -1 || cap < 0 || (cap && !out))
        st = MMF__W(ERROR_INVALID_PARAMETER);
    else if ((st = mmf__utf8_to_utf16(s, n < 0 ? strlen(s) + 1 : (size_t)n, &w, &wn)) == 0) {
        st = copy_out(w, wn, sizeof *w, out, cap);
        free(w);
    }
    if (st < 0)
        return mmf__fail(st), 0;
    return st;
}

int WINAPI WideCharToMultiByte(UINT cp, DWORD flags, LPCWSTR s, int n, LPSTR out, int cap,
                               LPCSTR defchar, LPBOOL used_default)
{
    char *u;
    size_t un;
    int st;
    (void)flags;
    /* For UTF-8 Windows requires the default-character arguments to be NULL. */
    if (!is_utf8_codepage(cp) || !s || n == 0 || n < -1 || cap < 0 || (cap && !out) ||
        defchar || used_default)
        st = MMF__W(ERROR_INVALID_PARAMETER);
    else if ((st = mmf__utf16_to_utf8(s, n < 0 ? mmf__wcslen(s) + 1 : (size_t)n, &u, &un)) ==
             0) {
        st = copy_out(u, un, 1, out, cap);
        free(u);
    }
    if (st < 0)
        return mmf__fail(st), 0;
    return st;
}
