/* CreateFile and file I/O: dispositions, errors, positions, sizes, share modes. */
#include "test.h"

#ifdef _WIN32
/* A WinCE entry point; desktop Windows (and Wine) have CreateFile for the same job. */
#define CreateFileForMappingA CreateFileA
#endif

TEST(create_file_dispositions)
{
    char path[MAX_PATH];
    temp_path(path, "disp");
    DeleteFileA(path);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(CreateFileA(path, GENERIC_WRITE, 0, NULL, TRUNCATE_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_FILE_NOT_FOUND);
    SetLastError(0xdeadbeef);
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT_EQ(GetLastError(), 0);
    ASSERT(CloseHandle(f));
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, CREATE_NEW, 0, NULL) == INVALID_HANDLE_VALUE,
               ERROR_FILE_EXISTS);
    SetLastError(0xdeadbeef);
    f = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_ALWAYS, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    CloseHandle(f);
    SetLastError(0xdeadbeef);
    f = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    drop_file(f, path);
    SetLastError(0xdeadbeef);
    f = CreateFileA(path, GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT_EQ(GetLastError(), 0);
    drop_file(f, path);
    ASSERT_ERR(!DeleteFileA(path), ERROR_FILE_NOT_FOUND);
}

TEST(create_file_bad_arguments)
{
    char path[MAX_PATH], missing_dir[MAX_PATH + 32];
    temp_path(path, "badargs");
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, 0, 0, NULL) == INVALID_HANDLE_VALUE,
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, 6, 0, NULL) == INVALID_HANDLE_VALUE,
               ERROR_INVALID_PARAMETER);
    ASSERT_ERR(CreateFileA(NULL, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_PATH_NOT_FOUND);
    ASSERT_ERR(CreateFileA("", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_PATH_NOT_FOUND);
    sprintf(missing_dir, "%s-nodir\\file", path);
    ASSERT_ERR(CreateFileA(missing_dir, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_PATH_NOT_FOUND);
    GetTempPathA(MAX_PATH, path);
    /* A directory is not a file without FILE_FLAG_BACKUP_SEMANTICS. */
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL) == INVALID_HANDLE_VALUE,
               ERROR_ACCESS_DENIED);
}

TEST(read_write_and_positions)
{
    char path[MAX_PATH], buf[64];
    DWORD n;
    HANDLE f = make_file(path, "rw", 0, GENERIC_READ | GENERIC_WRITE);
    ASSERT(WriteFile(f, "hello, world", 12, &n, NULL) && n == 12);
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_CURRENT), 12);
    ASSERT_EQ(SetFilePointer(f, 7, NULL, FILE_BEGIN), 7);
    ASSERT(ReadFile(f, buf, sizeof buf, &n, NULL) && n == 5);
    ASSERT(memcmp(buf, "world", 5) == 0);
    ASSERT(ReadFile(f, buf, sizeof buf, &n, NULL) && n == 0); /* end of file: TRUE, 0 */
    ASSERT_EQ(SetFilePointer(f, -5, NULL, FILE_END), 7);
    ASSERT_ERR(SetFilePointer(f, -100, NULL, FILE_CURRENT) == INVALID_SET_FILE_POINTER,
               ERROR_NEGATIVE_SEEK);
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_CURRENT), 7); /* unmoved */
    ASSERT_ERR(SetFilePointer(f, 0, NULL, 3) == INVALID_SET_FILE_POINTER, ERROR_INVALID_PARAMETER);
    LARGE_INTEGER d, pos;
    d.QuadPart = 0x100000000LL; /* 4 GiB: positions past 32 bits */
    ASSERT(SetFilePointerEx(f, d, &pos, FILE_BEGIN));
    ASSERT_EQ(pos.QuadPart, 0x100000000LL);
    LONG high = 1;
    ASSERT_EQ(SetFilePointer(f, 2, &high, FILE_BEGIN), 2);
    ASSERT_EQ(high, 1);
    /* Without a high word, only the low half of the position comes back. */
    ASSERT_EQ(SetFilePointer(f, 0x7fffffff, NULL, FILE_CURRENT), 0x80000001);
    ASSERT(SetFilePointerEx(f, d, &pos, FILE_CURRENT));
    ASSERT_EQ(pos.QuadPart, 0x280000001LL);
    /* OVERLAPPED on a synchronous handle reads at the offset given. */
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Offset = 3;
    ASSERT(ReadFile(f, buf, 4, &n, &ov) && n == 4);
    ASSERT(memcmp(buf, "lo, ", 4) == 0);
    ASSERT(CloseHandle(f));
    ASSERT(DeleteFileA(path));
}

