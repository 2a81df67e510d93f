/* Calls Wine's conformance tests (and the programs they stand for) use around mappings:
 * waits with invalid handles and their alertable forms, IsBad*Ptr, the Virtual*Ex forms
 * for the current process, file times, temporary file names, OVERLAPPED results and the
 * basetsd conversions. */
#include "test.h"

#ifndef AT_ROUND_TO_PAGE /* the driver kit's, for mingw-w64 */
#define AT_ROUND_TO_PAGE 0x40000000
#endif

/* Windows ignores a handle's low two bits; an invalid handle anywhere in a wait's array
 * fails the whole wait, for any and for all (sync.c's test_WaitForSingleObject). */
TEST(waits_refuse_invalid_handles_whatever_their_low_bits)
{
    HANDLE on = CreateEventW(NULL, TRUE, TRUE, NULL), off = CreateEventW(NULL, TRUE, FALSE, NULL);
    ASSERT(on && off);
    for (ULONG_PTR bits = 0; bits < 4; bits++) {
        ASSERT_ERR(WaitForSingleObject((HANDLE)((ULONG_PTR)0xdeadbee0 | bits), 0) == WAIT_FAILED,
                   ERROR_INVALID_HANDLE);
        SetLastError(0xdeadbeef);
        ASSERT_EQ(WaitForSingleObject((HANDLE)((ULONG_PTR)on | bits), 0), WAIT_OBJECT_0);
        ASSERT_EQ(WaitForSingleObject((HANDLE)((ULONG_PTR)off | bits), 0), WAIT_TIMEOUT);
        ASSERT_EQ(GetLastError(), 0xdeadbeef); /* success sets no error */
    }
    HANDLE with_bad[3] = {off, (HANDLE)(ULONG_PTR)0xdeadbee0, on};
    HANDLE with_null[2] = {on, NULL};
    ASSERT_ERR(WaitForMultipleObjects(3, with_bad, FALSE, 0) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    ASSERT_ERR(WaitForMultipleObjects(3, with_bad, TRUE, 0) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    ASSERT_ERR(WaitForMultipleObjects(2, with_null, FALSE, 0) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    CloseHandle(on);
    CloseHandle(off);
}

/* With no APC queued, an alertable wait or sleep ends as the plain one would. */
TEST(alertable_waits_end_as_plain_ones)
{
    HANDLE on = CreateEventW(NULL, TRUE, TRUE, NULL), off = CreateEventW(NULL, FALSE, FALSE, NULL);
    ASSERT(on && off);
    ASSERT_EQ(SleepEx(10, TRUE), 0);
    ASSERT_EQ(SleepEx(0, FALSE), 0);
    ASSERT_EQ(WaitForSingleObjectEx(on, 0, TRUE), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObjectEx(off, 20, TRUE), WAIT_TIMEOUT);
    HANDLE both[2] = {off, on};
    ASSERT_EQ(WaitForMultipleObjectsEx(2, both, FALSE, 0, TRUE), WAIT_OBJECT_0 + 1);
    ASSERT_EQ(WaitForMultipleObjectsEx(2, both, TRUE, 10, TRUE), WAIT_TIMEOUT);
    ASSERT_ERR(WaitForSingleObjectEx(NULL, 0, TRUE) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    CloseHandle(on);
    CloseHandle(off);
}

static int a_function(void)
{
    return 1;
}

TEST(is_bad_ptr_follows_protections)
{
    int local = 0;
    ASSERT(!IsBadReadPtr(NULL, 0) && !IsBadWritePtr(NULL, 0)); /* nothing to access */
    ASSERT(IsBadReadPtr(NULL, 1) && IsBadWritePtr(NULL, 1));
    ASSERT(!IsBadReadPtr(&local, sizeof local) && !IsBadWritePtr(&local, sizeof local));
    ASSERT(!IsBadCodePtr((void *)(ULONG_PTR)a_function));
    ASSERT(IsBadCodePtr(NULL));
    char *p = VirtualAlloc(NULL, 3 * 4096, MEM_RESERVE, PAGE_NOACCESS);
    ASSERT(p != NULL);
    ASSERT(IsBadReadPtr(p, 1)); /* reserved, not committed */
    ASSERT(VirtualAlloc(p, 4096, MEM_COMMIT, PAGE_READONLY) == p);
    ASSERT(VirtualAlloc(p + 4096, 4096, MEM_COMMIT, PAGE_READWRITE) == p + 4096);
    ASSERT(VirtualAlloc(p + 8192, 4096, MEM_COMMIT, PAGE_NOACCESS) == p + 8192);
    ASSERT(!IsBadReadPtr(p, 8192) && IsBadWritePtr(p, 8192));
    ASSERT(!IsBadWritePtr(p + 4096, 4096));
    ASSERT(IsBadReadPtr(p + 4096, 4097) && IsBadWritePtr(p + 8192, 1));
    SetLastError(1234);
    ASSERT(IsBadReadPtr((void *)~(ULONG_PTR)15, 64)); /* wraps around */
    ASSERT_EQ(GetLastError(), 1234);                    /* sets no error */
    ASSERT(VirtualFree(p, 0, MEM_RELEASE));
}

TEST(virtual_ex_forms_act_on_the_current_process)
{
    HANDLE self = GetCurrentProcess();
    char *p = VirtualAllocEx(self, NULL, 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT(p != NULL);
    p[0] = 1;
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT_EQ(VirtualQueryEx(self, p, &mbi, sizeof mbi), sizeof mbi);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(mbi.Protect, PAGE_READWRITE);
    DWORD old;
    ASSERT(VirtualProtectEx(self, p, 4096, PAGE_READONLY, &old));
    ASSERT_EQ(old, PAGE_READWRITE);
    ASSERT_ERR(!VirtualAllocEx(NULL, NULL, 4096, MEM_COMMIT, PAGE_READWRITE), ERROR_INVALID_HANDLE);
    ASSERT_ERR(VirtualQueryEx(NULL, p, &mbi, sizeof mbi) == 0, ERROR_INVALID_HANDLE);
    ASSERT_ERR(!VirtualProtectEx(NULL, p, 4096, PAGE_READWRITE, &old), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!VirtualFreeEx(NULL, p, 0, MEM_RELEASE), ERROR_INVALID_HANDLE);
    ASSERT(VirtualFreeEx(self, p, 0, MEM_RELEASE));
    /* A section-view flag is no allocation type. */
    ASSERT_ERR(!VirtualAlloc(NULL, 4096, MEM_RESERVE | MEM_COMMIT | AT_ROUND_TO_PAGE,
                             PAGE_READWRITE),
               ERROR_INVALID_PARAMETER);
}

static ULONGLONG ft64(const FILETIME *ft)
{
    return (ULONGLONG)ft->dwHighDateTime << 32 | ft->dwLowDateTime;
}

TEST(file_times_round_trip)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "times", 16, GENERIC_READ | GENERIC_WRITE);
    FILETIME c, a, w;
    ASSERT(GetFileTime(f, &c, &a, &w));
    /* Written after 2020 (FILETIME 132223104000000000 is 2020-01-01). */
    ASSERT(ft64(&w) > 132223104000000000ULL);
    FILETIME then = {0x12345678, 0x01D5C03A}; /* a 2019 time, to 100 ns */
    FILETIME zero = {0, 0};
    ASSERT(SetFileTime(f, NULL, &zero, &then));
    FILETIME w2, a2;
    ASSERT(GetFileTime(f, NULL, &a2, &w2));
    ASSERT_EQ(ft64(&w2), ft64(&then));
    ASSERT_EQ(ft64(&a2), ft64(&a)); /* 0: left as it was */
    HANDLE r = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    ASSERT(r != INVALID_HANDLE_VALUE);
    ASSERT(GetFileTime(r, NULL, NULL, &w2));
    /* Setting needs FILE_WRITE_ATTRIBUTES, which GENERIC_READ lacks (Wine does not check). */
    if (!on_wine())
        ASSERT_ERR(!SetFileTime(r, NULL, NULL, &then), ERROR_ACCESS_DENIED);
    CloseHandle(r);
    ASSERT_ERR(!GetFileTime(NULL, NULL, NULL, &w2), ERROR_INVALID_HANDLE);
    drop_file(f, path);
}

static BOOL same_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20) && *a != *b)
            return FALSE;
    return *a == *b;
}

