/* The base runtime real programs (LMDB, SQLite) use beside mapping: TLS, critical
 * sections, Interlocked*, heaps, modules, versions, system times, strings. Only
 * <windows.h> and the CRT headers a Windows program would include. */
#include "test.h"

#include <malloc.h>
#include <process.h>

/* --- TLS ------------------------------------------------------------------------------ */

static DWORD tls_slot;
static volatile LONG tls_ok;

static DWORD WINAPI tls_thread(LPVOID arg)
{
    /* A new thread sees NULL; its own value does not reach the creator. */
    if (TlsGetValue(tls_slot) == NULL && GetLastError() == ERROR_SUCCESS &&
        TlsSetValue(tls_slot, arg) && TlsGetValue(tls_slot) == arg)
        InterlockedIncrement(&tls_ok);
    return 0;
}

TEST(tls_slots)
{
    tls_slot = TlsAlloc();
    ASSERT(tls_slot != TLS_OUT_OF_INDEXES);
    SetLastError(0xdeadbeef);
    ASSERT(TlsGetValue(tls_slot) == NULL);
    ASSERT_EQ(GetLastError(), ERROR_SUCCESS); /* cleared: NULL is a value */
    ASSERT(TlsSetValue(tls_slot, (LPVOID)0x1234));
    HANDLE t = CreateThread(NULL, 0, tls_thread, (LPVOID)0x5678, 0, NULL);
    ASSERT(t && WaitForSingleObject(t, 10000) == WAIT_OBJECT_0 && CloseHandle(t));
    ASSERT_EQ(tls_ok, 1);
    ASSERT(TlsGetValue(tls_slot) == (LPVOID)0x1234);
    /* Freed and given out again: every thread's value reads NULL. */
    ASSERT(TlsFree(tls_slot));
    ASSERT_ERR(!TlsFree(tls_slot), ERROR_INVALID_PARAMETER);
    DWORD again = TlsAlloc();
    ASSERT(again != TLS_OUT_OF_INDEXES);
    if (again == tls_slot)
        ASSERT(TlsGetValue(again) == NULL);
    ASSERT(TlsFree(again));
    /* Indexes past the last slot. */
    ASSERT_ERR(TlsGetValue(100000) == NULL, ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!TlsSetValue(100000, NULL), ERROR_INVALID_PARAMETER);
    /* At least TLS_MINIMUM_AVAILABLE slots. */
    DWORD many[TLS_MINIMUM_AVAILABLE];
    for (int i = 0; i < TLS_MINIMUM_AVAILABLE; i++)
        ASSERT((many[i] = TlsAlloc()) != TLS_OUT_OF_INDEXES);
    for (int i = 0; i < TLS_MINIMUM_AVAILABLE; i++)
        ASSERT(TlsFree(many[i]));
}

/* --- Critical sections and Interlocked* ------------------------------------------------- */

static CRITICAL_SECTION cs;
static LONG guarded; /* changed under cs only, without atomics */
static volatile LONG counted;

static void count_under_lock(int index)
{
    (void)index;
    for (int i = 0; i < 20000; i++) {
        EnterCriticalSection(&cs);
        EnterCriticalSection(&cs); /* recursive */
        guarded++;
        LeaveCriticalSection(&cs);
        LeaveCriticalSection(&cs);
        InterlockedIncrement(&counted);
    }
}

static DWORD WINAPI try_from_other_thread(LPVOID arg)
{
    (void)arg;
    return TryEnterCriticalSection(&cs) ? 1 : 0;
}

TEST(critical_sections)
{
    ASSERT(InitializeCriticalSectionAndSpinCount(&cs, 4000));
    run_threads(4, count_under_lock);
    ASSERT_EQ(guarded, 80000);
    ASSERT_EQ(counted, 80000);
    /* Held here: another thread cannot take it; this one can, again. */
    EnterCriticalSection(&cs);
    ASSERT_EQ((DWORD)(ULONG_PTR)cs.OwningThread, GetCurrentThreadId());
    ASSERT_EQ(cs.RecursionCount, 1);
    HANDLE t = CreateThread(NULL, 0, try_from_other_thread, NULL, 0, NULL);
    DWORD code;
    ASSERT(t && WaitForSingleObject(t, 10000) == WAIT_OBJECT_0);
    ASSERT(GetExitCodeThread(t, &code) && code == 0 && CloseHandle(t));
    ASSERT(TryEnterCriticalSection(&cs));
    ASSERT_EQ(cs.RecursionCount, 2);
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    t = CreateThread(NULL, 0, try_from_other_thread, NULL, 0, NULL);
    ASSERT(t && WaitForSingleObject(t, 10000) == WAIT_OBJECT_0);
    ASSERT(GetExitCodeThread(t, &code) && code == 1 && CloseHandle(t));
    DeleteCriticalSection(&cs); /* (taken by the ended thread: deleted as it is) */
    InitializeCriticalSection(&cs);
    ASSERT(TryEnterCriticalSection(&cs));
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
}

