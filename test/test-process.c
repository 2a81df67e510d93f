/* Processes: CreateProcess, handle inheritance, process handles and their waits, exit
 * codes, OpenProcess, the command line and standard handles. Every child is this runner,
 * started with CreateProcess as a Windows program would (no #ifdef). */
#include <errno.h>
#include <io.h>
#include <stdlib.h>

#include "test.h"

static unsigned long hv(HANDLE h)
{
    return (unsigned long)(uintptr_t)h;
}

static HANDLE vh(const char *s, char **end)
{
    return (HANDLE)(uintptr_t)strtoul(s, end, 10);
}

/* Starts this runner as `--child role arg` with the given inheritance and flags. */
static PROCESS_INFORMATION spawn(const char *role, const char *arg, BOOL inherit, DWORD flags,
                                 STARTUPINFOA *si)
{
    char exe[MAX_PATH], cmd[3 * MAX_PATH];
    STARTUPINFOA plain = {.cb = sizeof plain};
    PROCESS_INFORMATION pi;
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s \"%s\"", exe, role, arg);
    ASSERT(CreateProcessA(NULL, cmd, NULL, NULL, inherit, flags, NULL, NULL, si ? si : &plain,
                          &pi));
    return pi;
}

static DWORD finish(PROCESS_INFORMATION *pi)
{
    DWORD code;
    ASSERT_EQ(WaitForSingleObject(pi->hProcess, 20000), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(pi->hThread, 0), WAIT_OBJECT_0);
    ASSERT(GetExitCodeProcess(pi->hProcess, &code));
    ASSERT(CloseHandle(pi->hThread));
    ASSERT(CloseHandle(pi->hProcess));
    return code;
}

/* arg: "<section> <event>": maps the section, checks the parent's text, answers in it,
 * sets the event. Exit codes say what went wrong. */
CHILD(use_inherited)
{
    char *end;
    HANDLE sec = vh(arg, &end), ev = vh(end, NULL);
    char *p = MapViewOfFile(sec, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!p)
        return 10;
    if (strcmp(p, "from the parent") != 0)
        return 11;
    strcpy(p, "from the child");
    return SetEvent(ev) ? 0 : 12;
}

TEST(inherited_unnamed_section_and_event)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE ev = CreateEventA(&sa, TRUE, FALSE, NULL);
    HANDLE sec = CreateFileMappingA(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 65536, NULL);
    ASSERT(ev && sec);
    char *p = MapViewOfFile(sec, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(p);
    strcpy(p, "from the parent");
    char arg[64];
    snprintf(arg, sizeof arg, "%lu %lu", hv(sec), hv(ev));
    PROCESS_INFORMATION pi = spawn("use_inherited", arg, TRUE, 0, NULL);
    ASSERT(pi.dwProcessId != 0 && pi.dwProcessId != GetCurrentProcessId());
    ASSERT_EQ(GetProcessId(pi.hProcess), pi.dwProcessId);
    /* Wait-all over the event and the process itself. */
    HANDLE both[2] = {ev, pi.hProcess};
    ASSERT_EQ(WaitForMultipleObjects(2, both, TRUE, 20000), WAIT_OBJECT_0);
    ASSERT_EQ(finish(&pi), 0);
    ASSERT(strcmp(p, "from the child") == 0);
    ASSERT(UnmapViewOfFile(p));
    ASSERT(CloseHandle(sec) && CloseHandle(ev));
}

/* arg: a handle value that must not be valid here. */
CHILD(expect_invalid)
{
    HANDLE h = vh(arg, NULL);
    SetLastError(0);
    if (SetEvent(h) || GetLastError() != ERROR_INVALID_HANDLE)
        return 20;
    if (WaitForSingleObject(h, 0) != WAIT_FAILED)
        return 21;
    return 0;
}

