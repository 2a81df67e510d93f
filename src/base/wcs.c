/* The C library's wide string functions on UTF-16 units, for programs built with
 * -fshort-wchar (L"" literals as WCHAR): glibc's and musl's take 32-bit wchar_t, so
 * <windows.h> renames the standard ones to these (mmf_wcslen…) when wchar_t is 16 bits,
 * and declares the Microsoft ones (_wcsicmp…) on WCHAR always. The C runtime's case
 * functions fold ASCII letters only, as Microsoft's do in the "C" locale a program starts
 * in; the Win32 ones (CharLowerW, lstrcmpiW) use Unicode's simple mappings (mmf__wlower). */
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "base/base.h"

typedef WCHAR W;

static locale_t unicode;
static pthread_once_t unicode_once = PTHREAD_ONCE_INIT;

static void make_locale(void)
{
    unicode = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Surrogates and units whose mapping leaves the BMP stay as they are. */
W mmf__wlower(W c)
{
    pthread_once(&unicode_once, make_locale);
    wint_t r = unicode ? towlower_l(c, unicode) : towlower(c);
    return r <= 0xFFFF && (c < 0xD800 || c > 0xDFFF) ? (W)r : c;
}

W mmf__wupper(W c)
{
    pthread_once(&unicode_once, make_locale);
    wint_t r = unicode ? towupper_l(c, unicode) : towupper(c);
    return r <= 0xFFFF && (c < 0xD800 || c > 0xDFFF) ? (W)r : c;
}

MMF_API size_t mmf_wcslen(const W *s)
{
    return mmf__wcslen(s);
}

MMF_API size_t mmf_wcsnlen(const W *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i])
        i++;
    return i;
}

MMF_API W *mmf_wcscpy(W *d, const W *s)
{
    return memcpy(d, s, (mmf__wcslen(s) + 1) * sizeof *s);
}

MMF_API W *mmf_wcsncpy(W *d, const W *s, size_t n)
{
    size_t k = mmf_wcsnlen(s, n);
    memcpy(d, s, k * sizeof *s);
    for (size_t i = k; i < n; i++)
        d[i] = 0;
    return d;
}

MMF_API W *mmf_wcscat(W *d, const W *s)
{
    mmf_wcscpy(d + mmf__wcslen(d), s);
    return d;
}

MMF_API W *mmf_wcsncat(W *d, const W *s, size_t n)
{
    W *e = d + mmf__wcslen(d);
    size_t k = mmf_wcsnlen(s, n);
    memcpy(e, s, k * sizeof *s);
    e[k] = 0;
    return d;
}

/* -1, 0 or 1, as lstrcmpW gives it too. */
MMF_API int mmf_wcsncmp(const W *a, const W *b, size_t n)
{
    for (; n; n--, a++, b++)
        if (*a != *b || !*a)
            return (*a > *b) - (*a < *b);
    return 0;
}

MMF_API int mmf_wcscmp(const W *a, const W *b)
{
    return mmf_wcsncmp(a, b, SIZE_MAX);
}

MMF_API W *mmf_wcschr(const W *s, W c)
{
    for (;; s++) {
        if (*s == c)
            return (W *)s;
        if (!*s)
            return NULL;
    }
}

MMF_API W *mmf_wcsrchr(const W *s, W c)
{
    const W *last = NULL;
    for (;; s++) {
        if (*s == c)
            last = s;
        if (!*s)
            return (W *)last;
    }
}

MMF_API W *mmf_wcsstr(const W *h, const W *n)
{
    size_t k = mmf__wcslen(n);
    for (; *h; h++)
        if (memcmp(h, n, k * sizeof *n) == 0)
            return (W *)h;
    return k ? NULL : (W *)h;
}

/* The length of s's prefix made of units in `set` (accept) or not in it. */
static size_t span(const W *s, const W *set, bool accept)
{
    size_t i = 0;
    while (s[i] && (mmf_wcschr(set, s[i]) != NULL) == accept)
        i++;
    return i;
}

