/* Last error, handles, FormatMessage, system information, clocks and strings. */
#include "test.h"
#include <tchar.h>

TEST(last_error_is_per_thread_and_settable)
{
    SetLastError(1234);
    ASSERT_EQ(GetLastError(), 1234);
    SetLastError(0);
    ASSERT_EQ(GetLastError(), 0);
}

TEST(close_handle_rejects_garbage)
{
    ASSERT_ERR(!CloseHandle(NULL), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!CloseHandle((HANDLE)(ULONG_PTR)0x12345678), ERROR_INVALID_HANDLE);
    /* The pseudo handle of the current process closes successfully and stays usable. */
    ASSERT(CloseHandle(GetCurrentProcess()));
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(m != NULL);
    ASSERT(CloseHandle(m));
    ASSERT_ERR(!CloseHandle(m), ERROR_INVALID_HANDLE);
}

TEST(handle_low_bits_are_ignored)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(m != NULL);
    ASSERT_EQ((ULONG_PTR)m & 3, 0);
    void *v = MapViewOfFile((HANDLE)((ULONG_PTR)m | 3), FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(UnmapViewOfFile(v));
    ASSERT(CloseHandle((HANDLE)((ULONG_PTR)m | 1)));
}

TEST(format_message_system_codes)
{
    char buf[512];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             ERROR_FILE_NOT_FOUND, 0, buf, sizeof buf, NULL);
    ASSERT(n > 2 && n == strlen(buf));
    ASSERT(buf[n - 2] == '\r' && buf[n - 1] == '\n');
    if (!on_wine()) /* Wine words its messages differently from Windows */
        ASSERT(strcmp(buf, "The system cannot find the file specified.\r\n") == 0);

    char *alloc = NULL;
    n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                           FORMAT_MESSAGE_IGNORE_INSERTS,
                       NULL, ERROR_USER_MAPPED_FILE, 0, (LPSTR)&alloc, 0, NULL);
    ASSERT(n > 0 && alloc && strlen(alloc) == n);
    LocalFree(alloc);

    WCHAR w[512];
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                       ERROR_ACCESS_DENIED, 0, w, 512, NULL);
    ASSERT(n > 2 && w[n] == 0 && w[n - 1] == '\n');

    ASSERT_ERR(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                              ERROR_FILE_NOT_FOUND, 0, buf, 4, NULL) == 0,
               ERROR_INSUFFICIENT_BUFFER);
    ASSERT_ERR(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                              0x2badf00d, 0, buf, sizeof buf, NULL) == 0,
               ERROR_MR_MID_NOT_FOUND);
}

TEST(system_info_page_and_granularity)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    ASSERT_EQ(si.dwPageSize, 4096);
    ASSERT_EQ(si.dwAllocationGranularity, 65536);
    ASSERT(si.dwNumberOfProcessors >= 1);
    ASSERT((ULONG_PTR)si.lpMaximumApplicationAddress > (ULONG_PTR)si.lpMinimumApplicationAddress);
}

TEST(type_sizes_match_windows)
{
    ASSERT_EQ(sizeof(DWORD), 4);
    ASSERT_EQ(sizeof(LONG), 4);
    ASSERT_EQ(sizeof(BOOL), 4);
    ASSERT_EQ(sizeof(WCHAR), 2);
    ASSERT_EQ(sizeof(WORD), 2);
    ASSERT_EQ(sizeof(ULONG_PTR), sizeof(void *));
    ASSERT_EQ(sizeof(SIZE_T), sizeof(void *));
    ASSERT_EQ(sizeof(LARGE_INTEGER), 8);
    ASSERT_EQ(sizeof(MEMORY_BASIC_INFORMATION), 48);
    ASSERT_EQ(sizeof(SYSTEM_INFO), 48);
    ASSERT_EQ(sizeof(OVERLAPPED), 32);
    ASSERT_EQ(sizeof(FILETIME), 8);
    ASSERT_EQ(sizeof(BY_HANDLE_FILE_INFORMATION), 52);
    LARGE_INTEGER li;
    li.QuadPart = 0x0000000500000007LL;
    ASSERT_EQ(li.LowPart, 7);
    ASSERT_EQ(li.HighPart, 5);
    ASSERT_EQ(li.u.LowPart, 7);
    const WCHAR *w = u"wide";
    ASSERT_EQ(lstrlenW(w), 4);
}

TEST(clocks_advance)
{
    LARGE_INTEGER f, a, b;
    ASSERT(QueryPerformanceFrequency(&f) && f.QuadPart > 0);
    ASSERT(QueryPerformanceCounter(&a));
    DWORD t0 = GetTickCount();
    ULONGLONG t64 = GetTickCount64();
    Sleep(60);
    ASSERT(QueryPerformanceCounter(&b));
    ASSERT((b.QuadPart - a.QuadPart) * 1000 / f.QuadPart >= 55);
    /* Tick counts may advance in steps of up to ~16 ms. */
    ASSERT(GetTickCount() - t0 >= 40);
    ASSERT(GetTickCount64() - t64 >= 40);
    ASSERT(GetCurrentProcessId() != 0);
}

TEST(wide_and_tchar_strings)
{
    WCHAR buf[32];
    ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "h\xc3\xa9llo", -1, buf, 32), 6);
    ASSERT_EQ(buf[1], 0xE9);
    char back[32];
    ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, buf, -1, back, sizeof back, NULL, NULL), 7);
    ASSERT(strcmp(back, "h\xc3\xa9llo") == 0);
    ASSERT_ERR(MultiByteToWideChar(CP_UTF8, 0, "hello", -1, buf, 2) == 0,
               ERROR_INSUFFICIENT_BUFFER);
    lstrcpyW(buf, u"ab");
    lstrcatW(buf, u"cd");
    ASSERT(lstrcmpW(buf, u"abcd") == 0);
    ASSERT(lstrcmpW(buf, u"abce") < 0);
    _TCHAR t[16];
    _tcscpy(t, _T("tchar"));
    ASSERT_EQ(_tcslen(t), 5);
}
