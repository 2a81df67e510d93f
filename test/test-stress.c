/* Eight processes create, open, map, write and close the same few names for seconds.
 * Every object a process gets must be consistent: a new one (error 0) is all zeros; an
 * existing one carries its creator's stamp, which never changes while held. At the end
 * every name is gone. */
#include "test.h"

#define WORKERS 8
#define NAMES 3
#define SECONDS 3
#define SIZE 65536

struct obj_head {
    LONG64 stamp;   /* set once by the creator: pid << 32 | counter */
    LONG64 writes;  /* bumped by every holder */
};

static void name_of(char *buf, const char *base, int i)
{
    sprintf(buf, "%s-%d", base, i);
}

/* One round on one name; returns nonzero on an inconsistency. */
static int round_on(const char *name, LONG64 my_stamp, BOOL create, BOOL open_to_all)
{
    HANDLE m = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, open_to_all ? everyone() : NULL,
                                           PAGE_READWRITE, 0, SIZE, name)
                      : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    DWORD err = GetLastError();
    if (!m)
        return !create && err == ERROR_FILE_NOT_FOUND ? 0 : 2;
    unsigned char *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!v)
        return 3;
    struct obj_head *h = (struct obj_head *)v;
    int bad = 0;
    if (create && err == 0) {
        for (int i = 0; i < SIZE; i += 512)
            if (v[i] != 0)
                bad = 4; /* a "new" object that is not fresh */
        __atomic_store_n(&h->stamp, my_stamp, __ATOMIC_RELEASE);
    } else {
        /* Its creator stamps it right after mapping. */
        DWORD start = GetTickCount();
        while (!__atomic_load_n(&h->stamp, __ATOMIC_ACQUIRE) && GetTickCount() - start < 5000)
            Sleep(0);
    }
    LONG64 stamp = __atomic_load_n(&h->stamp, __ATOMIC_ACQUIRE);
    if (!stamp)
        bad = 5;
    for (int k = 0; k < 50 && !bad; k++) {
        __atomic_add_fetch(&h->writes, 1, __ATOMIC_ACQ_REL);
        v[SIZE - 1 - k] = (unsigned char)k;
        if (__atomic_load_n(&h->stamp, __ATOMIC_ACQUIRE) != stamp)
            bad = 6; /* the object changed identity under us */
    }
    UnmapViewOfFile(v);
    CloseHandle(m);
    return bad;
}

CHILD(stress_worker)
{
    LONG64 pid = GetCurrentProcessId(), counter = 0;
    unsigned seed = (unsigned)pid;
    char name[96];
    DWORD start = GetTickCount();
    while (GetTickCount() - start < SECONDS * 1000) {
        seed = seed * 1103515245u + 12345u;
        int which = (int)((seed >> 16) % NAMES);
        name_of(name, arg, which);
        /* Name 0 is everyone's: a data file of its own, found by every opener. */
        int bad = round_on(name, pid << 32 | ++counter, (seed >> 8) % 3 != 0, which == 0);
        if (bad) {
            fprintf(stderr, "worker %ld: inconsistency %d on %s (last error %lu)\n", (long)pid,
                    bad, name, (unsigned long)GetLastError());
            return bad;
        }
    }
    /* The rounds, for the parent's count: in a section of its own, held by the parent. */
    sprintf(name, "%s-count", arg);
    HANDLE m = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
    LONG64 *total = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!total)
        return 7;
    __atomic_add_fetch(total, counter, __ATOMIC_ACQ_REL);
    UnmapViewOfFile(total);
    CloseHandle(m);
    return 0;
}

TEST(eight_processes_share_few_names)
{
    char base[64], name[96];
    struct child c[WORKERS];
    test_name(base, "stress");
    sprintf(name, "%s-count", base);
    HANDLE counted = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    LONG64 *total = counted ? MapViewOfFile(counted, FILE_MAP_READ, 0, 0, 0) : NULL;
    ASSERT(total != NULL);
    for (int i = 0; i < WORKERS; i++)
        start_child(&c[i], "stress_worker", base);
    for (int i = 0; i < WORKERS; i++)
        ASSERT_EQ(wait_child(&c[i], 60000), 0);
    printf("# %lld create/open, map, write, close rounds by %d processes on %d names, "
           "no inconsistency\n", (long long)*total, WORKERS, NAMES);
    UnmapViewOfFile(total);
    CloseHandle(counted);
    for (int i = 0; i < NAMES; i++) {
        name_of(name, base, i);
        ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    }
}
