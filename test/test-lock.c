/* Byte-range locks: LockFile, LockFileEx, UnlockFile, UnlockFileEx, with Windows' rules
 * (the facts Wine's conformance tests record for Windows NT, and the stacking LMDB's
 * mdb_env_share_locks relies on). */
#include "test.h"

static HANDLE open_rw(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(h != INVALID_HANDLE_VALUE);
    return h;
}

static BOOL lock_ex(HANDLE h, DWORD flags, DWORD off, DWORD len)
{
    OVERLAPPED ov = {0};
    ov.Offset = off;
    return LockFileEx(h, flags, 0, len, 0, &ov);
}

static BOOL unlock_ex(HANDLE h, DWORD off, DWORD len)
{
    OVERLAPPED ov = {0};
    ov.Offset = off;
    return UnlockFileEx(h, 0, len, 0, &ov);
}

/* An unlock of a range not locked: ERROR_NOT_LOCKED on Windows (STATUS_RANGE_NOT_LOCKED);
 * Wine 8 reports ERROR_LOCK_VIOLATION. */
#define NOT_LOCKED (on_wine() ? ERROR_LOCK_VIOLATION : ERROR_NOT_LOCKED)

#define SHARED_NOW LOCKFILE_FAIL_IMMEDIATELY
#define EXCL_NOW (LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY)

TEST(byte_range_locks_on_one_handle)
{
    char path[MAX_PATH];
    HANDLE h = make_file(path, "locks", 4096, GENERIC_READ | GENERIC_WRITE);
    /* A zero-length lock, unlocked once only. */
    ASSERT(LockFile(h, 0, 0, 0, 0));
    ASSERT(UnlockFile(h, 0, 0, 0, 0));
    ASSERT_ERR(!UnlockFile(h, 0, 0, 0, 0), NOT_LOCKED);
    /* Exclusive locks: no overlap, even on the same handle; adjacent is fine. */
    ASSERT(LockFile(h, 10, 0, 20, 0));
    ASSERT_ERR(!LockFile(h, 12, 0, 10, 0), ERROR_LOCK_VIOLATION);
    ASSERT_ERR(!LockFile(h, 5, 0, 6, 0), ERROR_LOCK_VIOLATION);
    ASSERT(LockFile(h, 5, 0, 5, 0));
    /* An unlock names exactly a locked range. */
    ASSERT_ERR(!UnlockFile(h, 10, 0, 10, 0), NOT_LOCKED);
    ASSERT(UnlockFile(h, 10, 0, 20, 0));
    ASSERT_ERR(!UnlockFile(h, 10, 0, 20, 0), NOT_LOCKED);
    ASSERT(UnlockFile(h, 5, 0, 5, 0));
    /* Shared locks overlap each other; an exclusive one does not overlap them. */
    ASSERT(lock_ex(h, 0, 100, 100));
    ASSERT(lock_ex(h, 0, 100, 100));
    ASSERT(lock_ex(h, 0, 150, 100));
    ASSERT_ERR(!lock_ex(h, EXCL_NOW, 150, 50), ERROR_LOCK_VIOLATION);
    ASSERT(unlock_ex(h, 150, 100));
    ASSERT_ERR(!unlock_ex(h, 150, 100), NOT_LOCKED);
    ASSERT(unlock_ex(h, 100, 100) && unlock_ex(h, 100, 100));
    ASSERT_ERR(!unlock_ex(h, 100, 100), NOT_LOCKED);
    /* A zero-length lock counts as covering its offset (Wine 8: only for a lock that
     * starts before it). */
    ASSERT(LockFile(h, 100, 0, 0, 0));
    ASSERT_ERR(!LockFile(h, 98, 0, 4, 0), ERROR_LOCK_VIOLATION);
    ASSERT(LockFile(h, 90, 0, 10, 0));
    if (!on_wine())
        ASSERT_ERR(!LockFile(h, 100, 0, 10, 0), ERROR_LOCK_VIOLATION);
    ASSERT(UnlockFile(h, 90, 0, 10, 0));
    ASSERT_ERR(!UnlockFile(h, 100, 0, 10, 0), NOT_LOCKED);
    ASSERT(UnlockFile(h, 100, 0, 0, 0));
    /* Offsets up to the last one: past what Linux records, still locks of the handle. */
    ASSERT(LockFile(h, 0, 0x10000000, 0, 0xf0000000));
    ASSERT_ERR(!LockFile(h, ~0u, ~0u, 1, 0), ERROR_LOCK_VIOLATION);
    ASSERT_ERR(!LockFile(h, 0, 0x20000000, 20, 0), ERROR_LOCK_VIOLATION);
    ASSERT(UnlockFile(h, 0, 0x10000000, 0, 0xf0000000));
    ASSERT(LockFile(h, ~0u, ~0u, 1, 0) && UnlockFile(h, ~0u, ~0u, 1, 0));
    /* The whole file, the usual way. */
    ASSERT(LockFile(h, 0, 0, MAXDWORD, MAXDWORD) && UnlockFile(h, 0, 0, MAXDWORD, MAXDWORD));
    drop_file(h, path);
}