/* Handles made inheritable after their objects were created cross too. */
TEST(made_inheritable_after_creation)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE sec = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(ev && sec);
    ASSERT(SetHandleInformation(ev, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
    ASSERT(SetHandleInformation(sec, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
    char *p = MapViewOfFile(sec, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(p);
    strcpy(p, "from the parent");
    char arg[64];
    snprintf(arg, sizeof arg, "%lu %lu", hv(sec), hv(ev));
    PROCESS_INFORMATION pi = spawn("use_inherited", arg, TRUE, 0, NULL);
    ASSERT_EQ(finish(&pi), 0);
    ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    ASSERT(strcmp(p, "from the child") == 0);
    ASSERT(UnmapViewOfFile(p));
    ASSERT(CloseHandle(sec) && CloseHandle(ev));
}

TEST(handles_not_inherited_are_invalid)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE kept = CreateEventA(NULL, TRUE, FALSE, NULL);   /* not inheritable */
    HANDLE marked = CreateEventA(&sa, TRUE, FALSE, NULL);  /* inheritable */
    ASSERT(kept && marked);
    char arg[32];
    snprintf(arg, sizeof arg, "%lu", hv(kept));
    PROCESS_INFORMATION pi = spawn("expect_invalid", arg, TRUE, 0, NULL);
    ASSERT_EQ(finish(&pi), 0);
    /* bInheritHandles FALSE: not even an inheritable one. */
    snprintf(arg, sizeof arg, "%lu", hv(marked));
    pi = spawn("expect_invalid", arg, FALSE, 0, NULL);
    ASSERT_EQ(finish(&pi), 0);
    ASSERT(CloseHandle(kept) && CloseHandle(marked));
}

CHILD(write_stdout)
{
    DWORD n;
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    if (!out || out == INVALID_HANDLE_VALUE)
        return 30;
    if (!WriteFile(out, arg, (DWORD)strlen(arg), &n, NULL) || n != strlen(arg))
        return 31;
    return 0;
}

TEST(stdout_redirected_into_an_inheritable_file)
{
    char path[MAX_PATH], got[64] = {0};
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    temp_path(path, "stdout");
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           &sa, CREATE_ALWAYS, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    STARTUPINFOA si = {.cb = sizeof si, .dwFlags = STARTF_USESTDHANDLES};
    si.hStdInput = NULL;
    si.hStdOutput = f;
    si.hStdError = f;
    PROCESS_INFORMATION pi = spawn("write_stdout", "hello through fd 1", TRUE, 0, &si);
    ASSERT_EQ(finish(&pi), 0);
    read_at(f, 0, got, 18);
    ASSERT(memcmp(got, "hello through fd 1", 18) == 0);
    drop_file(f, path);
}

CHILD(sleep_then_exit)
{
    Sleep((DWORD)atoi(arg));
    return 5;
}

TEST(wait_any_over_an_event_and_a_process)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    PROCESS_INFORMATION pi = spawn("sleep_then_exit", "100", FALSE, 0, NULL);
    HANDLE hs[2] = {ev, pi.hProcess};
    ASSERT_EQ(WaitForMultipleObjects(2, hs, FALSE, 0), WAIT_TIMEOUT);
    ASSERT_EQ(WaitForMultipleObjects(2, hs, FALSE, 20000), WAIT_OBJECT_0 + 1);
    ASSERT_EQ(finish(&pi), 5);
    ASSERT(CloseHandle(ev));
}

CHILD(exit_process)
{
    ExitProcess((UINT)atoi(arg));
}

TEST(exit_codes)
{
    PROCESS_INFORMATION pi = spawn("exit_process", "9", FALSE, 0, NULL);
    ASSERT_EQ(finish(&pi), 9);
    pi = spawn("sleep_then_exit", "0", FALSE, 0, NULL);
    ASSERT_EQ(finish(&pi), 5);
    /* Running: STILL_ACTIVE; terminated: the code TerminateProcess gave. */
    pi = spawn("sleep_then_exit", "30000", FALSE, 0, NULL);
    DWORD code;
    ASSERT(GetExitCodeProcess(pi.hProcess, &code));
    ASSERT_EQ(code, STILL_ACTIVE);
    ASSERT(TerminateProcess(pi.hProcess, 33));
    ASSERT_EQ(finish(&pi), 33);
}

TEST(create_suspended_and_resume)
{
    PROCESS_INFORMATION pi = spawn("sleep_then_exit", "0", FALSE, CREATE_SUSPENDED, NULL);
    ASSERT_EQ(WaitForSingleObject(pi.hProcess, 200), WAIT_TIMEOUT);
    ASSERT_EQ(ResumeThread(pi.hThread), 1);
    ASSERT_EQ(ResumeThread(pi.hThread), 0);
    ASSERT_EQ(finish(&pi), 5);
    /* Terminated before it ever ran: resuming it harms nobody (natively, no SIGPIPE). */
    pi = spawn("sleep_then_exit", "0", FALSE, CREATE_SUSPENDED, NULL);
    ASSERT(TerminateProcess(pi.hProcess, 44));
    ASSERT_EQ(WaitForSingleObject(pi.hProcess, 20000), WAIT_OBJECT_0);
    ResumeThread(pi.hThread); /* its answer is not pinned */
    ASSERT_EQ(finish(&pi), 44);
}

/* The ways a handle of a named object can come to be inheritable or not. */
enum heir_way { CREATED_INHERITABLE, CREATED_PLAIN, MADE_INHERITABLE, MADE_PLAIN,
                DUPLICATED_INHERITABLE, HEIR_WAYS };

static BOOL inherited_way(int way)
{
    return way == CREATED_INHERITABLE || way == MADE_INHERITABLE ||
           way == DUPLICATED_INHERITABLE;
}

/* A named object of kind 0-3 (section, event, mutex, semaphore): created with `sa`, or
 * opened (NULL if it is not there). */
static HANDLE named_kind(int kind, const char *name, SECURITY_ATTRIBUTES *sa, BOOL open)
{
    switch (kind) {
    case 0:
        return open ? OpenFileMappingA(FILE_MAP_READ, FALSE, name)
                    : CreateFileMappingA(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE, 0, 4096,
                                         name);
    case 1:
        return open ? OpenEventA(SYNCHRONIZE, FALSE, name) : CreateEventA(sa, TRUE, FALSE, name);
    case 2:
        return open ? OpenMutexA(SYNCHRONIZE, FALSE, name) : CreateMutexA(sa, FALSE, name);
    default:
        return open ? OpenSemaphoreA(SYNCHRONIZE, FALSE, name)
                    : CreateSemaphoreA(sa, 1, 2, name);
    }
}

/* Creates each kind of named object in each way, writes a section's name into it, starts a
 * suspended child (inheriting or not) and closes every handle of its own. */
static PROCESS_INFORMATION leave_to_suspended_heir(char names[][80], BOOL inherit)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE h[4 * HEIR_WAYS];
    char base[64];
    test_name(base, inherit ? "heir" : "noheir");
    for (int i = 0; i < 4 * HEIR_WAYS; i++) {
        int kind = i / HEIR_WAYS, way = i % HEIR_WAYS;
        snprintf(names[i], 80, "%s-%d-%d", base, kind, way);
        BOOL born = way == CREATED_INHERITABLE || way == MADE_PLAIN;
        ASSERT(h[i] = named_kind(kind, names[i], born ? &sa : NULL, FALSE));
        if (way == MADE_INHERITABLE || way == MADE_PLAIN)
            ASSERT(SetHandleInformation(h[i], HANDLE_FLAG_INHERIT,
                                        way == MADE_INHERITABLE ? HANDLE_FLAG_INHERIT : 0));
        if (way == DUPLICATED_INHERITABLE) {
            HANDLE self = GetCurrentProcess(), d;
            ASSERT(DuplicateHandle(self, h[i], self, &d, 0, TRUE,
                                   DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
            h[i] = d;
        }
        if (kind == 0) {
            char *p = MapViewOfFile(h[i], FILE_MAP_WRITE, 0, 0, 0);
            ASSERT(p);
            strcpy(p, names[i]);
            ASSERT(UnmapViewOfFile(p));
        }
    }
    PROCESS_INFORMATION pi = spawn("sleep_then_exit", "0", inherit, CREATE_SUSPENDED, NULL);
    for (int i = 0; i < 4 * HEIR_WAYS; i++)
        ASSERT(CloseHandle(h[i]));
    return pi;
}

/* Whether name i is as it should be: there if `held` and inherited (a section still
 * holding what was written into it), else not found. */
static BOOL name_as_left(char names[][80], int i, BOOL held)
{
    BOOL expect = held && inherited_way(i % HEIR_WAYS);
    SetLastError(0xdeadbeef);
    HANDLE h = named_kind(i / HEIR_WAYS, names[i], NULL, TRUE);
    if (!h)
        return !expect && GetLastError() == ERROR_FILE_NOT_FOUND;
    char *p = i < HEIR_WAYS ? MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0) : NULL;
    BOOL kept = i >= HEIR_WAYS || (p && strcmp(p, names[i]) == 0);
    if (p)
        UnmapViewOfFile(p);
    return CloseHandle(h) && expect && kept;
}

/* Fails the test at the first name not as it should be, ending the child (if any) first:
 * a suspended process outlives its creator, as on Windows. */
static void check_names(char names[][80], BOOL held, HANDLE child)
{
    for (int i = 0; i < 4 * HEIR_WAYS; i++)
        if (!name_as_left(names, i, held)) {
            if (child)
                TerminateProcess(child, 1);
            test_fail(__FILE__, __LINE__, "%s: %s", names[i], held ? "held" : "let go");
        }
}

/* A child holds what it inherits from its creation on, before it has run: exactly the
 * handles inheritable when CreateProcess was called, however they became so, and nothing
 * when bInheritHandles is FALSE. Its end lets them go. */
TEST(a_suspended_child_holds_exactly_what_it_inherits)
{
    char names[4 * HEIR_WAYS][80];
    for (int inherit = 1; inherit >= 0; inherit--) {
        PROCESS_INFORMATION pi = leave_to_suspended_heir(names, inherit);
        check_names(names, inherit, pi.hProcess);
        ASSERT_EQ(ResumeThread(pi.hThread), 1);
        ASSERT_EQ(finish(&pi), 5);
        check_names(names, FALSE, NULL);
    }
}

/* LMDB's check on a reader: OpenProcess by id, then a wait with timeout 0. */
TEST(open_process_by_id_and_poll_it)
{
    PROCESS_INFORMATION pi = spawn("sleep_then_exit", "30000", FALSE, 0, NULL);
    HANDLE h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_INFORMATION, FALSE, pi.dwProcessId);
    ASSERT(h != NULL);
    ASSERT_EQ(GetProcessId(h), pi.dwProcessId);
    ASSERT_EQ(WaitForSingleObject(h, 0), WAIT_TIMEOUT);
    ASSERT(TerminateProcess(pi.hProcess, 1));
    ASSERT_EQ(WaitForSingleObject(h, 20000), WAIT_OBJECT_0);
    ASSERT(CloseHandle(h));
    DWORD dead = pi.dwProcessId;
    ASSERT_EQ(finish(&pi), 1);
    /* Gone with its last handle: the id names nothing (Linux reuses an id only after
     * going through the whole range). Wine keeps the ended process a while longer. */
    h = OpenProcess(SYNCHRONIZE, FALSE, dead);
    if (!on_wine())
        ASSERT(h == NULL && GetLastError() == ERROR_INVALID_PARAMETER);
    else if (h)
        CloseHandle(h);
    ASSERT_ERR(!OpenProcess(SYNCHRONIZE, FALSE, 0), ERROR_INVALID_PARAMETER);
    /* The current process, by id: never signaled while it runs. */
    h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                    GetCurrentProcessId());
    ASSERT(h != NULL);
    ASSERT_EQ(WaitForSingleObject(h, 0), WAIT_TIMEOUT);
    ASSERT(CloseHandle(h));
}

