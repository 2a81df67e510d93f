/* The Win32 string functions: lstr*, CharLower/CharUpper, MultiByteToWideChar,
 * WideCharToMultiByte, IsTextUnicode, and the C runtime's _str* extras. The ANSI code page
 * of mmf is UTF-8 (CP_ACP == CP_UTF8). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

int WINAPI lstrlenA(LPCSTR s)
{
    return s ? (int)strlen(s) : 0;
}

int WINAPI lstrlenW(LPCWSTR s)
{
    return s ? (int)mmf__wcslen(s) : 0;
}

/* Code-unit order, -1, 0 or 1: the C runtime's UTF-16 functions (wcs.c). */
int WINAPI lstrcmpW(LPCWSTR a, LPCWSTR b)
{
    return mmf_wcscmp(a, b);
}

LPWSTR WINAPI lstrcpyW(LPWSTR dst, LPCWSTR src)
{
    return mmf_wcscpy(dst, src);
}

LPWSTR WINAPI lstrcatW(LPWSTR dst, LPCWSTR src)
{
    return mmf_wcscat(dst, src);
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

int WINAPI lstrcmpA(LPCSTR a, LPCSTR b)
{
    int c = strcmp(a, b);
    return (c > 0) - (c < 0);
}

/* Windows compares by its locale's word sort; mmf compares code units folded to lower case
 * (docs/deviations.md), which agrees for letters of one case pattern. */
int WINAPI lstrcmpiA(LPCSTR a, LPCSTR b)
{
    int c = strcasecmp(a, b);
    return (c > 0) - (c < 0);
}

int WINAPI lstrcmpiW(LPCWSTR a, LPCWSTR b)
{
    WCHAR x, y;
    do
        x = mmf__wlower(*a++), y = mmf__wlower(*b++);
    while (x == y && x);
    return (x > y) - (x < y);
}

LPSTR WINAPI lstrcpyA(LPSTR dst, LPCSTR src)
{
    return strcpy(dst, src);
}

LPSTR WINAPI lstrcatA(LPSTR dst, LPCSTR src)
{
    return strcat(dst, src);
}

/* Copies at most n - 1 units and always terminates (n 0: nothing). */
LPSTR WINAPI lstrcpynA(LPSTR dst, LPCSTR src, int n)
{
    int i = 0;
    for (; i + 1 < n && src[i]; i++)
        dst[i] = src[i];
    if (n > 0)
        dst[i] = 0;
    return dst;
}

LPWSTR WINAPI lstrcpynW(LPWSTR dst, LPCWSTR src, int n)
{
    int i = 0;
    for (; i + 1 < n && src[i]; i++)
        dst[i] = src[i];
    if (n > 0)
        dst[i] = 0;
    return dst;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char ascii_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* CharLower/CharUpper: a pointer whose high word is zero carries one character in its low
 * word, converted and given back the same way; otherwise the string is converted in place.
 * The A forms convert ASCII letters only (the ANSI code page is UTF-8). */
static bool one_char(const void *p)
{
    return ((uintptr_t)p >> 16) == 0;
}

static LPWSTR map_case(LPWSTR s, WCHAR (*f)(WCHAR))
{
    if (one_char(s))
        return (LPWSTR)(uintptr_t)f((WCHAR)(uintptr_t)s);
    for (WCHAR *p = s; *p; p++)
        *p = f(*p);
    return s;
}

LPWSTR WINAPI CharLowerW(LPWSTR s)
{
    return map_case(s, mmf__wlower);
}

LPWSTR WINAPI CharUpperW(LPWSTR s)
{
    return map_case(s, mmf__wupper);
}

LPSTR WINAPI CharLowerA(LPSTR s)
{
    if (one_char(s))
        return (LPSTR)(uintptr_t)(unsigned char)ascii_lower((char)(uintptr_t)s);
    return _strlwr(s);
}

LPSTR WINAPI CharUpperA(LPSTR s)
{
    if (one_char(s))
        return (LPSTR)(uintptr_t)(unsigned char)ascii_upper((char)(uintptr_t)s);
    return _strupr(s);
}

char *_strrev(char *s)
{
    for (size_t i = 0, j = strlen(s); j > i + 1; i++, j--) {
        char t = s[i];
        s[i] = s[j - 1];
        s[j - 1] = t;
    }
    return s;
}

char *_strlwr(char *s)
{
    for (char *p = s; *p; p++)
        *p = ascii_lower(*p);
    return s;
}

char *_strupr(char *s)
{
    for (char *p = s; *p; p++)
        *p = ascii_upper(*p);
    return s;
}

int _strnicmp(const char *a, const char *b, size_t n)
{
    return strncasecmp(a, b, n);
}

int _stricmp(const char *a, const char *b)
{
    return strcasecmp(a, b);
}

char *_strdup(const char *s)
{
    return strdup(s);
}

/* --- IsTextUnicode --------------------------------------------------------------------- */

static WCHAR swap16(WCHAR c)
{
    return (WCHAR)(c >> 8 | c << 8);
}

/* Space and the line and tab controls, which text has and binary data rarely does. */
static bool is_control(WCHAR c)
{
    return c == '\r' || c == '\n' || c == '\t' || c == ' ' || c == 0x3000;
}

/* Text varies in its low bytes far more than in its high ones (one script's block). */
static bool statistically_text(const WCHAR *s, size_t n, bool reverse)
{
    unsigned long lo = 0, hi = 0;
    for (size_t i = 1; i < n; i++) {
        WCHAR a = reverse ? swap16(s[i - 1]) : s[i - 1], b = reverse ? swap16(s[i]) : s[i];
        lo += (unsigned long)abs((int)(a & 0xFF) - (int)(b & 0xFF));
        hi += (unsigned long)abs((int)(a >> 8) - (int)(b >> 8));
    }
    return n > 1 && 3 * hi < lo;
}

/* Each test the caller asks for (all of them when it passes NULL) that the buffer passes
 * sets its flag; the text counts as UTF-16 when it has the signature, or passes a Unicode
 * test and none that says otherwise (reversed order, odd length, illegal characters). */
BOOL WINAPI IsTextUnicode(const VOID *buf, int size, LPINT result)
{
    int want = result ? *result : 0xFFFF, got = 0;
    const WCHAR *s = buf;
    size_t n = size > 0 ? (size_t)size / 2 : 0;
    if (size < 2 || !buf) {
        if (result)
            *result = 0;
        return FALSE;
    }
    if (size & 1)
        got |= IS_TEXT_UNICODE_ODD_LENGTH;
    if (s[0] == 0xFEFF)
        got |= IS_TEXT_UNICODE_SIGNATURE;
    if (s[0] == 0xFFFE)
        got |= IS_TEXT_UNICODE_REVERSE_SIGNATURE;
    bool signed_ = got & (IS_TEXT_UNICODE_SIGNATURE | IS_TEXT_UNICODE_REVERSE_SIGNATURE);
    bool ascii = true, rascii = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0 || s[i] > 0xFF)
            ascii = false;
        if (s[i] == 0 || swap16(s[i]) > 0xFF)
            rascii = false;
        if (is_control(s[i]))
            got |= IS_TEXT_UNICODE_CONTROLS;
        if (is_control(swap16(s[i])))
            got |= IS_TEXT_UNICODE_REVERSE_CONTROLS;
        if (s[i] == 0xFFFF || s[i] == 0x0D0A || (i > 0 && s[i] == 0xFFFE))
            got |= IS_TEXT_UNICODE_ILLEGAL_CHARS;
        if ((s[i] & 0xFF) == 0 || (s[i] >> 8) == 0)
            got |= IS_TEXT_UNICODE_NULL_BYTES;
    }
    if (!signed_) {
        got |= ascii ? IS_TEXT_UNICODE_ASCII16 : 0;
        got |= rascii ? IS_TEXT_UNICODE_REVERSE_ASCII16 : 0;
        got |= statistically_text(s, n, false) ? IS_TEXT_UNICODE_STATISTICS : 0;
        got |= statistically_text(s, n, true) ? IS_TEXT_UNICODE_REVERSE_STATISTICS : 0;
    }
    got &= want;
    if (result)
        *result = got;
    if (got & IS_TEXT_UNICODE_SIGNATURE)
        return TRUE;
    if (got & (IS_TEXT_UNICODE_REVERSE_MASK | IS_TEXT_UNICODE_NOT_UNICODE_MASK))
        return FALSE;
    return (got & IS_TEXT_UNICODE_UNICODE_MASK) != 0;
}
