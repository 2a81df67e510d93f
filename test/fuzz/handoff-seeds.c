/* Seeds for the handoff fuzz target: real handoffs, as CreateProcess would write them for
 * a child, one per kind and one with every kind, and real inbox messages, one per kind.
 * Each entry's descriptors are renumbered for the target's pool (0 a memfd, 1 a pidfd, 2 a
 * file, 3 a named object's file, the value modulo 4), entries that shared one sharing the
 * value.
 * `make fuzz-seeds` writes them to test/fuzz/handoff-corpus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/admin.h"

#define HEADER_BYTES 48 /* struct handoff_hdr (ob/xfer.c) */

static char out[300];

/* The pool entry a kind's descriptors stand for in the target. */
static int pool_of(const struct mmf__xfer *x, int j)
{
    if (x->fname[0])
        return j == 0 ? 3 : 0;
    return x->kind == MMF__KIND_PROCESS ? 1 : x->kind == MMF__KIND_FILE ? 2 : 0;
}

static void save(const char *tag, HANDLE *hs, int n)
{
    for (int i = 0; i < n; i++)
        SetHandleInformation(hs[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    HANDLE std[3] = {NULL, NULL, NULL};
    static const WCHAR cmd[] = u"\"child\" --arg";
    struct mmf__handoff h;
    if (mmf__handoff_for_child(true, std, cmd, sizeof cmd - sizeof(WCHAR), &h) < 0)
        exit(3);
    struct stat sb;
    fstat(h.fd, &sb);
    unsigned char *buf = malloc((size_t)sb.st_size);
    if (!buf || pread(h.fd, buf, (size_t)sb.st_size, 0) != sb.st_size)
        exit(4);
    for (size_t i = 0; i < h.nobj; i++) {
        struct mmf__xfer x;
        size_t at = HEADER_BYTES + i * sizeof x;
        memcpy(&x, buf + at, sizeof x);
        for (int j = 0; j < 2; j++)
            if (x.fd[j] >= 0)
                x.fd[j] = pool_of(&x, j) + 4 * x.fd[j];
        memcpy(buf + at, &x, sizeof x);
    }
    char path[400];
    snprintf(path, sizeof path, "%s/%s", out, tag);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size || fclose(f))
        exit(5);
    free(buf);
    mmf__handoff_close(&h);
    for (int i = 0; i < n; i++)
        SetHandleInformation(hs[i], HANDLE_FLAG_INHERIT, 0);
}

#define MSG_XFER_AT 24 /* struct inbox_msg's export (ob/remote.c) */

/* A message giving h to another process: its bytes, the pool entry of each descriptor,
 * their count. */
static void save_message(const char *tag, HANDLE h)
{
    struct mmf__object *obj;
    DWORD access;
    unsigned char buf[MMF__REMOTE_MSG_MAX + 3];
    size_t len;
    int fds[2], nfds;
    HANDLE value = (HANDLE)(uintptr_t)((MMF__HANDLE_REMOTE + 1) * 4ull);
    if (mmf__handle_get_any(h, &obj, &access) < 0 ||
        mmf__remote_message(obj, access, 0, value, buf, &len, fds, &nfds) < 0)
        exit(7);
    struct mmf__xfer x;
    memcpy(&x, buf + MSG_XFER_AT, sizeof x);
    for (int j = 0; j < 2; j++)
        if (x.fd[j] >= 0)
            buf[len + x.fd[j]] = (unsigned char)pool_of(&x, j);
    buf[len + nfds] = (unsigned char)nfds;
    for (int j = 0; j < nfds; j++)
        close(fds[j]);
    mmf__unref(obj);
    char path[400];
    snprintf(path, sizeof path, "%s/message-%s", out, tag);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len + (size_t)nfds + 1, f) != len + (size_t)nfds + 1 || fclose(f))
        exit(8);
}

static bool in_table(HANDLE h)
{
    struct mmf__object *obj;
    DWORD access;
    return mmf__handle_get_any(h, &obj, &access) == 0 && obj->ns && obj->ns->table;
}

/* Named events made past the point where a process puts them in lease tables: three of
 * a table, crossing on one descriptor of it, and one on a file of its own. */
static void save_table_objects(void)
{
    enum { MAX = 70000 };
    static HANDLE h[MAX];
    char name[32];
    int n = 0;
    do {
        snprintf(name, sizeof name, "e-%d", n);
        if (!(h[n] = CreateEventA(NULL, TRUE, n % 2 == 0, name)))
            exit(9);
    } while (!in_table(h[n++]) && n < MAX - 2);
    for (int i = 0; i < 2; i++, n++) {
        snprintf(name, sizeof name, "e-%d", n);
        h[n] = CreateEventA(NULL, FALSE, FALSE, name);
    }
    h[n] = h[0];
    if (!in_table(h[n - 1]))
        exit(10);
    save("table-events", &h[n - 3], 4);
    while (n-- > 0)
        CloseHandle(h[n]);
}

int main(int argc, char **argv)
{
    static char root[] = "/tmp/mmf-handoff-seeds-XXXXXX";
    if (argc != 2 || !mkdtemp(root))
        return 2;
    snprintf(out, sizeof out, "%s", argv[1]);
    setenv("MMF_ROOT", root, 1);
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    char file[400];
    snprintf(file, sizeof file, "%s/file", root);
    HANDLE all[] = {
        CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 8192, "f"),
        CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 8192, NULL),
        CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 65536,
                           NULL),
        CreateEventA(&sa, TRUE, TRUE, NULL),
        CreateMutexA(&sa, FALSE, NULL),
        CreateSemaphoreA(&sa, 2, 5, NULL),
        CreateFileA(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL),
        OpenProcess(SYNCHRONIZE | PROCESS_QUERY_INFORMATION, FALSE, GetCurrentProcessId()),
    };
    static const char *tags[] = {"named-section", "section", "reserve", "event",
                                 "mutex", "semaphore", "file", "process"};
    int n = (int)(sizeof all / sizeof *all);
    for (int i = 0; i < n; i++) /* each seed hands over only what it names */
        if (!all[i] || all[i] == INVALID_HANDLE_VALUE ||
            !SetHandleInformation(all[i], HANDLE_FLAG_INHERIT, 0))
            return 6;
    for (int i = 0; i < n; i++) {
        save(tags[i], &all[i], 1);
        save_message(tags[i], all[i]);
    }
    save("every-kind", all, n);
    for (int i = 0; i < n; i++)
        CloseHandle(all[i]);
    save_table_objects();
    unlink(file);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : 1;
}