TEST(process_calls_reject_bad_input)
{
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    DWORD code;
    char missing[] = "mmf-no-such-program-anywhere.exe";
    ASSERT_ERR(!CreateProcessA(NULL, missing, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
               ERROR_FILE_NOT_FOUND);
    char exe[MAX_PATH], cmd[2 * MAX_PATH];
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child sleep_then_exit 0", exe);
    char nodir[MAX_PATH];
    temp_path(nodir, "no-such-dir");
    ASSERT_ERR(!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, nodir, &si, &pi),
               ERROR_DIRECTORY);
    HANDLE garbage = (HANDLE)(uintptr_t)0x7ffc;
    ASSERT_ERR(!GetExitCodeProcess(garbage, &code), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!TerminateProcess(garbage, 1), ERROR_INVALID_HANDLE);
    ASSERT_ERR(GetProcessId(garbage) == 0, ERROR_INVALID_HANDLE);
    ASSERT_ERR(ResumeThread(garbage) == (DWORD)-1, ERROR_INVALID_HANDLE);
    /* The current process's pseudo handle is the process itself. */
    ASSERT(GetExitCodeProcess(GetCurrentProcess(), &code));
    ASSERT_EQ(code, STILL_ACTIVE);
    ASSERT_EQ(GetProcessId(GetCurrentProcess()), GetCurrentProcessId());
    /* A handle of another kind is not a process. */
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    ASSERT_ERR(!GetExitCodeProcess(ev, &code), ERROR_INVALID_HANDLE);
    ASSERT(CloseHandle(ev));
}

