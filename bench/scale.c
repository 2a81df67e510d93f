/* Scale. (1) How many named objects one process holds at once, up to 100,000 sections
 * (4 KiB, paging-file) and 100,000 events: the count reached (what stops it is on
 * stderr), and natively the descriptors, mappings and tmpfs bytes each of the first
 * 1,000 cost, and each of the last 1,000 (events past the first few thousand are made in
 * lease tables: docs/namespace.md). (2) Throughput of open + close of a name
 * another process holds, and of named create cycles (create + close), with 1, 2, 4, 8
 * and 16 processes at once, all on one name or each on a name of its own: the operations
 * per second of all of them together. */
#include "bench.h"

#ifndef _WIN32
#include <dirent.h>
#include <sys/statvfs.h>
#endif

#define HOLD 100000
#define MAX_PROCS 16
#define SAMPLE 1000 /* objects: the descriptors and bytes each takes */

struct control {
    volatile LONG start, stop;
    volatile LONG ready;
    volatile LONG64 ops[MAX_PROCS];
};

#ifndef _WIN32
static long descriptors(void)
{
    long n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static long mappings(void)
{
    char line[512];
    long n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f))
        n++;
    if (f)
        fclose(f);
    return n;
}

/* What this process has now: descriptors, mappings, tmpfs bytes used. */
struct usage {
    long fds, maps;
    double bytes;
};

static double tmpfs_used(void)
{
    struct statvfs s;
    const char *root = getenv("MMF_ROOT");
    if (statvfs(root && *root ? root : "/dev/shm", &s) != 0)
        return 0;
    return (double)(s.f_blocks - s.f_bfree) * (double)s.f_frsize;
}

static struct usage usage(void)
{
    return (struct usage){descriptors(), mappings(), tmpfs_used()};
}

/* What each of the SAMPLE objects made between a and b cost. */
static void report_each(const char *figure, const char *which, struct usage a, struct usage b)
{
    char f[128];
    snprintf(f, sizeof f, "%s_descriptors_each%s", figure, which);
    report(f, (double)(b.fds - a.fds) / SAMPLE, "fds");
    snprintf(f, sizeof f, "%s_mappings_each%s", figure, which);
    report(f, (double)(b.maps - a.maps) / SAMPLE, "maps");
    snprintf(f, sizeof f, "%s_tmpfs_bytes_each%s", figure, which);
    report(f, (b.bytes - a.bytes) / SAMPLE, "bytes");
}
#endif

/* Creates up to HOLD objects of one kind and holds them all; reports how many it got
 * (and, natively, what each costs), then closes them. */
static void hold(const char *kind, const char *figure)
{
    static HANDLE h[HOLD];
    char name[80];
    long n = 0;
#ifndef _WIN32
    struct usage u0 = usage(), first = u0, last = u0;
#endif
    double t0 = now_ns();
    for (; n < HOLD; n++) {
#ifndef _WIN32
        if (n == SAMPLE)
            first = usage();
        if (n == HOLD - SAMPLE)
            last = usage();
#endif
        snprintf(name, sizeof name, "mmf-bench-hold-%lu-%s-%ld",
                 (unsigned long)GetCurrentProcessId(), kind, n);
        h[n] = kind[0] == 's' ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE,
                                                   0, 4096, name)
                              : CreateEventA(NULL, FALSE, FALSE, name);
        if (!h[n]) {
            fprintf(stderr, "scale: %s %ld failed: error %lu\n", kind, n,
                    (unsigned long)GetLastError());
            break;
        }
    }
    double t = now_ns() - t0;
    char f[96];
    snprintf(f, sizeof f, "%s_held", figure);
    report(f, (double)n, "objects");
    snprintf(f, sizeof f, "%s_create_while_holding", figure);
    report(f, n ? t / n : 0, "ns");
#ifndef _WIN32
    if (n >= SAMPLE)
        report_each(figure, "", u0, first);
    if (n == HOLD)
        report_each(figure, "_last_1000", last, usage());
#endif
    while (n-- > 0)
        CloseHandle(h[n]);
}

static struct control *control(const char *name, BOOL create)
{
    HANDLE m = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                           sizeof(struct control), name)
                      : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    struct control *c = m ? MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
    if (!c)
        die("control section");
    return c;
}

/* A worker: "<control> <index> <o|c> <name>": opens and closes, or creates and closes,
 * the name until told to stop, counting. */
static int worker(char **argv)
{
    struct control *c = control(argv[1], FALSE);
    int i = atoi(argv[2]);
    BOOL open = argv[3][0] == 'o';
    LONG64 n = 0;
    InterlockedIncrement(&c->ready);
    while (!c->start)
        Sleep(1);
    while (!c->stop) {
        for (int k = 0; k < 16; k++, n++) {
            HANDLE h = open ? OpenFileMappingA(FILE_MAP_READ, FALSE, argv[4])
                            : CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                                 65536, argv[4]);
            if (!h)
                die(open ? "open" : "create");
            CloseHandle(h);
        }
    }
    c->ops[i] = n;
    return 0;
}

/* procs workers for about a second: operations per second, all together. */
static void throughput(const char *self, int procs, BOOL open, BOOL one_name)
{
    char ctl[64], args[256], name[80], f[96];
    HANDLE held[MAX_PROCS] = {0};
    intptr_t w[MAX_PROCS];
    unsigned long pid = (unsigned long)GetCurrentProcessId();
    snprintf(ctl, sizeof ctl, "mmf-bench-scale-%lu-%d-%d-%d", pid, procs, open, one_name);
    struct control *c = control(ctl, TRUE);
    for (int i = 0; i < procs; i++) {
        snprintf(name, sizeof name, "mmf-bench-scale-%lu-%c%d", pid, open ? 'o' : 'c',
                 one_name ? 0 : i);
        if (open && !held[one_name ? 0 : i] &&
            !(held[one_name ? 0 : i] = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
                                                           PAGE_READWRITE, 0, 65536, name)))
            die("held name");
        snprintf(args, sizeof args, "%s %d %c %s", ctl, i, open ? 'o' : 'c', name);
        w[i] = spawn_self(self, args);
    }
    while (c->ready < procs)
        Sleep(1);
    double t0 = now_ns();
    c->start = 1;
    Sleep(1000);
    c->stop = 1;
    double t = now_ns() - t0;
    LONG64 total = 0;
    for (int i = 0; i < procs; i++) {
        if (join_self(w[i]) != 0)
            die("worker");
        total += c->ops[i];
    }
    for (int i = 0; i < procs; i++)
        if (held[i])
            CloseHandle(held[i]);
    snprintf(f, sizeof f, "%s_%dprocs_%s", open ? "open_close" : "create_cycle", procs,
             one_name ? "one_name" : "own_names");
    report(f, (double)total / (t / 1e9) / 1000, "kops/s");
}

int main(int argc, char **argv)
{
    if (argc == 5)
        return worker(argv);
    hold("section", "named_sections");
    hold("event", "named_events");
    for (int open = 1; open >= 0; open--)
        for (int one = 1; one >= 0; one--)
            for (int procs = 1; procs <= MAX_PROCS; procs *= 2)
                throughput(argv[0], procs, open, one);
    return 0;
}
