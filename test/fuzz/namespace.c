/* Fuzz target: everything mmf reads from the namespace, as an opener meets it.
 *
 * The input is split at 0xFF 0xFE 0xFD markers (or used whole):
 *   [object file bytes] [marker] [a directory entry's name, then a UTF-16 object name]
 *   [marker] [data file bytes]
 * The object file is written under the name "f" of this process's Local\ namespace (and,
 * when the second part names one, under that directory entry too) with a lease on it (or,
 * for a header naming a lease table, in that table, planted with the third part's
 * bytes), as a live object of a hostile holder, then opened as each kind, mapped and read, waited on,
 * signaled, listed, and reclaimed once let go. A third part is planted as its data file
 * ("f%data"); a header whose data_ino is 1 gets that file's inode, so that inputs reach
 * past the identity check. The name part is also parsed and encoded as a W object name,
 * whose file name must stay one safe entry. The whole input is also read as a user's
 * namespace record, and the entry as a root entry naming a user's Local\ directory.
 *
 * Nothing here may crash, hang, leak or trip a sanitizer or an invariant check, whatever
 * the bytes. Built by `make fuzz` with clang's -fsanitize=fuzzer,address,undefined. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static char root[] = "/dev/shm/mmf-fuzz-XXXXXX";
    if (!mkdtemp(root) && !mkdtemp(strcpy(root, "/tmp/mmf-fuzz-XXXXXX")))
        abort();
    setenv("MMF_ROOT", root, 1);
    /* Makes this process's Local\ directory. */
    HANDLE h = CreateEventA(NULL, FALSE, FALSE, "warm");
    if (!h)
        abort();
    CloseHandle(h);
    snprintf(dir, sizeof dir, "%s/mmf-%u", root, (unsigned)geteuid());
    return 0;
}

/* The lease of a header that names a lease table (its table field): that table planted
 * under its name with the table part's bytes, and a read lock taken on the byte its slot
 * field says. The descriptor that holds it, or -1 for a header that names none. */
static int lease_in_table(const uint8_t *obj, size_t n, const uint8_t *table, size_t tn)
{
    uint64_t id;
    uint32_t slot;
    char name[MMF__LT_NAME], path[600];
    if (n < sizeof(struct mmf__objhdr))
        return -1;
    memcpy(&id, obj + offsetof(struct mmf__objhdr, table), sizeof id);
    memcpy(&slot, obj + offsetof(struct mmf__objhdr, slot), sizeof slot);
    if (!id)
        return -1;
    mmf__lt_name(id, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = slot, .l_len = 1};
    if (fd < 0 || write(fd, table, tn) != (ssize_t)tn || fcntl(fd, F_OFD_SETLK, &fl) != 0)
        abort();
    return fd;
}

/* Plants the bytes as an object file that a (hostile) process holds: with its lease
 * taken (on the file, or in the lease table it names: the table part's bytes), so that
 * openers read it instead of reclaiming it as stale. The lease goes with the returned
 * descriptor; -1 if the entry cannot be made. */
static int put(const char *fname, const uint8_t *bytes, size_t n, const uint8_t *table, size_t tn)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, fname);
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (write(fd, bytes, n) != (ssize_t)n)
        abort();
    int tfd = lease_in_table(bytes, n, table, tn);
    if (tfd >= 0) {
        close(fd);
        return tfd;
    }
    if (flock(fd, LOCK_SH) != 0)
        abort();
    return fd;
}

static int count(const struct mmf_object_info *info, void *ctx)
{
    /* Touch every field the listing filled in from the hostile header. */
    size_t *n = ctx;
    *n += strlen(info->name) + (info->file ? strlen(info->file) : 0) + info->nholders +
          (size_t)info->signaled + (size_t)info->count + info->owner_tid;
    return 0;
}

static void use_section(HANDLE m)
{
    static const DWORD access[] = {FILE_MAP_READ, FILE_MAP_WRITE, FILE_MAP_COPY};
    for (size_t i = 0; i < 3; i++) {
        volatile unsigned char *v = MapViewOfFile(m, access[i], 0, 0, 0);
        if (!v)
            continue;
        MEMORY_BASIC_INFORMATION mbi;
        if (VirtualQuery((void *)v, &mbi, sizeof mbi) && mbi.State == MEM_COMMIT) {
            (void)v[0];
            (void)v[mbi.RegionSize - 1];
        } else if (VirtualAlloc((void *)v, 4096, MEM_COMMIT, PAGE_READONLY)) {
            (void)v[0]; /* a SEC_RESERVE page, committed through a hostile map */
        }
        UnmapViewOfFile((void *)v);
    }
}

static void open_as_every_kind(const char *name)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    if (m) {
        use_section(m);
        size_t n = 0;
        mmf_list(0, count, &n);
        CloseHandle(m);
    }
    HANDLE e = OpenEventA(EVENT_ALL_ACCESS, FALSE, name);
    if (e) {
        WaitForSingleObject(e, 0);
        SetEvent(e);
        PulseEvent(e);
        WaitForSingleObject(e, 0);
        ResetEvent(e);
        CloseHandle(e);
    }
    HANDLE x = OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name);
    if (x) {
        if (WaitForSingleObject(x, 0) != WAIT_TIMEOUT)
            ReleaseMutex(x);
        CloseHandle(x);
    }
    HANDLE s = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name);
    if (s) {
        LONG prev;
        WaitForSingleObject(s, 0);
        ReleaseSemaphore(s, 1, &prev);
        HANDLE both[2] = {s, s};
        WaitForMultipleObjects(2, both, FALSE, 0);
        CloseHandle(s);
    }
}

