/* Writes the fuzz target's seed inputs (test/fuzz/namespace.c's format) from real objects
 * of the current format: each kind, owner-only and NULL-DACL (with a data file of its
 * own), SEC_RESERVE and file-backed sections, all named "f" as the target plants them.
 * Usage: seeds <directory>; run by `make fuzz-seeds` after a format change. */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob/ob.h"

static char root[] = "/tmp/mmf-seeds-XXXXXX", ns[300], out[300];
static const uint8_t marker[3] = {0xFF, 0xFE, 0xFD};

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, cap) : -1;
    if (n < 0) {
        perror(path);
        exit(1);
    }
    close(fd);
    return (size_t)n;
}

/* The object "f" as it is on disk now, its data file's inode replaced by the target's
 * "plant it" value (1), or with its lease table's bytes for one made in a table. */
static void save(const char *seed, HANDLE h)
{
    static uint8_t meta[1 << 16], data[1 << 16];
    char path[400];
    if (!h) {
        fprintf(stderr, "%s: error %lu\n", seed, (unsigned long)GetLastError());
        exit(1);
    }
    snprintf(path, sizeof path, "%s/f", ns);
    size_t m = slurp(path, meta, sizeof meta), d = 0;
    uint64_t ino, table;
    char tname[MMF__LT_NAME];
    memcpy(&ino, meta + offsetof(struct mmf__objhdr, data_ino), sizeof ino);
    memcpy(&table, meta + offsetof(struct mmf__objhdr, table), sizeof table);
    if (ino) {
        snprintf(path, sizeof path, "%s/f%%data", ns);
        d = slurp(path, data, sizeof data);
        ino = 1;
        memcpy(meta + offsetof(struct mmf__objhdr, data_ino), &ino, sizeof ino);
    } else if (table) {
        mmf__lt_name(table, tname);
        snprintf(path, sizeof path, "%s/%s", ns, tname);
        d = slurp(path, data, sizeof data);
        ino = 1; /* the third part follows */
    }
    snprintf(path, sizeof path, "%s/%s", out, seed);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(meta, 1, m, f) != m ||
        (ino && (fwrite(marker, 1, 3, f) != 3 || fwrite(marker, 1, 3, f) != 3 ||
                 fwrite(data, 1, d, f) != d)) ||
        fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    CloseHandle(h);
}

int main(int argc, char **argv)
{
    if (argc != 2 || !mkdtemp(root))
        return 2;
    snprintf(out, sizeof out, "%s", argv[1]);
    setenv("MMF_ROOT", root, 1);
    snprintf(ns, sizeof ns, "%s/mmf-%u", root, (unsigned)geteuid());
    SECURITY_DESCRIPTOR sd;
    InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
    SetSecurityDescriptorDacl(&sd, TRUE, NULL, FALSE);
    SECURITY_ATTRIBUTES open = {sizeof open, &sd, FALSE};
    /* 64 descriptors: past 16 held names, new ones go to lease tables (the "table" seeds). */
    struct rlimit rl = {64, 64};
    HANDLE filler[16];
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 2;
    for (int everyone = 0; everyone < 2; everyone++) {
        SECURITY_ATTRIBUTES *sa = everyone ? &open : NULL;
        char seed[64];
#define SEED(what, call)                                                                       \
    (snprintf(seed, sizeof seed, "v%u-%s-%s", MMF__OBJ_VERSION, what,                           \
              everyone ? "everyone" : "owner"),                                                 \
     save(seed, call))
        SEED("section", CreateFileMappingA(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE, 0, 8192, "f"));
        SEED("reserve", CreateFileMappingA(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE | SEC_RESERVE,
                                           0, 16384, "f"));
        SEED("event", CreateEventA(sa, TRUE, TRUE, "f"));
        SEED("mutex", CreateMutexA(sa, FALSE, "f"));
        SEED("semaphore", CreateSemaphoreA(sa, 2, 5, "f"));
        char file[400];
        snprintf(file, sizeof file, "%s/backing", root);
        HANDLE fh = CreateFileA(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        SEED("file", CreateFileMappingA(fh, sa, PAGE_READWRITE, 0, 4096, "f"));
        CloseHandle(fh);
        DeleteFileA(file);
    }
    for (int i = 0; i < 16; i++) {
        char name[16];
        snprintf(name, sizeof name, "filler%d", i);
        filler[i] = CreateEventA(NULL, FALSE, FALSE, name);
    }
    for (int everyone = 0; everyone < 2; everyone++) {
        SECURITY_ATTRIBUTES *sa = everyone ? &open : NULL;
        char seed[64];
        SEED("table-event", CreateEventA(sa, TRUE, TRUE, "f"));
        SEED("table-mutex", CreateMutexA(sa, FALSE, "f"));
        SEED("table-semaphore", CreateSemaphoreA(sa, 2, 5, "f"));
        SEED("table-section", CreateFileMappingA(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE, 0,
                                                 8192, "f"));
    }
    for (int i = 0; i < 16; i++)
        CloseHandle(filler[i]);
    /* This process's table is still its to give slots from, until it exits. */
    DIR *d = opendir(ns);
    for (struct dirent *e; d && (e = readdir(d));)
        if (mmf__lt_is_name(e->d_name)) {
            char path[600];
            snprintf(path, sizeof path, "%s/%s", ns, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(ns);
    return rmdir(root) == 0 ? 0 : 1;
}
