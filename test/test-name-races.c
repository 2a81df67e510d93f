/* Creating a name that another process holds or is creating at the same moment: every
 * creator gets one object, the first creator's, whatever its own request said. */
#include "test.h"

/* Shared by the parent and its children: a barrier counter and each child's verdict. */
struct control {
    volatile LONG ready, arrived, leave;
};

static struct control *map_control(const char *name, HANDLE *h, BOOL create)
{
    *h = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name)
                : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    return *h ? MapViewOfFile(*h, FILE_MAP_ALL_ACCESS, 0, 0, 0) : NULL;
}

/* arg: the section's name; holds a file-backed section over a fresh 8 KiB file of 'F'
 * under it until told to leave (through "<name>-ctl"). */
CHILD(hold_file_section)
{
    char path[MAX_PATH], ctl[80];
    HANDLE h;
    sprintf(ctl, "%s-ctl", arg);
    struct control *c = map_control(ctl, &h, FALSE);
    if (!c)
        return 10;
    temp_path(path, "held-file");
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_FLAG_DELETE_ON_CLOSE, NULL);
    char bytes[8192];
    DWORD w;
    memset(bytes, 'F', sizeof bytes);
    if (f == INVALID_HANDLE_VALUE || !WriteFile(f, bytes, sizeof bytes, &w, NULL))
        return 11;
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, arg);
    if (!m || GetLastError() != 0)
        return 12;
    __atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
    wait_flag(&c->leave, 1, 30000); /* never told: the parent failed, and so does this */
    CloseHandle(m);
    CloseHandle(f);
    return 0;
}

/* A paging-file request for a name another process holds as a file-backed section gets
 * that section (its size, its file's bytes) and ERROR_ALREADY_EXISTS. */
TEST(paging_file_request_for_a_held_file_backed_name)
{
    char name[64], ctl[80];
    HANDLE hc;
    test_name(name, "fileheld");
    sprintf(ctl, "%s-ctl", name);
    struct control *c = map_control(ctl, &hc, TRUE);
    ASSERT(c != NULL);
    struct child ch;
    start_child(&ch, "hold_file_section", name);
    wait_flag(&c->ready, 1, 20000);
    SetLastError(0xdeadbeef);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, name);
    ASSERT(m != NULL);
    ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT_EQ(v[0], 'F');
    ASSERT_EQ(v[8191], 'F');
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi));
    ASSERT_EQ(mbi.RegionSize, 8192); /* the file's size, not the 64 KiB asked for */
    UnmapViewOfFile(v);
    CloseHandle(m);
    __atomic_store_n(&c->leave, 1, __ATOMIC_RELEASE);
    ASSERT_EQ(wait_child(&ch, 20000), 0);
    UnmapViewOfFile((void *)c);
    CloseHandle(hc);
}

#define RACE_ROUNDS 150

/* arg: "<side><name>", side 'A' or 'B'. Each round both sides meet at a barrier, then
 * create "<name>-<round>" over a file of their own holding their side's letter, asking
 * for twice its size. Exactly one creates it; the other must get the first's section and
 * leave its own file as it was. Exit code: 0, or what went wrong. */
CHILD(race_file_sections)
{
    char side = arg[0], name[80], ctl[80], path[MAX_PATH];
    const char *base = arg + 1;
    HANDLE hc, maps[RACE_ROUNDS], files[RACE_ROUNDS];
    sprintf(ctl, "%s-ctl", base);
    struct control *c = map_control(ctl, &hc, FALSE);
    if (!c)
        return 10;
    char bytes[4096];
    memset(bytes, side, sizeof bytes);
    for (int r = 0; r < RACE_ROUNDS; r++) {
        char tag[40];
        DWORD w;
        sprintf(tag, "race-%c-%d", side, r);
        temp_path(path, tag);
        files[r] = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL,
                               CREATE_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE, NULL);
        if (files[r] == INVALID_HANDLE_VALUE || !WriteFile(files[r], bytes, sizeof bytes, &w, NULL))
            return 11;
        __atomic_add_fetch(&c->arrived, 1, __ATOMIC_ACQ_REL);
        /* A tight spin, not wait_flag's sleeps: both sides must create at once. */
        DWORD start = GetTickCount();
        while (__atomic_load_n(&c->arrived, __ATOMIC_ACQUIRE) < 2 * (r + 1))
            if (GetTickCount() - start > 20000)
                return 12;
        sprintf(name, "%s-%d", base, r);
        SetLastError(0xdeadbeef);
        maps[r] = CreateFileMappingA(files[r], NULL, PAGE_READWRITE, 0, 2 * sizeof bytes, name);
        if (!maps[r])
            return 13;
        BOOL existed = GetLastError() == ERROR_ALREADY_EXISTS;
        unsigned char *v = MapViewOfFile(maps[r], FILE_MAP_READ, 0, 0, 0);
        if (!v)
            return 14;
        char seen = (char)v[0];
        UnmapViewOfFile(v);
        if (existed ? seen == side : seen != side)
            return 20; /* told "exists" but given its own file, or the other way round */
        if (GetFileSize(files[r], NULL) != (existed ? sizeof bytes : 2 * sizeof bytes))
            return 21; /* the loser's file was grown, or the winner's was not */
    }
    /* The other side may still be checking the last round: leave together. */
    __atomic_add_fetch(&c->arrived, 1, __ATOMIC_ACQ_REL);
    wait_flag(&c->arrived, 2 * RACE_ROUNDS + 2, 20000);
    for (int r = 0; r < RACE_ROUNDS; r++) {
        CloseHandle(maps[r]);
        CloseHandle(files[r]);
    }
    return 0;
}

TEST(processes_creating_one_file_backed_name_agree)
{
    char name[64], arg[80];
    HANDLE hc;
    test_name(name, "filerace");
    sprintf(arg, "%s-ctl", name);
    struct control *c = map_control(arg, &hc, TRUE);
    ASSERT(c != NULL);
    struct child a, b;
    sprintf(arg, "A%s", name);
    start_child(&a, "race_file_sections", arg);
    sprintf(arg, "B%s", name);
    start_child(&b, "race_file_sections", arg);
    ASSERT_EQ(wait_child(&a, 60000), 0);
    ASSERT_EQ(wait_child(&b, 60000), 0);
    UnmapViewOfFile((void *)c);
    CloseHandle(hc);
}
