/* A named object lives while any process holds a handle to it, and its name goes with
 * the last one: by CloseHandle, by exit, or by kill -9 (TerminateProcess). */
#include "test.h"

/* Layout of the first bytes of the sections these tests share. */
#define DATA 0    /* written by whoever creates the object */
#define READY 8   /* LONG: the child holds the object */
#define LEAVE 12  /* LONG: the parent asks the child to close and exit */

static LONG *flag(unsigned char *v, int off)
{
    return (LONG *)(v + off);
}

/* Child: holds the object (creating it if arg starts with '+'), marks READY, then waits
 * to be told to leave, or to be killed. */
CHILD(hold)
{
    BOOL create = arg[0] == '+';
    const char *name = create ? arg + 1 : arg;
    HANDLE m = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                           name)
                      : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    if (!m)
        return 10;
    unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!v)
        return 11;
    if (create)
        v[DATA] = 0x11;
    __atomic_store_n(flag(v, READY), 1, __ATOMIC_RELEASE);
    DWORD start = GetTickCount();
    while (!__atomic_load_n(flag(v, LEAVE), __ATOMIC_ACQUIRE))
        if (GetTickCount() - start > 30000)
            return 12; /* never told: the parent failed */
        else
            Sleep(1);
    UnmapViewOfFile(v);
    CloseHandle(m);
    return 0;
}

/* Opens `name` (retrying while the child has not made it yet) and maps it. */
static HANDLE open_when_there(const char *name, unsigned char **view)
{
    DWORD start = GetTickCount();
    HANDLE m;
    while (!(m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name))) {
        ASSERT_EQ(GetLastError(), ERROR_FILE_NOT_FOUND);
        ASSERT(GetTickCount() - start < 20000);
        Sleep(1);
    }
    *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(*view != NULL);
    wait_flag(flag(*view, READY), 1, 20000);
    return m;
}

static void expect_gone(const char *name)
{
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
}

TEST(name_outlives_its_creator)
{
    char name[64], arg[80];
    unsigned char *v;
    struct child c;
    test_name(name, "outlive");
    sprintf(arg, "+%s", name);
    start_child(&c, "hold", arg);
    HANDLE m = open_when_there(name, &v);
    ASSERT_EQ(v[DATA], 0x11);
    *flag(v, LEAVE) = 1;
    ASSERT_EQ(wait_child(&c, 20000), 0);
    /* The creator is gone; this process still holds the object, so the name stays. */
    HANDLE again = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(again != NULL);
    ASSERT(CloseHandle(again));
    ASSERT(CloseHandle(m));
    expect_gone(name);
    ASSERT_EQ(v[DATA], 0x11); /* the view keeps the memory */
    ASSERT(UnmapViewOfFile(v));
}

TEST(kill9_of_the_last_holder_removes_the_name)
{
    char name[64], arg[80];
    unsigned char *v;
    struct child c;
    test_name(name, "kill-last");
    sprintf(arg, "+%s", name);
    start_child(&c, "hold", arg);
    HANDLE m = open_when_there(name, &v);
    ASSERT(CloseHandle(m)); /* only the child holds it now */
    HANDLE probe = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(probe != NULL);
    ASSERT(CloseHandle(probe));
    kill_child(&c);
    expect_gone(name);
    SetLastError(0xdeadbeef);
    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    ASSERT(m != NULL);
    ASSERT_EQ(GetLastError(), 0); /* a new object, */
    unsigned char *fresh = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(fresh != NULL);
    ASSERT_EQ(fresh[DATA], 0); /* zeroed, */
    ASSERT_EQ(v[DATA], 0x11);  /* while the old view keeps the old memory */
    UnmapViewOfFile(fresh);
    UnmapViewOfFile(v);
    CloseHandle(m);
    expect_gone(name);
}