static BOOL is_file(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    CloseHandle(h);
    return TRUE;
}

/* file.c's test_GetTempFileNameA: <dir><3 prefix characters><hex>.tmp. */
TEST(temp_file_names)
{
    char dir[MAX_PATH], out[MAX_PATH], other[MAX_PATH], want[MAX_PATH + 16];
    ASSERT(GetTempPathA(MAX_PATH, dir) > 0);
    ASSERT_EQ(GetTempFileNameA(dir, "abcdef", 0x1002A, out), 0x2A); /* its low 16 bits */
    snprintf(want, sizeof want, "%sabc2A.tmp", dir);
    ASSERT(same_nocase(out, want));
    ASSERT(!is_file(out)); /* a number given: only the name */
    UINT n = GetTempFileNameA(dir, "mmf", 0, out);
    ASSERT(n != 0 && n <= 0xFFFF);
    ASSERT(is_file(out)); /* made, empty */
    UINT m = GetTempFileNameA(dir, "mmf", 0, other);
    ASSERT(m != 0 && !same_nocase(out, other));
    ASSERT(DeleteFileA(out) && DeleteFileA(other));
    char missing[MAX_PATH + 16];
    snprintf(missing, sizeof missing, "%sno-such-dir-mmf", dir);
    ASSERT_ERR(GetTempFileNameA(missing, "x", 0, out) == 0, ERROR_DIRECTORY);
    WCHAR wdir[MAX_PATH], wout[MAX_PATH];
    static const WCHAR pfx[] = {'w', 'i', 'd', 0};
    ASSERT(GetTempPathW(MAX_PATH, wdir) > 0);
    n = GetTempFileNameW(wdir, pfx, 0, wout);
    ASSERT(n != 0);
    ASSERT(DeleteFileW(wout));
}

