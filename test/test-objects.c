/* The object model seen from Win32: each kind's own generic rights, the access rules that
 * follow from them, and handle attributes (inheritance, protection from close). */
#include "test.h"

#ifndef MUTANT_QUERY_STATE
#define MUTANT_QUERY_STATE 0x0001
#endif
#ifndef ACCESS_SYSTEM_SECURITY
#define ACCESS_SYSTEM_SECURITY 0x01000000
#endif

static HANDLE dup_as(HANDLE h, DWORD access)
{
    HANDLE d = NULL;
    ASSERT(DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, access, FALSE, 0));
    return d;
}

static void expect_wait_denied(HANDLE h)
{
    ASSERT_ERR(WaitForSingleObject(h, 0) == WAIT_FAILED, ERROR_ACCESS_DENIED);
}

static DWORD WINAPI quick_thread(LPVOID arg)
{
    (void)arg;
    return 7;
}

/* GENERIC_READ/WRITE/EXECUTE/ALL mean what each kind's own mapping says: SYNCHRONIZE
 * comes with EXECUTE and ALL, the right to change state with WRITE and ALL. */
TEST(duplicates_map_generic_rights_by_kind)
{
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
    ASSERT(e != NULL);
    HANDLE d = dup_as(e, GENERIC_ALL);
    ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
    ASSERT(SetEvent(d));
    CloseHandle(d);
    d = dup_as(e, GENERIC_READ);
    expect_wait_denied(d);
    ASSERT_ERR(!SetEvent(d), ERROR_ACCESS_DENIED);
    CloseHandle(d);
    d = dup_as(e, GENERIC_WRITE);
    ASSERT(ResetEvent(d));
    expect_wait_denied(d);
    CloseHandle(d);
    d = dup_as(e, GENERIC_EXECUTE);
    ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_TIMEOUT);
    ASSERT_ERR(!SetEvent(d), ERROR_ACCESS_DENIED);
    CloseHandle(d);
    CloseHandle(e);

    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    d = dup_as(m, GENERIC_ALL);
    ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
    ASSERT(ReleaseMutex(d));
    CloseHandle(d);
    d = dup_as(m, GENERIC_READ | GENERIC_WRITE);
    expect_wait_denied(d);
    CloseHandle(d);
    CloseHandle(m);

    HANDLE s = CreateSemaphoreA(NULL, 0, 5, NULL);
    d = dup_as(s, GENERIC_WRITE);
    ASSERT(ReleaseSemaphore(d, 1, NULL));
    expect_wait_denied(d);
    CloseHandle(d);
    d = dup_as(s, GENERIC_EXECUTE);
    ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
    ASSERT_ERR(!ReleaseSemaphore(d, 1, NULL), ERROR_ACCESS_DENIED);
    CloseHandle(d);
    d = dup_as(s, GENERIC_ALL);
    ASSERT(ReleaseSemaphore(d, 1, NULL));
    ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
    CloseHandle(d);
    CloseHandle(s);

    HANDLE t = CreateThread(NULL, 0, quick_thread, NULL, 0, NULL);
    ASSERT(t != NULL);
    d = dup_as(t, GENERIC_READ);
    expect_wait_denied(d);
    CloseHandle(d);
    d = dup_as(t, GENERIC_EXECUTE);
    ASSERT_EQ(WaitForSingleObject(d, 5000), WAIT_OBJECT_0);
    CloseHandle(d);
    CloseHandle(t);
}