/* A W object name: parsed by Windows' rules, and if valid, encoded into a file name that
 * must be one entry of the directory, never a path or a hidden file. */
static void check_name(const uint8_t *p, size_t n)
{
    size_t units = n / 2;
    WCHAR *w = malloc((units + 1) * sizeof *w);
    if (!w)
        return;
    memcpy(w, p, units * sizeof *w);
    w[units] = 0;
    struct mmf__name name;
    char fname[256];
    if (mmf__name_parse(w, units, &name) == 0 && mmf__name_encode(&name, fname, sizeof fname) == 0) {
        size_t len = strlen(fname);
        if (len == 0 || len >= sizeof fname || fname[0] == '.' || strchr(fname, '/'))
            abort();
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)fname[i] < 0x20 || fname[i] == 0x7F)
                abort();
    }
    free(w);
}

/* The length of the part at p (up to the next marker, or the end), and where the next
 * one starts (NULL: none). */
static size_t part(const uint8_t *p, size_t n, const uint8_t **next)
{
    static const uint8_t marker[3] = {0xFF, 0xFE, 0xFD};
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(p + i, marker, 3) == 0) {
            *next = p + i + 3;
            return i;
        }
    *next = NULL;
    return n;
}

/* Plants the data file part (unleased: data files carry none), and gives a header asking
 * for it (data_ino 1) its inode. *obj is then a patched copy to free. */
static void put_data(const uint8_t *bytes, size_t n, uint8_t **obj, size_t nobj)
{
    char path[600];
    struct stat sb;
    const size_t at = offsetof(struct mmf__objhdr, data_ino);
    snprintf(path, sizeof path, "%s/f%%data", dir);
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, bytes, n) != (ssize_t)n || fstat(fd, &sb) != 0)
        abort();
    close(fd);
    uint64_t ino;
    if (nobj >= at + sizeof ino) {
        memcpy(&ino, *obj + at, sizeof ino);
        if (ino == 1) {
            uint8_t *copy = malloc(nobj);
            if (!copy)
                abort();
            memcpy(copy, *obj, nobj);
            ino = (uint64_t)sb.st_ino;
            memcpy(copy + at, &ino, sizeof ino);
            *obj = copy;
        }
    }
}

/* The whole input as a user's namespace record (src/ob/nsrecord.c) and the entry as a
 * root entry: what they name must be a Local\ directory of that user, nothing else. */
static void check_record(const uint8_t *data, size_t size, const char *entry)
{
    char name[MMF__NS_RECORD_NAME];
    int st = mmf__ns_record_parse((const char *)data, size, "/dev/shm", 1000, name);
    if (st == 0 && (mmf__ns_local_owner(name) != 1000 || strchr(name, '/')))
        abort();
    if (st != 0 && st != 1 && st != MMF__W(ERROR_REVISION_MISMATCH))
        abort();
    long uid = mmf__ns_local_owner(entry);
    if (uid >= 0 && (strncmp(entry, "mmf-", 4) || strchr(entry, '/') || uid > 0xFFFFFFFFL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *rest, *datafile = NULL;
    size_t obj = part(data, size, &rest);
    size_t nrest = rest ? part(rest, size - (size_t)(rest - data), &datafile) : 0;
    uint8_t *obj_bytes = (uint8_t *)data;
    if (datafile)
        put_data(datafile, size - (size_t)(datafile - data), &obj_bytes, obj);
    size_t ntable = datafile ? size - (size_t)(datafile - data) : 0;
    int held = put("f", obj_bytes, obj, datafile, ntable);
    open_as_every_kind("f");
    if (held >= 0)
        close(held);
    /* A directory entry of any shape (up to the first NUL or '/'), holding the object. */
    char entry[64];
    size_t e = 0;
    while (rest && e < nrest && e < sizeof entry - 1 && rest[e] && rest[e] != '/')
        entry[e] = (char)rest[e], e++;
    entry[e] = 0;
    char path[600];
    if (e && strcmp(entry, ".") && strcmp(entry, "..")) {
        held = put(entry, obj_bytes, obj, datafile, ntable);
        open_as_every_kind(entry);
        if (held >= 0)
            close(held);
        uint64_t objects, bytes;
        mmf_gc(0, &objects, &bytes);
        snprintf(path, sizeof path, "%s/%s", dir, entry);
        unlink(path); /* gc leaves other versions' files alone */
    }
    if (rest)
        check_name(rest, nrest);
    check_record(data, size, entry);
    /* Whatever is left for the next input is reclaimed: nobody holds it now. */
    uint64_t objects, bytes;
    mmf_gc(0, &objects, &bytes);
    snprintf(path, sizeof path, "%s/f", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/f%%data", dir);
    unlink(path);
    if (obj_bytes != data)
        free(obj_bytes);
    return 0;
}
