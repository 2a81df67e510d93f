/* VirtualQuery, VirtualAlloc, VirtualFree and VirtualProtect on views and private memory. */
#include "test.h"

static MEMORY_BASIC_INFORMATION query(const void *p)
{
    MEMORY_BASIC_INFORMATION mbi;
    memset(&mbi, 0x55, sizeof mbi);
    ASSERT(VirtualQuery(p, &mbi, sizeof mbi) == sizeof mbi);
    return mbi;
}

TEST(virtual_query_on_a_view)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1800, NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    MEMORY_BASIC_INFORMATION mbi = query(v + 0x1234);
    ASSERT(mbi.BaseAddress == v + 0x1000);
    ASSERT(mbi.AllocationBase == v);
    ASSERT_EQ(mbi.AllocationProtect, PAGE_READONLY);
    ASSERT_EQ(mbi.Protect, PAGE_READONLY);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(mbi.Type, MEM_MAPPED);
    ASSERT_EQ(mbi.RegionSize, 0x1000);
    ASSERT(UnmapViewOfFile(v));
    mbi = query(v);
    ASSERT_EQ(mbi.State, MEM_FREE);
    ASSERT_EQ(mbi.Protect, PAGE_NOACCESS);
    ASSERT(mbi.AllocationBase == NULL);
    ASSERT_EQ(mbi.Type, 0);
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi - 1) == 0);
    CloseHandle(m);
}

TEST(sec_reserve_views_commit_through_virtual_alloc)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
                                  0x20000, NULL);
    ASSERT(m != NULL);
    unsigned char *a = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    unsigned char *b = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(a && b);
    MEMORY_BASIC_INFORMATION mbi = query(a);
    ASSERT_EQ(mbi.State, MEM_RESERVE);
    ASSERT_EQ(mbi.Protect, 0);
    ASSERT_EQ(mbi.AllocationProtect, PAGE_READWRITE);
    ASSERT_EQ(mbi.Type, MEM_MAPPED);
    ASSERT_EQ(mbi.RegionSize, 0x20000);

    ASSERT(VirtualAlloc(a + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE) == a + 0x1000);
    mbi = query(a);
    ASSERT_EQ(mbi.State, MEM_RESERVE);
    ASSERT_EQ(mbi.RegionSize, 0x1000);
    mbi = query(a + 0x1000);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(mbi.Protect, PAGE_READWRITE);
    ASSERT_EQ(mbi.RegionSize, 0x1000);
    mbi = query(a + 0x2000);
    ASSERT_EQ(mbi.State, MEM_RESERVE);
    ASSERT_EQ(mbi.RegionSize, 0x1E000);
    /* The pages belong to the section: the other view has them too. */
    mbi = query(b + 0x1000);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    a[0x1004] = 0x31;
    ASSERT_EQ(b[0x1004], 0x31);

    ASSERT(VirtualAlloc(a + 0x3000, 0x1000, MEM_COMMIT, PAGE_READONLY) == a + 0x3000);
    ASSERT_EQ(query(a + 0x3000).Protect, PAGE_READONLY);
    ASSERT_ERR(!VirtualAlloc(a + 0x4000, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READWRITE),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(a + 0x4000, 0x1000, MEM_RESERVE, PAGE_READWRITE),
               ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!VirtualFree(a + 0x1000, 0x1000, MEM_DECOMMIT), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualFree(a, 0, MEM_RELEASE), ERROR_INVALID_PARAMETER);
    ASSERT(UnmapViewOfFile(a));
    ASSERT(UnmapViewOfFile(b));
    CloseHandle(m);
}

