/* Lease tables: objects a process makes while it holds many keep their leases and state
 * words in shared table files (docs/namespace.md). A child lowers its descriptor limit so
 * that its objects go there after a few: 64 descriptors make it 16 names. */
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmf/mmf.h>

#include "../test.h"
#include "native.h"
#include "ob/ob.h"

#define EVENTS 40
#define IN_TABLE 30 /* an event past the first 16: in a table */

static void event_name(char *buf, const char *base, int i)
{
    sprintf(buf, "%s-%d", base, i);
}

/* Files in this user's Local\ directory whose names start with prefix. */
static int files_named(const char *prefix)
{
    char dir[300];
    int n = 0;
    local_dir(dir);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* Opens an event, waiting (5 s at most) for its creator to make it. */
static HANDLE open_when_there(const char *name)
{
    HANDLE h;
    for (int i = 0; !(h = OpenEventA(EVENT_ALL_ACCESS, FALSE, name)); i++) {
        ASSERT_EQ(GetLastError(), ERROR_FILE_NOT_FOUND);
        ASSERT(i < 5000);
        Sleep(1);
    }
    return h;
}

/* A section of a lease table, made by a process that holds many names: it holds no
 * descriptor until a view opens its data (kept then); "sec" written at its end. 0, or
 * what went wrong. */
static int table_section(const char *base, const char *suffix, SECURITY_ATTRIBUTES *sa,
                         HANDLE *out)
{
    char name[96];
    /* The first of its mode opens a table (kept while this process gives slots out). */
    HANDLE first = CreateFileMappingA(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE, 0, 4096,
                                      strcat(strcat(strcpy(name, base), suffix), "-first"));
    if (!first || !CloseHandle(first))
        return 3;
    int fds = count_fds();
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE, 0, 65536,
                                  strcat(strcpy(name, base), suffix));
    if (!m || GetLastError() || count_fds() != fds)
        return 1;
    char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!v || count_fds() != fds + 1)
        return 2;
    strcpy(v + 65536 - 4, "sec");
    UnmapViewOfFile(v);
    *out = m;
    return 0;
}

/* Child: with 64 descriptors at most, creates EVENTS events arg-0… (odd ones signaled),
 * a mutex arg-mutex it owns, a semaphore arg-sem (2 of 5) and two sections, arg-sec and
 * arg-secall (everyone's: a data file of its own), then arg-ready; publishes the handle
 * of event IN_TABLE in the section arg-info; waits (20 s at most) for event IN_TABLE to
 * be set, then closes everything and exits (the mutex abandoned). */
CHILD(table_events)
{
    struct rlimit rl = {64, 64};
    HANDLE h[EVENTS];
    char name[80];
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 10;
    HANDLE info = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                     strcat(strcpy(name, arg), "-info"));
    HANDLE *slot = info ? MapViewOfFile(info, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!slot)
        return 11;
    for (int i = 0; i < EVENTS; i++) {
        event_name(name, arg, i);
        if (!(h[i] = CreateEventA(NULL, TRUE, i % 2, name)) || GetLastError())
            return 12;
    }
    *slot = h[IN_TABLE];
    HANDLE mutex = CreateMutexA(NULL, TRUE, strcat(strcpy(name, arg), "-mutex"));
    HANDLE sem = CreateSemaphoreA(NULL, 2, 5, strcat(strcpy(name, arg), "-sem"));
    HANDLE sec, secall;
    if (!mutex || !sem || table_section(arg, "-sec", NULL, &sec) ||
        table_section(arg, "-secall", everyone(), &secall))
        return 14;
    HANDLE ready = CreateEventA(NULL, TRUE, FALSE, strcat(strcpy(name, arg), "-ready"));
    if (!ready || WaitForSingleObject(h[IN_TABLE], 20000) != WAIT_OBJECT_0)
        return 13;
    for (int i = 0; i < EVENTS; i++)
        CloseHandle(h[i]);
    CloseHandle(ready);
    CloseHandle(sem);
    CloseHandle(mutex);
    CloseHandle(sec);
    CloseHandle(secall);
    UnmapViewOfFile(slot);
    CloseHandle(info);
    return 0;
}