TEST(kill9_of_one_holder_keeps_the_name)
{
    char name[64];
    unsigned char *v;
    struct child a, b;
    test_name(name, "kill-one");
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    ASSERT(m != NULL);
    v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(v != NULL);
    start_child(&a, "hold", name);
    wait_flag(flag(v, READY), 1, 20000);
    *flag(v, READY) = 0;
    start_child(&b, "hold", name);
    wait_flag(flag(v, READY), 1, 20000);
    ASSERT(CloseHandle(m)); /* the two children hold it */
    kill_child(&a);
    HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, name); /* b still holds it */
    ASSERT(o != NULL);
    ASSERT(CloseHandle(o));
    kill_child(&b);
    expect_gone(name);
    UnmapViewOfFile(v);
}

/* Child: opens a named file-backed section, checks the file's bytes and the parent's
 * write, and writes back. */
CHILD(file_section)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_WRITE, FALSE, arg);
    if (!m)
        return 10;
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    if (!v || v[1] != pattern_byte(1) || v[10] != 'P')
        return 11;
    v[20] = 'C';
    UnmapViewOfFile(v);
    CloseHandle(m);
    return 0;
}

TEST(named_file_backed_section_across_processes)
{
    char path[MAX_PATH], path2[MAX_PATH], name[64];
    test_name(name, "filesec");
    HANDLE f = make_file(path, "namedfile", 65536, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, name);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    v[10] = 'P';
    struct child c;
    start_child(&c, "file_section", name);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT_EQ(v[20], 'C'); /* the same file, coherently */
    ASSERT(FlushViewOfFile(v, 0));
    unsigned char b;
    read_at(f, 20, &b, 1);
    ASSERT_EQ(b, 'C');
    /* Another file under an existing name: the existing section, the file untouched. */
    HANDLE f2 = make_file(path2, "namedfile2", 0, GENERIC_READ | GENERIC_WRITE);
    SetLastError(0xdeadbeef);
    HANDLE m2 = CreateFileMappingA(f2, NULL, PAGE_READWRITE, 0, 0x5000, name);
    ASSERT(m2 != NULL);
    ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    ASSERT_EQ(GetFileSize(f2, NULL), 0);
    CloseHandle(m2);
    drop_file(f2, path2);
    UnmapViewOfFile(v);
    CloseHandle(m);
    drop_file(f, path);
}

/* A name opened and closed while another process held it, then gone with that process
 * and made again by a third: opening it gives the new object, never the one this process
 * had (which mmf keeps a while for a reopen), and one opened again while held is the same
 * object each time. */
TEST(a_name_opened_again_is_the_object_now_under_it)
{
    char name[64], arg[80];
    unsigned char *v;
    struct child a, b;
    test_name(name, "again");
    sprintf(arg, "+%s", name);
    start_child(&a, "hold", arg);
    HANDLE m = open_when_there(name, &v);
    ASSERT(CloseHandle(m)); /* only the child holds the name */
    for (int i = 0; i < 3; i++) {
        HANDLE o = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
        ASSERT(o != NULL);
        unsigned char *w = MapViewOfFile(o, FILE_MAP_ALL_ACCESS, 0, 0, 0);
        ASSERT(w != NULL);
        ASSERT_EQ(w[DATA + 1], i); /* what the last open wrote */
        w[DATA + 1] = (unsigned char)(i + 1);
        ASSERT(UnmapViewOfFile(w));
        ASSERT(CloseHandle(o));
    }
    *flag(v, LEAVE) = 1; /* marks the old object, and lets its creator go */
    ASSERT_EQ(wait_child(&a, 20000), 0);
    ASSERT(UnmapViewOfFile(v));
    expect_gone(name);
    start_child(&b, "hold", arg);
    m = open_when_there(name, &v);
    ASSERT_EQ(*flag(v, LEAVE), 0); /* the new object */
    ASSERT_EQ(v[DATA + 1], 0);
    *flag(v, LEAVE) = 1;
    ASSERT_EQ(wait_child(&b, 20000), 0);
    ASSERT(CloseHandle(m));
    ASSERT(UnmapViewOfFile(v));
    expect_gone(name);
}