TEST(interlocked_family)
{
    volatile LONG l = 5;
    ASSERT_EQ(InterlockedIncrement(&l), 6);
    ASSERT_EQ(InterlockedDecrement(&l), 5);
    ASSERT_EQ(InterlockedExchange(&l, 9), 5);
    ASSERT_EQ(InterlockedExchangeAdd(&l, 3), 9);
    ASSERT_EQ(l, 12);
    ASSERT_EQ(InterlockedCompareExchange(&l, 1, 7), 12); /* no match: unchanged */
    ASSERT_EQ(InterlockedCompareExchange(&l, 1, 12), 12);
    ASSERT_EQ(l, 1);
    ASSERT_EQ(InterlockedOr(&l, 6), 1);
    ASSERT_EQ(InterlockedAnd(&l, 3), 7);
    ASSERT_EQ(InterlockedXor(&l, 1), 3);
    ASSERT_EQ(l, 2);
    volatile LONG64 q = 1LL << 40;
    ASSERT_EQ(InterlockedIncrement64(&q), (1LL << 40) + 1);
    ASSERT_EQ(InterlockedExchange64(&q, 5), (1LL << 40) + 1);
    ASSERT_EQ(InterlockedCompareExchange64(&q, 1LL << 50, 5), 5);
    ASSERT_EQ(InterlockedExchangeAdd64(&q, 1), 1LL << 50);
    int a, b;
    PVOID volatile p = &a;
    ASSERT(InterlockedCompareExchangePointer(&p, &b, &a) == &a && p == &b);
    ASSERT(InterlockedExchangePointer(&p, NULL) == &b && p == NULL);
    MemoryBarrier();
}

/* --- Heaps ------------------------------------------------------------------------------ */

TEST(heaps)
{
    HANDLE ph = GetProcessHeap();
    ASSERT(ph);
    unsigned char *p = HeapAlloc(ph, HEAP_ZERO_MEMORY, 100);
    ASSERT(p && ((ULONG_PTR)p & 15) == 0);
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(p[i], 0);
    ASSERT_EQ(HeapSize(ph, 0, p), 100);
    memset(p, 7, 100);
    p = HeapReAlloc(ph, HEAP_ZERO_MEMORY, p, 300);
    ASSERT(p && p[99] == 7 && p[100] == 0 && p[299] == 0);
    ASSERT_EQ(HeapSize(ph, 0, p), 300);
    ASSERT(HeapValidate(ph, 0, p) && HeapValidate(ph, 0, NULL));
    ASSERT(HeapFree(ph, 0, p));
    ASSERT(HeapFree(ph, 0, NULL));
    /* A heap of its own: destroyed with what is left in it. */
    HANDLE h = HeapCreate(0, 0, 0);
    ASSERT(h);
    for (int i = 0; i < 50; i++)
        ASSERT(HeapAlloc(h, 0, 1000 + i));
    void *q = HeapAlloc(h, 0, 64);
    ASSERT(q && HeapSize(h, 0, q) == 64);
    ASSERT(!HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, q, 1 << 20) || HeapSize(h, 0, q) == 1 << 20);
    ASSERT(HeapDestroy(h));
    /* A fixed-size heap refuses what does not fit. */
    h = HeapCreate(0, 0, 65536);
    ASSERT(h && !HeapAlloc(h, 0, 1 << 20));
    ASSERT(HeapDestroy(h));
    /* The C runtime's aligned blocks. */
    void *al = _aligned_malloc(100, 256);
    ASSERT(al && ((ULONG_PTR)al & 255) == 0);
    _aligned_free(al);
}

/* --- Modules ---------------------------------------------------------------------------- */