TEST(file_sizes_and_end_of_file)
{
    char path[MAX_PATH];
    DWORD high = 7;
    HANDLE f = make_file(path, "size", 5000, GENERIC_READ | GENERIC_WRITE);
    ASSERT_EQ(GetFileSize(f, &high), 5000);
    ASSERT_EQ(high, 0);
    LARGE_INTEGER sz;
    ASSERT(GetFileSizeEx(f, &sz) && sz.QuadPart == 5000);
    ASSERT_EQ(SetFilePointer(f, 100, NULL, FILE_BEGIN), 100);
    ASSERT(SetEndOfFile(f));
    ASSERT_EQ(GetFileSize(f, NULL), 100);
    LARGE_INTEGER big;
    big.QuadPart = 0x100001000LL;
    ASSERT(SetFilePointerEx(f, big, NULL, FILE_BEGIN));
    ASSERT(SetEndOfFile(f)); /* sparse growth past 4 GiB */
    ASSERT_EQ(GetFileSize(f, &high), 0x1000);
    ASSERT_EQ(high, 1);
    ASSERT(FlushFileBuffers(f));
    CloseHandle(f);
    f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    if (!on_wine()) /* Windows needs write access; Wine reports 87 from its ftruncate */
        ASSERT_ERR(!SetEndOfFile(f), ERROR_ACCESS_DENIED);
    ASSERT_ERR(!FlushFileBuffers(f), ERROR_ACCESS_DENIED);
    DWORD n;
    ASSERT_ERR(!WriteFile(f, "x", 1, &n, NULL), ERROR_ACCESS_DENIED);
    drop_file(f, path);
}

TEST(file_functions_reject_wrong_handles)
{
    DWORD n;
    char c;
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(m != NULL);
    ASSERT_ERR(!ReadFile(NULL, &c, 1, &n, NULL), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!WriteFile((HANDLE)(ULONG_PTR)0x7777770, &c, 1, &n, NULL), ERROR_INVALID_HANDLE);
    if (!on_wine()) { /* Wine reads and truncates through a section handle's own fd */
        ASSERT_ERR(!ReadFile(m, &c, 1, &n, NULL), ERROR_INVALID_HANDLE);
        ASSERT_ERR(!SetEndOfFile(m), ERROR_INVALID_HANDLE);
    }
    ASSERT_ERR(!FlushFileBuffers(NULL), ERROR_INVALID_HANDLE);
    LARGE_INTEGER sz;
    ASSERT_ERR(!GetFileSizeEx((HANDLE)(ULONG_PTR)0x7777770, &sz), ERROR_INVALID_HANDLE);
    CloseHandle(m);
}

TEST(share_modes)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "share", 10, GENERIC_READ | GENERIC_WRITE);
    CloseHandle(f);
    f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    HANDLE g = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(g != INVALID_HANDLE_VALUE); /* both read, both share read */
    ASSERT_ERR(CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL) == INVALID_HANDLE_VALUE,
               ERROR_SHARING_VIOLATION);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_SHARING_VIOLATION);
    ASSERT_ERR(!DeleteFileA(path), ERROR_SHARING_VIOLATION);
    CloseHandle(f);
    CloseHandle(g);
    f = CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                    0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE); /* free again once the others closed */
    drop_file(f, path);
}