TEST(byte_range_locks_between_handles)
{
    char path[MAX_PATH];
    HANDLE h = make_file(path, "locks2", 4096, GENERIC_READ | GENERIC_WRITE);
    HANDLE h2 = open_rw(path);
    /* A shared lock stacks on the same handle's exclusive one, not another handle's. */
    ASSERT(lock_ex(h, LOCKFILE_EXCLUSIVE_LOCK, 300, 100));
    ASSERT_ERR(!lock_ex(h2, SHARED_NOW, 300, 100), ERROR_LOCK_VIOLATION);
    ASSERT_ERR(!lock_ex(h2, SHARED_NOW, 399, 10), ERROR_LOCK_VIOLATION);
    ASSERT(lock_ex(h, SHARED_NOW, 300, 100));
    /* The unlock takes the exclusive one: the shared one is left, other handles share it. */
    ASSERT(unlock_ex(h, 300, 100));
    ASSERT(lock_ex(h2, SHARED_NOW, 300, 100));
    ASSERT_ERR(!lock_ex(h2, EXCL_NOW, 300, 1), ERROR_LOCK_VIOLATION);
    ASSERT(unlock_ex(h2, 300, 100));
    ASSERT_ERR(!unlock_ex(h2, 300, 100), NOT_LOCKED); /* not h2's to unlock */
    ASSERT(unlock_ex(h, 300, 100));
    ASSERT(lock_ex(h2, EXCL_NOW, 300, 100) && unlock_ex(h2, 300, 100));
    /* A handle's locks go when it closes. */
    ASSERT(LockFile(h, 0, 0, 10, 0) && lock_ex(h, 0, 20, 10));
    ASSERT_ERR(!LockFile(h2, 5, 0, 1, 0), ERROR_LOCK_VIOLATION);
    ASSERT_ERR(!lock_ex(h2, EXCL_NOW, 25, 1), ERROR_LOCK_VIOLATION);
    ASSERT(CloseHandle(h));
    ASSERT(LockFile(h2, 0, 0, 30, 0));
    /* A duplicated handle is the same file object: its locks are the handle's. */
    HANDLE d;
    ASSERT(DuplicateHandle(GetCurrentProcess(), h2, GetCurrentProcess(), &d, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    ASSERT(UnlockFile(d, 0, 0, 30, 0));
    ASSERT(CloseHandle(d));
    drop_file(h2, path);
}

TEST(byte_range_lock_arguments)
{
    char path[MAX_PATH];
    HANDLE h = make_file(path, "lockargs", 4096, GENERIC_READ | GENERIC_WRITE);
    OVERLAPPED ov = {0};
    ASSERT_ERR(!LockFileEx(h, 0, 1, 10, 0, &ov), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!UnlockFileEx(h, 1, 10, 0, &ov), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!LockFile(NULL, 0, 0, 1, 0), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!UnlockFile((HANDLE)(ULONG_PTR)0x4444, 0, 0, 1, 0), ERROR_INVALID_HANDLE);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT_ERR(!LockFile(ev, 0, 0, 1, 0), ERROR_INVALID_HANDLE);
    /* A handle with neither read nor write access (Windows' NtLockFile refuses it; Wine 8
     * locks through it). */
    HANDLE attrs = CreateFileA(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(attrs != INVALID_HANDLE_VALUE);
    if (!on_wine())
        ASSERT_ERR(!LockFile(attrs, 0, 0, 1, 0), ERROR_ACCESS_DENIED);
    /* A read-only handle takes exclusive locks too; the OVERLAPPED's event is set. */
    HANDLE ro = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                            OPEN_EXISTING, 0, NULL);
    ASSERT(ro != INVALID_HANDLE_VALUE);
    ov.hEvent = ev;
    ASSERT(LockFileEx(ro, LOCKFILE_EXCLUSIVE_LOCK, 0, 10, 0, &ov));
    ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    ASSERT_ERR(!LockFile(h, 0, 0, 1, 0), ERROR_LOCK_VIOLATION);
    ASSERT(UnlockFileEx(ro, 0, 10, 0, &ov));
    ASSERT(CloseHandle(ro) && CloseHandle(attrs) && CloseHandle(ev));
    drop_file(h, path);
}

/* The control block a locking child and its test share. */
struct lockctl {
    volatile LONG step;
    char path[MAX_PATH];
};

static struct lockctl *map_lockctl(const char *name, HANDLE *h, BOOL create)
{
    *h = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name)
                : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    return *h ? MapViewOfFile(*h, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
}

/* arg: the control block's name. Locks [0, 10) exclusively and [100, 110) shared in the
 * block's file (step 1); when told (step 2), says it is about to unlock the first (3) and
 * does; then holds the second until killed. */
CHILD(lock_and_hold)
{
    HANDLE hc;
    struct lockctl *c = map_lockctl(arg, &hc, FALSE);
    if (!c)
        return 10;
    HANDLE f = CreateFileA(c->path, GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE || !LockFile(f, 0, 0, 10, 0) || !lock_ex(f, 0, 100, 10))
        return 11;
    InterlockedExchange(&c->step, 1);
    wait_flag(&c->step, 2, 30000);
    Sleep(200); /* time for the test to block, which it must do until the unlock */
    InterlockedExchange(&c->step, 3);
    if (!UnlockFile(f, 0, 0, 10, 0))
        return 12;
    wait_flag(&c->step, 4, 30000); /* never: killed */
    return 13;
}

TEST(byte_range_locks_across_processes)
{
    char name[64];
    HANDLE hc;
    test_name(name, "lockctl");
    struct lockctl *c = map_lockctl(name, &hc, TRUE);
    ASSERT(c);
    HANDLE h = make_file(c->path, "xlocks", 4096, GENERIC_READ | GENERIC_WRITE);
    struct child ch;
    start_child(&ch, "lock_and_hold", name);
    wait_flag(&c->step, 1, 20000);
    ASSERT_ERR(!LockFile(h, 9, 0, 1, 0), ERROR_LOCK_VIOLATION);
    ASSERT_ERR(!lock_ex(h, SHARED_NOW, 5, 1), ERROR_LOCK_VIOLATION);
    ASSERT(lock_ex(h, SHARED_NOW, 105, 10) && unlock_ex(h, 105, 10));
    ASSERT_ERR(!lock_ex(h, EXCL_NOW, 109, 1), ERROR_LOCK_VIOLATION);
    ASSERT(LockFile(h, 10, 0, 90, 0) && UnlockFile(h, 10, 0, 90, 0)); /* between them */
    /* A blocking request waits for the other process's unlock. */
    InterlockedExchange(&c->step, 2);
    ASSERT(lock_ex(h, LOCKFILE_EXCLUSIVE_LOCK, 0, 10));
    ASSERT_EQ(c->step, 3);
    ASSERT(unlock_ex(h, 0, 10));
    /* Killed: its locks go with it. */
    kill_child(&ch);
    ASSERT(lock_ex(h, EXCL_NOW, 100, 10) && unlock_ex(h, 100, 10));
    drop_file(h, c->path);
    ASSERT(UnmapViewOfFile(c) && CloseHandle(hc));
}
