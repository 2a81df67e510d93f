/* Calls on paths: attributes, full path names, free space, directories, the current
 * directory. Paths are built from GetTempPath, so the test reads the same on Windows
 * (backslashes) and natively (slashes). */
#include "test.h"

static char sep_of(const char *path)
{
    return strchr(path, '\\') ? '\\' : '/';
}

TEST(file_attributes_by_path)
{
    char path[MAX_PATH], dir[2 * MAX_PATH];
    HANDLE f = make_file(path, "attrs", 5000, GENERIC_READ | GENERIC_WRITE);
    CloseHandle(f);
    DWORD a = GetFileAttributesA(path);
    ASSERT(a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY));
    ASSERT(!(a & FILE_ATTRIBUTE_READONLY));
    WIN32_FILE_ATTRIBUTE_DATA d;
    ASSERT(GetFileAttributesExA(path, GetFileExInfoStandard, &d));
    ASSERT(d.nFileSizeLow == 5000 && d.nFileSizeHigh == 0 && d.dwFileAttributes == a);
    ASSERT(d.ftLastWriteTime.dwHighDateTime != 0);
    ASSERT_ERR(!GetFileAttributesExA(path, GetFileExMaxInfoLevel, &d), ERROR_INVALID_PARAMETER);
    /* Read-only, then writable again. */
    ASSERT(SetFileAttributesA(path, FILE_ATTRIBUTE_READONLY));
    ASSERT(GetFileAttributesA(path) & FILE_ATTRIBUTE_READONLY);
    ASSERT(SetFileAttributesA(path, FILE_ATTRIBUTE_NORMAL));
    ASSERT(!(GetFileAttributesA(path) & FILE_ATTRIBUTE_READONLY));
    ASSERT(DeleteFileA(path));
    /* Missing files, missing directories. */
    ASSERT_ERR(GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES, ERROR_FILE_NOT_FOUND);
    snprintf(dir, sizeof dir, "%s%cno-such-file", path, sep_of(path));
    ASSERT_ERR(GetFileAttributesA(dir) == INVALID_FILE_ATTRIBUTES, ERROR_PATH_NOT_FOUND);
    ASSERT_ERR(!SetFileAttributesA(path, FILE_ATTRIBUTE_NORMAL), ERROR_FILE_NOT_FOUND);
    WCHAR wpath[MAX_PATH];
    ASSERT(GetTempPathW(MAX_PATH, wpath) > 0);
    a = GetFileAttributesW(wpath);
    ASSERT(a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY));
}

TEST(directories_and_current_directory)
{
    char tmp[MAX_PATH], dir[MAX_PATH], inner[2 * MAX_PATH], old[MAX_PATH], here[MAX_PATH];
    temp_path(dir, "dir");
    char sep = sep_of(dir);
    ASSERT(GetCurrentDirectoryA(MAX_PATH, old) > 0);
    ASSERT(CreateDirectoryA(dir, NULL));
    ASSERT_ERR(!CreateDirectoryA(dir, NULL), ERROR_ALREADY_EXISTS);
    snprintf(inner, sizeof inner, "%s%cmissing%cchild", dir, sep, sep);
    ASSERT_ERR(!CreateDirectoryA(inner, NULL), ERROR_PATH_NOT_FOUND);
    snprintf(inner, sizeof inner, "%s%cchild", dir, sep);
    ASSERT(CreateDirectoryA(inner, NULL));
    ASSERT_ERR(!RemoveDirectoryA(dir), ERROR_DIR_NOT_EMPTY);
    /* Into it, and names relative to it. */
    ASSERT(SetCurrentDirectoryA(dir));
    DWORD n = GetCurrentDirectoryA(MAX_PATH, here);
    ASSERT(n > 0 && n == strlen(here));
    ASSERT_EQ(GetCurrentDirectoryA(2, tmp), n + 1); /* too small: the size it needs */
    ASSERT_ERR(!SetCurrentDirectoryA("no-such-dir"), ERROR_FILE_NOT_FOUND);
    char full[MAX_PATH], expect[2 * MAX_PATH], *file;
    snprintf(expect, sizeof expect, "%s%cchild%cx.txt", here, sep, sep);
    char rel[64];
    snprintf(rel, sizeof rel, "child%c.%cy%c..%cx.txt", sep, sep, sep, sep);
    n = GetFullPathNameA(rel, MAX_PATH, full, &file);
    ASSERT(n == strlen(expect) && strcmp(full, expect) == 0);
    ASSERT(file && strcmp(file, "x.txt") == 0);
    ASSERT_EQ(GetFullPathNameA(rel, 5, full, &file), strlen(expect) + 1);
    WCHAR wfull[MAX_PATH], *wfile;
    ASSERT_EQ(GetFullPathNameW(L"child", MAX_PATH, wfull, &wfile), strlen(here) + 6);
    ASSERT(wfile && wfile[0] == 'c' && wfile[5] == 0);
    /* The current directory cannot go while it is current. */
    ASSERT(SetCurrentDirectoryA(inner));
    ASSERT(!RemoveDirectoryA(inner));
    ASSERT(GetLastError() == ERROR_SHARING_VIOLATION || (on_wine() && GetLastError() == 0));
    ASSERT(SetCurrentDirectoryA(old));
    if (GetFileAttributesA(inner) != INVALID_FILE_ATTRIBUTES)
        ASSERT(RemoveDirectoryA(inner));
    ASSERT(RemoveDirectoryA(dir));
    ASSERT_ERR(!RemoveDirectoryA(dir), ERROR_FILE_NOT_FOUND);
    /* A file is no directory. */
    HANDLE f = make_file(tmp, "notdir", 10, GENERIC_READ | GENERIC_WRITE);
    CloseHandle(f);
    ASSERT_ERR(!RemoveDirectoryA(tmp), ERROR_DIRECTORY);
    ASSERT_ERR(!SetCurrentDirectoryA(tmp), ERROR_DIRECTORY);
    ASSERT(DeleteFileA(tmp));
    ASSERT(AreFileApisANSI());
}

TEST(free_disk_space)
{
    char dir[MAX_PATH];
    ASSERT(GetTempPathA(MAX_PATH, dir) > 0);
    ULARGE_INTEGER avail, total, free_;
    ASSERT(GetDiskFreeSpaceExA(dir, &avail, &total, &free_));
    ASSERT(total.QuadPart > 0 && free_.QuadPart <= total.QuadPart);
    ASSERT(avail.QuadPart <= free_.QuadPart);
    ASSERT(GetDiskFreeSpaceExW(NULL, &avail, NULL, NULL) && avail.QuadPart > 0);
    DWORD spc, bps, nfree, ntotal;
    ASSERT(GetDiskFreeSpaceA(NULL, &spc, &bps, &nfree, &ntotal));
    ASSERT(spc > 0 && bps > 0 && ntotal > 0 && nfree <= ntotal);
    char missing[2 * MAX_PATH];
    snprintf(missing, sizeof missing, "%sno-such-dir-here%c", dir, sep_of(dir));
    ASSERT(!GetDiskFreeSpaceExA(missing, &avail, NULL, NULL));
    ASSERT(GetLastError() == ERROR_PATH_NOT_FOUND || GetLastError() == ERROR_FILE_NOT_FOUND);
}