TEST(delete_on_close_and_wide_names)
{
    WCHAR wpath[MAX_PATH];
    char path[MAX_PATH];
    /* The A functions take the ANSI code page: UTF-8 for mmf, a legacy one for Windows and
     * Wine, where only ASCII names are the same both ways. */
    temp_path(path, on_wine() ? "wide" : "w\xc3\xa9");
    ASSERT(MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, MAX_PATH) > 0);
    HANDLE f = CreateFileW(wpath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_DELETE, NULL,
                           CREATE_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    HANDLE a = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    ASSERT(a != INVALID_HANDLE_VALUE); /* the UTF-8 name finds the UTF-16 one */
    CloseHandle(a);
    CloseHandle(f);
    ASSERT_ERR(CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!DeleteFileW(wpath), ERROR_FILE_NOT_FOUND);
}

TEST(duplicated_file_handles)
{
    char path[MAX_PATH], c;
    DWORD n;
    HANDLE d, f = make_file(path, "dupfile", 10, GENERIC_READ | GENERIC_WRITE);
    ASSERT(DuplicateHandle(GetCurrentProcess(), f, GetCurrentProcess(), &d, GENERIC_READ, FALSE,
                           0));
    ASSERT_EQ(SetFilePointer(f, 3, NULL, FILE_BEGIN), 3);
    ASSERT(ReadFile(d, &c, 1, &n, NULL) && n == 1); /* one file object, one position */
    ASSERT_EQ(c, pattern_byte(3));
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_CURRENT), 4);
    ASSERT_ERR(!WriteFile(d, "x", 1, &n, NULL), ERROR_ACCESS_DENIED);
    ASSERT(CloseHandle(f));
    ASSERT(CloseHandle(d));
    ASSERT(DeleteFileA(path));
}

TEST(temp_path_forms)
{
    char a[MAX_PATH];
    WCHAR w[MAX_PATH];
    DWORD n = GetTempPathA(MAX_PATH, a);
    ASSERT(n > 0 && n == strlen(a));
    ASSERT(a[n - 1] == '\\' || a[n - 1] == '/');
    ASSERT_EQ(GetTempPathA(1, a), n + 1); /* too small: the size needed */
    ASSERT_EQ(GetTempPathW(MAX_PATH, w), n);
    ASSERT_EQ(w[n], 0);
    ASSERT_EQ(w[0], (WCHAR)(unsigned char)a[0]);
}

TEST(create_file_for_mapping)
{
    char path[MAX_PATH];
    temp_path(path, "wince");
    HANDLE f = CreateFileForMappingA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                                     FILE_ATTRIBUTE_NORMAL, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 100, NULL);
    ASSERT(m != NULL);
    CloseHandle(m);
    drop_file(f, path);
}

/* file.c's test_CreateFileW: FILE_FLAG_BACKUP_SEMANTICS opens a directory, whatever the
 * rights asked, with a disposition that keeps it; the handle transfers no data. Without
 * the flag a directory is ERROR_ACCESS_DENIED. */