/* The child's command line is the parent's string, as it was given; its argv the split. */
CHILD(check_command_line)
{
    const char *cmd = GetCommandLineA();
    const char *tail = strstr(cmd, " --child check_command_line ");
    if (!tail)
        return 40;
    /* What the parent wrote after the role, and argv[3] as the rules split it. */
    if (strcmp(tail + strlen(" --child check_command_line "), "\"a \\\"b\\\" c\\\\\"") != 0)
        return 41;
    return strcmp(arg, "a \"b\" c\\") == 0 ? 0 : 42;
}

TEST(command_line_reaches_the_child_as_given)
{
    char exe[MAX_PATH], cmd[3 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child check_command_line \"a \\\"b\\\" c\\\\\"", exe);
    ASSERT(CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    ASSERT_EQ(finish(&pi), 0);
}

/* The result section a grandchild reports through (the test holds it): "ok", or why not. */
static char *open_result(const char *name)
{
    HANDLE r = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
    return r ? MapViewOfFile(r, FILE_MAP_WRITE, 0, 0, 0) : NULL;
}

/* arg: the result section's name. A middle process: makes a named section only it holds,
 * hands it to a grandchild by inheritance, and is killed at once. */
CHILD(hand_on_and_die)
{
    char exe[MAX_PATH], cmd[3 * MAX_PATH], xname[128];
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    snprintf(xname, sizeof xname, "%s-x", arg);
    HANDLE x = CreateFileMappingA(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 65536, xname);
    if (!x)
        return 50;
    GetModuleFileNameA(NULL, exe, MAX_PATH);
    snprintf(cmd, sizeof cmd, "\"%s\" --child outlive_the_parent \"%lu %s\"", exe, hv(x), arg);
    char *result = open_result(arg);
    if (!result || !CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
        return 51;
    sprintf(result + 512, "%lu", (unsigned long)pi.dwProcessId); /* for the test to wait on */
    TerminateProcess(GetCurrentProcess(), 0); /* at once: nothing closed in order */
    return 52;
}

/* arg: "<section handle> <result name>": after its parent has gone, the section it
 * inherited still works, and its name still opens it. */
CHILD(outlive_the_parent)
{
    char *end, xname[128];
    HANDLE x = vh(arg, &end);
    char *result = open_result(end + 1);
    if (!result)
        return 60;
    Sleep(300);
    snprintf(xname, sizeof xname, "%s-x", end + 1);
    char *p = MapViewOfFile(x, FILE_MAP_WRITE, 0, 0, 0);
    HANDLE byname = OpenFileMappingA(FILE_MAP_READ, FALSE, xname);
    char *q = byname ? MapViewOfFile(byname, FILE_MAP_READ, 0, 0, 0) : NULL;
    if (!p || !q) {
        sprintf(result, "fail: view %p, by name %p (%lu)", (void *)p, (void *)q,
                (unsigned long)GetLastError());
        return 61;
    }
    strcpy(p, "shared");
    strcpy(result, strcmp(q, "shared") == 0 ? "ok" : "fail: not the same section");
    return 0;
}

TEST(inherited_section_outlives_a_parent_killed_at_once)
{
    char name[64];
    test_name(name, "outlive");
    HANDLE r = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, name);
    ASSERT(r);
    char *result = MapViewOfFile(r, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    PROCESS_INFORMATION pi = spawn("hand_on_and_die", name, FALSE, 0, NULL);
    ASSERT_EQ(finish(&pi), 0);
    for (int i = 0; i < 4000 && !result[0]; i++)
        Sleep(5);
    if (strcmp(result, "ok") != 0)
        test_fail(__FILE__, __LINE__, "grandchild: %s", result[0] ? result : "no answer");
    /* The grandchild's end, so that its names are gone when this test ends. */
    HANDLE g = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)strtoul(result + 512, NULL, 10));
    if (g) {
        ASSERT_EQ(WaitForSingleObject(g, 20000), WAIT_OBJECT_0);
        ASSERT(CloseHandle(g));
    }
    /* With both gone the name is too (a middle process slow to die, as under TSan, leaves
     * it stale: this open reclaims it). */
    char xname[80];
    snprintf(xname, sizeof xname, "%s-x", name);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, xname), ERROR_FILE_NOT_FOUND);
    ASSERT(UnmapViewOfFile(result));
    ASSERT(CloseHandle(r));
}

