/* UTF-16 <-> UTF-8.
 *
 * Lone surrogates in UTF-16 are encoded as three-byte sequences (WTF-8) so a name
 * survives a round trip unchanged; invalid UTF-8 decodes to U+FFFD, as
 * MultiByteToWideChar does without MB_ERR_INVALID_CHARS. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

size_t mmf__wcslen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Decodes one code point from UTF-16 at s[*i]; advances *i. */
static uint32_t next_utf16(const WCHAR *s, size_t len, size_t *i)
{
    uint32_t c = s[(*i)++];
    if (c >= 0xD800 && c < 0xDC00 && *i < len && s[*i] >= 0xDC00 && s[*i] < 0xE000)
        c = 0x10000 + ((c - 0xD800) << 10) + (s[(*i)++] - 0xDC00);
    return c;
}

static size_t put_utf8(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Decodes one code point from UTF-8 at s[*i]; advances *i. Malformed input -> U+FFFD. */
static uint32_t next_utf8(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char b = s[(*i)++];
    int extra = b >= 0xF0 && b < 0xF5 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : 0;
    uint32_t c = extra == 3 ? b & 0x07u : extra == 2 ? b & 0x0Fu : extra == 1 ? b & 0x1Fu : b;
    if (b >= 0x80 && extra == 0)
        return 0xFFFD;
    if (*i + (size_t)extra > len)
        return *i = len, 0xFFFD;
    for (int k = 0; k < extra; k++) {
        if ((s[*i] & 0xC0) != 0x80)
            return 0xFFFD;
        c = c << 6 | (s[(*i)++] & 0x3F);
    }
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (c < min[extra] || c > 0x10FFFF)
        return 0xFFFD;
    return c;
}

int mmf__utf16_to_utf8(const WCHAR *s, size_t len, char **out, size_t *outlen)
{
    char *r = malloc(len * 3 + 1);
    if (!r)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len;)
        n += put_utf8(next_utf16(s, len, &i), r + n);
    r[n] = 0;
    *out = r;
    if (outlen)
        *outlen = n;
    return 0;
}

int mmf__utf8_to_utf16(const char *s, size_t len, WCHAR **out, size_t *outlen)
{
    WCHAR *r = malloc((len + 1) * sizeof *r);
    if (!r)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c = next_utf8((const unsigned char *)s, len, &i);
        if (c >= 0x10000) {
            r[n++] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
            r[n++] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            r[n++] = (WCHAR)c;
        }
    }
    r[n] = 0;
    *out = r;
    if (outlen)
        *outlen = n;
    return 0;
}

int mmf__narrow(const WCHAR *w, char **out)
{
    *out = NULL;
    return w ? mmf__utf16_to_utf8(w, mmf__wcslen(w), out, NULL) : 0;
}
