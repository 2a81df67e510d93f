/* The Microsoft C runtime's extras that Windows programs call next to the Win32 API:
 * aligned blocks, _str*, and the wide string functions on UTF-16 units.
 *
 * Built with -fshort-wchar (wchar_t 16 bits, L"" literals as WCHAR), a program's calls to
 * the C library's wide string functions (wcslen, wcscpy…) go to mmf's UTF-16 versions:
 * glibc's and musl's take 32-bit units. Each is renamed by an assembler label, which holds
 * whether <wchar.h> comes before or after <windows.h>. (_FORTIFY_SOURCE's checked forms
 * of these would still reach the C library: do not combine it with -fshort-wchar.) */
#ifndef MMF_CRT_H
#define MMF_CRT_H

#include <stddef.h>
#include <mmf/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

MMF_API void *_aligned_malloc(size_t size, size_t alignment);
MMF_API void _aligned_free(void *p);

MMF_API char *_strrev(char *s);
MMF_API char *_strlwr(char *s);
MMF_API char *_strupr(char *s);
MMF_API int _stricmp(const char *a, const char *b);
MMF_API int _strnicmp(const char *a, const char *b, size_t n);
MMF_API char *_strdup(const char *s);

MMF_API int _wcsicmp(const WCHAR *a, const WCHAR *b);
MMF_API int _wcsnicmp(const WCHAR *a, const WCHAR *b, size_t n);
MMF_API WCHAR *_wcsdup(const WCHAR *s);
MMF_API WCHAR *_wcsrev(WCHAR *s);
MMF_API WCHAR *_wcslwr(WCHAR *s);
MMF_API WCHAR *_wcsupr(WCHAR *s);

/* The standard wide string functions on UTF-16 units, under mmf's names. */
MMF_API size_t mmf_wcslen(const WCHAR *s);
MMF_API size_t mmf_wcsnlen(const WCHAR *s, size_t n);
MMF_API WCHAR *mmf_wcscpy(WCHAR *d, const WCHAR *s);
MMF_API WCHAR *mmf_wcsncpy(WCHAR *d, const WCHAR *s, size_t n);
MMF_API WCHAR *mmf_wcscat(WCHAR *d, const WCHAR *s);
MMF_API WCHAR *mmf_wcsncat(WCHAR *d, const WCHAR *s, size_t n);
MMF_API int mmf_wcscmp(const WCHAR *a, const WCHAR *b);
MMF_API int mmf_wcsncmp(const WCHAR *a, const WCHAR *b, size_t n);
MMF_API WCHAR *mmf_wcschr(const WCHAR *s, WCHAR c);
MMF_API WCHAR *mmf_wcsrchr(const WCHAR *s, WCHAR c);
MMF_API WCHAR *mmf_wcsstr(const WCHAR *h, const WCHAR *n);
MMF_API size_t mmf_wcsspn(const WCHAR *s, const WCHAR *set);
MMF_API size_t mmf_wcscspn(const WCHAR *s, const WCHAR *set);
MMF_API WCHAR *mmf_wcspbrk(const WCHAR *s, const WCHAR *set);
MMF_API WCHAR *mmf_wcsdup(const WCHAR *s);
MMF_API WCHAR *mmf_wmemcpy(WCHAR *d, const WCHAR *s, size_t n);
MMF_API WCHAR *mmf_wmemmove(WCHAR *d, const WCHAR *s, size_t n);
MMF_API WCHAR *mmf_wmemset(WCHAR *d, WCHAR c, size_t n);
MMF_API int mmf_wmemcmp(const WCHAR *a, const WCHAR *b, size_t n);
MMF_API WCHAR *mmf_wmemchr(const WCHAR *s, WCHAR c, size_t n);
MMF_API long mmf_wcstol(const WCHAR *s, WCHAR **end, int base);
MMF_API unsigned long mmf_wcstoul(const WCHAR *s, WCHAR **end, int base);

/* glibc's wchar_t follows the compiler's; musl's is int whatever -fshort-wchar says, so its
 * wide functions cannot take L"" text at all (docs/deviations.md). */
#if defined(__SIZEOF_WCHAR_T__) && __SIZEOF_WCHAR_T__ == 2 && defined(__GLIBC__) && \
    !defined(__cplusplus)
#define MMF_WCS16_(ret, name, params) extern ret name params __asm__("mmf_" #name);
MMF_WCS16_(size_t, wcslen, (const wchar_t *))
MMF_WCS16_(size_t, wcsnlen, (const wchar_t *, size_t))
MMF_WCS16_(wchar_t *, wcscpy, (wchar_t *, const wchar_t *))
MMF_WCS16_(wchar_t *, wcsncpy, (wchar_t *, const wchar_t *, size_t))
MMF_WCS16_(wchar_t *, wcscat, (wchar_t *, const wchar_t *))
MMF_WCS16_(wchar_t *, wcsncat, (wchar_t *, const wchar_t *, size_t))
MMF_WCS16_(int, wcscmp, (const wchar_t *, const wchar_t *))
MMF_WCS16_(int, wcsncmp, (const wchar_t *, const wchar_t *, size_t))
MMF_WCS16_(wchar_t *, wcschr, (const wchar_t *, wchar_t))
MMF_WCS16_(wchar_t *, wcsrchr, (const wchar_t *, wchar_t))
MMF_WCS16_(wchar_t *, wcsstr, (const wchar_t *, const wchar_t *))
MMF_WCS16_(size_t, wcsspn, (const wchar_t *, const wchar_t *))
MMF_WCS16_(size_t, wcscspn, (const wchar_t *, const wchar_t *))
MMF_WCS16_(wchar_t *, wcspbrk, (const wchar_t *, const wchar_t *))
MMF_WCS16_(wchar_t *, wcsdup, (const wchar_t *))
MMF_WCS16_(wchar_t *, wmemcpy, (wchar_t *, const wchar_t *, size_t))
MMF_WCS16_(wchar_t *, wmemmove, (wchar_t *, const wchar_t *, size_t))
MMF_WCS16_(wchar_t *, wmemset, (wchar_t *, wchar_t, size_t))
MMF_WCS16_(int, wmemcmp, (const wchar_t *, const wchar_t *, size_t))
MMF_WCS16_(wchar_t *, wmemchr, (const wchar_t *, wchar_t, size_t))
MMF_WCS16_(long, wcstol, (const wchar_t *, wchar_t **, int))
MMF_WCS16_(unsigned long, wcstoul, (const wchar_t *, wchar_t **, int))
#undef MMF_WCS16_
#endif

#ifdef __cplusplus
}
#endif

#endif
