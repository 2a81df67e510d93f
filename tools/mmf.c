/* mmf: see what Windows-style programs share on this machine, and act on it.
 * Built only on mmf's public API: <windows.h> and <mmf/mmf.h>. See docs/mmf.1. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmf/mmf.h>
#include <windows.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: mmf <command> [options]\n"
    "\n"
    "  ls [--all] [--json]                    live named objects (--all: Global\\ and\n"
    "                                         other users' objects you may see)\n"
    "  info NAME [--json]                     everything known about one object\n"
    "  dump NAME [--offset N] [--length N]    a section's bytes, in hex and ASCII\n"
    "  create NAME --size N [--file PATH]     create a section and hold it until interrupted\n"
    "  signal NAME                            set an event, or release a semaphore by one\n"
    "  wait NAME [--timeout MS]               wait for an event, semaphore or mutex\n"
    "  rm NAME                                force a name out (holders keep their memory)\n"
    "  gc                                     reclaim what killed processes left behind\n"
    "  provision [--global] [USER]            make a namespace directory ready (as root:\n"
    "                                         for USER, taken back from a squatter)\n"
    "  watch NAME [--interval MS] [--length N]  redraw state and bytes until interrupted\n"
    "\n"
    "NAME may start with Local\\ or Global\\. Sizes take K, M, G (binary). Exit status:\n"
    "0 success, 1 failure, 2 usage error.\n";

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "mmf: %s\n", why);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/* "The system cannot find the file specified. (error 2)" for the last error. */
static int fail(const char *what, const char *name)
{
    DWORD err = GetLastError();
    char msg[512] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                       FORMAT_MESSAGE_MAX_WIDTH_MASK,
                   NULL, err, 0, msg, sizeof msg, NULL);
    size_t n = strlen(msg);
    while (n && isspace((unsigned char)msg[n - 1]))
        msg[--n] = 0;
    fprintf(stderr, "mmf: %s %s: %s (error %lu)\n", what, name, msg, (unsigned long)err);
    return EXIT_FAIL;
}

