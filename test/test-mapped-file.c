/* A file with a live section (or view) cannot be made shorter (ERROR_USER_MAPPED_FILE). */
#include "test.h"

static BOOL set_size(HANDLE f, LONG size)
{
    ASSERT_EQ(SetFilePointer(f, size, NULL, FILE_BEGIN), (DWORD)size);
    return SetEndOfFile(f);
}

TEST(truncating_a_mapped_file_fails)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "trunc", 0x10000, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL);
    ASSERT(m != NULL);
    /* The section alone (no view) is enough. */
    ASSERT_ERR(!set_size(f, 0x1000), ERROR_USER_MAPPED_FILE);
    ASSERT(set_size(f, 0x20000)); /* growing is fine */
    ASSERT(set_size(f, 0x20000)); /* and so is the size it has */
    /* Any cut is refused, even one that leaves the whole section (test_eof). */
    ASSERT_ERR(!set_size(f, 0x18000), ERROR_USER_MAPPED_FILE);
    ASSERT_EQ(GetFileSize(f, NULL), 0x20000);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(CloseHandle(m));
    /* A view keeps the section alive without its handle. */
    ASSERT_ERR(!set_size(f, 0x1000), ERROR_USER_MAPPED_FILE);
    ASSERT(GetFileSize(f, NULL) >= 0x10000);
    ASSERT_EQ(v[1], pattern_byte(1));
    ASSERT(UnmapViewOfFile(v));
    ASSERT(set_size(f, 0x1000));
    ASSERT_EQ(GetFileSize(f, NULL), 0x1000);
    drop_file(f, path);
}

/* file.c's test_eof: a 4-byte section of an 8-byte file refuses a cut to 6 bytes. */
TEST(a_small_section_refuses_any_cut)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "eof", 8, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 4, NULL);
    ASSERT(m != NULL);
    ASSERT_ERR(!set_size(f, 6), ERROR_USER_MAPPED_FILE);
    ASSERT(set_size(f, 8));
    ASSERT(set_size(f, 10));
    ASSERT_EQ(GetFileSize(f, NULL), 10);
    CloseHandle(m);
    ASSERT(set_size(f, 6)); /* no section any more */
    drop_file(f, path);
}

TEST(truncating_open_of_a_mapped_file_fails)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "truncopen", 0x2000, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY, 0, 0, NULL);
    ASSERT(m != NULL);
    DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    ASSERT_ERR(CreateFileA(path, GENERIC_READ | GENERIC_WRITE, share, NULL, TRUNCATE_EXISTING, 0,
                           NULL) == INVALID_HANDLE_VALUE,
               ERROR_USER_MAPPED_FILE);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ | GENERIC_WRITE, share, NULL, CREATE_ALWAYS, 0,
                           NULL) == INVALID_HANDLE_VALUE,
               ERROR_USER_MAPPED_FILE);
    ASSERT_EQ(GetFileSize(f, NULL), 0x2000); /* never a changed file */
    CloseHandle(m);
    HANDLE g = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, share, NULL, TRUNCATE_EXISTING, 0,
                           NULL);
    ASSERT(g != INVALID_HANDLE_VALUE);
    ASSERT_EQ(GetFileSize(g, NULL), 0);
    CloseHandle(g);
    drop_file(f, path);
}

TEST(section_keeps_the_file_open)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "keepopen", 0x3000, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, NULL);
    ASSERT(m != NULL);
    ASSERT(CloseHandle(f));
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    v[0x2FFF] = 0x77;
    ASSERT(UnmapViewOfFile(v));
    ASSERT(CloseHandle(m));
    f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    unsigned char c;
    read_at(f, 0x2FFF, &c, 1);
    ASSERT_EQ(c, 0x77);
    drop_file(f, path);
}

static DWORD open_error(const char *path, DWORD access, DWORD share, DWORD disp)
{
    SetLastError(0xdeadbeef);
    HANDLE h = CreateFileA(path, access, share, NULL, disp, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError();
    CloseHandle(h);
    return 0;
}

/* file.c's test_file_sharing / test_mapping: a handle's share mode goes with the handle,
 * even while a section made from it lives; a writable section then refuses every new
 * handle that does not share writing, whatever it asks (none included); a read-only one
 * refuses nothing; neither lets the file be overwritten. */
TEST(sections_and_share_modes)
{
    char path[MAX_PATH];
    const DWORD rw = GENERIC_READ | GENERIC_WRITE, share_rw = FILE_SHARE_READ | FILE_SHARE_WRITE;
    for (int writable = 0; writable < 2; writable++) {
        temp_path(path, writable ? "sharew" : "sharer");
        HANDLE f = CreateFileA(path, rw, 0, NULL, CREATE_ALWAYS, 0, NULL);
        DWORD n;
        ASSERT(f != INVALID_HANDLE_VALUE && WriteFile(f, "0123456789", 10, &n, NULL));
        HANDLE m = CreateFileMappingA(f, NULL, writable ? PAGE_READWRITE : PAGE_READONLY, 0, 0, NULL);
        ASSERT(m != NULL);
        ASSERT_EQ(open_error(path, GENERIC_READ, 7, OPEN_EXISTING), ERROR_SHARING_VIOLATION);
        ASSERT(CloseHandle(f)); /* its share mode (none) goes with it */
        DWORD refused = writable ? ERROR_SHARING_VIOLATION : 0;
        ASSERT_EQ(open_error(path, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING), refused);
        ASSERT_EQ(open_error(path, 0, FILE_SHARE_READ, OPEN_EXISTING), refused);
        ASSERT_EQ(open_error(path, 0, 0, OPEN_EXISTING), refused);
        ASSERT_EQ(open_error(path, rw, 0, OPEN_EXISTING), refused);
        ASSERT_EQ(open_error(path, rw, share_rw, OPEN_EXISTING), 0);
        ASSERT_EQ(open_error(path, GENERIC_READ, FILE_SHARE_WRITE, OPEN_EXISTING), 0);
        ASSERT_EQ(open_error(path, DELETE, 7, OPEN_EXISTING), 0);
        ASSERT_EQ(open_error(path, rw, share_rw, CREATE_ALWAYS), ERROR_USER_MAPPED_FILE);
        ASSERT_EQ(open_error(path, rw, share_rw, TRUNCATE_EXISTING), ERROR_USER_MAPPED_FILE);
        ASSERT(CloseHandle(m));
        ASSERT_EQ(open_error(path, rw, 0, OPEN_EXISTING), 0); /* the section is gone */
        ASSERT(DeleteFileA(path));
    }
}
