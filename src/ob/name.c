/* Object names: Windows' rules (Local\, Global\, which backslashes are allowed), and the
 * encoding of a name into one safe file name in a namespace directory.
 *
 * A name is kept as UTF-16 (the object's identity, stored in its header and compared on
 * open) and encoded for the file system as UTF-8 with '%', '/', control bytes and a
 * leading '.' or '#' escaped as %XX. Encodings longer than NAME_ENCODED_MAX are replaced
 * by '#' and a 128-bit hash. Either way the full name in the header is compared on open,
 * and a file whose name does not match is refused, never taken for the object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ob/ob.h"

#define NAME_ENCODED_MAX 200

static bool has_prefix(const WCHAR *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != (WCHAR)(unsigned char)prefix[i])
            return false;
    return true;
}

/* Windows' names are counted strings (UNICODE_STRING): at most 32,767 UTF-16 units. */
#define NAME_MAX_UNITS 32767

int mmf__name_parse(const WCHAR *name, size_t len, struct mmf__name *out)
{
    if (len > NAME_MAX_UNITS)
        return MMF__W(ERROR_FILENAME_EXCED_RANGE); /* Windows' STATUS_NAME_TOO_LONG */
    out->scope = MMF__SCOPE_LOCAL;
    if (has_prefix(name, len, "Global\\")) {
        out->scope = MMF__SCOPE_GLOBAL;
        name += 7, len -= 7;
    } else if (has_prefix(name, len, "Local\\")) {
        name += 6, len -= 6;
    } else if (len && name[0] == '\\') {
        return MMF__W(ERROR_BAD_PATHNAME);
    }
    if (len == 0)
        return MMF__W(ERROR_INVALID_NAME); /* "Local\" or "Global\" alone */
    for (size_t i = 0; i < len; i++)
        if (name[i] == '\\')
            return MMF__W(ERROR_PATH_NOT_FOUND); /* no directories below the namespace */
    out->units = len;
    out->text = name;
    return 0;
}

static bool needs_escape(unsigned char c, size_t pos)
{
    return c < 0x20 || c == 0x7F || c == '%' || c == '/' || (pos == 0 && (c == '.' || c == '#'));
}

/* FNV-1a, twice with different bases: 128 bits is plenty for names in one directory, and
 * a collision is still told apart by the name in the header. */
static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
    for (const unsigned char *b = p; n--; b++)
        h = (h ^ *b) * 0x100000001B3ULL;
    return h;
}

int mmf__name_encode(const struct mmf__name *n, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    char *utf8;
    size_t len, o = 0;
    int st = mmf__utf16_to_utf8(n->text, n->units, &utf8, &len);
    if (st < 0)
        return st;
    for (size_t i = 0; i < len && o + 4 <= cap && o <= NAME_ENCODED_MAX; i++) {
        unsigned char c = (unsigned char)utf8[i];
        if (needs_escape(c, i)) {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = 0;
    if (o > NAME_ENCODED_MAX || o + 4 > cap) {
        size_t bytes = n->units * sizeof(WCHAR);
        uint64_t a = fnv1a(n->text, bytes, 0xCBF29CE484222325ULL);
        uint64_t b = fnv1a(n->text, bytes, 0x84222325CBF29CE4ULL);
        o = (size_t)snprintf(out, cap, "#%016llx%016llx", (unsigned long long)a,
                             (unsigned long long)b);
    }
    free(utf8);
    return o < cap ? 0 : MMF__W(ERROR_FILENAME_EXCED_RANGE);
}

int mmf__name_from_a_optional(const char *name, WCHAR **out, size_t *units)
{
    *out = NULL;
    *units = 0;
    return name && *name ? mmf__name_from_a(name, out, units) : 0;
}

int mmf__name_from_a(const char *name, WCHAR **out, size_t *units)
{
    size_t n = strlen(name);
    if (n >= MAX_PATH)
        return MMF__W(ERROR_FILENAME_EXCED_RANGE);
    return mmf__utf8_to_utf16(name, n, out, units);
}