/* Child: creates the name and exits without closing anything. */
CHILD(create_and_exit)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, arg);
    return m ? 0 : 10;
}

TEST(exit_closes_the_handles)
{
    char name[64];
    struct child c;
    test_name(name, "exit");
    start_child(&c, "create_and_exit", name);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    expect_gone(name);
}

#define KILL_ROUNDS 100
#define KILL_NAMES 3
/* Name 1 is everyone's: its object keeps its bytes in a data file of its own. */
#define KILL_SA(i) ((i) == 1 ? everyone() : NULL)

/* Creates, writes and closes the names arg-0..arg-2 over and over, until killed. */
CHILD(churn_until_killed)
{
    char name[96];
    for (unsigned i = 0;; i++) {
        sprintf(name, "%s-%u", arg, i % KILL_NAMES);
        HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, KILL_SA(i % KILL_NAMES),
                                      PAGE_READWRITE, 0, 65536, name);
        unsigned char *v = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
        if (!v)
            return 10;
        v[DATA] = 0x22;
        v[65535] = 0x22;
        UnmapViewOfFile(v);
        CloseHandle(m);
    }
}

/* kill -9 at any instruction of create, map, write, unmap, close: whatever the instant,
 * the dead process's names go with it, and a create gets a fresh, zeroed object. */
TEST(kill9_at_random_instants_leaves_no_name)
{
    char base[64], name[96];
    test_name(base, "kill-churn");
    unsigned seed = (unsigned)GetCurrentProcessId();
    for (int r = 0; r < KILL_ROUNDS; r++) {
        struct child c;
        start_child(&c, "churn_until_killed", base);
        seed = seed * 1103515245u + 12345u;
        Sleep((seed >> 16) % 20);
        kill_child(&c);
        for (int i = 0; i < KILL_NAMES; i++) {
            sprintf(name, "%s-%d", base, i);
            expect_gone(name);
            SetLastError(0xdeadbeef);
            HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, KILL_SA(i), PAGE_READWRITE, 0,
                                          65536, name);
            ASSERT(m != NULL);
            ASSERT_EQ(GetLastError(), 0);
            unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
            ASSERT(v != NULL);
            ASSERT_EQ(v[DATA], 0);
            ASSERT_EQ(v[65535], 0);
            UnmapViewOfFile(v);
            CloseHandle(m);
        }
    }
    printf("# %d kill -9 rounds at random instants, no name left behind, every create fresh\n",
           KILL_ROUNDS);
}

/* Hundreds of names held at once (the process looks each one up among the others): each
 * Create of a held name gives that object again, each close of the second handle leaves
 * the first working, and the names go with the last handles. */
#define MANY 600
TEST(hundreds_of_names_held_at_once)
{
    static HANDLE first[MANY];
    char name[64];
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "many-%d", i);
        first[i] = CreateEventA(NULL, TRUE, FALSE, name);
        ASSERT(first[i] != NULL && GetLastError() == 0);
    }
    for (int i = MANY - 1; i >= 0; i -= 7) {
        snprintf(name, sizeof name, "many-%d", i);
        HANDLE again = CreateEventA(NULL, TRUE, FALSE, name);
        ASSERT(again != NULL && GetLastError() == ERROR_ALREADY_EXISTS);
        ASSERT(SetEvent(again));
        ASSERT(CloseHandle(again));
        ASSERT_EQ(WaitForSingleObject(first[i], 0), WAIT_OBJECT_0);
    }
    for (int i = 0; i < MANY; i += 2) /* every other one: the rest stay findable */
        ASSERT(CloseHandle(first[i]));
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "many-%d", i);
        if (i % 2 == 0) {
            ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
            continue;
        }
        HANDLE h = OpenEventA(SYNCHRONIZE, FALSE, name);
        DWORD set = i % 7 == (MANY - 1) % 7 ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
        ASSERT(h != NULL);
        ASSERT_EQ(WaitForSingleObject(h, 0), set);
        ASSERT(CloseHandle(h));
        ASSERT(CloseHandle(first[i]));
    }
}