TEST(directories_open_with_backup_semantics)
{
    char dir[MAX_PATH], buf[4];
    DWORD n, share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    ASSERT(GetTempPathA(MAX_PATH, dir) > 0);
    HANDLE d = CreateFileA(dir, GENERIC_READ, share, NULL, OPEN_EXISTING,
                           FILE_FLAG_BACKUP_SEMANTICS, NULL);
    ASSERT(d != INVALID_HANDLE_VALUE);
    FILETIME w;
    ASSERT(GetFileTime(d, NULL, NULL, &w));
    BY_HANDLE_FILE_INFORMATION info;
    ASSERT(GetFileInformationByHandle(d, &info));
    ASSERT(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    ASSERT_ERR(!ReadFile(d, buf, sizeof buf, &n, NULL), ERROR_INVALID_FUNCTION);
    ASSERT(CloseHandle(d));
    d = CreateFileA(dir, GENERIC_READ | GENERIC_WRITE, share, NULL, OPEN_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, NULL);
    ASSERT(d != INVALID_HANDLE_VALUE);
    /* Windows: "Incorrect function.", as for reading; Wine says the handle is invalid. */
    ASSERT_ERR(!WriteFile(d, "x", 1, &n, NULL),
               on_wine() ? ERROR_INVALID_HANDLE : ERROR_INVALID_FUNCTION);
    ASSERT(CloseHandle(d));
    ASSERT_ERR(CreateFileA(dir, GENERIC_READ, share, NULL, OPEN_EXISTING, 0, NULL) ==
                   INVALID_HANDLE_VALUE,
               ERROR_ACCESS_DENIED);
    /* Overwriting one fails too (which error Windows gives is not pinned: Wine says 80). */
    ASSERT(CreateFileA(dir, GENERIC_READ | GENERIC_WRITE, share, NULL, CREATE_ALWAYS,
                       FILE_FLAG_BACKUP_SEMANTICS, NULL) == INVALID_HANDLE_VALUE);
}

/* file.c's test_read_write: a buffer that runs into a page the transfer may not touch
 * fails the whole call before anything moves (ERROR_NOACCESS for a read, even at the end
 * of the file; ERROR_INVALID_USER_BUFFER for a write), with a count of 0, the position
 * and the file as they were. */
TEST(transfers_into_bad_buffers_move_nothing)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "badbuf", 6000, GENERIC_READ | GENERIC_WRITE);
    char *p = VirtualAlloc(NULL, 8192, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    DWORD old, n;
    ASSERT(p && VirtualProtect(p + 4096, 4096, PAGE_NOACCESS, &old));
    char *b = p + 4096 - 100; /* 100 good bytes, then none */
    static const LONG at[] = {0, 5950};
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ(SetFilePointer(f, at[i], NULL, FILE_BEGIN), (DWORD)at[i]);
        n = 12345;
        ASSERT_ERR(!ReadFile(f, b, 200, &n, NULL), ERROR_NOACCESS);
        ASSERT_EQ(n, 0);
        ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_CURRENT), (DWORD)at[i]);
        n = 12345;
        ASSERT_ERR(!WriteFile(f, b, 200, &n, NULL), ERROR_INVALID_USER_BUFFER);
        ASSERT_EQ(n, 0);
        ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_CURRENT), (DWORD)at[i]);
    }
    ASSERT_EQ(GetFileSize(f, NULL), 6000);
    unsigned char c;
    read_at(f, 5999, &c, 1);
    ASSERT_EQ(c, pattern_byte(5999));
    /* Within the good bytes all is well. */
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_BEGIN), 0);
    ASSERT(ReadFile(f, b, 100, &n, NULL) && n == 100);
    ASSERT_EQ((unsigned char)b[99], pattern_byte(99));
    /* A read into read-only memory is refused likewise. */
    ASSERT(VirtualProtect(p, 4096, PAGE_READONLY, &old));
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_BEGIN), 0);
    ASSERT_ERR(!ReadFile(f, p, 10, &n, NULL), ERROR_NOACCESS);
    ASSERT_EQ(n, 0);
    ASSERT_EQ(SetFilePointer(f, 0, NULL, FILE_CURRENT), 0);
    ASSERT(VirtualFree(p, 0, MEM_RELEASE));
    drop_file(f, path);
}

static BOOL file_exists(const char *path)
{
    HANDLE h = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    CloseHandle(h);
    return TRUE;
}

/* CreateFile's parameters across dispositions, rights and flags (test_CreateFile's
 * checks, 672 cases): a disposition out of range is ERROR_INVALID_PARAMETER whatever
 * else is asked, and touches nothing; the rest follow the disposition. */
