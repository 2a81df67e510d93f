/* Fuzz target: the handoff a child reads at its start (ob/xfer.c), as a hostile or broken
 * parent could leave it, and a message on a process's inbox (ob/remote.c), as another
 * process could send it.
 *
 * An input that starts with a message's magic ("MMFX") is a message: its bytes, then a
 * byte per descriptor sent with it, which picks the pool entry (below) it is a duplicate
 * of, then the count of those bytes (modulo 3). Any other input is the handoff's bytes,
 * put in a memfd and read as a child reads it. Each descriptor an object entry names is
 * first replaced by a fresh duplicate of one of this process's own (a sealed memfd, a
 * pidfd of this process, a regular file, a live named section's object file, chosen by
 * the value modulo 4; negative ones stay -1), the same one for entries that name the same
 * value (as a lease table's objects share their table's), so that what the import takes
 * over, and closes, is always its to close. Every object built and handle returned is then given
 * back.
 *
 * Nothing here may crash, hang, leak or trip a sanitizer or an invariant check, whatever
 * the bytes. Built by `make fuzz` with clang's -fsanitize=fuzzer,address,undefined. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "admin/admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define HEADER_BYTES 48 /* struct handoff_hdr (ob/xfer.c) */

static int pool[4];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static char root[] = "/dev/shm/mmf-fuzz-XXXXXX";
    char path[400], file[] = "/tmp/mmf-fuzz-file-XXXXXX";
    if (!mkdtemp(root) && !mkdtemp(strcpy(root, "/tmp/mmf-fuzz-XXXXXX")))
        abort();
    setenv("MMF_ROOT", root, 1);
    /* A live named section ("f"): its object file is one the entries may name. */
    HANDLE h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, "f");
    if (!h)
        abort();
    snprintf(path, sizeof path, "%s/mmf-%u/f", root, (unsigned)geteuid());
    pool[0] = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    pool[1] = (int)syscall(SYS_pidfd_open, getpid(), 0);
    pool[2] = mkstemp(file);
    pool[3] = open(path, O_RDWR | O_CLOEXEC);
    /* Sealed as cells' memfds are, so that a sync object's cell can be imported. */
    if (pool[0] < 0 || ftruncate(pool[0], 1 << 20) < 0 ||
        fcntl(pool[0], F_ADD_SEALS, F_SEAL_SHRINK) < 0 || pool[1] < 0 || pool[2] < 0 ||
        pool[3] < 0)
        abort();
    unlink(file);
    return 0;
}

/* The duplicates made for one input, which pool entry each is of, and the value the
 * input gave for it. */
static int made[2 * 4096], made_of[2 * 4096], made_for[2 * 4096];
static size_t nmade;

/* The duplicate for an entry's value v: the one made for v already, or a new one. */
static int duplicate_for(int v)
{
    for (size_t i = 0; i < nmade; i++)
        if (made_for[i] == v)
            return made[i];
    if (nmade == sizeof made / sizeof *made)
        return -1;
    made_for[nmade] = v;
    made_of[nmade] = v % 4;
    return made[nmade++] = fcntl(pool[v % 4], F_DUPFD_CLOEXEC, 3);
}

/* Points every entry's descriptors at fresh duplicates of the pool. */
static void own_descriptors(uint8_t *buf, size_t size)
{
    uint32_t nobj;
    if (size < HEADER_BYTES)
        return;
    memcpy(&nobj, buf + 8, sizeof nobj);
    for (uint32_t i = 0; i < nobj; i++) {
        size_t at = HEADER_BYTES + (size_t)i * sizeof(struct mmf__xfer);
        if (at + sizeof(struct mmf__xfer) > size)
            return;
        struct mmf__xfer x;
        memcpy(&x, buf + at, sizeof x);
        for (int j = 0; j < 2; j++)
            x.fd[j] = x.fd[j] < 0 ? -1 : duplicate_for(x.fd[j]);
        memcpy(buf + at, &x, sizeof x);
    }
}

/* A message as the inbox would receive it: the handle it carries is given back. */
static void message(const uint8_t *data, size_t size)
{
    size_t k = data[size - 1] % 3; /* descriptors sent */
    if (size - 1 < k)
        return;
    size_t len = size - 1 - k;
    int fds[2];
    for (size_t j = 0; j < k; j++)
        fds[j] = fcntl(pool[data[len + j] % 4], F_DUPFD_CLOEXEC, 3);
    struct mmf__held h;
    if (mmf__remote_parse(data, len, fds, (int)k, &h) == 0)
        mmf__handle_drop(h.obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "MMFX", 4) == 0) {
        message(data, size);
        return 0;
    }
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    own_descriptors(buf, size);
    int fd = memfd_create("handoff", MFD_CLOEXEC);
    if (fd >= 0 && write(fd, buf, size) == (ssize_t)size) {
        struct mmf__held *hs;
        size_t n;
        uint64_t std[3];
        void *extra;
        size_t extra_len;
        if (mmf__handoff_read(fd, &hs, &n, std, &extra, &extra_len) == 0) {
            for (size_t i = 0; i < n; i++)
                mmf__handle_drop(hs[i].obj);
            free(hs);
            free(extra);
        }
    }
    if (fd >= 0)
        close(fd);
    /* What the import took is closed now (every object was given back); duplicates it
     * never took (a header it refused, an entry named twice) are still ours. */
    for (size_t i = 0; i < nmade; i++) {
        struct stat a, b;
        if (made[i] >= 0 && fstat(made[i], &a) == 0 && fstat(pool[made_of[i]], &b) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            close(made[i]);
    }
    nmade = 0;
    free(buf);
    return 0;
}