/* 4096, 64K, 1M, 2G (binary units). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    int shift = 0;
    switch (toupper((unsigned char)*end)) {
    case 0: break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    default: return -1;
    }
    if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
        return -1;
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static const char *human_size(uint64_t n, char *buf, size_t cap)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double v = (double)n;
    while (v >= 1024 && u < 4)
        v /= 1024, u++;
    snprintf(buf, cap, u ? "%.4g %s" : "%.0f %s", v, units[u]);
    return buf;
}

static const char *type_name(enum mmf_type t)
{
    switch (t) {
    case MMF_TYPE_SECTION: return "section";
    case MMF_TYPE_EVENT: return "event";
    case MMF_TYPE_MUTEX: return "mutex";
    case MMF_TYPE_SEMAPHORE: return "semaphore";
    }
    return "unknown";
}

static const char *scope_name(enum mmf_scope s)
{
    return s == MMF_SCOPE_GLOBAL ? "Global" : "Local";
}

/* The object's state in words. */
static const char *state_of(const struct mmf_object_info *o, char *buf, size_t cap)
{
    char size[32];
    switch (o->type) {
    case MMF_TYPE_SECTION:
        snprintf(buf, cap, "%s%s", human_size(o->size, size, sizeof size),
                 o->file ? " file" : "");
        break;
    case MMF_TYPE_EVENT:
        snprintf(buf, cap, "%s, %s", o->signaled ? "signaled" : "not signaled",
                 o->manual_reset ? "manual" : "auto");
        break;
    case MMF_TYPE_SEMAPHORE:
        snprintf(buf, cap, "%d/%d", (int)o->count, (int)o->maximum);
        break;
    case MMF_TYPE_MUTEX:
        if (o->owner_tid)
            snprintf(buf, cap, "owned by thread %u", (unsigned)o->owner_tid);
        else
            snprintf(buf, cap, "%s", o->abandoned ? "free, abandoned" : "free");
        break;
    }
    return buf;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_object(const struct mmf_object_info *o)
{
    printf("{\"namespace\":\"%s\",\"name\":", scope_name(o->scope));
    json_string(o->name);
    printf(",\"type\":\"%s\",\"owner_uid\":%u,\"mode\":\"%04o\",\"creator_pid\":%u",
           type_name(o->type), (unsigned)o->owner_uid, (unsigned)o->mode,
           (unsigned)o->creator_pid);
    if (o->type == MMF_TYPE_SECTION) {
        printf(",\"size\":%" PRIu64 ",\"protect\":%u,\"file\":", o->size, (unsigned)o->protect);
        if (o->file)
            json_string(o->file);
        else
            printf("null");
    } else if (o->type == MMF_TYPE_EVENT) {
        printf(",\"signaled\":%s,\"manual_reset\":%s", o->signaled ? "true" : "false",
               o->manual_reset ? "true" : "false");
    } else if (o->type == MMF_TYPE_SEMAPHORE) {
        printf(",\"count\":%d,\"maximum\":%d", (int)o->count, (int)o->maximum);
    } else {
        printf(",\"owner_tid\":%u,\"abandoned\":%s", (unsigned)o->owner_tid,
               o->abandoned ? "true" : "false");
    }
    printf(",\"holders\":[");
    for (size_t i = 0; i < o->nholders; i++)
        printf("%s%u", i ? "," : "", (unsigned)o->holders[i]);
    printf("]}");
}

/* --- ls ---------------------------------------------------------------------------------- */

struct ls {
    bool json;
    int count;
};

static int ls_one(const struct mmf_object_info *o, void *ctx)
{
    struct ls *l = ctx;
    char state[64];
    if (l->json) {
        printf("%s\n  ", l->count ? "," : "");
        json_object(o);
    } else {
        if (l->count == 0)
            printf("%-8s %-10s %-24s %-30s %s\n", "SPACE", "TYPE", "STATE", "NAME", "HOLDERS");
        printf("%-8s %-10s %-24s %-30s", scope_name(o->scope), type_name(o->type),
               state_of(o, state, sizeof state), o->name);
        for (size_t i = 0; i < o->nholders; i++)
            printf("%s%u", i ? "," : " ", (unsigned)o->holders[i]);
        putchar('\n');
    }
    l->count++;
    return 0;
}

static int cmd_ls(int argc, char **argv)
{
    struct ls l = {false, 0};
    unsigned flags = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--all"))
            flags |= MMF_LIST_GLOBAL | MMF_LIST_ALL_USERS;
        else if (!strcmp(argv[i], "--json"))
            l.json = true;
        else
            return usage("ls: unknown option");
    }
    if (l.json)
        printf("[");
    if (mmf_list(flags, ls_one, &l) != 0)
        return fail("cannot list", "the namespace");
    if (l.json)
        printf("%s]\n", l.count ? "\n" : "");
    else if (l.count == 0)
        printf("no named objects%s\n", flags ? "" : " (mmf ls --all also shows Global\\)");
    return 0;
}

/* --- info -------------------------------------------------------------------------------- */

/* NAME with its prefix, as the listing reports names. */
struct target {
    enum mmf_scope scope;
    const char *bare;
    bool found;
    bool json;
};

static void split_name(const char *name, struct target *t)
{
    t->scope = MMF_SCOPE_LOCAL;
    t->bare = name;
    if (!strncmp(name, "Global\\", 7))
        t->scope = MMF_SCOPE_GLOBAL, t->bare = name + 7;
    else if (!strncmp(name, "Local\\", 6))
        t->bare = name + 6;
}

static void print_holder(uint32_t pid)
{
    char path[64], comm[64] = "?";
    snprintf(path, sizeof path, "/proc/%u/comm", (unsigned)pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = 0;
        fclose(f);
    }
    printf("  %-8u %s\n", (unsigned)pid, comm);
}