TEST(virtual_protect_on_views)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x10000, NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    unsigned char *w = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v && w);
    DWORD old = 0;
    ASSERT(VirtualProtect(v + 0x1000, 0x1000, PAGE_READONLY, &old));
    ASSERT_EQ(old, PAGE_READWRITE);
    MEMORY_BASIC_INFORMATION mbi = query(v + 0x1000);
    ASSERT_EQ(mbi.Protect, PAGE_READONLY);
    ASSERT_EQ(mbi.AllocationProtect, PAGE_READWRITE);
    ASSERT_EQ(mbi.RegionSize, 0x1000);
    ASSERT_EQ(query(v).RegionSize, 0x1000);
    ASSERT_ERR(!VirtualProtect(v + 0x1000, 0x1000, PAGE_EXECUTE_READWRITE, &old),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualProtect(w, 0x1000, PAGE_READWRITE, &old), ERROR_INVALID_PARAMETER);
    /* Write-copy on a shared page: writes stay private to this view. */
    ASSERT(VirtualProtect(v + 0x2000, 0x1000, PAGE_WRITECOPY, &old));
    ASSERT_EQ(query(v + 0x2000).Protect, PAGE_WRITECOPY);
    v[0x2000] = 0x44;
    if (!on_wine()) /* Wine reports write-copy but keeps the page shared */
        ASSERT_EQ(w[0x2000], 0);
    v[0x3000] = 0x45;
    ASSERT_EQ(w[0x3000], 0x45);
    ASSERT(VirtualProtect(v, 0x1000, PAGE_NOACCESS, &old));
    ASSERT_EQ(query(v).Protect, PAGE_NOACCESS);
    ASSERT(VirtualProtect(v, 0x1000, PAGE_READWRITE, &old));
    ASSERT_EQ(old, PAGE_NOACCESS);
    v[0] = 1;
    ASSERT(UnmapViewOfFile(v));
    ASSERT(UnmapViewOfFile(w));
    CloseHandle(m);
}

/* Whatever a view may read it may make write-copy (test_mapping's table, for a file
 * opened for reading, writing and executing): written pages turn private, and stay so
 * whatever protection they get next. Other protections beyond the view's access are
 * ERROR_INVALID_PARAMETER. */
TEST(read_views_may_become_write_copy)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "wcread", 0x2000, GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    unsigned char *w = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v && w);
    DWORD old = 0;
    ASSERT(VirtualProtect(v, 0x1000, PAGE_WRITECOPY, &old));
    ASSERT_EQ(old, PAGE_READONLY);
    ASSERT_EQ(query(v).Protect, PAGE_WRITECOPY);
    ASSERT_EQ(query(v).RegionSize, 0x1000);
    ASSERT_ERR(!VirtualProtect(v, 0x1000, PAGE_READWRITE, &old), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualProtect(v, 0x1000, PAGE_EXECUTE_WRITECOPY, &old), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualProtect(v, 0x1000, PAGE_EXECUTE, &old), ERROR_INVALID_PARAMETER);
    v[10] = 0x5A;
    if (!on_wine()) { /* Wine writes a read view's write-copy page through to the file */
        ASSERT_EQ(w[10], pattern_byte(10));
        ASSERT(VirtualProtect(v, 0x1000, PAGE_READONLY, &old));
        ASSERT_EQ(old, PAGE_WRITECOPY);
        ASSERT_EQ(v[10], 0x5A); /* the copy is kept */
        ASSERT_EQ(w[10], pattern_byte(10));
    }
    ASSERT(UnmapViewOfFile(v) && UnmapViewOfFile(w));
    CloseHandle(m);
    /* An executable read view may become execute-write-copy. */
    m = CreateFileMappingA(f, NULL, PAGE_EXECUTE_READ, 0, 0, NULL);
    ASSERT(m != NULL);
    v = MapViewOfFile(m, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(VirtualProtect(v, 0x1000, PAGE_EXECUTE_WRITECOPY, &old));
    ASSERT_EQ(old, PAGE_EXECUTE_READ);
    ASSERT(VirtualProtect(v, 0x1000, PAGE_WRITECOPY, &old));
    ASSERT_ERR(!VirtualProtect(v, 0x1000, PAGE_EXECUTE_READWRITE, &old), ERROR_INVALID_PARAMETER);
    ASSERT(UnmapViewOfFile(v));
    CloseHandle(m);
    unsigned char byte;
    read_at(f, 10, &byte, 1);
    ASSERT_EQ(byte, on_wine() ? 0x5A : pattern_byte(10)); /* never written back, on Windows */
    drop_file(f, path);
}