TEST(create_file_parameter_matrix)
{
    char path[MAX_PATH];
    temp_path(path, "cfmatrix");
    static const DWORD disp[] = {0, CREATE_NEW, CREATE_ALWAYS, OPEN_EXISTING, OPEN_ALWAYS,
                                 TRUNCATE_EXISTING, 6, 0xFFFFFFFF};
    static const DWORD acc[] = {0, GENERIC_READ, GENERIC_WRITE, GENERIC_READ | GENERIC_WRITE,
                                DELETE, FILE_READ_ATTRIBUTES, GENERIC_ALL};
    static const DWORD flags[] = {0, FILE_FLAG_DELETE_ON_CLOSE, FILE_FLAG_OVERLAPPED,
                                  FILE_FLAG_NO_BUFFERING, FILE_ATTRIBUTE_DIRECTORY,
                                  FILE_FLAG_BACKUP_SEMANTICS};
    int cases = 0;
    for (int exists = 0; exists < 2; exists++)
        for (unsigned d = 0; d < sizeof disp / sizeof *disp; d++)
            for (unsigned a = 0; a < sizeof acc / sizeof *acc; a++)
                for (unsigned f = 0; f < sizeof flags / sizeof *flags; f++, cases++) {
                    DeleteFileA(path);
                    if (exists) {
                        HANDLE w = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
                        ASSERT(w != INVALID_HANDLE_VALUE);
                        CloseHandle(w);
                    }
                    SetLastError(0xdeadbeef);
                    HANDLE h = CreateFileA(path, acc[a],
                                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                           NULL, disp[d], flags[f], NULL);
                    DWORD e = GetLastError();
                    if (h != INVALID_HANDLE_VALUE)
                        CloseHandle(h);
                    BOOL there = file_exists(path);
                    if (disp[d] < CREATE_NEW || disp[d] > TRUNCATE_EXISTING) {
                        ASSERT(h == INVALID_HANDLE_VALUE && e == ERROR_INVALID_PARAMETER);
                        ASSERT_EQ(there, exists);
                    } else if (exists && disp[d] == CREATE_NEW) {
                        ASSERT(h == INVALID_HANDLE_VALUE && e == ERROR_FILE_EXISTS);
                    } else if (!exists && (disp[d] == OPEN_EXISTING || disp[d] == TRUNCATE_EXISTING)) {
                        ASSERT(h == INVALID_HANDLE_VALUE && e == ERROR_FILE_NOT_FOUND);
                        ASSERT(!there);
                    } else {
                        ASSERT(h != INVALID_HANDLE_VALUE);
                        BOOL reopened = exists && (disp[d] == CREATE_ALWAYS || disp[d] == OPEN_ALWAYS);
                        ASSERT_EQ(e, reopened ? ERROR_ALREADY_EXISTS : 0);
                        ASSERT_EQ(there, !(flags[f] & FILE_FLAG_DELETE_ON_CLOSE));
                    }
                }
    DeleteFileA(path);
    printf("# %d CreateFile cases\n", cases);
}

static DWORD open_status_of(const char *path, DWORD disp)
{
    SetLastError(0xdeadbeef);
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           NULL, disp, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError();
    CloseHandle(h);
    return 0;
}

/* The path forms programs use: \\?\ and \\.\ before a path name that path, NUL is the
 * null device, and what does not exist here (network paths, named pipes) fails as a
 * missing one would. */
