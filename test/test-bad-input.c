/* Bad input gets Windows' error code: never a crash, never a changed file. */
#include "test.h"

TEST(null_buffers)
{
    char path[MAX_PATH], buf[8];
    DWORD n;
    HANDLE f = make_file(path, "nullbuf", 16, GENERIC_READ | GENERIC_WRITE);
    ASSERT_ERR(!WriteFile(f, NULL, 10, &n, NULL), ERROR_INVALID_USER_BUFFER);
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_BEGIN), 0);
    ASSERT_ERR(!ReadFile(f, NULL, 10, &n, NULL), ERROR_NOACCESS);
    ASSERT(ReadFile(f, buf, 8, NULL, NULL)); /* the count pointer may be left out */
    ASSERT_EQ(GetFileSize(f, NULL), 16);
    drop_file(f, path);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT_ERR(VirtualQuery(buf, NULL, sizeof mbi) == 0, ERROR_NOACCESS);
    ASSERT_ERR(VirtualQuery(buf, &mbi, sizeof mbi - 1) == 0, ERROR_BAD_LENGTH);
}

TEST(sizes_beyond_2_63)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "huge", 100, GENERIC_READ | GENERIC_WRITE);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READWRITE, 0x80000000, 0, NULL) == NULL,
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READWRITE, 0xFFFFFFFF, 0xFFFFFFFF, NULL) == NULL,
               ERROR_INVALID_PARAMETER);
    ASSERT_EQ(GetFileSize(f, NULL), 100); /* unchanged */
    LONG high = 0x7FFFFFFF;
    ASSERT_ERR(SetFilePointer(f, -1, &high, FILE_BEGIN) == INVALID_SET_FILE_POINTER,
               ERROR_INVALID_PARAMETER);
    drop_file(f, path);

    ASSERT_ERR(!VirtualAlloc(NULL, (SIZE_T)1 << 63, MEM_RESERVE, PAGE_READWRITE),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, (SIZE_T)-1, MEM_RESERVE, PAGE_READWRITE),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc((void *)(ULONG_PTR)0x7FFFFFFE0000ULL, 0x100000, MEM_RESERVE,
                             PAGE_READWRITE),
               ERROR_INVALID_PARAMETER);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x10000, NULL);
    ASSERT(m != NULL);
    ASSERT_ERR(!MapViewOfFile(m, FILE_MAP_READ, 0xFFFFFFFF, 0xFFFF0000, 0),
               ERROR_INVALID_PARAMETER);
    CloseHandle(m);
}

TEST(virtual_protect_on_ordinary_memory)
{
    /* Heap memory (an image's own data would be write-copy on Windows until written). */
    char *data = malloc(3 * 4096);
    ASSERT(data != NULL);
    DWORD old = 0;
    char *page = (char *)(((ULONG_PTR)data + 4095) & ~(ULONG_PTR)4095);
    page[0] = 0;
    ASSERT(VirtualProtect(page, 1, PAGE_READONLY, &old));
    /* (valgrind maps a program's heap read-write-execute, and says so) */
    ASSERT(old == PAGE_READWRITE || old == PAGE_EXECUTE_READWRITE);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(page, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.Protect, PAGE_READONLY);
    ASSERT(VirtualProtect(page, 1, PAGE_READWRITE, &old));
    ASSERT_EQ(old, PAGE_READONLY);
    page[0] = 1;
    /* A size of 0 from inside a page is that page: Windows protects it, as mmf does. */
    ASSERT(VirtualProtect(page + 100, 0, PAGE_READONLY, &old));
    ASSERT(VirtualQuery(page, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT_EQ(mbi.Protect, PAGE_READONLY);
    ASSERT(VirtualProtect(page + 100, 0, PAGE_READWRITE, &old));
    ASSERT_EQ(old, PAGE_READONLY);
    page[0] = 2;
    free(data);
}

TEST(unknown_flag_bits)
{
    char path[MAX_PATH];
    temp_path(path, "flags");
    if (!on_wine()) /* the I/O manager refuses unknown share bits; Wine ignores them */
        ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0x10, NULL, CREATE_ALWAYS, 0, NULL) ==
                       INVALID_HANDLE_VALUE,
                   ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 4096, MEM_COMMIT | 0x40, PAGE_READWRITE),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualAlloc(NULL, 4096, MEM_COMMIT, 0x1000), ERROR_INVALID_PARAMETER);
    void *p = VirtualAlloc(NULL, 4096, MEM_COMMIT, PAGE_READWRITE);
    ASSERT(p != NULL);
    DWORD old;
    ASSERT_ERR(!VirtualProtect(p, 4096, PAGE_READWRITE | PAGE_READONLY, &old),
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!VirtualFree(p, 0, MEM_RELEASE | MEM_DECOMMIT), ERROR_INVALID_PARAMETER);
    ASSERT(VirtualFree(p, 0, MEM_RELEASE));
}