/* A synchronous handle's OVERLAPPED holds the transfer's result for GetOverlappedResult. */
TEST(overlapped_results_of_synchronous_io)
{
    char path[MAX_PATH], buf[8];
    HANDLE f = make_file(path, "ovl", 10, GENERIC_READ | GENERIC_WRITE);
    OVERLAPPED ov = {0};
    DWORD n = 99;
    ov.Offset = 2;
    ASSERT(ReadFile(f, buf, 4, &n, &ov));
    ASSERT_EQ(n, 4);
    n = 99;
    ASSERT(GetOverlappedResult(f, &ov, &n, FALSE));
    ASSERT_EQ(n, 4);
    ASSERT_EQ((unsigned char)buf[0], pattern_byte(2));
    ov.Offset = 100; /* past the end */
    ASSERT_ERR(!ReadFile(f, buf, 4, &n, &ov), ERROR_HANDLE_EOF);
    ASSERT_EQ(n, 0);
    ASSERT_ERR(!GetOverlappedResult(f, &ov, &n, TRUE), ERROR_HANDLE_EOF);
    ASSERT_EQ(n, 0);
    ov.Offset = 0;
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT(ov.hEvent != NULL);
    ASSERT(WriteFile(f, "xy", 2, &n, &ov));
    ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0); /* set on completion */
    ASSERT(GetOverlappedResult(f, &ov, &n, TRUE));
    ASSERT_EQ(n, 2);
    CloseHandle(ov.hEvent);
    drop_file(f, path);
}

TEST(basetsd_conversions)
{
    ASSERT((ULONG_PTR)ULongToHandle(0xFFFFFFFF) == 0xFFFFFFFFu); /* zero-extended */
    ASSERT(LongToHandle(-1) == INVALID_HANDLE_VALUE);               /* sign-extended */
    ASSERT_EQ(HandleToULong(INVALID_HANDLE_VALUE), 0xFFFFFFFF);
    ASSERT_EQ(HandleToLong(LongToHandle(-2)), -2);
    ASSERT_EQ(PtrToUlong(UlongToPtr(0x80000000u)), 0x80000000u);
    ASSERT((ULONG_PTR)UlongToPtr(0x80000000u) == 0x80000000u); /* zero-extended */
    ASSERT_EQ(PtrToInt(IntToPtr(-5)), -5);
    ASSERT_EQ(PtrToUint(UIntToPtr(7)), 7);
}
