/* Command lines: CommandLineToArgvW's rules (what a child's argv is made of), the search
 * CreateProcess makes for the program a command line names, GetCommandLineA/W.
 *
 * A Windows command line is one string; the program splits it. A child made by
 * CreateProcess gets the exact string through its handoff (GetCommandLineW), and as argv
 * its split by the rules below, so that a program that reads either sees what it would on
 * Windows. A program started from a Linux shell gets its argv quoted back into one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ps/ps.h"

static bool is_space(WCHAR c)
{
    return c == ' ' || c == '\t';
}

/* An argument being split out: a buffer as long as the whole line, so never short. */
struct wbuf {
    WCHAR *p;
    size_t n;
};

/* The program name: up to the closing quote if it starts with one (no escapes), else up
 * to the first blank. */
static const WCHAR *split_program(const WCHAR *c, struct wbuf *b)
{
    if (*c == '"') {
        for (c++; *c && *c != '"'; c++)
            b->p[b->n++] = *c;
        return *c ? c + 1 : c;
    }
    for (; *c && !is_space(*c); c++)
        b->p[b->n++] = *c;
    return c;
}

/* One argument after the first: 2n backslashes and a quote are n backslashes and a quote
 * that opens or closes quoting; 2n+1 and a quote, n and a literal quote; other
 * backslashes are literal; inside quotes, two quotes are one literal quote. */
static const WCHAR *split_arg(const WCHAR *c, struct wbuf *b)
{
    bool quoted = false;
    while (*c && (quoted || !is_space(*c))) {
        size_t slashes = 0;
        while (*c == '\\')
            slashes++, c++;
        if (*c == '"') {
            for (size_t i = 0; i < slashes / 2; i++)
                b->p[b->n++] = '\\';
            if (slashes % 2) {
                b->p[b->n++] = '"';
            } else if (quoted && c[1] == '"') {
                b->p[b->n++] = '"';
                c++;
            } else {
                quoted = !quoted;
            }
            c++;
        } else {
            for (size_t i = 0; i < slashes; i++)
                b->p[b->n++] = '\\';
            if (*c && (quoted || !is_space(*c)))
                b->p[b->n++] = *c++;
        }
    }
    return c;
}

void mmf__argv_free(char **argv)
{
    for (char **a = argv; a && *a; a++)
        free(*a);
    free(argv);
}

int mmf__cmdline_split(const WCHAR *cmd, char ***argv, int *argc)
{
    size_t len = mmf__wcslen(cmd);
    struct wbuf b = {malloc((len + 1) * sizeof(WCHAR)), 0};
    char **v = calloc(len / 2 + 2, sizeof *v);
    int n = 0, st = b.p && v ? 0 : -ENOMEM;
    const WCHAR *c = cmd;
    while (st == 0 && (n == 0 || *c)) {
        b.n = 0;
        c = n == 0 ? split_program(c, &b) : split_arg(c, &b);
        size_t out;
        if ((st = mmf__utf16_to_utf8(b.p, b.n, &v[n], &out)) < 0)
            break;
        n++;
        while (is_space(*c))
            c++;
    }
    free(b.p);
    if (st < 0) {
        mmf__argv_free(v);
        return st;
    }
    *argv = v;
    *argc = n;
    return 0;
}

/* --- Finding the program ------------------------------------------------------------- */

/* A regular file: what exec may try (it says itself whether it may run it). */
static bool is_file(const char *path)
{
    struct stat sb;
    return mmf__sys.stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool has_extension(const char *name)
{
    const char *slash = strrchr(name, '/'), *dot = strrchr(name, '.');
    return dot && (!slash || dot > slash);
}

static bool ends_with_exe(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".exe") == 0;
}

/* dir/name as Windows looks for it: with ".exe" added when the name has no extension; and
 * as Linux names programs: without ".exe" (docs/processes.md). */
static char *try_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 6;
    char *p = malloc(n);
    if (!p)
        return NULL;
    const char *sep = dir[0] ? "/" : "";
    snprintf(p, n, "%s%s%s%s", dir, sep, name, has_extension(name) ? "" : ".exe");
    if (is_file(p))
        return p;
    snprintf(p, n, "%s%s%s", dir, sep, name);
    if (ends_with_exe(p))
        p[strlen(p) - 4] = 0;
    if (is_file(p))
        return p;
    free(p);
    return NULL;
}

/* The directory the program was loaded from (Windows looks there first). */
static char *own_dir(void)
{
    char buf[4096];
    ssize_t n = mmf__sys.readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = 0;
    return strdup(buf);
}

/* A name with a directory part is looked for there only; a bare one in the program's own
 * directory, the current one, then PATH. */
static char *search(const char *name)
{
    if (strchr(name, '/'))
        return try_in("", name);
    char *dir = own_dir(), *found = dir ? try_in(dir, name) : NULL;
    free(dir);
    if (!found)
        found = try_in(".", name);
    const char *path = getenv("PATH");
    for (const char *p = path; !found && p && *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *d = strndup(p, n);
        if (d)
            found = try_in(n ? d : ".", name);
        free(d);
        p = colon ? colon + 1 : p + n;
    }
    return found;
}