static int info_one(const struct mmf_object_info *o, void *ctx)
{
    struct target *t = ctx;
    char state[64], size[32];
    if (o->scope != t->scope || strcmp(o->name, t->bare))
        return 0;
    t->found = true;
    if (t->json) {
        json_object(o);
        putchar('\n');
        return 1;
    }
    printf("name:      %s\\%s\n", scope_name(o->scope), o->name);
    printf("type:      %s\n", type_name(o->type));
    printf("state:     %s\n", state_of(o, state, sizeof state));
    if (o->type == MMF_TYPE_SECTION) {
        printf("size:      %s (%" PRIu64 " bytes)\n", human_size(o->size, size, sizeof size),
               o->size);
        printf("protect:   0x%02x  attributes: 0x%08x\n", (unsigned)o->protect,
               (unsigned)o->attributes);
        printf("backing:   %s\n", o->file ? o->file : "paging file");
    }
    printf("owner:     uid %u, mode %04o (%s)\n", (unsigned)o->owner_uid, (unsigned)o->mode,
           o->mode & 0006 ? "every user" : "its owner only");
    printf("creator:   pid %u\n", (unsigned)o->creator_pid);
    printf("holders:   %zu\n", o->nholders);
    for (size_t i = 0; i < o->nholders; i++)
        print_holder(o->holders[i]);
    return 1;
}

static int cmd_info(int argc, char **argv)
{
    struct target t = {0};
    if (argc < 1)
        return usage("info: NAME is missing");
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--json"))
            t.json = true;
        else
            return usage("info: unknown option");
    split_name(argv[0], &t);
    if (mmf_list(MMF_LIST_GLOBAL | MMF_LIST_ALL_USERS, info_one, &t) != 0)
        return fail("cannot list", "the namespace");
    if (!t.found) {
        SetLastError(ERROR_FILE_NOT_FOUND);
        return fail("no live object named", argv[0]);
    }
    return 0;
}

/* --- dump and watch ---------------------------------------------------------------------- */

/* Maps [offset, offset+length) of a named section for reading; *at points at offset. */
static HANDLE map_range(const char *name, uint64_t offset, uint64_t *length, unsigned char **at,
                        void **view)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    if (!m)
        return NULL;
    uint64_t base = offset & ~(uint64_t)0xFFFF;
    /* Map to the end, then clamp the length to what the section has. */
    *view = MapViewOfFile(m, FILE_MAP_READ, (DWORD)(base >> 32), (DWORD)base, 0);
    if (!*view) {
        CloseHandle(m);
        return NULL;
    }
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(*view, &mbi, sizeof mbi);
    uint64_t have = mbi.RegionSize - (offset - base);
    if (offset - base >= mbi.RegionSize)
        have = 0;
    if (*length == 0 || *length > have)
        *length = have;
    *at = (unsigned char *)*view + (offset - base);
    return m;
}

static void hexdump(const unsigned char *p, uint64_t offset, uint64_t length)
{
    for (uint64_t i = 0; i < length; i += 16) {
        printf("%08" PRIx64 ": ", offset + i);
        for (uint64_t j = 0; j < 16; j++) {
            if (i + j < length)
                printf("%02x", p[i + j]);
            else
                printf("  ");
            if (j % 2)
                putchar(' ');
        }
        putchar(' ');
        for (uint64_t j = 0; j < 16 && i + j < length; j++)
            putchar(isprint(p[i + j]) ? p[i + j] : '.');
        putchar('\n');
    }
}

struct range {
    uint64_t offset, length;
    DWORD interval;
};

static int parse_range(int argc, char **argv, struct range *r, bool watch)
{
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (i + 1 >= argc || parse_size(argv[i + 1], &v) < 0)
            return -1;
        if (!strcmp(argv[i], "--offset") && !watch)
            r->offset = v;
        else if (!strcmp(argv[i], "--length"))
            r->length = v;
        else if (!strcmp(argv[i], "--interval") && watch && v > 0 && v < 3600000)
            r->interval = (DWORD)v;
        else
            return -1;
        i++;
    }
    return 0;
}

