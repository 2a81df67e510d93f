/* MapViewOfFile(Ex), UnmapViewOfFile, FlushViewOfFile and what views share. */
#include "test.h"

static HANDLE anon(DWORD prot, DWORD size)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, prot, 0, size, NULL);
    ASSERT(m != NULL);
    return m;
}

static DWORD view_protect(void *v)
{
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
    return mbi.Protect;
}

/* Maps with `access`; returns the view protection, or 0 with the error checked. */
static DWORD try_map(HANDLE m, DWORD access, DWORD expect_error)
{
    SetLastError(0xdeadbeef);
    void *v = MapViewOfFile(m, access, 0, 0, 0);
    if (!v) {
        ASSERT_EQ(GetLastError(), expect_error);
        return 0;
    }
    DWORD p = view_protect(v);
    ASSERT(UnmapViewOfFile(v));
    return p;
}

TEST(view_access_matrix)
{
    const DWORD R = FILE_MAP_READ, W = FILE_MAP_WRITE, C = FILE_MAP_COPY, X = FILE_MAP_EXECUTE;
    const DWORD D = ERROR_ACCESS_DENIED;
    HANDLE ro = anon(PAGE_READONLY, 4096), rw = anon(PAGE_READWRITE, 4096);
    HANDLE wc = anon(PAGE_WRITECOPY, 4096), xr = anon(PAGE_EXECUTE_READ, 4096);
    HANDLE xrw = anon(PAGE_EXECUTE_READWRITE, 4096), xwc = anon(PAGE_EXECUTE_WRITECOPY, 4096);

    ASSERT_EQ(try_map(ro, R, 0), PAGE_READONLY);
    ASSERT_EQ(try_map(ro, C, 0), PAGE_WRITECOPY);
    ASSERT_EQ(try_map(ro, W, D), 0);
    ASSERT_EQ(try_map(ro, FILE_MAP_ALL_ACCESS, D), 0);
    if (!on_wine()) /* Wine lets an execute view onto a read-only section; Windows refuses */
        ASSERT_EQ(try_map(ro, X, D), 0);
    ASSERT_EQ(try_map(wc, R, 0), PAGE_READONLY);
    ASSERT_EQ(try_map(wc, C, 0), PAGE_WRITECOPY);
    ASSERT_EQ(try_map(wc, W, D), 0);

    ASSERT_EQ(try_map(rw, R, 0), PAGE_READONLY);
    ASSERT_EQ(try_map(rw, W, 0), PAGE_READWRITE);
    ASSERT_EQ(try_map(rw, R | W, 0), PAGE_READWRITE);
    ASSERT_EQ(try_map(rw, C, 0), PAGE_WRITECOPY);
    ASSERT_EQ(try_map(rw, C | W, 0), PAGE_READWRITE);
    ASSERT_EQ(try_map(rw, C | R, 0), PAGE_READONLY);
    ASSERT_EQ(try_map(rw, 0, 0), PAGE_NOACCESS);
    ASSERT_EQ(try_map(rw, FILE_MAP_ALL_ACCESS, 0), PAGE_READWRITE);
    if (!on_wine())
        ASSERT_EQ(try_map(rw, R | X, D), 0);

    ASSERT_EQ(try_map(xr, R, 0), PAGE_READONLY);
    ASSERT_EQ(try_map(xr, R | X, 0), PAGE_EXECUTE_READ);
    ASSERT_EQ(try_map(xr, C | X, 0), PAGE_EXECUTE_WRITECOPY);
    ASSERT_EQ(try_map(xr, W, D), 0);
    ASSERT_EQ(try_map(xwc, C, 0), PAGE_WRITECOPY);
    ASSERT_EQ(try_map(xwc, W | X, D), 0);

    ASSERT_EQ(try_map(xrw, W | X, 0), PAGE_EXECUTE_READWRITE);
    ASSERT_EQ(try_map(xrw, R | X, 0), PAGE_EXECUTE_READ);
    ASSERT_EQ(try_map(xrw, C | X, 0), PAGE_EXECUTE_WRITECOPY);
    ASSERT_EQ(try_map(xrw, W, 0), PAGE_READWRITE);
    HANDLE all[] = {ro, rw, wc, xr, xrw, xwc};
    for (int i = 0; i < 6; i++)
        CloseHandle(all[i]);
}

