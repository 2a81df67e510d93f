/* FormatMessage for system messages, and the LocalAlloc/LocalFree it hands buffers out
 * with (the texts are the error table's, error.c); OutputDebugString. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

HLOCAL WINAPI LocalAlloc(UINT flags, SIZE_T bytes)
{
    void *p = (flags & LMEM_ZEROINIT) ? calloc(1, bytes ? bytes : 1) : malloc(bytes ? bytes : 1);
    if (!p)
        mmf__fail(-ENOMEM);
    return p;
}

HLOCAL WINAPI LocalFree(HLOCAL mem)
{
    free(mem);
    return NULL;
}

/* The text FormatMessage produces for a system message: Windows' wording and its CRLF. */
static int system_text(DWORD flags, DWORD id, const char **text)
{
    const DWORD supported = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS |
                            FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ARGUMENT_ARRAY |
                            FORMAT_MESSAGE_MAX_WIDTH_MASK;
    /* Only system messages exist here: FROM_STRING/FROM_HMODULE have no source to read. */
    if ((flags & ~supported) || !(flags & FORMAT_MESSAGE_FROM_SYSTEM))
        return MMF__W(ERROR_INVALID_PARAMETER);
    *text = mmf__error_message(id);
    if (!*text)
        return MMF__W(ERROR_MR_MID_NOT_FOUND);
    /* Messages with %1 inserts need the caller's arguments; mmf formats none of them. */
    if (strchr(*text, '%') && !(flags & FORMAT_MESSAGE_IGNORE_INSERTS))
        return MMF__W(ERROR_INVALID_PARAMETER);
    return 0;
}

/* Copies `units` code units (plus a terminator) to the caller, allocating if asked. */
static int deliver(DWORD flags, void *buffer, DWORD size, const void *src, size_t units,
                   size_t unit)
{
    void *dst = buffer;
    if (!buffer)
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t n = units + 1 > size ? units + 1 : size;
        dst = malloc(n * unit);
        if (!dst)
            return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
        *(void **)buffer = dst;
    } else if (units + 1 > size) {
        return MMF__W(ERROR_INSUFFICIENT_BUFFER);
    }
    memcpy(dst, src, units * unit);
    memset((char *)dst + units * unit, 0, unit);
    return 0;
}

static int format_system(DWORD flags, DWORD id, char **out)
{
    const char *text;
    int st = system_text(flags, id, &text);
    if (st < 0)
        return st;
    size_t n = strlen(text);
    char *s = malloc(n + 3);
    if (!s)
        return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
    memcpy(s, text, n);
    /* MAX_WIDTH_MASK without a width means "no line breaks": Windows then ends with a
     * space instead of CRLF. */
    if ((flags & FORMAT_MESSAGE_MAX_WIDTH_MASK) == FORMAT_MESSAGE_MAX_WIDTH_MASK)
        memcpy(s + n, " ", 2);
    else
        memcpy(s + n, "\r\n", 3);
    *out = s;
    return 0;
}

DWORD WINAPI FormatMessageA(DWORD flags, LPCVOID source, DWORD id, DWORD lang, LPSTR buffer,
                            DWORD size, va_list *args)
{
    (void)source, (void)lang, (void)args;
    char *s;
    int st = format_system(flags, id, &s);
    if (st == 0) {
        size_t n = strlen(s);
        st = deliver(flags, buffer, size, s, n, 1);
        free(s);
        if (st == 0)
            return (DWORD)n;
    }
    mmf__fail(st);
    return 0;
}

DWORD WINAPI FormatMessageW(DWORD flags, LPCVOID source, DWORD id, DWORD lang, LPWSTR buffer,
                            DWORD size, va_list *args)
{
    (void)source, (void)lang, (void)args;
    char *s;
    WCHAR *w = NULL;
    size_t n = 0;
    int st = format_system(flags, id, &s);
    if (st == 0) {
        st = mmf__utf8_to_utf16(s, strlen(s), &w, &n);
        free(s);
    }
    if (st == 0) {
        st = deliver(flags, buffer, size, w, n, sizeof(WCHAR));
        free(w);
        if (st == 0)
            return (DWORD)n;
    }
    mmf__fail(st);
    return 0;
}

/* Windows hands the text to an attached debugger, and drops it when there is none. Here
 * MMF_DEBUG_OUTPUT=1 in the environment stands for the debugger: the text goes to
 * standard error (docs/deviations.md). */
void WINAPI OutputDebugStringA(LPCSTR s)
{
    const char *e = getenv("MMF_DEBUG_OUTPUT");
    if (s && e && strcmp(e, "1") == 0)
        fputs(s, stderr);
}

void WINAPI OutputDebugStringW(LPCWSTR s)
{
    char *a;
    if (mmf__narrow(s, &a) == 0 && a) {
        OutputDebugStringA(a);
        free(a);
    }
}