static int cmd_dump(int argc, char **argv)
{
    struct range r = {0, 0, 0};
    unsigned char *at;
    void *view;
    if (argc < 1)
        return usage("dump: NAME is missing");
    if (parse_range(argc, argv, &r, false) < 0)
        return usage("dump: bad option or number");
    HANDLE m = map_range(argv[0], r.offset, &r.length, &at, &view);
    if (!m)
        return fail("cannot read section", argv[0]);
    hexdump(at, r.offset, r.length);
    UnmapViewOfFile(view);
    CloseHandle(m);
    return 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int cmd_watch(int argc, char **argv)
{
    struct range r = {0, 256, 500};
    struct target t = {0};
    if (argc < 1)
        return usage("watch: NAME is missing");
    if (parse_range(argc, argv, &r, true) < 0)
        return usage("watch: bad option or number");
    split_name(argv[0], &t);
    catch_interrupts();
    while (!interrupted) {
        printf("\033[H\033[2J"); /* home, clear */
        t.found = false;
        mmf_list(MMF_LIST_GLOBAL | MMF_LIST_ALL_USERS, info_one, &t);
        if (!t.found)
            printf("%s: no live object of that name\n", argv[0]);
        unsigned char *at;
        void *view;
        uint64_t length = r.length;
        HANDLE m = t.found ? map_range(argv[0], 0, &length, &at, &view) : NULL;
        if (m) {
            putchar('\n');
            hexdump(at, 0, length);
            UnmapViewOfFile(view);
            CloseHandle(m);
        }
        fflush(stdout);
        Sleep(r.interval);
    }
    return 0;
}

/* --- create, signal, wait, rm, gc --------------------------------------------------------- */

static int cmd_create(int argc, char **argv)
{
    uint64_t size = 0;
    const char *file = NULL;
    if (argc < 1)
        return usage("create: NAME is missing");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc && parse_size(argv[i + 1], &size) == 0)
            i++;
        else if (!strcmp(argv[i], "--file") && i + 1 < argc)
            file = argv[++i];
        else
            return usage("create: bad option or size");
    }
    if (size == 0 && !file)
        return usage("create: --size N is needed (or --file PATH)");
    HANDLE f = INVALID_HANDLE_VALUE;
    if (file) {
        f = CreateFileA(file, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                        NULL, OPEN_ALWAYS, 0, NULL);
        if (f == INVALID_HANDLE_VALUE)
            return fail("cannot open file", file);
    }
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, (DWORD)(size >> 32), (DWORD)size,
                                  argv[0]);
    if (!m)
        return fail("cannot create section", argv[0]);
    bool existed = GetLastError() == ERROR_ALREADY_EXISTS;
    char human[32];
    printf("%s %s%s; holding it until interrupted (Ctrl-C)\n", existed ? "opened" : "created",
           argv[0], existed ? " (it existed)" : "");
    if (!existed && size)
        printf("size %s\n", human_size(size, human, sizeof human));
    fflush(stdout);
    catch_interrupts();
    while (!interrupted)
        pause();
    CloseHandle(m);
    if (f != INVALID_HANDLE_VALUE)
        CloseHandle(f);
    return 0;
}

static int cmd_signal(int argc, char **argv)
{
    if (argc != 1)
        return usage("signal: NAME is needed, and only it");
    HANDLE h = OpenEventA(EVENT_MODIFY_STATE, FALSE, argv[0]);
    if (h) {
        BOOL ok = SetEvent(h);
        CloseHandle(h);
        return ok ? (printf("set event %s\n", argv[0]), 0) : fail("cannot set event", argv[0]);
    }
    if (GetLastError() != ERROR_INVALID_HANDLE) /* not there, or not ours to touch */
        return fail("cannot open", argv[0]);
    h = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, argv[0]);
    if (!h) {
        if (GetLastError() == ERROR_INVALID_HANDLE)
            fprintf(stderr, "mmf: %s is neither an event nor a semaphore (a mutex is released "
                            "only by its owner)\n", argv[0]);
        return GetLastError() == ERROR_INVALID_HANDLE ? EXIT_FAIL : fail("cannot open", argv[0]);
    }
    LONG prev;
    BOOL ok = ReleaseSemaphore(h, 1, &prev);
    CloseHandle(h);
    if (!ok)
        return fail("cannot release semaphore", argv[0]);
    printf("released semaphore %s (count was %ld)\n", argv[0], (long)prev);
    return 0;
}