TEST(path_prefixes_and_devices)
{
    char dir[MAX_PATH], path[MAX_PATH + 40], buf[4];
    DWORD n;
    ASSERT(GetTempPathA(MAX_PATH, dir) > 0);
    static const char *const nul[] = {"NUL", "nul", "\\\\.\\NUL"};
    for (int i = 0; i < 3; i++) {
        HANDLE h = CreateFileA(nul[i], GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               NULL, OPEN_EXISTING, 0, NULL);
        ASSERT(h != INVALID_HANDLE_VALUE);
        ASSERT(WriteFile(h, "abc", 3, &n, NULL) && n == 3);
        ASSERT(ReadFile(h, buf, sizeof buf, &n, NULL) && n == 0);
        CloseHandle(h);
    }
    ASSERT(!DeleteFileA("nul")); /* a device is never deleted as a file */
    ASSERT(open_status_of("NUL", OPEN_EXISTING) == 0);
    snprintf(path, sizeof path, "\\\\?\\%smmf-prefixed", dir);
    ASSERT_EQ(open_status_of(path, CREATE_ALWAYS), 0);
    snprintf(path, sizeof path, "%smmf-prefixed", dir);
    ASSERT_EQ(open_status_of(path, OPEN_EXISTING), 0); /* the same file */
    snprintf(path, sizeof path, "\\\\.\\%smmf-prefixed", dir);
    ASSERT_EQ(open_status_of(path, OPEN_EXISTING), 0);
    ASSERT(DeleteFileA(path));
    ASSERT_EQ(open_status_of("\\\\?\\", OPEN_EXISTING), ERROR_INVALID_NAME);
    ASSERT_EQ(open_status_of("\\\\.\\", OPEN_EXISTING), ERROR_INVALID_NAME);
    ASSERT_EQ(open_status_of("\\\\.\\pipe\\mmf-no-such-pipe", OPEN_EXISTING), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(open_status_of("\\\\mmf-no-such-server\\share\\x", OPEN_EXISTING),
              ERROR_PATH_NOT_FOUND);
    ASSERT_EQ(open_status_of("\\\\?\\UNC\\mmf-no-such-server\\share\\x", OPEN_EXISTING),
              ERROR_PATH_NOT_FOUND);
}

/* A file's identity (volume serial and index) is the same through every handle of it and
 * differs between files; its size, links and times are the file's. */
TEST(file_information_by_handle)
{
    char a_path[MAX_PATH], b_path[MAX_PATH];
    HANDLE a = make_file(a_path, "infoa", 5000, GENERIC_READ | GENERIC_WRITE);
    HANDLE b = make_file(b_path, "infob", 10, GENERIC_READ | GENERIC_WRITE);
    HANDLE a2 = CreateFileA(a_path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                            OPEN_EXISTING, 0, NULL);
    ASSERT(a2 != INVALID_HANDLE_VALUE);
    BY_HANDLE_FILE_INFORMATION ia, ia2, ib;
    ASSERT(GetFileInformationByHandle(a, &ia));
    ASSERT(GetFileInformationByHandle(a2, &ia2));
    ASSERT(GetFileInformationByHandle(b, &ib));
    ASSERT(ia.dwVolumeSerialNumber == ia2.dwVolumeSerialNumber);
    ASSERT(ia.nFileIndexHigh == ia2.nFileIndexHigh && ia.nFileIndexLow == ia2.nFileIndexLow);
    ASSERT(ia.nFileIndexHigh != ib.nFileIndexHigh || ia.nFileIndexLow != ib.nFileIndexLow);
    ASSERT(ia.nFileSizeHigh == 0 && ia.nFileSizeLow == 5000 && ib.nFileSizeLow == 10);
    ASSERT_EQ(ia.nNumberOfLinks, 1);
    ASSERT(!(ia.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY));
    FILETIME w;
    ASSERT(GetFileTime(a, NULL, NULL, &w));
    ASSERT(w.dwLowDateTime == ia.ftLastWriteTime.dwLowDateTime &&
           w.dwHighDateTime == ia.ftLastWriteTime.dwHighDateTime);
    ASSERT_ERR(!GetFileInformationByHandle(NULL, &ia), ERROR_INVALID_HANDLE);
    CloseHandle(a2);
    drop_file(a, a_path);
    drop_file(b, b_path);
}