TEST(section_duplicates_and_their_views)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, NULL);
    ASSERT(m != NULL);
    HANDLE d = dup_as(m, 0);
    ASSERT_ERR(!MapViewOfFile(d, FILE_MAP_READ, 0, 0, 0), ERROR_ACCESS_DENIED);
    ASSERT_ERR(!MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
    expect_wait_denied(d);
    CloseHandle(d);
    d = dup_as(m, GENERIC_READ);
    void *v = MapViewOfFile(d, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(UnmapViewOfFile(v));
    ASSERT_ERR(!MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0), ERROR_ACCESS_DENIED);
    CloseHandle(d);
    d = dup_as(m, GENERIC_ALL);
    v = MapViewOfFile(d, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(UnmapViewOfFile(v));
    CloseHandle(d);
    CloseHandle(m);
}

/* Wine's own test_mutex: a mutex's owner releases it through a handle of any access, and
 * GENERIC_READ|GENERIC_WRITE does not include SYNCHRONIZE. */
TEST(mutex_access_rules)
{
    char name[64];
    test_name(name, "mutexrights");
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    ASSERT(m != NULL);
    HANDLE o = OpenMutexA(GENERIC_READ | GENERIC_WRITE, FALSE, name);
    ASSERT(o != NULL);
    expect_wait_denied(o);
    CloseHandle(o);
    static const DWORD rights[] = {MUTANT_QUERY_STATE, DELETE, READ_CONTROL, WRITE_DAC,
                                   WRITE_OWNER, SYNCHRONIZE, MAXIMUM_ALLOWED, GENERIC_READ,
                                   GENERIC_WRITE, GENERIC_EXECUTE, GENERIC_ALL};
    for (size_t i = 0; i < sizeof rights / sizeof rights[0]; i++) {
        ASSERT_EQ(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
        o = OpenMutexA(rights[i], FALSE, name);
        ASSERT(o != NULL);
        ASSERT(ReleaseMutex(o));
        ASSERT_ERR(!ReleaseMutex(m), ERROR_NOT_OWNER); /* released through o */
        CloseHandle(o);
    }
    /* Rights the kind does not have: Windows refuses them, Wine grants them. */
    if (!on_wine()) {
        ASSERT_ERR(!OpenMutexA(0x0002, FALSE, name), ERROR_ACCESS_DENIED);
        ASSERT_ERR(!OpenMutexA(0x00200000, FALSE, name), ERROR_ACCESS_DENIED);
        ASSERT_ERR(!OpenMutexA(ACCESS_SYSTEM_SECURITY, FALSE, name), ERROR_PRIVILEGE_NOT_HELD);
        ASSERT_ERR(!OpenEventA(0x0004, FALSE, name), ERROR_ACCESS_DENIED);
    }
    CloseHandle(m);
}

static DWORD flags_of(HANDLE h)
{
    DWORD f = 0xdeadbeef;
    ASSERT(GetHandleInformation(h, &f));
    return f;
}

TEST(handle_information_flags)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT(e != NULL);
    ASSERT_EQ(flags_of(e), 0);
    ASSERT(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, HANDLE_FLAG_PROTECT_FROM_CLOSE));
    ASSERT_EQ(flags_of(e), HANDLE_FLAG_PROTECT_FROM_CLOSE);
    ASSERT_ERR(!CloseHandle(e), ERROR_INVALID_HANDLE);
    ASSERT(SetEvent(e)); /* still open */
    ASSERT(SetHandleInformation(e, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
    ASSERT_EQ(flags_of(e), HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE);
    /* A duplicate takes its inheritance from the call, never the protection. */
    HANDLE d;
    ASSERT(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    ASSERT_EQ(flags_of(d), 0);
    ASSERT(CloseHandle(d));
    ASSERT(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d, 0, TRUE,
                           DUPLICATE_SAME_ACCESS));
    ASSERT_EQ(flags_of(d), HANDLE_FLAG_INHERIT);
    ASSERT(CloseHandle(d));
    ASSERT(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
    ASSERT_EQ(flags_of(e), HANDLE_FLAG_INHERIT);
    ASSERT(SetHandleInformation(e, HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
    ASSERT_EQ(flags_of(e), 0);
    ASSERT(CloseHandle(e));
    DWORD f;
    ASSERT_ERR(!GetHandleInformation(e, &f), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!SetHandleInformation(e, HANDLE_FLAG_INHERIT, 0), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!GetHandleInformation((HANDLE)(ULONG_PTR)0x7777770, &f), ERROR_INVALID_HANDLE);
}

/* bInheritHandle of SECURITY_ATTRIBUTES, and of every Open function, sets the flag. */
TEST(inheritance_comes_from_the_creating_call)
{
    char path[MAX_PATH], name[64], n2[70], n3[70], n4[70];
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    test_name(name, "inherit");
    sprintf(n2, "%s-e", name);
    sprintf(n3, "%s-m", name);
    sprintf(n4, "%s-s", name);
    temp_path(path, "inherit");
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, &sa, CREATE_ALWAYS,
                           FILE_FLAG_DELETE_ON_CLOSE, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT_EQ(flags_of(f), HANDLE_FLAG_INHERIT);
    HANDLE s = CreateFileMappingA(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, name);
    HANDLE e = CreateEventA(&sa, FALSE, FALSE, n2);
    HANDLE m = CreateMutexA(&sa, FALSE, n3);
    HANDLE sem = CreateSemaphoreA(&sa, 0, 1, n4);
    HANDLE t = CreateThread(&sa, 0, quick_thread, NULL, 0, NULL);
    HANDLE created[] = {s, e, m, sem, t};
    for (size_t i = 0; i < sizeof created / sizeof created[0]; i++) {
        ASSERT(created[i] != NULL);
        ASSERT_EQ(flags_of(created[i]), HANDLE_FLAG_INHERIT);
    }
    sa.bInheritHandle = FALSE;
    HANDLE plain = CreateEventA(&sa, FALSE, FALSE, NULL);
    ASSERT_EQ(flags_of(plain), 0);
    HANDLE opened[] = {OpenFileMappingA(FILE_MAP_READ, TRUE, name),
                       OpenEventA(SYNCHRONIZE, TRUE, n2), OpenMutexA(SYNCHRONIZE, TRUE, n3),
                       OpenSemaphoreA(SYNCHRONIZE, TRUE, n4),
                       OpenEventA(SYNCHRONIZE, FALSE, n2)};
    for (size_t i = 0; i < sizeof opened / sizeof opened[0]; i++) {
        ASSERT(opened[i] != NULL);
        ASSERT_EQ(flags_of(opened[i]), i < 4 ? HANDLE_FLAG_INHERIT : 0);
        CloseHandle(opened[i]);
    }
    ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    for (size_t i = 0; i < sizeof created / sizeof created[0]; i++)
        ASSERT(CloseHandle(created[i]));
    CloseHandle(plain);
    CloseHandle(f);
}