MMF_API size_t mmf_wcsspn(const W *s, const W *set)
{
    return span(s, set, true);
}

MMF_API size_t mmf_wcscspn(const W *s, const W *set)
{
    return span(s, set, false);
}

MMF_API W *mmf_wcspbrk(const W *s, const W *set)
{
    s += span(s, set, false);
    return *s ? (W *)s : NULL;
}

MMF_API W *mmf_wcsdup(const W *s)
{
    size_t n = (mmf__wcslen(s) + 1) * sizeof *s;
    W *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

MMF_API W *mmf_wmemcpy(W *d, const W *s, size_t n)
{
    return memcpy(d, s, n * sizeof *s);
}

MMF_API W *mmf_wmemmove(W *d, const W *s, size_t n)
{
    return memmove(d, s, n * sizeof *s);
}

MMF_API W *mmf_wmemset(W *d, W c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = c;
    return d;
}

MMF_API int mmf_wmemcmp(const W *a, const W *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] > b[i] ? 1 : -1;
    return 0;
}

MMF_API W *mmf_wmemchr(const W *s, W c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == c)
            return (W *)s + i;
    return NULL;
}

/* wcstol/wcstoul: the number is ASCII, so it is read from an ASCII copy of the prefix that
 * can hold one (a sign, a base prefix, digits and letters), end mapped back. */
static char *ascii_prefix(const W *s, size_t *n)
{
    size_t i = 0;
    while (s[i] && s[i] < 0x80)
        i++;
    char *a = malloc(i + 1);
    if (a) {
        for (size_t k = 0; k < i; k++)
            a[k] = (char)s[k];
        a[i] = 0;
    }
    *n = i;
    return a;
}

MMF_API long mmf_wcstol(const W *s, W **end, int base)
{
    size_t n;
    char *a = ascii_prefix(s, &n), *e;
    long v = a ? strtol(a, &e, base) : 0;
    if (end)
        *end = (W *)s + (a ? (size_t)(e - a) : 0);
    free(a);
    return v;
}

MMF_API unsigned long mmf_wcstoul(const W *s, W **end, int base)
{
    size_t n;
    char *a = ascii_prefix(s, &n), *e;
    unsigned long v = a ? strtoul(a, &e, base) : 0;
    if (end)
        *end = (W *)s + (a ? (size_t)(e - a) : 0);
    free(a);
    return v;
}

/* --- Microsoft's own ------------------------------------------------------------------- */

static W ascii_lower(W c)
{
    return c >= 'A' && c <= 'Z' ? (W)(c - 'A' + 'a') : c;
}

static W ascii_upper(W c)
{
    return c >= 'a' && c <= 'z' ? (W)(c - 'a' + 'A') : c;
}

MMF_API int _wcsnicmp(const W *a, const W *b, size_t n)
{
    for (; n; n--, a++, b++) {
        W x = ascii_lower(*a), y = ascii_lower(*b);
        if (x != y || !x)
            return (int)x - (int)y;
    }
    return 0;
}

MMF_API int _wcsicmp(const W *a, const W *b)
{
    return _wcsnicmp(a, b, SIZE_MAX);
}

MMF_API W *_wcsdup(const W *s)
{
    return mmf_wcsdup(s);
}

MMF_API W *_wcsrev(W *s)
{
    for (size_t i = 0, j = mmf__wcslen(s); j > i + 1; i++, j--) {
        W t = s[i];
        s[i] = s[j - 1];
        s[j - 1] = t;
    }
    return s;
}

MMF_API W *_wcslwr(W *s)
{
    for (W *p = s; *p; p++)
        *p = ascii_lower(*p);
    return s;
}

MMF_API W *_wcsupr(W *s)
{
    for (W *p = s; *p; p++)
        *p = ascii_upper(*p);
    return s;
}
