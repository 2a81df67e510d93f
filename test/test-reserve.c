/* SEC_RESERVE commit state belongs to the section: pages committed through a view in one
 * process are committed in every view, in every process. */
#include "test.h"

#define PAGE 4096
#define MAPPED 0 /* LONG flags in page 0, committed first */
#define GO 4
#define DONE 8

CHILD(reserve_reader)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, arg);
    if (!m)
        return 10;
    unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!v)
        return 11;
    volatile LONG *f = (LONG *)v;
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery(v + 2 * PAGE, &mbi, sizeof mbi) != sizeof mbi || mbi.State != MEM_RESERVE)
        return 12;
    __atomic_store_n(&f[MAPPED / 4], 1, __ATOMIC_RELEASE);
    wait_flag(&f[GO / 4], 1, 20000);
    if (VirtualQuery(v + 2 * PAGE, &mbi, sizeof mbi) != sizeof mbi || mbi.State != MEM_COMMIT ||
        mbi.Protect != PAGE_READWRITE)
        return 13;
    if (v[2 * PAGE] != 0x77) /* committed elsewhere: readable here */
        return 14;
    v[2 * PAGE + 1] = 0x88; /* and writable */
    __atomic_store_n(&f[DONE / 4], 1, __ATOMIC_RELEASE);
    UnmapViewOfFile(v);
    CloseHandle(m);
    return 0;
}

TEST(reserve_commit_is_seen_by_other_processes)
{
    char name[64];
    test_name(name, "reserve");
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
                                  16 * PAGE, name);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(VirtualAlloc(v, PAGE, MEM_COMMIT, PAGE_READWRITE) == v);
    volatile LONG *f = (LONG *)v;
    struct child c;
    start_child(&c, "reserve_reader", name);
    wait_flag(&f[MAPPED / 4], 1, 20000);
    ASSERT(VirtualAlloc(v + 2 * PAGE, PAGE, MEM_COMMIT, PAGE_READWRITE) == v + 2 * PAGE);
    v[2 * PAGE] = 0x77;
    __atomic_store_n(&f[GO / 4], 1, __ATOMIC_RELEASE);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT_EQ(f[DONE / 4], 1);
    ASSERT_EQ(v[2 * PAGE + 1], 0x88);
    UnmapViewOfFile(v);
    CloseHandle(m);
}
