/* A process holds 100,000 named objects, as it may on Windows (which allows millions of
 * handles): each is its own object, with its own state (or bytes), which other processes
 * open by name and use, and a child inherits; every name goes with its last handle. mmf
 * keeps objects made past a few thousand in shared lease tables (docs/namespace.md), so
 * that they need neither a descriptor nor a mapping each (a section takes one once it is
 * mapped), and hands a table's objects to a child on one descriptor of the table. */
#include "test.h"

#define HELD 100000

static void held_name(char *buf, const char *base, int i)
{
    sprintf(buf, "%s-%d", base, i);
}

/* Child: arg "<handle> <set> <unset> <name>", three inherited handles: the first and the
 * event opened by name are the same object, signaled; so is the second, the third not; a
 * create of the name finds it; reset through the handle. */
CHILD(open_signaled_event)
{
    char *name;
    HANDLE inherited = (HANDLE)(uintptr_t)strtoul(arg, &name, 10);
    HANDLE set = (HANDLE)(uintptr_t)strtoul(name, &name, 10);
    HANDLE unset = (HANDLE)(uintptr_t)strtoul(name, &name, 10);
    HANDLE e = OpenEventA(SYNCHRONIZE, FALSE, ++name);
    if (!e)
        return 10;
    if (WaitForSingleObject(e, 0) != WAIT_OBJECT_0 ||
        WaitForSingleObject(inherited, 0) != WAIT_OBJECT_0 ||
        WaitForSingleObject(set, 0) != WAIT_OBJECT_0 ||
        WaitForSingleObject(unset, 0) != WAIT_TIMEOUT)
        return 11;
    HANDLE again = CreateEventA(NULL, TRUE, FALSE, name);
    if (!again || GetLastError() != ERROR_ALREADY_EXISTS)
        return 12;
    CloseHandle(again);
    if (!ResetEvent(inherited) || WaitForSingleObject(e, 0) != WAIT_TIMEOUT)
        return 13;
    return CloseHandle(e) && CloseHandle(inherited) ? 0 : 14;
}

TEST(a_process_holds_100000_named_events)
{
    char base[64], name[96];
    HANDLE *h = malloc(HELD * sizeof *h);
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    ASSERT(h != NULL);
    test_name(base, "held");
    for (int i = 0; i < HELD; i++) {
        held_name(name, base, i);
        h[i] = CreateEventA(&inherit, TRUE, FALSE, name);
        ASSERT(h[i] != NULL);
        ASSERT_EQ(GetLastError(), 0);
    }
    /* Each its own object: setting one leaves the others. */
    ASSERT(SetEvent(h[HELD - 1]));
    ASSERT(SetEvent(h[HELD / 2]));
    ASSERT_EQ(WaitForSingleObject(h[HELD - 2], 0), WAIT_TIMEOUT);
    ASSERT_EQ(WaitForMultipleObjects(64, &h[HELD - 64], FALSE, 0), WAIT_OBJECT_0 + 63);
    ASSERT_EQ(WaitForMultipleObjects(64, &h[HELD / 2 - 32], FALSE, 0), WAIT_OBJECT_0 + 32);
    /* Another process inherits every one of them (the first few thousand on files of
     * their own, the rest in lease tables), and finds one by name, set: the same object. */
    char exe[MAX_PATH], cmd[3 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    DWORD code;
    held_name(name, base, HELD - 1);
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child open_signaled_event \"%lu %lu %lu %s\"", exe,
             (unsigned long)(uintptr_t)h[HELD - 1], (unsigned long)(uintptr_t)h[HELD / 2],
             (unsigned long)(uintptr_t)h[0], name);
    ASSERT(CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
    ASSERT_EQ(WaitForSingleObject(pi.hProcess, 60000), WAIT_OBJECT_0);
    ASSERT(GetExitCodeProcess(pi.hProcess, &code));
    ASSERT_EQ(code, 0);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    ASSERT_EQ(WaitForSingleObject(h[HELD - 1], 0), WAIT_TIMEOUT); /* reset by the child */
    for (int i = 0; i < HELD; i++)
        ASSERT(CloseHandle(h[i]));
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
    held_name(name, base, 0);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
    free(h);
}

/* Child: arg "<name>": the section's last page says so. */
CHILD(read_last_page)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, arg);
    const char *v = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : NULL;
    if (!v)
        return 10;
    int bad = strcmp(v + 4096 - 64, arg) != 0;
    UnmapViewOfFile(v);
    CloseHandle(m);
    return bad ? 11 : 0;
}

TEST(a_process_holds_100000_named_sections)
{
    char base[64], name[96];
    HANDLE *h = malloc(HELD * sizeof *h);
    int n = 0;
    ASSERT(h != NULL);
    test_name(base, "sect");
    for (; n < HELD; n++) {
        held_name(name, base, n);
        h[n] = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
        /* Wine holds a descriptor for each section, and stops at its limit (then leaves
         * room for the child below). */
        if (!h[n] && on_wine() && GetLastError() == ERROR_TOO_MANY_OPEN_FILES && n > 1000) {
            for (int k = 0; k < 64; k++)
                ASSERT(CloseHandle(h[--n]));
            break;
        }
        ASSERT(h[n] != NULL);
        ASSERT_EQ(GetLastError(), 0);
    }
    /* Each its own bytes, which another process finds by name. */
    for (int i = n - 2; i < n; i++) {
        char *v = MapViewOfFile(h[i], FILE_MAP_WRITE, 0, 0, 0);
        ASSERT(v != NULL);
        held_name(v + 4096 - 64, base, i == n - 1 ? i : -1);
        UnmapViewOfFile(v);
    }
    struct child c;
    held_name(name, base, n - 1);
    start_child(&c, "read_last_page", name);
    ASSERT_EQ(wait_child(&c, 60000), 0);
    while (n-- > 0)
        ASSERT(CloseHandle(h[n]));
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    free(h);
}