TEST(view_offsets_and_sizes)
{
    HANDLE m = anon(PAGE_READWRITE, 0x20000);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0x1000, 0x10), ERROR_MAPPED_ALIGNMENT);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0x20000, 0), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0x30000, 0x1000), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 1, 0, 0), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0x20001), ERROR_ACCESS_DENIED);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0x10000, 0x10001), ERROR_ACCESS_DENIED);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0x10000, (SIZE_T)-1), ERROR_ACCESS_DENIED);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0x10000, 0);
    ASSERT(v != NULL);
    ASSERT_EQ((ULONG_PTR)v % 65536, 0);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.RegionSize, 0x10000); /* size 0: to the end of the section */
    UnmapViewOfFile(v);
    CloseHandle(m);

    /* A 1-byte section has one page to view. */
    m = anon(PAGE_READONLY, 1);
    v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 4096);
    ASSERT(v != NULL);
    ASSERT(UnmapViewOfFile(v));
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0, 4097), ERROR_ACCESS_DENIED);
    CloseHandle(m);
}

TEST(map_view_rejects_wrong_handles)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "mapwrong", 4096, GENERIC_READ | GENERIC_WRITE);
    ASSERT_ERR(!MapViewOfFile(f, FILE_MAP_READ, 0, 0, 0), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!MapViewOfFile(NULL, FILE_MAP_READ, 0, 0, 0), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!MapViewOfFile((HANDLE)(ULONG_PTR)0x7777770, FILE_MAP_READ, 0, 0, 0),
               ERROR_INVALID_HANDLE);
    HANDLE m = anon(PAGE_READWRITE, 4096);
    CloseHandle(m);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0), ERROR_INVALID_HANDLE);
    drop_file(f, path);
}

TEST(views_of_one_section_share_bytes)
{
    HANDLE m = anon(PAGE_READWRITE, 0x30000);
    unsigned char *a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    unsigned char *b = MapViewOfFile(m, FILE_MAP_READ, 0, 0x10000, 0x10000);
    ASSERT(a && b && a != b);
    a[0x10000 + 17] = 0x5A;
    ASSERT_EQ(b[17], 0x5A);
    ASSERT(UnmapViewOfFile(a));
    ASSERT(UnmapViewOfFile(b));
    CloseHandle(m);
}

TEST(views_outlive_the_handle)
{
    HANDLE m = anon(PAGE_READWRITE, 8192);
    unsigned char *a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    unsigned char *b = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(a && b);
    ASSERT(CloseHandle(m));
    a[100] = 42;
    ASSERT_EQ(b[100], 42); /* still one section */
    ASSERT(UnmapViewOfFile(a));
    b[101] = 43;
    ASSERT_EQ(b[101], 43);
    ASSERT(UnmapViewOfFile(b));
}

TEST(unmap_by_any_address_inside)
{
    HANDLE m = anon(PAGE_READWRITE, 0x30000);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(UnmapViewOfFile(v + 0x12345));
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.State, MEM_FREE);
    ASSERT_EQ(mbi.Type, 0);
    ASSERT_ERR(!UnmapViewOfFile(v), ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!UnmapViewOfFile(NULL), ERROR_INVALID_ADDRESS);
    char *heap = malloc(100);
    ASSERT_ERR(!UnmapViewOfFile(heap), ERROR_INVALID_ADDRESS);
    free(heap);
    CloseHandle(m);
}

TEST(map_view_at_a_chosen_address)
{
    HANDLE m = anon(PAGE_READWRITE, 0x20000);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    v[1] = 9;
    ASSERT(UnmapViewOfFile(v));
    /* The address just freed is free again: ask for it. */
    unsigned char *w = MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, v);
    ASSERT(w == v);
    ASSERT_EQ(w[1], 9);
    ASSERT_ERR(!MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, w), ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, w + 0x1000), ERROR_MAPPED_ALIGNMENT);
    ASSERT(UnmapViewOfFile(w));
    CloseHandle(m);
}

/* The place a view leaves is anyone's: a later view goes elsewhere, aligned, and leaves
 * what took the place alone. */