TEST(modules_and_proc_addresses)
{
    HMODULE k = LoadLibraryA("kernel32.dll");
    ASSERT(k);
    ASSERT(GetModuleHandleA("KERNEL32") == k && GetModuleHandleW(L"kernel32.dll") == k);
    DWORD(WINAPI * pid)(void) = (DWORD(WINAPI *)(void))(void *)GetProcAddress(k, "GetCurrentProcessId");
    ASSERT(pid && pid() == GetCurrentProcessId());
    ASSERT_ERR(!GetProcAddress(k, "NoSuchFunctionAnywhere"), ERROR_PROC_NOT_FOUND);
    ASSERT(FreeLibrary(k));
    ASSERT_ERR(!LoadLibraryA("no-such-module-here.dll"), ERROR_MOD_NOT_FOUND);
    ASSERT_ERR(!LoadLibraryW(L"no-such-module-here"), ERROR_MOD_NOT_FOUND);
    ASSERT_ERR(!GetModuleHandleA("no-such-module-here.dll"), ERROR_MOD_NOT_FOUND);
    /* The program's own module, and its file. */
    char path[MAX_PATH];
    HMODULE self = GetModuleHandleA(NULL);
    ASSERT(self && GetModuleFileNameA(self, path, sizeof path) > 0);
    ASSERT(strstr(path, "runner") != NULL);
    /* A file that is no module at all. */
    char junk[MAX_PATH];
    ASSERT(CloseHandle(make_file(junk, "notamodule.dll", 4096, GENERIC_READ | GENERIC_WRITE)));
    ASSERT_ERR(!LoadLibraryA(junk), ERROR_BAD_EXE_FORMAT);
    ASSERT(DeleteFileA(junk));
}

/* --- Versions and times ----------------------------------------------------------------- */

TEST(versions)
{
    DWORD v = GetVersion();
    ASSERT(!(v & 0x80000000)); /* the NT line */
    OSVERSIONINFOA a;
    memset(&a, 0, sizeof a);
    a.dwOSVersionInfoSize = sizeof a;
    ASSERT(GetVersionExA(&a));
    ASSERT_EQ(a.dwPlatformId, VER_PLATFORM_WIN32_NT);
    ASSERT_EQ(a.dwMajorVersion, v & 0xFF);
    ASSERT_EQ(a.dwMinorVersion, (v >> 8) & 0xFF);
    ASSERT(a.dwMajorVersion >= 6);
    OSVERSIONINFOEXW w;
    memset(&w, 0, sizeof w);
    w.dwOSVersionInfoSize = sizeof w;
    ASSERT(GetVersionExW((OSVERSIONINFOW *)&w));
    ASSERT_EQ(w.dwMajorVersion, a.dwMajorVersion);
    OSVERSIONINFOA bad = a;
    bad.dwOSVersionInfoSize = sizeof bad - 1;
    ASSERT_ERR(!GetVersionExA(&bad), ERROR_INSUFFICIENT_BUFFER);
}

