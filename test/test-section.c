/* CreateFileMapping: protection and SEC_ flags, sizes, file-backed rules. */
#include "test.h"

static HANDLE anon(DWORD prot, DWORD high, DWORD low)
{
    return CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, prot, high, low, NULL);
}

TEST(section_protection_must_be_exactly_one)
{
    static const DWORD good[] = {PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
                                 PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE,
                                 PAGE_EXECUTE_WRITECOPY};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        SetLastError(0xdeadbeef);
        HANDLE m = anon(good[i], 0, 4096);
        ASSERT(m != NULL);
        ASSERT_EQ(GetLastError(), 0);
        CloseHandle(m);
    }
    static const DWORD bad[] = {0, PAGE_NOACCESS, PAGE_EXECUTE, PAGE_READONLY | PAGE_READWRITE,
                                PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE,
                                PAGE_READWRITE | 0x800, PAGE_READWRITE | 0x40000000 /* WC */,
                                PAGE_READWRITE | SEC_FILE, PAGE_READWRITE | SEC_LARGE_PAGES,
                                PAGE_READWRITE | SEC_RESERVE | SEC_COMMIT,
                                PAGE_READWRITE | SEC_NOCACHE, PAGE_READWRITE | SEC_WRITECOMBINE};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ASSERT_ERR(anon(bad[i], 0, 4096) == NULL, ERROR_INVALID_PARAMETER);
}

TEST(section_attributes_accepted)
{
    static const DWORD ok[] = {SEC_COMMIT, SEC_RESERVE, SEC_COMMIT | SEC_NOCACHE,
                               SEC_RESERVE | SEC_NOCACHE, SEC_COMMIT | SEC_WRITECOMBINE,
                               SEC_RESERVE | SEC_WRITECOMBINE};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        HANDLE m = anon(PAGE_READWRITE | ok[i], 0, 65536);
        ASSERT(m != NULL);
        CloseHandle(m);
    }
    ASSERT_ERR(anon(PAGE_READONLY | SEC_IMAGE, 0, 4096) == NULL, ERROR_BAD_EXE_FORMAT);
}

TEST(anonymous_section_sizes)
{
    ASSERT_ERR(anon(PAGE_READWRITE, 0, 0) == NULL, ERROR_INVALID_PARAMETER);
    ASSERT_ERR(anon(PAGE_READWRITE, 0x80000000, 0) == NULL, ERROR_INVALID_PARAMETER);
    ASSERT_ERR(anon(PAGE_READWRITE, 0x7fffffff, 0xffff0000) == NULL, ERROR_NOT_ENOUGH_MEMORY);
    /* Commit charge is not memory in use: 64 GiB sections can be created. */
    HANDLE r = anon(PAGE_READWRITE | SEC_RESERVE, 16, 0);
    ASSERT(r != NULL);
    HANDLE c = anon(PAGE_READWRITE | SEC_COMMIT, 16, 0);
    ASSERT(c != NULL);
    CloseHandle(r);
    CloseHandle(c);
}

TEST(anonymous_section_rounds_and_zeroes)
{
    HANDLE m = anon(PAGE_READWRITE, 0, 100);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    for (int i = 0; i < 4096; i++)
        ASSERT_EQ(v[i], 0);
    v[4095] = 1; /* the page the size rounds up to is usable */
    ASSERT(UnmapViewOfFile(v));
    ASSERT(CloseHandle(m));
}

TEST(section_from_wrong_handles)
{
    HANDLE m = anon(PAGE_READWRITE, 0, 4096);
    ASSERT(m != NULL);
    /* A section handle is not a file. */
    ASSERT_ERR(CreateFileMappingA(m, NULL, PAGE_READWRITE, 0, 4096, NULL) == NULL,
               ERROR_INVALID_HANDLE);
    ASSERT_ERR(CreateFileMappingA((HANDLE)(ULONG_PTR)0x7777770, NULL, PAGE_READWRITE, 0, 4096,
                                  NULL) == NULL,
               ERROR_INVALID_HANDLE);
    CloseHandle(m);
    /* NULL, like INVALID_HANDLE_VALUE, asks for a paging-file section. */
    m = CreateFileMappingA(NULL, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(m != NULL);
    CloseHandle(m);
}

TEST(file_section_size_rules)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "secsize", 0, GENERIC_READ | GENERIC_WRITE);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL) == NULL,
               ERROR_FILE_INVALID);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL) == NULL, ERROR_FILE_INVALID);
    /* Read-only or write-copy sections cannot grow the file. */
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 100, NULL) == NULL,
               ERROR_NOT_ENOUGH_MEMORY);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_WRITECOPY, 0, 100, NULL) == NULL,
               ERROR_NOT_ENOUGH_MEMORY);
    ASSERT_EQ(GetFileSize(f, NULL), 0);
    /* A read-write section grows the file at once. */
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 12345, NULL);
    ASSERT(m != NULL);
    ASSERT_EQ(GetFileSize(f, NULL), 12345);
    CloseHandle(m);
    /* Size 0 means the file's size. */
    m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.RegionSize, 16384); /* 12345 rounded to pages */
    ASSERT(UnmapViewOfFile(v));
    CloseHandle(m);
    drop_file(f, path);
}

TEST(file_section_needs_matching_access)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "secaccess", 8192, GENERIC_READ);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL) == NULL,
               ERROR_ACCESS_DENIED);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_EXECUTE_READWRITE, 0, 0, NULL) == NULL,
               ERROR_ACCESS_DENIED);
    if (!on_wine()) /* Windows wants GENERIC_EXECUTE for execute sections; Wine does not */
        ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_EXECUTE_READ, 0, 0, NULL) == NULL,
                   ERROR_ACCESS_DENIED);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
    ASSERT(m != NULL);
    CloseHandle(m);
    m = CreateFileMappingA(f, NULL, PAGE_WRITECOPY, 0, 0, NULL);
    ASSERT(m != NULL);
    CloseHandle(m);
    CloseHandle(f);
    f = CreateFileA(path, GENERIC_READ | GENERIC_EXECUTE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                    0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    m = CreateFileMappingA(f, NULL, PAGE_EXECUTE_READ, 0, 0, NULL);
    ASSERT(m != NULL);
    CloseHandle(m);
    drop_file(f, path);
}

TEST(sec_reserve_is_ignored_for_files)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "secres", 65536, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 0, NULL);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(v[5], pattern_byte(5));
    UnmapViewOfFile(v);
    CloseHandle(m);
    drop_file(f, path);
}

TEST(sec_image_needs_a_pe_file)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "notpe", 8192, GENERIC_READ);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL) == NULL,
               ERROR_BAD_EXE_FORMAT);
    drop_file(f, path);
}