TEST(a_place_taken_after_an_unmap_is_left_alone)
{
    HANDLE m = anon(PAGE_READWRITE, 0x10000);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(UnmapViewOfFile(v));
    unsigned char *p = VirtualAlloc(v, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT(p == v);
    p[0] = 7;
    unsigned char *w = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(w != NULL && w != p);
    ASSERT_EQ((uintptr_t)w % 0x10000, 0);
    w[0] = 1;
    ASSERT_EQ(p[0], 7);
    ASSERT(UnmapViewOfFile(w));
    ASSERT(VirtualFree(p, 0, MEM_RELEASE));
    CloseHandle(m);
}

TEST(copy_on_write_never_reaches_the_file)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "cow", 8192, GENERIC_READ);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_WRITECOPY, 0, 0, NULL);
    ASSERT(m != NULL);
    unsigned char *c = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0);
    unsigned char *r = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(c && r);
    ASSERT_EQ(c[10], pattern_byte(10));
    c[10] = 0xEE;
    ASSERT_EQ(c[10], 0xEE);
    ASSERT_EQ(r[10], pattern_byte(10)); /* the other view and the file are untouched */
    ASSERT(FlushViewOfFile(c, 0));
    ASSERT(UnmapViewOfFile(c));
    ASSERT(UnmapViewOfFile(r));
    CloseHandle(m);
    unsigned char buf[16];
    read_at(f, 0, buf, 16);
    ASSERT_EQ(buf[10], pattern_byte(10));
    drop_file(f, path);
}

TEST(file_view_writes_reach_the_file)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "fview", 100000, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0x10000, 0);
    ASSERT(v != NULL);
    ASSERT_EQ(v[5], pattern_byte(0x10000 + 5));
    memcpy(v + 5, "mapped", 6);
    ASSERT(FlushViewOfFile(v + 5, 6));
    ASSERT(FlushViewOfFile(v, 0));
    char buf[8] = {0};
    DWORD n;
    read_at(f, 0x10005, buf, 6);
    ASSERT(memcmp(buf, "mapped", 6) == 0);
    /* And file writes show in the view. */
    ASSERT_EQ(SetFilePointer(f, 0x10000, NULL, FILE_BEGIN), 0x10000);
    ASSERT(WriteFile(f, "ZZ", 2, &n, NULL));
    ASSERT_EQ(v[0], 'Z');
    ASSERT_ERR(!FlushViewOfFile(v + 0x100, 0x100000), ERROR_INVALID_PARAMETER);
    ASSERT(UnmapViewOfFile(v));
    ASSERT_ERR(!FlushViewOfFile(v, 0), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!FlushViewOfFile(NULL, 0), ERROR_INVALID_PARAMETER);
    CloseHandle(m);
    drop_file(f, path);
}

TEST(views_beyond_4gib)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "big", 0, GENERIC_READ | GENERIC_WRITE);
    /* 5 GiB + 64 KiB, sparse: offsets and a view above 4 GiB. */
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 1, 0x40010000, NULL);
    ASSERT(m != NULL);
    DWORD high;
    ASSERT_EQ(GetFileSize(f, &high), 0x40010000);
    ASSERT_EQ(high, 1);
    unsigned char *hi = MapViewOfFile(m, FILE_MAP_WRITE, 1, 0x40000000, 0);
    ASSERT(hi != NULL);
    hi[0xFFFF] = 0xAB;
    unsigned char *wide = MapViewOfFile(m, FILE_MAP_READ, 0, 0x40000000, 0);
    ASSERT(wide != NULL); /* a single view longer than 4 GiB */
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(wide, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.RegionSize, 0x100010000ULL);
    ASSERT_EQ(wide[0x10000FFFFULL], 0xAB);
    ASSERT(UnmapViewOfFile(hi));
    ASSERT(UnmapViewOfFile(wide));
    CloseHandle(m);
    drop_file(f, path);
}

TEST(section_access_limits_file_views)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "roview", 4096, GENERIC_READ);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
    ASSERT(m != NULL);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT_EQ(v[4095], pattern_byte(4095));
    UnmapViewOfFile(v);
    CloseHandle(m);
    drop_file(f, path);
}

static MEMORY_BASIC_INFORMATION query(const void *p)
{
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(p, &mbi, sizeof mbi) == sizeof mbi);
    return mbi;
}