/* A Win32 file name as a Linux one (backslashes become slashes). */
static int linux_name(const WCHAR *w, size_t units, char **out)
{
    size_t n;
    int st = mmf__utf16_to_utf8(w, units, out, &n);
    for (size_t i = 0; st == 0 && i < n; i++)
        if ((*out)[i] == '\\')
            (*out)[i] = '/';
    return st;
}

static int find_units(const WCHAR *w, size_t units, char **path)
{
    char *name;
    int st = linux_name(w, units, &name);
    if (st < 0)
        return st;
    *path = name[0] ? search(name) : NULL;
    free(name);
    return *path ? 0 : MMF__W(ERROR_FILE_NOT_FOUND);
}

/* lpApplicationName is used as it is (in the current directory if relative: no search).
 * Otherwise the command line's first token: quoted, up to the quote; unquoted, Windows
 * tries each prefix that ends before a blank ("c:\program files\x" tries "c:\program"
 * first). */
int mmf__program_find(const WCHAR *app, const WCHAR *cmd, char **path)
{
    if (app) {
        char *name;
        int st = linux_name(app, mmf__wcslen(app), &name);
        if (st < 0)
            return st;
        *path = name[0] ? try_in(strchr(name, '/') ? "" : ".", name) : NULL;
        free(name);
        return *path ? 0 : MMF__W(ERROR_FILE_NOT_FOUND);
    }
    while (is_space(*cmd))
        cmd++;
    if (*cmd == '"') {
        size_t n = 0;
        while (cmd[1 + n] && cmd[1 + n] != '"')
            n++;
        return find_units(cmd + 1, n, path);
    }
    size_t end = 0;
    int st = MMF__W(ERROR_FILE_NOT_FOUND);
    for (;;) {
        while (cmd[end] && !is_space(cmd[end]))
            end++;
        if ((st = find_units(cmd, end, path)) != MMF__W(ERROR_FILE_NOT_FOUND) || !cmd[end])
            return st;
        while (is_space(cmd[end]))
            end++;
    }
}

/* --- GetCommandLine ------------------------------------------------------------------- */

/* One argument quoted so that the rules above give it back. */
static size_t quote_arg(const WCHAR *a, size_t n, WCHAR *out)
{
    bool plain = n > 0;
    for (size_t i = 0; i < n; i++)
        if (is_space(a[i]) || a[i] == '"')
            plain = false;
    size_t o = 0;
    if (plain) {
        memcpy(out, a, n * sizeof *a);
        return n;
    }
    out[o++] = '"';
    for (size_t i = 0; i <= n; i++) {
        size_t slashes = 0;
        while (i < n && a[i] == '\\')
            slashes++, i++;
        /* Backslashes before a quote or the closing quote are doubled. */
        size_t twice = i == n || a[i] == '"' ? 2 : 1;
        for (size_t k = 0; k < slashes * twice; k++)
            out[o++] = '\\';
        if (i == n)
            break;
        if (a[i] == '"')
            out[o++] = '\\';
        out[o++] = a[i];
    }
    out[o++] = '"';
    return o;
}

/* This process's argv, from /proc (its own copy of what exec was given). */
static WCHAR *quote_own_argv(void)
{
    static char raw[1 << 16];
    ssize_t n = mmf__read_small_file("/proc/self/cmdline", raw, sizeof raw);
    WCHAR *line = NULL;
    size_t len = 0;
    for (ssize_t i = 0; n > 0 && i < n;) {
        size_t alen = strlen(raw + i);
        WCHAR *w;
        size_t units;
        if (mmf__utf8_to_utf16(raw + i, alen, &w, &units) < 0)
            break;
        WCHAR *more = realloc(line, (len + 2 * units + 4) * sizeof *line);
        if (!more) {
            free(w);
            break;
        }
        line = more;
        if (len)
            line[len++] = ' ';
        len += quote_arg(w, units, line + len);
        free(w);
        i += (ssize_t)alen + 1;
    }
    if (!line && (line = malloc(sizeof *line)))
        len = 0;
    if (line)
        line[len] = 0;
    return line;
}

static WCHAR *cmdline_w;
static char *cmdline_a;
static pthread_once_t cmdline_once = PTHREAD_ONCE_INIT;

/* The handoff's command line (UTF-16, as the parent gave it), else argv quoted. */
static void make_cmdline(void)
{
    size_t len;
    const WCHAR *handed = mmf__inherited_extra(&len);
    if (handed && len % sizeof(WCHAR) == 0 && (cmdline_w = malloc(len + sizeof(WCHAR)))) {
        memcpy(cmdline_w, handed, len);
        cmdline_w[len / sizeof(WCHAR)] = 0;
    } else {
        cmdline_w = quote_own_argv();
    }
    size_t n;
    if (cmdline_w && mmf__utf16_to_utf8(cmdline_w, mmf__wcslen(cmdline_w), &cmdline_a, &n) < 0)
        cmdline_a = NULL;
}

LPWSTR WINAPI GetCommandLineW(void)
{
    static WCHAR empty[1];
    pthread_once(&cmdline_once, make_cmdline);
    return cmdline_w ? cmdline_w : empty;
}

LPSTR WINAPI GetCommandLineA(void)
{
    static char empty[1];
    pthread_once(&cmdline_once, make_cmdline);
    return cmdline_a ? cmdline_a : empty;
}