/* For test/cli.sh: creates the named section arg, inheritable, hands it to a child that
 * sleeps, prints the child's id, closes its own handle and waits for the child: the child
 * is the name's only holder meanwhile. */
/* What a parent and child tell each other: handle values, the parent's id. */
struct box {
    DWORD ppid;
    unsigned long long v[10];
};

static struct box *open_box(const char *name, BOOL create, HANDLE *h)
{
    *h = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name)
                : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    return *h ? MapViewOfFile(*h, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
}

static void box_name(char *name, size_t cap, const char *what)
{
    snprintf(name, cap, "Local\\mmf-test-%s-%lu-%lu", what, (unsigned long)GetCurrentProcessId(),
             (unsigned long)GetTickCount());
}

static HANDLE bv(const struct box *b, int i)
{
    return (HANDLE)(uintptr_t)b->v[i];
}

/* arg: a box. Waits for a handle value in it, uses it (its first use, which
 * claims a duplicated handle), then holds it for three seconds. */
CHILD(await_handle)
{
    HANDLE hb;
    DWORD flags;
    struct box *b = open_box(arg, FALSE, &hb);
    for (int i = 0; b && !b->v[0] && i < 2000; i++)
        Sleep(5);
    if (!b || !GetHandleInformation(bv(b, 0), &flags))
        return 72;
    Sleep(3000);
    return 5;
}

/* arg: a section name, or "dup:" and one. Makes that section and gives it to a child, by
 * inheritance or with DuplicateHandle, prints the child's pid, closes its own handle and
 * waits for the child (the mmf CLI's test: the child is the holder). */
CHILD(hand_to_child)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    BOOL dup = strncmp(arg, "dup:", 4) == 0;
    const char *name = dup ? arg + 4 : arg;
    char boxname[96];
    HANDLE hb, sec = CreateFileMappingA(INVALID_HANDLE_VALUE, dup ? NULL : &sa, PAGE_READWRITE,
                                        0, 4096, name);
    if (!sec)
        return 70;
    PROCESS_INFORMATION pi;
    if (dup) {
        box_name(boxname, sizeof boxname, "await");
        struct box *b = open_box(boxname, TRUE, &hb);
        HANDLE there;
        pi = spawn("await_handle", boxname, FALSE, 0, NULL);
        if (!b || !DuplicateHandle(GetCurrentProcess(), sec, pi.hProcess, &there, 0, FALSE,
                                   DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE))
            return 73;
        b->v[0] = (uintptr_t)there;
    } else {
        pi = spawn("sleep_then_exit", "3000", TRUE, 0, NULL);
        CloseHandle(sec);
    }
    printf("%lu\n", (unsigned long)pi.dwProcessId);
    fflush(stdout);
    return finish(&pi) == 5 ? 0 : 71;
}

/* The C runtime's descriptors and handles (<io.h>). */
TEST(crt_descriptors_and_handles)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "osf", 16, GENERIC_READ); /* shares delete: see the end */
    ASSERT_EQ(_get_osfhandle(1), (intptr_t)GetStdHandle(STD_OUTPUT_HANDLE));
    int fd = _open_osfhandle((intptr_t)f, 0);
    ASSERT(fd > 2);
    ASSERT_EQ(_get_osfhandle(fd), (intptr_t)f);
    ASSERT_EQ(_get_osfhandle(-1), (intptr_t)INVALID_HANDLE_VALUE);
    ASSERT_EQ(errno, EBADF);
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    errno = 0;
    ASSERT_EQ(_open_osfhandle((intptr_t)ev, 0), -1);
    ASSERT(CloseHandle(ev));
    /* Windows closed the descriptor with the handle; mmf leaves it open (it is a
     * duplicate), which the file shares delete with. */
    drop_file(f, path);
}

CHILD(check_env)
{
    const char *v = getenv("MMFTEST");
    return v && strcmp(v, arg) == 0 ? 0 : 80;
}