/* virtual.c's test_MapViewOfFile: VirtualAlloc(MEM_COMMIT) through a view commits a
 * SEC_RESERVE section's pages for every view, each with its own protection, and gives the
 * range the protection asked for in that view, committed already or not. */
TEST(commits_through_a_view_set_its_protection)
{
    const DWORD size = 0x100000;
    HANDLE m = anon(PAGE_READWRITE | SEC_RESERVE, size);
    char *a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0), *b = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(a && b && a != b);
    MEMORY_BASIC_INFORMATION q = query(a);
    ASSERT(q.RegionSize == size && q.State == MEM_RESERVE && q.Protect == 0);
    ASSERT(q.AllocationProtect == PAGE_READWRITE && q.Type == MEM_MAPPED);
    ASSERT(VirtualAlloc(a, 0x10000, MEM_COMMIT, PAGE_READONLY) == a);
    q = query(a);
    ASSERT(q.RegionSize == 0x10000 && q.State == MEM_COMMIT && q.Protect == PAGE_READONLY);
    ASSERT_EQ(q.AllocationProtect, PAGE_READWRITE);
    q = query(b); /* the section's pages, with b's own protection */
    ASSERT(q.RegionSize == 0x10000 && q.State == MEM_COMMIT && q.Protect == PAGE_READWRITE);
    ASSERT(VirtualAlloc(a, size, MEM_RESET, PAGE_READONLY) == a);
    ASSERT_ERR(!VirtualFree(a, 0x10000, MEM_DECOMMIT), ERROR_INVALID_PARAMETER);
    ASSERT(UnmapViewOfFile(a) && UnmapViewOfFile(b));
    CloseHandle(m);
    /* SEC_COMMIT: all committed, so the commit only changes the protection. */
    m = anon(PAGE_READWRITE | SEC_COMMIT, size);
    a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(a != NULL);
    ASSERT(VirtualAlloc(a, 0x10000, MEM_COMMIT, PAGE_READONLY) == a);
    q = query(a);
    ASSERT(q.RegionSize == 0x10000 && q.State == MEM_COMMIT && q.Protect == PAGE_READONLY);
    ASSERT_EQ(q.AllocationProtect, PAGE_READWRITE);
    ASSERT(VirtualAlloc(a, 0x1000, MEM_COMMIT, PAGE_READWRITE) == a); /* and back */
    ASSERT_EQ(query(a).Protect, PAGE_READWRITE);
    a[0] = 1;
    ASSERT_ERR(!VirtualAlloc(a, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READWRITE), ERROR_INVALID_PARAMETER);
    ASSERT(UnmapViewOfFile(a));
    CloseHandle(m);
    /* UnmapViewOfFile of what is not a view. */
    char *p = VirtualAlloc(NULL, 0x10000, MEM_COMMIT, PAGE_READONLY);
    ASSERT(p != NULL);
    ASSERT_ERR(!UnmapViewOfFile(p), ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!UnmapViewOfFile(p + 0x3000), ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!UnmapViewOfFile((void *)(ULONG_PTR)0xdeadbeef), ERROR_INVALID_ADDRESS);
    ASSERT(VirtualFree(p, 0, MEM_RELEASE));
}

/* A view outlives its name: with the handles closed the name is free again (a new
 * section, ERROR_SUCCESS), the view stays readable; once unmapped its pages are free. */
TEST(a_view_outlives_its_name)
{
    const DWORD size = 0x100000;
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, "outlive");
    char *v = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    ASSERT(v != NULL);
    ASSERT(CloseHandle(m));
    ASSERT(!IsBadReadPtr(v, size));
    MEMORY_BASIC_INFORMATION q = query(v);
    ASSERT(q.RegionSize == size && q.State == MEM_COMMIT && q.Protect == PAGE_READWRITE);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "outlive"), ERROR_FILE_NOT_FOUND);
    SetLastError(0xdeadbeef);
    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, "outlive");
    ASSERT(m != NULL);
    ASSERT_EQ(GetLastError(), ERROR_SUCCESS);
    CloseHandle(m);
    ASSERT(UnmapViewOfFile(v));
    ASSERT(IsBadReadPtr(v, size));
    q = query(v);
    ASSERT(q.State == MEM_FREE && q.Protect == PAGE_NOACCESS && q.AllocationBase == NULL);
    ASSERT(q.AllocationProtect == 0 && q.Type == 0);
}