TEST(virtual_alloc_private_memory)
{
    ASSERT_ERR(!VirtualAlloc(NULL, 0, MEM_COMMIT, PAGE_READWRITE), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 0x1000, 0, PAGE_READWRITE), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 0x1000, MEM_COMMIT, 0), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 0x1000, MEM_RESERVE, 0), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READONLY | PAGE_EXECUTE),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_WRITECOPY), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc((void *)(ULONG_PTR)0xFFFF800000000000ULL, 0x1000, MEM_RESERVE,
                             PAGE_READWRITE),
               ERROR_INVALID_PARAMETER);

    unsigned char *p = VirtualAlloc(NULL, 0xFFFC, MEM_RESERVE, PAGE_NOACCESS);
    ASSERT(p != NULL);
    ASSERT_EQ((ULONG_PTR)p % 65536, 0);
    MEMORY_BASIC_INFORMATION mbi = query(p);
    ASSERT(mbi.AllocationBase == p);
    ASSERT_EQ(mbi.AllocationProtect, PAGE_NOACCESS);
    ASSERT_EQ(mbi.RegionSize, 0x10000);
    ASSERT_EQ(mbi.State, MEM_RESERVE);
    ASSERT_EQ(mbi.Protect, 0);
    ASSERT_EQ(mbi.Type, MEM_PRIVATE);
    DWORD old;
    ASSERT_ERR(!VirtualProtect(p, 0xFFFC, PAGE_READONLY, &old), ERROR_INVALID_ADDRESS);

    ASSERT(VirtualAlloc(p, 0x1000, MEM_COMMIT, PAGE_NOACCESS) == p);
    mbi = query(p);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(mbi.Protect, PAGE_NOACCESS);
    ASSERT_EQ(mbi.RegionSize, 0x1000);
    ASSERT_ERR(!VirtualProtect(p, 0xFFFC, PAGE_READONLY, &old), ERROR_INVALID_ADDRESS);
    ASSERT(VirtualProtect(p, 0x1000, PAGE_READONLY, &old));
    ASSERT_EQ(old, PAGE_NOACCESS);
    ASSERT(VirtualProtect(p, 0x1000, PAGE_READWRITE, &old));
    ASSERT_EQ(old, PAGE_READONLY);
    memset(p, 0x55, 20);
    ASSERT_EQ(p[19], 0x55);
    ASSERT_ERR(!VirtualProtect(p, 0x1000, PAGE_READWRITE, NULL), ERROR_NOACCESS);
    ASSERT_ERR(!VirtualProtect(p, 0x1000, PAGE_WRITECOPY, &old), ERROR_INVALID_PARAMETER);

    ASSERT_ERR(!VirtualFree(p, 0x10000, 0), ERROR_INVALID_PARAMETER);
    ASSERT(VirtualFree(p, 0x10000, MEM_DECOMMIT));
    ASSERT_EQ(query(p).State, MEM_RESERVE);
    ASSERT(VirtualAlloc(p, 0x1000, MEM_COMMIT, PAGE_READWRITE) == p);
    ASSERT_EQ(p[0], 0); /* decommitted pages come back zeroed */
    ASSERT_ERR(!VirtualFree(p, 1, MEM_RELEASE), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualFree(p + 0x1000, 0, MEM_RELEASE), ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!VirtualFree(p + 0x1000, 0, MEM_DECOMMIT), ERROR_INVALID_ADDRESS);
    ASSERT_ERR(!VirtualFree(p, 0x20000, MEM_DECOMMIT), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(p + 0xF000, 0x2000, MEM_COMMIT, PAGE_READWRITE),
               ERROR_INVALID_ADDRESS);
    ASSERT(VirtualFree(p, 0, MEM_RELEASE));
    ASSERT_EQ(query(p).State, MEM_FREE);
    ASSERT_ERR(!VirtualFree(p, 0, MEM_RELEASE), ERROR_INVALID_PARAMETER);

    /* Commit without reserve at an address nobody reserved. */
    ASSERT_ERR(!VirtualAlloc(p, 0x1000, MEM_COMMIT, PAGE_READWRITE), ERROR_INVALID_ADDRESS);
    unsigned char *q = VirtualAlloc(NULL, 100000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    ASSERT(q != NULL);
    q[99999] = 1;
    mbi = query(q);
    ASSERT_EQ(mbi.RegionSize, 0x19000);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT(VirtualFree(q, 0, MEM_RELEASE));
}

TEST(virtual_query_outside_managed_memory)
{
    static int data = 1;
    MEMORY_BASIC_INFORMATION mbi = query(&data);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT(mbi.Protect == PAGE_READWRITE || mbi.Protect == PAGE_WRITECOPY);
    ASSERT(mbi.AllocationBase != NULL);
    ASSERT_ERR(VirtualQuery((void *)(ULONG_PTR)0xFFFF800000000000ULL, &mbi, sizeof mbi) == 0,
               ERROR_INVALID_PARAMETER);
}