static int cmd_wait(int argc, char **argv)
{
    DWORD timeout = INFINITE;
    if (argc < 1)
        return usage("wait: NAME is missing");
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (!strcmp(argv[i], "--timeout") && i + 1 < argc && parse_size(argv[i + 1], &v) == 0 &&
            v < INFINITE)
            timeout = (DWORD)v, i++;
        else
            return usage("wait: bad option or timeout");
    }
    HANDLE h = OpenEventA(SYNCHRONIZE, FALSE, argv[0]);
    bool mutex = false;
    if (!h && GetLastError() == ERROR_INVALID_HANDLE)
        h = OpenSemaphoreA(SYNCHRONIZE, FALSE, argv[0]);
    if (!h && GetLastError() == ERROR_INVALID_HANDLE)
        mutex = (h = OpenMutexA(SYNCHRONIZE, FALSE, argv[0])) != NULL;
    if (!h)
        return fail("cannot wait for", argv[0]);
    DWORD r = WaitForSingleObject(h, timeout);
    if (mutex && (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED))
        ReleaseMutex(h); /* waited until it was free; not kept */
    CloseHandle(h);
    if (r == WAIT_FAILED)
        return fail("cannot wait for", argv[0]);
    printf("%s: %s\n", argv[0], r == WAIT_TIMEOUT ? "timed out" : r == WAIT_ABANDONED
                                                                      ? "abandoned by its owner"
                                                                      : "signaled");
    return r == WAIT_TIMEOUT ? EXIT_FAIL : 0;
}

static int count_holders(const struct mmf_object_info *o, void *ctx)
{
    struct target *t = ctx;
    if (o->scope == t->scope && !strcmp(o->name, t->bare)) {
        t->found = true;
        fprintf(stderr, "mmf: warning: removing %s\\%s while %zu process%s hold it; they keep "
                        "their memory\n", scope_name(o->scope), o->name, o->nholders,
                o->nholders == 1 ? "" : "es");
        return 1;
    }
    return 0;
}

static int cmd_rm(int argc, char **argv)
{
    struct target t = {0};
    WCHAR w[MAX_PATH * 4];
    if (argc != 1)
        return usage("rm: NAME is needed, and only it");
    if (!MultiByteToWideChar(CP_UTF8, 0, argv[0], -1, w, MAX_PATH * 4))
        return fail("bad name", argv[0]);
    split_name(argv[0], &t);
    mmf_list(MMF_LIST_GLOBAL, count_holders, &t);
    if (mmf_remove(w) != 0)
        return fail("cannot remove", argv[0]);
    printf("removed %s%s\n", argv[0], t.found ? "" : " (no process held it)");
    return 0;
}

static int cmd_gc(int argc, char **argv)
{
    uint64_t objects, bytes;
    char human[32];
    (void)argv;
    if (argc)
        return usage("gc: takes no arguments");
    if (mmf_gc(MMF_LIST_GLOBAL, &objects, &bytes) != 0)
        return fail("cannot reclaim", "the namespace");
    printf("reclaimed %" PRIu64 " object%s, %s\n", objects, objects == 1 ? "" : "s",
           human_size(bytes, human, sizeof human));
    return 0;
}

/* A user name or number. */
static bool parse_user(const char *s, uint32_t *uid)
{
    struct passwd *pw = getpwnam(s);
    char *end;
    if (pw) {
        *uid = (uint32_t)pw->pw_uid;
        return true;
    }
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    *uid = (uint32_t)v;
    return *s && !*end && !errno && v < UINT32_MAX;
}

static int cmd_provision(int argc, char **argv)
{
    unsigned flags = 0;
    uint32_t uid = (uint32_t)geteuid();
    const char *user = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--global"))
            flags |= MMF_LIST_GLOBAL;
        else if (!user && argv[i][0] != '-')
            user = argv[i];
        else
            return usage("provision: unknown option");
    }
    if (user && (flags & MMF_LIST_GLOBAL))
        return usage("provision: --global takes no USER");
    if (user && !parse_user(user, &uid))
        return usage("provision: no such user");
    char what[64];
    snprintf(what, sizeof what, flags ? "Global\\" : "Local\\ of uid %u", (unsigned)uid);
    if (mmf_provision(flags, uid) != 0)
        return fail("cannot provision the namespace", what);
    printf("ready: %s\n", what);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {{"ls", cmd_ls},         {"info", cmd_info},     {"dump", cmd_dump},
                    {"create", cmd_create}, {"signal", cmd_signal}, {"wait", cmd_wait},
                    {"rm", cmd_rm},         {"gc", cmd_gc},         {"watch", cmd_watch},
                    {"provision", cmd_provision}};
    if (argc < 2)
        return usage(NULL);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "mmf: unknown command '%s'\n", argv[1]);
    return usage(NULL);
}
