/* Full file systems, for real: small tmpfs mounts (root only; skipped with a message
 * elsewhere). Committed memory never faults for lack of space: the call that needs the
 * space fails with Windows' error, and every page a call said was there can be written. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test.h"

/* Mounts a tmpfs of `kib` KiB at a fresh directory, in a mount namespace of this test
 * process's own, so that the mount goes with the process however the test ends; false,
 * with a message, where this process may not mount. */
static bool small_tmpfs(char *dir, size_t cap, unsigned kib, const char *test)
{
    char opts[64];
    snprintf(dir, cap, "/tmp/mmf-small-%d", (int)getpid());
    snprintf(opts, sizeof opts, "size=%uk,mode=0700", kib);
    if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
        mkdir(dir, 0700) == 0 && mount("tmpfs", dir, "tmpfs", 0, opts) == 0)
        return true;
    printf("# skipped %s: cannot mount a small tmpfs (%s)\n", test, strerror(errno));
    rmdir(dir);
    return false;
}

/* Lazily: this process still holds the namespace directory open. */
static void unmount_small(const char *dir)
{
    ASSERT(umount2(dir, MNT_DETACH) == 0);
    ASSERT(rmdir(dir) == 0);
}

#define MIB (1u << 20)
#define STEP 0x10000u

/* A named SEC_RESERVE section larger than its file system: reserving it costs nothing,
 * committing what does not fit fails with ERROR_COMMITMENT_LIMIT, and every page a
 * commit succeeded for can be written. */
TEST(commit_on_a_full_namespace_fails_and_never_faults)
{
    char dir[256];
    if (!small_tmpfs(dir, sizeof dir, 1024, "commit_on_a_full_namespace_fails_and_never_faults"))
        return;
    setenv("MMF_ROOT", dir, 1); /* this test process's namespace: not used before here */
    HANDLE h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
                                  8 * MIB, "reserved");
    ASSERT(h != NULL);
    unsigned char *v = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT_ERR(!VirtualAlloc(v, 8 * MIB, MEM_COMMIT, PAGE_READWRITE), ERROR_COMMITMENT_LIMIT);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi));
    ASSERT_EQ(mbi.State, MEM_RESERVE); /* nothing was committed */
    size_t committed = 0;
    while (committed < 8 * MIB && VirtualAlloc(v + committed, STEP, MEM_COMMIT, PAGE_READWRITE)) {
        memset(v + committed, 0xA5, STEP); /* a SIGBUS here would end the test */
        committed += STEP;
    }
    ASSERT_EQ(GetLastError(), ERROR_COMMITMENT_LIMIT);
    ASSERT(committed > 0 && committed < MIB);
    for (size_t i = 0; i < committed; i += 4096)
        ASSERT_EQ(v[i], 0xA5);
    UnmapViewOfFile(v);
    CloseHandle(h);
    unmount_small(dir);
}

/* Named committed sections take their room at creation, even below the size for which
 * the file system is asked first. */
TEST(committed_sections_on_a_full_namespace_fail_at_create)
{
    char dir[256];
    if (!small_tmpfs(dir, sizeof dir, 1024, "committed_sections_on_a_full_namespace_fail_at_create"))
        return;
    setenv("MMF_ROOT", dir, 1);
    HANDLE a = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 640 * 1024, "a");
    ASSERT(a != NULL);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 640 * 1024, "b"),
               ERROR_DISK_FULL);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "b"), ERROR_FILE_NOT_FOUND);
    unsigned char *v = MapViewOfFile(a, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    memset(v, 1, 640 * 1024);
    UnmapViewOfFile(v);
    CloseHandle(a);
    unmount_small(dir);
}

/* A section that grows its file past the file system's room: ERROR_DISK_FULL, the file as
 * it was; a growth that fits can be written to the end. */
TEST(file_growth_past_the_room_fails_at_create)
{
    char dir[256], path[300];
    if (!small_tmpfs(dir, sizeof dir, 1024, "file_growth_past_the_room_fails_at_create"))
        return;
    snprintf(path, sizeof path, "%s/grown", dir);
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    DWORD w;
    ASSERT(WriteFile(f, "abcd", 4, &w, NULL) && w == 4);
    ASSERT_ERR(!CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 4 * MIB, NULL), ERROR_DISK_FULL);
    ASSERT_EQ(GetFileSize(f, NULL), 4);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 512 * 1024, NULL);
    ASSERT(m != NULL);
    ASSERT_EQ(GetFileSize(f, NULL), 512 * 1024);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(memcmp(v, "abcd", 4) == 0);
    memset(v + 4, 2, 512 * 1024 - 4);
    UnmapViewOfFile(v);
    CloseHandle(m);
    CloseHandle(f);
    ASSERT(DeleteFileA(path));
    unmount_small(dir);
}