/* An environment block: this process's own, and MMFTEST=value; ANSI, or UTF-16. */
static void *env_block(const char *value, BOOL wide)
{
    extern char **environ;
    size_t n = 0, units = 0;
    char extra[64];
    snprintf(extra, sizeof extra, "MMFTEST=%s", value);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "MMFTEST=", 8) != 0)
            units += strlen(*e) + 1;
    units += strlen(extra) + 2;
    char *a = calloc(units, 1);
    WCHAR *w = calloc(units, sizeof *w);
    ASSERT(a && w);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "MMFTEST=", 8) != 0) {
            strcpy(a + n, *e);
            n += strlen(*e) + 1;
        }
    strcpy(a + n, extra);
    for (size_t i = 0; i < units; i++)
        w[i] = (unsigned char)a[i]; /* the tests' values are ASCII */
    if (wide) {
        free(a);
        return w;
    }
    free(w);
    return a;
}

TEST(environment_blocks_ansi_and_unicode)
{
    char exe[MAX_PATH], cmd[3 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    for (int wide = 0; wide < 2; wide++) {
        const char *value = wide ? "unicode" : "ansi";
        void *block = env_block(value, wide);
        snprintf(cmd, sizeof cmd, "\"%s\" --child check_env %s", exe, value);
        ASSERT(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, wide ? CREATE_UNICODE_ENVIRONMENT : 0,
                              block, NULL, &si, &pi));
        ASSERT_EQ(finish(&pi), 0);
        free(block);
    }
}