static void start_table_events(struct child *c, char *base)
{
    char ready[96];
    test_name(base, "tab");
    start_child(c, "table_events", base);
    CloseHandle(open_when_there(strcat(strcpy(ready, base), "-ready")));
}

TEST(objects_made_past_many_share_a_lease_table)
{
    char base[64], name[96];
    struct child c;
    start_table_events(&c, base);
    /* 24 events, a mutex, a semaphore and a section: one table (0600); a section for
     * everyone: one more (0666) */
    ASSERT_EQ(files_named(MMF__LT_PREFIX), 2);
    event_name(name, base, IN_TABLE + 1);
    HANDLE odd = OpenEventA(SYNCHRONIZE, FALSE, name);
    event_name(name, base, IN_TABLE);
    HANDLE e = OpenEventA(EVENT_ALL_ACCESS, FALSE, name);
    ASSERT(e && odd);
    /* The state words are shared through the table. */
    ASSERT_EQ(WaitForSingleObject(odd, 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
    struct seen s = look(name, 0);
    ASSERT_EQ(s.found, 1);
    ASSERT_EQ(s.info.type, MMF_TYPE_EVENT);
    ASSERT_EQ(s.info.nholders, 2);
    ASSERT(s.holders[0] == GetCurrentProcessId() || s.holders[1] == GetCurrentProcessId());
    /* Owned and counted kinds keep their words there too. */
    HANDLE mutex = OpenMutexA(SYNCHRONIZE, FALSE, strcat(strcpy(name, base), "-mutex"));
    HANDLE sem = OpenSemaphoreA(SYNCHRONIZE, FALSE, strcat(strcpy(name, base), "-sem"));
    ASSERT(mutex && sem);
    ASSERT_EQ(WaitForSingleObject(mutex, 0), WAIT_TIMEOUT);
    ASSERT_EQ(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(sem, 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(sem, 0), WAIT_TIMEOUT);
    /* Sections too: the bytes the child wrote, through the data file opened again. */
    for (int all = 0; all < 2; all++) {
        HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE,
                                    strcat(strcpy(name, base), all ? "-secall" : "-sec"));
        const volatile char *v = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : NULL;
        ASSERT(v != NULL);
        ASSERT_EQ(strcmp((const char *)v + 65536 - 4, "sec"), 0);
        if (all) { /* its data file cut (by anyone: 0666): grown back at the fault */
            char path[400];
            struct stat sb;
            local_dir(path);
            strcat(strcat(strcat(path, "/"), name), "%data");
            ASSERT_EQ(truncate(path, 0), 0);
            ASSERT_EQ(v[65535], 0);
            ASSERT(stat(path, &sb) == 0 && sb.st_size >= 65536);
        }
        UnmapViewOfFile((const void *)v);
        CloseHandle(m);
    }
    ASSERT(SetEvent(e)); /* wakes the child, which closes everything and exits */
    ASSERT_EQ(wait_child(&c, 10000), 0);
    ASSERT_EQ(WaitForSingleObject(mutex, 5000), WAIT_ABANDONED); /* its owner is gone */
    ASSERT(ReleaseMutex(mutex));
    CloseHandle(mutex);
    CloseHandle(sem);
    event_name(name, base, IN_TABLE);
    /* This process holds two of them still: their names stay, with their table (the
     * everyone table went with the child). */
    HANDLE again = OpenEventA(SYNCHRONIZE, FALSE, name);
    ASSERT(again != NULL);
    ASSERT_EQ(WaitForSingleObject(again, 0), WAIT_OBJECT_0);
    CloseHandle(again);
    event_name(name, base, IN_TABLE - 1);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(files_named(MMF__LT_PREFIX), 1);
    ASSERT(CloseHandle(e));
    ASSERT_EQ(files_named(MMF__LT_PREFIX), 1);
    ASSERT(CloseHandle(odd)); /* the table's last holder: it goes with its last name */
    event_name(name, base, IN_TABLE + 1);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(files_named(MMF__LT_PREFIX), 0);
    ASSERT_EQ(files_named(base), 0);
}

TEST(a_killed_creators_table_objects_are_reclaimed)
{
    char base[64], name[96];
    struct child c;
    start_table_events(&c, base);
    kill_child(&c);
    /* Nobody holds the table's slots: its objects are stale, never listed. */
    event_name(name, base, IN_TABLE);
    ASSERT_EQ(look(name, 0).found, 0);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
    event_name(name, base, IN_TABLE + 1);
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, name);
    ASSERT(e != NULL);
    ASSERT_EQ(GetLastError(), 0); /* a new object, on a file of its own */
    ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
    uint64_t objects = 0;
    ASSERT_EQ(mmf_gc(0, &objects, NULL), 0);
    ASSERT_EQ(objects, EVENTS + 4); /* the events, mutex, semaphore, two sections, -ready
                                       and -info, less the two above */
    ASSERT_EQ(files_named(MMF__LT_PREFIX), 0);
    ASSERT(CloseHandle(e));
    ASSERT_EQ(files_named(base), 0);
}

TEST(a_table_object_copied_out_of_its_holder_is_the_same_object)
{
    char base[64], name[96];
    struct child c;
    start_table_events(&c, base);
    HANDLE info = OpenFileMappingA(FILE_MAP_READ, FALSE, strcat(strcpy(name, base), "-info"));
    HANDLE *slot = info ? MapViewOfFile(info, FILE_MAP_READ, 0, 0, 0) : NULL;
    ASSERT(slot != NULL);
    event_name(name, base, IN_TABLE);
    HANDLE by_name = OpenEventA(SYNCHRONIZE, FALSE, name);
    HANDLE proc = OpenProcess(PROCESS_DUP_HANDLE, FALSE, GetProcessId(c.process));
    HANDLE dup = NULL, dup2 = NULL;
    ASSERT(by_name && proc);
    /* Copied out of the child, which says no name: found by its file's inode. */
    ASSERT(DuplicateHandle(proc, *slot, GetCurrentProcess(), &dup, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    ASSERT(CloseHandle(by_name)); /* the copy holds it on its own */
    ASSERT(DuplicateHandle(proc, *slot, GetCurrentProcess(), &dup2, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    ASSERT(SetEvent(dup));
    ASSERT_EQ(wait_child(&c, 10000), 0);
    ASSERT(CloseHandle(dup2)); /* one lease for both copies: the other keeps the name */
    HANDLE again = OpenEventA(SYNCHRONIZE, FALSE, name);
    ASSERT(again != NULL);
    ASSERT_EQ(WaitForSingleObject(again, 0), WAIT_OBJECT_0);
    CloseHandle(again);
    ASSERT(CloseHandle(dup));
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(files_named(MMF__LT_PREFIX), 0);
    UnmapViewOfFile(slot);
    CloseHandle(info);
    CloseHandle(proc);
}

/* Child: with 64 descriptors at most, creates 20 events (the last four in a table), then
 * forks. The forked process makes an event in a table of its own, not out of its
 * parent's (which gives the same slots): setting the parent's next one leaves it. */
CHILD(table_fork)
{
    struct rlimit rl = {64, 64};
    char name[96];
    int ready[2], go[2];
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || pipe(ready) < 0 || pipe(go) < 0)
        return 10;
    for (int i = 0; i < 20; i++) {
        event_name(name, arg, i);
        if (!CreateEventA(NULL, TRUE, FALSE, name))
            return 11;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char c = 0;
        HANDLE f = CreateEventA(NULL, TRUE, FALSE, strcat(strcpy(name, arg), "-forked"));
        if (!f || write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(20);
        _exit(WaitForSingleObject(f, 0) == WAIT_TIMEOUT ? 0 : 21);
    }
    char c = 0;
    int status;
    HANDLE g = NULL;
    if (pid < 0 || read(ready[0], &c, 1) != 1 ||
        !(g = CreateEventA(NULL, TRUE, FALSE, strcat(strcpy(name, arg), "-parent"))) ||
        !SetEvent(g) || write(go[1], &c, 1) != 1 || waitpid(pid, &status, 0) != pid)
        return 12;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 13;
}

/* Runs a child that checks everything itself, under a new name base (64 bytes). */
static void run_checking_child(const char *role, char *base, const char *prefix)
{
    struct child c;
    test_name(base, prefix);
    start_child(&c, role, base);
    ASSERT_EQ(wait_child(&c, 20000), 0);
}

TEST(a_forked_child_takes_no_slot_of_its_parents_tables)
{
    char base[64];
    run_checking_child("table_fork", base, "fork");
    uint64_t objects = 0; /* the forked one ended with _exit: its name is stale */
    ASSERT_EQ(mmf_gc(0, &objects, NULL), 0);
    ASSERT_EQ(objects, 1);
}

/* Child: returns at once (a suspended heir, below, until resumed). */
CHILD(table_heir)
{
    (void)arg;
    return 0;
}

/* Whether the name base-i is there (an open succeeds, and is closed). */
static bool event_there(const char *base, int i)
{
    char name[96];
    event_name(name, base, i);
    HANDLE h = OpenEventA(SYNCHRONIZE, FALSE, name);
    return h && CloseHandle(h);
}

/* Which of the events below are inheritable: from the twentieth (the seventeenth on goes
 * to a table), consecutive slots in runs of two to four with one-slot gaps between. */
static bool heritable(int i)
{
    return i >= 20 && (i % 3 != 0 || i % 7 == 0);
}

/* Child: with 64 descriptors at most, creates EVENTS events, some inheritable, starts a
 * suspended heir inheriting them and closes its own handles: the heir holds exactly the
 * inherited ones (the handoff locks runs of a table's slots at once), until it ends. */
CHILD(table_handoff)
{
    struct rlimit rl = {64, 64};
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE h[EVENTS];
    char name[96], exe[MAX_PATH], cmd[3 * MAX_PATH];
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 10;
    for (int i = 0; i < EVENTS; i++) {
        event_name(name, arg, i);
        if (!(h[i] = CreateEventA(heritable(i) ? &inherit : NULL, TRUE, FALSE, name)))
            return 11;
    }
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    DWORD code = 1;
    if (GetModuleFileNameA(NULL, exe, MAX_PATH) == 0)
        return 12;
    snprintf(cmd, sizeof cmd, "\"%s\" --child table_heir \"\"", exe);
    if (!CreateProcessA(exe, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi))
        return 13;
    for (int i = 0; i < EVENTS; i++)
        CloseHandle(h[i]);
    int bad = 0;
    for (int i = 20; i < EVENTS && !bad; i++)
        if (event_there(arg, i) != heritable(i))
            bad = 20 + i;
    if (bad) /* a suspended process outlives its creator, as on Windows */
        TerminateProcess(pi.hProcess, 1);
    else if (ResumeThread(pi.hThread) == (DWORD)-1 ||
             WaitForSingleObject(pi.hProcess, 10000) || !GetExitCodeProcess(pi.hProcess, &code) ||
             code != 0)
        bad = 14;
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    for (int i = 0; i < EVENTS && !bad; i++)
        if (event_there(arg, i))
            bad = 60 + i;
    return bad;
}

TEST(a_child_inherits_exactly_the_inheritable_objects_of_a_table)
{
    char base[64];
    run_checking_child("table_handoff", base, "heir");
}