TEST(system_times)
{
    /* 1601-01-01 is FILETIME 0; 1970-01-01 is 116444736000000000. */
    SYSTEMTIME st = {1970, 1, 0, 1, 0, 0, 0, 0};
    FILETIME ft;
    ASSERT(SystemTimeToFileTime(&st, &ft));
    ASSERT_EQ(((ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime), 116444736000000000ULL);
    /* A leap day, a day of the week, milliseconds, round trip. */
    SYSTEMTIME leap = {2024, 2, 0, 29, 23, 59, 58, 999}, back;
    ASSERT(SystemTimeToFileTime(&leap, &ft) && FileTimeToSystemTime(&ft, &back));
    ASSERT(back.wYear == 2024 && back.wMonth == 2 && back.wDay == 29 && back.wHour == 23 &&
           back.wMinute == 59 && back.wSecond == 58 && back.wMilliseconds == 999);
    ASSERT_EQ(back.wDayOfWeek, 4); /* a Thursday */
    FILETIME zero = {0, 0};
    ASSERT(FileTimeToSystemTime(&zero, &back) && back.wYear == 1601 && back.wDayOfWeek == 1);
    SYSTEMTIME last = {30827, 12, 0, 31, 23, 59, 59, 999};
    ASSERT(SystemTimeToFileTime(&last, &ft));
    /* Impossible dates and out-of-range times. */
    SYSTEMTIME feb30 = {2023, 2, 0, 29, 0, 0, 0, 0}, month13 = {2023, 13, 0, 1, 0, 0, 0, 0};
    SYSTEMTIME early = {1600, 12, 0, 31, 0, 0, 0, 0}, hour24 = {2023, 1, 0, 1, 24, 0, 0, 0};
    if (!on_wine()) /* Wine 8 takes any day up to 31 */
        ASSERT_ERR(!SystemTimeToFileTime(&feb30, &ft), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!SystemTimeToFileTime(&month13, &ft), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!SystemTimeToFileTime(&early, &ft), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!SystemTimeToFileTime(&hour24, &ft), ERROR_INVALID_PARAMETER);
    FILETIME huge = {0, 0x80000000u};
    ASSERT_ERR(!FileTimeToSystemTime(&huge, &back), ERROR_INVALID_PARAMETER);
    /* Now, three ways: they agree to within a few seconds. */
    FILETIME now_ft, from_st, local;
    SYSTEMTIME now_st, local_st;
    GetSystemTimeAsFileTime(&now_ft);
    GetSystemTime(&now_st);
    ASSERT(now_st.wYear >= 2024 && SystemTimeToFileTime(&now_st, &from_st));
    ULONGLONG a = (ULONGLONG)now_ft.dwHighDateTime << 32 | now_ft.dwLowDateTime;
    ULONGLONG b = (ULONGLONG)from_st.dwHighDateTime << 32 | from_st.dwLowDateTime;
    ASSERT(b + 50000000ULL > a && a + 50000000ULL > b);
    ASSERT(FileTimeToLocalFileTime(&now_ft, &local) && LocalFileTimeToFileTime(&local, &from_st));
    ASSERT_EQ(CompareFileTime(&from_st, &now_ft), 0);
    GetLocalTime(&local_st);
    ASSERT(local_st.wYear >= 2024 && local_st.wMonth >= 1 && local_st.wMonth <= 12);
    ASSERT_EQ(CompareFileTime(&zero, &now_ft), -1);
    OutputDebugStringA("mmf test: debug output goes to a debugger, if any\n");
}

/* --- Strings ---------------------------------------------------------------------------- */

TEST(string_case_and_compare)
{
    WCHAR w[] = {'M', 'i', 'x', 0xC9, 0x3A3, '1', 0};
    ASSERT(CharLowerW(w) == w);
    ASSERT(w[0] == 'm' && w[2] == 'x' && w[3] == 0xE9 && w[4] == 0x3C3 && w[5] == '1');
    ASSERT(CharUpperW(w) == w && w[1] == 'I' && w[3] == 0xC9 && w[4] == 0x3A3);
    ASSERT_EQ((ULONG_PTR)CharLowerW((LPWSTR)(ULONG_PTR)'Q'), 'q'); /* one character */
    ASSERT_EQ((ULONG_PTR)CharUpperW((LPWSTR)(ULONG_PTR)0xE9), 0xC9);
    char a[] = "Hello, World";
    ASSERT(CharUpperA(a) == a && strcmp(a, "HELLO, WORLD") == 0);
    ASSERT(CharLowerA(a) == a && strcmp(a, "hello, world") == 0);
    ASSERT_EQ(lstrcmpiA("abc", "ABC"), 0);
    ASSERT_EQ(lstrcmpiA("abc", "ABD"), -1);
    ASSERT_EQ(lstrcmpiW(L"Stra\xDF" L"e", L"STRA\xDF" L"E"), 0);
    ASSERT_EQ(lstrcmpiW(L"b", L"A"), 1);
    ASSERT_EQ(lstrcmpA("same", "same"), 0);
    char buf[8];
    ASSERT(lstrcpynA(buf, "truncated", 5) == buf && strcmp(buf, "trun") == 0);
    ASSERT(lstrcpyA(buf, "ab") == buf && lstrcatA(buf, "cd") == buf && strcmp(buf, "abcd") == 0);
    char r[] = "abcde";
    ASSERT(_strrev(r) == r && strcmp(r, "edcba") == 0);
    ASSERT_EQ(_stricmp("MiXeD", "mixed"), 0);
    WCHAR rw[] = {'x', 'y', 'z', 0};
    ASSERT(_wcsrev(rw) == rw && rw[0] == 'z' && rw[2] == 'x');
    ASSERT_EQ(_wcsicmp(L"ABC", L"abc"), 0);
    ZeroMemory(buf, sizeof buf);
    FillMemory(buf, 3, 'x');
    CopyMemory(buf + 3, "yz", 2);
    MoveMemory(buf + 1, buf, 4);
    ASSERT(memcmp(buf, "xxxxy", 5) == 0);
}

TEST(text_unicode_detection)
{
    static const char ascii[] = "A simple string";
    static const WCHAR text[] = {'A', ' ', 'U', 'n', 'i', 'c', 'o', 'd', 'e', ' ',
                                 's', 't', 'r', 'i', 'n', 'g', 0};
    static const WCHAR no_controls[] = {'A', 'U', 'n', 'i', 'c', 'o', 'd', 'e', 0};
    static const WCHAR mixed[] = {'\t', 0x9000, 0x0d00, '\n', 0};
    WCHAR be[18], crlf = 0x0d0a;
    int flags;
    ASSERT(!IsTextUnicode(ascii, sizeof ascii, NULL));
    ASSERT(IsTextUnicode(text, sizeof text, NULL));
    ASSERT(!IsTextUnicode(text, sizeof text - 1, NULL));
    flags = IS_TEXT_UNICODE_UNICODE_MASK;
    ASSERT(IsTextUnicode(text, sizeof text, &flags));
    ASSERT_EQ(flags, IS_TEXT_UNICODE_STATISTICS | IS_TEXT_UNICODE_CONTROLS);
    flags = IS_TEXT_UNICODE_REVERSE_MASK;
    ASSERT(!IsTextUnicode(text, sizeof text, &flags) && flags == 0);
    flags = IS_TEXT_UNICODE_ODD_LENGTH;
    ASSERT(!IsTextUnicode(text, sizeof text - 1, &flags) && flags == IS_TEXT_UNICODE_ODD_LENGTH);
    /* Big-endian text behind its byte order mark. */
    be[0] = 0xfffe;
    for (int i = 0; i < 17; i++)
        be[i + 1] = (WCHAR)(text[i] >> 8 | (text[i] & 0xff) << 8);
    ASSERT(!IsTextUnicode(be, sizeof be, NULL));
    flags = IS_TEXT_UNICODE_REVERSE_MASK;
    ASSERT(!IsTextUnicode(be, sizeof be, &flags));
    ASSERT_EQ(flags, IS_TEXT_UNICODE_REVERSE_CONTROLS | IS_TEXT_UNICODE_REVERSE_SIGNATURE);
    flags = IS_TEXT_UNICODE_CONTROLS;
    ASSERT(!IsTextUnicode(no_controls, sizeof no_controls, &flags) && flags == 0);
    flags = IS_TEXT_UNICODE_CONTROLS;
    ASSERT(IsTextUnicode(mixed, sizeof mixed, &flags) && flags == IS_TEXT_UNICODE_CONTROLS);
    flags = IS_TEXT_UNICODE_CONTROLS | IS_TEXT_UNICODE_REVERSE_CONTROLS;
    ASSERT(!IsTextUnicode(mixed, sizeof mixed, &flags));
    ASSERT_EQ(flags, IS_TEXT_UNICODE_CONTROLS | IS_TEXT_UNICODE_REVERSE_CONTROLS);
    ASSERT(!IsTextUnicode(&crlf, sizeof crlf, NULL)); /* CR LF packed in one unit */
    /* The signature alone decides. */
    static const WCHAR bom[] = {0xfeff, 0x4e2d, 0x6587};
    flags = IS_TEXT_UNICODE_SIGNATURE;
    ASSERT(IsTextUnicode(bom, sizeof bom, &flags) && flags == IS_TEXT_UNICODE_SIGNATURE);
}

/* --- <process.h> ------------------------------------------------------------------------ */

static unsigned __stdcall crt_thread(void *arg)
{
    *(int *)arg = 42;
    _endthreadex(7);
    return 0;
}

TEST(crt_thread_start)
{
    int seen = 0;
    unsigned id = 0;
    HANDLE t = (HANDLE)_beginthreadex(NULL, 0, crt_thread, &seen, 0, &id);
    ASSERT(t && id != 0);
    DWORD code;
    ASSERT_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    ASSERT(GetExitCodeThread(t, &code) && code == 7 && seen == 42 && CloseHandle(t));
}