/* Makes a file by a relative name: in the directory it was started in. */
CHILD(touch_relative)
{
    HANDLE f = CreateFileA(arg, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    return f != INVALID_HANDLE_VALUE && CloseHandle(f) ? 0 : 90;
}

TEST(current_directory_and_odd_arguments)
{
    char exe[MAX_PATH], cmd[3 * MAX_PATH], dir[MAX_PATH], marker[MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    /* The child makes a file by a relative name: it lands in the directory given. */
    ASSERT(GetTempPathA(MAX_PATH, dir) > 0);
    temp_path(marker, "cwd-marker");
    snprintf(cmd, sizeof cmd, "\"%s\" --child touch_relative %s", exe, marker + strlen(dir));
    ASSERT(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, dir, &si, &pi));
    ASSERT_EQ(finish(&pi), 0);
    ASSERT(DeleteFileA(marker));
    /* STARTUPINFO's size is not checked (Windows reads what it needs). */
    STARTUPINFOA odd = {.cb = 12345};
    snprintf(cmd, sizeof cmd, "\"%s\" --child sleep_then_exit 0", exe);
    ASSERT(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &odd, &pi));
    ASSERT_EQ(finish(&pi), 5);
    /* An unterminated quote runs to the end: a program by that whole name, which is not. */
    snprintf(cmd, sizeof cmd, "\"%s --child sleep_then_exit 0", exe);
    ASSERT_ERR(!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
               ERROR_FILE_NOT_FOUND);
    /* Neither a command line nor an application name: Wine's CreateProcess faults on it,
     * Windows' answer is not pinned; mmf refuses it as a bad parameter. */
    if (!on_wine())
        ASSERT_ERR(!CreateProcessA(NULL, NULL, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
                   ERROR_INVALID_PARAMETER);
}

/* --- DuplicateHandle between processes ------------------------------------------------ */

/* arg: the box. Uses the handles its parent put in this process: a section, an event, a
 * mutex, a semaphore, a file and the parent's process handle. */
CHILD(use_duplicates)
{
    HANDLE hb;
    DWORD n;
    LONG prev = -1;
    struct box *b = open_box(arg, FALSE, &hb);
    if (!b)
        return 9;
    char *p = MapViewOfFile(bv(b, 0), FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!p || strcmp(p, "from the parent") != 0)
        return 10;
    strcpy(p, "from the child");
    if (WaitForSingleObject(bv(b, 2), 0) != WAIT_OBJECT_0 || !ReleaseMutex(bv(b, 2)))
        return 12;
    if (!ReleaseSemaphore(bv(b, 3), 1, &prev) || prev != 0)
        return 13;
    if (!WriteFile(bv(b, 4), "dup", 3, &n, NULL) || n != 3)
        return 14;
    if (GetProcessId(bv(b, 5)) != b->ppid || WaitForSingleObject(bv(b, 5), 0) != WAIT_TIMEOUT)
        return 15;
    DWORD ev_flags, sec_flags;
    if (!GetHandleInformation(bv(b, 1), &ev_flags) || ev_flags != HANDLE_FLAG_INHERIT ||
        !GetHandleInformation(bv(b, 0), &sec_flags) || sec_flags != 0)
        return 17;
    return SetEvent(bv(b, 1)) ? 0 : 16;
}

TEST(duplicate_into_a_suspended_child)
{
    char name[96], path[MAX_PATH], got[8] = {0};
    HANDLE hb, mine[6], dup[6];
    box_name(name, sizeof name, "into");
    temp_path(path, "dupfile");
    struct box *b = open_box(name, TRUE, &hb);
    ASSERT(b);
    mine[0] = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, NULL);
    mine[1] = CreateEventA(NULL, TRUE, FALSE, NULL);
    mine[2] = CreateMutexA(NULL, FALSE, NULL);
    mine[3] = CreateSemaphoreA(NULL, 0, 5, NULL);
    mine[4] = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                          NULL, CREATE_ALWAYS, 0, NULL);
    mine[5] = GetCurrentProcess();
    ASSERT(mine[0] && mine[1] && mine[2] && mine[3] && mine[4] != INVALID_HANDLE_VALUE);
    char *p = MapViewOfFile(mine[0], FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(p);
    strcpy(p, "from the parent");
    PROCESS_INFORMATION pi = spawn("use_duplicates", name, FALSE, CREATE_SUSPENDED, NULL);
    HANDLE self = GetCurrentProcess();
    for (int i = 0; i < 6; i++) {
        /* The mutex and the file go with DUPLICATE_CLOSE_SOURCE (the child's handles alone
         * keep them, before it has even run), the event with rights asked for and
         * inheritable. */
        DWORD opts = DUPLICATE_SAME_ACCESS | (i == 2 || i == 4 ? DUPLICATE_CLOSE_SOURCE : 0);
        DWORD access = i == 1 ? EVENT_MODIFY_STATE | SYNCHRONIZE : 0;
        ASSERT(DuplicateHandle(self, mine[i], pi.hProcess, &dup[i], access, i == 1,
                               i == 1 ? 0 : opts));
        ASSERT(dup[i] != NULL && dup[i] != INVALID_HANDLE_VALUE);
        b->v[i] = (uintptr_t)dup[i];
    }
    b->ppid = GetCurrentProcessId();
    ASSERT(!CloseHandle(mine[4]) && GetLastError() == ERROR_INVALID_HANDLE); /* gone */
    ASSERT(!CloseHandle(mine[2]) && GetLastError() == ERROR_INVALID_HANDLE);
    ASSERT(CloseHandle(mine[0])); /* the child's duplicate (and the view) keep the section */
    ASSERT_EQ(ResumeThread(pi.hThread), 1);
    ASSERT_EQ(finish(&pi), 0);
    ASSERT_EQ(WaitForSingleObject(mine[1], 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(mine[3], 0), WAIT_OBJECT_0); /* the child released one */
    ASSERT(strcmp(p, "from the child") == 0);
    HANDLE f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    read_at(f, 0, got, 3);
    ASSERT(memcmp(got, "dup", 3) == 0);
    drop_file(f, path);
    ASSERT(UnmapViewOfFile(p) && UnmapViewOfFile(b));
    ASSERT(CloseHandle(mine[1]) && CloseHandle(mine[3]) && CloseHandle(hb));
}

/* arg: the box. Takes handles out of its parent: a section and an event (the event with
 * rights of its own), a semaphore closed there as it goes; refusals;
 * closes an event there; gives the parent an event and a section of its own. */
CHILD(take_from_parent)
{
    HANDLE hb, sec, ev, sem, h;
    struct box *b = open_box(arg, FALSE, &hb);
    if (!b)
        return 9;
    HANDLE weak = OpenProcess(SYNCHRONIZE, FALSE, b->ppid);
    if (!weak || DuplicateHandle(weak, bv(b, 1), GetCurrentProcess(), &h, 0, FALSE,
                                 DUPLICATE_SAME_ACCESS) ||
        GetLastError() != ERROR_ACCESS_DENIED)
        return 20;
    HANDLE parent = OpenProcess(PROCESS_DUP_HANDLE, FALSE, b->ppid);
    if (!parent)
        return 21;
    if (!DuplicateHandle(parent, bv(b, 0), GetCurrentProcess(), &sec, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
        return 22;
    char *p = MapViewOfFile(sec, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!p || strcmp(p, "from the parent") != 0)
        return 23;
    strcpy(p, "from the child");
    HANDLE named;
    struct box *same;
    if (!DuplicateHandle(parent, bv(b, 8), GetCurrentProcess(), &named, 0, FALSE,
                         DUPLICATE_SAME_ACCESS) ||
        !(same = MapViewOfFile(named, FILE_MAP_READ, 0, 0, 0)) || same->ppid != b->ppid ||
        !UnmapViewOfFile(same) || !CloseHandle(named))
        return 31;
    if (!DuplicateHandle(parent, bv(b, 1), GetCurrentProcess(), &ev, EVENT_MODIFY_STATE, FALSE,
                         0))
        return 24;

    /* Handles of this child's own into the parent, which uses them after this child is
     * gone (given before the parent's semaphore handle is closed, whose value the parent
     * may give out again). */
    HANDLE mine = CreateEventA(NULL, TRUE, TRUE, NULL);
    HANDLE sec2 = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    char *q = sec2 ? MapViewOfFile(sec2, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!mine || !q)
        return 28;
    strcpy(q, "made by the child");
    HANDLE to[2];
    if (!DuplicateHandle(GetCurrentProcess(), mine, parent, &to[0], 0, FALSE,
                         DUPLICATE_SAME_ACCESS) ||
        !DuplicateHandle(GetCurrentProcess(), sec2, parent, &to[1], FILE_MAP_READ, FALSE, 0))
        return 29;
    b->v[4] = (uintptr_t)to[0];
    b->v[5] = (uintptr_t)to[1];
    if (!DuplicateHandle(parent, bv(b, 2), GetCurrentProcess(), &sem, 0, FALSE,
                         DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE) ||
        !ReleaseSemaphore(sem, 2, NULL))
        return 25;
    /* A value the parent never gave out. */
    if (DuplicateHandle(parent, bv(b, 3), GetCurrentProcess(), &h, 0, FALSE,
                        DUPLICATE_SAME_ACCESS) ||
        GetLastError() != ERROR_INVALID_HANDLE)
        return 26;
    /* Closing a handle of the parent's, and nothing more. (Wine 8 refuses the NULL target
     * process Windows allows here, with ERROR_INVALID_HANDLE, and leaves the handle.) */
    BOOL closed = DuplicateHandle(parent, bv(b, 6), NULL, NULL, 0, FALSE,
                                  DUPLICATE_CLOSE_SOURCE);
    if (!closed && !(on_wine() && GetLastError() == ERROR_INVALID_HANDLE))
        return 30;
    b->v[7] = (unsigned long long)closed;
    return SetEvent(ev) ? 0 : 27;
}

TEST(duplicate_out_of_the_parent)
{
    char name[96];
    HANDLE hb;
    box_name(name, sizeof name, "out");
    struct box *b = open_box(name, TRUE, &hb);
    ASSERT(b);
    HANDLE sec = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, NULL);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE sem = CreateSemaphoreA(NULL, 0, 5, NULL);
    ASSERT(sec && ev && sem);
    char *p = MapViewOfFile(sec, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(p);
    strcpy(p, "from the parent");
    b->ppid = GetCurrentProcessId();
    b->v[0] = (uintptr_t)sec;
    b->v[1] = (uintptr_t)ev;
    b->v[2] = (uintptr_t)sem;
    b->v[3] = 0x3ffc;

    HANDLE victim = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT(victim);
    b->v[6] = (uintptr_t)victim;
    b->v[8] = (uintptr_t)hb; /* a named section */
    HANDLE sem2;
    ASSERT(DuplicateHandle(GetCurrentProcess(), sem, GetCurrentProcess(), &sem2, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    PROCESS_INFORMATION pi = spawn("take_from_parent", name, FALSE, 0, NULL);
    ASSERT_EQ(finish(&pi), 0);
    ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    ASSERT(strcmp(p, "from the child") == 0);
    /* The semaphore's handle went with the child's DUPLICATE_CLOSE_SOURCE; its other one
     * sees the count the child's duplicate released. */
    SetLastError(0);
    ASSERT_EQ(WaitForSingleObject(sem, 0), WAIT_FAILED);
    ASSERT_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    if (b->v[7]) { /* closed by the child (not under Wine, which refused) */
        SetLastError(0);
        ASSERT_EQ(WaitForSingleObject(victim, 0), WAIT_FAILED);
        ASSERT_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    } else {
        ASSERT(on_wine() && CloseHandle(victim));
    }
    ASSERT_EQ(WaitForSingleObject(sem2, 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(sem2, 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(sem2, 0), WAIT_TIMEOUT);
    /* What the child gave this process outlives the child. */
    ASSERT_EQ(WaitForSingleObject(bv(b, 4), 0), WAIT_OBJECT_0);
    char *q = MapViewOfFile(bv(b, 5), FILE_MAP_READ, 0, 0, 0);
    ASSERT(q && strcmp(q, "made by the child") == 0);
    ASSERT(!MapViewOfFile(bv(b, 5), FILE_MAP_WRITE, 0, 0, 0)); /* the rights it was given */
    ASSERT_EQ(GetLastError(), ERROR_ACCESS_DENIED);
    ASSERT(UnmapViewOfFile(q) && CloseHandle(bv(b, 4)) && CloseHandle(bv(b, 5)));
    ASSERT(UnmapViewOfFile(p) && UnmapViewOfFile(b));
    ASSERT(CloseHandle(sec) && CloseHandle(ev) && CloseHandle(sem2) && CloseHandle(hb));
}

TEST(duplicate_refuses_bad_processes)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL), out = NULL;
    ASSERT(ev);
    /* Not a process handle, no target without DUPLICATE_CLOSE_SOURCE. */
    ASSERT(!DuplicateHandle(GetCurrentProcess(), ev, ev, &out, 0, FALSE, DUPLICATE_SAME_ACCESS));
    ASSERT_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    ASSERT(!DuplicateHandle(GetCurrentProcess(), ev, NULL, &out, 0, FALSE, DUPLICATE_SAME_ACCESS));
    ASSERT_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    /* Into a process that has exited. */
    PROCESS_INFORMATION pi = spawn("sleep_then_exit", "0", FALSE, 0, NULL);
    ASSERT_EQ(WaitForSingleObject(pi.hProcess, 20000), WAIT_OBJECT_0);
    SetLastError(0);
    ASSERT(!DuplicateHandle(GetCurrentProcess(), ev, pi.hProcess, &out, 0, FALSE,
                            DUPLICATE_SAME_ACCESS));
    ASSERT_EQ(GetLastError(), ERROR_ACCESS_DENIED);
    ASSERT_EQ(finish(&pi), 5);
    /* The current process by a handle of its own is this process. */
    HANDLE me, again;
    ASSERT(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &me, 0,
                           FALSE, DUPLICATE_SAME_ACCESS));
    ASSERT_EQ(GetProcessId(me), GetCurrentProcessId());
    ASSERT(DuplicateHandle(me, ev, me, &again, 0, FALSE, DUPLICATE_SAME_ACCESS));
    ASSERT(SetEvent(again));
    ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    ASSERT(CloseHandle(again) && CloseHandle(me) && CloseHandle(ev));
}
