/* MMF_SHARED: variables that are one for every running instance of the same binary —
 * here, the test runner, whose children are instances of it. Built for Windows they are
 * in a section marked shared (mingw-w64's attribute), which Wine shares the same way.
 * The runner's own process holds the set for the whole run, so the values are the
 * current ones, not the binary's: only relative changes are checked. */
#include "test.h"

#ifndef MMF_SHARED
#define MMF_SHARED __attribute__((section(".shared"), shared))
#endif

#define TURNS 2000

static volatile LONG counter MMF_SHARED = 0;
static char note[16] MMF_SHARED = "from the binary";
static double ratio MMF_SHARED = 2.5;
static struct {
    char c;
    LONG64 wide __attribute__((aligned(64)));
} odd MMF_SHARED = {'x', 0x0123456789ABCDEFLL};
static volatile LONG own; /* every instance's own */

/* Another instance: adds TURNS to the shared counter and one to its own, reads what
 * nobody writes as the binary has it, and leaves a note. */
CHILD(shared_bump)
{
    (void)arg;
    if (ratio != 2.5 || odd.c != 'x' || odd.wide != 0x0123456789ABCDEFLL ||
        ((uintptr_t)&odd.wide & 63))
        return 10;
    for (int i = 0; i < TURNS; i++)
        InterlockedIncrement(&counter);
    own++;
    strcpy(note, "from a child");
    return 0;
}

TEST(shared_variables_are_one_for_every_instance)
{
    LONG before = counter, own_before = own;
    struct child c[2];
    for (int i = 0; i < 2; i++)
        start_child(&c[i], "shared_bump", "");
    for (int i = 0; i < TURNS; i++)
        InterlockedIncrement(&counter);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(wait_child(&c[i], 30000), 0);
    ASSERT_EQ(counter, before + 3 * TURNS);
    ASSERT(strcmp(note, "from a child") == 0);
    ASSERT_EQ(own, own_before); /* the children's own variable is theirs */
    /* No other variable shares a page with the shared ones. */
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    uintptr_t page = ~(uintptr_t)(si.dwPageSize - 1);
    ASSERT(((uintptr_t)&own & page) != ((uintptr_t)&counter & page));
    ASSERT(((uintptr_t)&own & page) != ((uintptr_t)&odd & page));
}

/* The probe library's file next to the runner, or a copy of it made at `copy`. */
static HMODULE load_probe(const char *copy)
{
    char path[MAX_PATH];
    beside_runner(path, "mmfprobe.dll"); /* natively: mmfprobe.so, as LoadLibrary looks */
    HMODULE h = LoadLibraryA(path);
    ASSERT(h != NULL);
    if (!copy)
        return h;
    /* A copy is another file: the loaded module's own file, copied byte for byte. */
    ASSERT(GetModuleFileNameA(h, path, MAX_PATH) > 0);
    FILE *in = fopen(path, "rb"), *out = fopen(copy, "wb");
    ASSERT(in && out);
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        ASSERT(fwrite(buf, 1, got, out) == got);
    fclose(in);
    ASSERT(fclose(out) == 0);
    ASSERT(FreeLibrary(h));
    h = LoadLibraryA(copy);
    ASSERT(h != NULL);
    return h;
}

static LONG bump(HMODULE h)
{
    LONG (*fn)(void) = (LONG(*)(void))(void (*)(void))GetProcAddress(h, "probe_bump");
    ASSERT(fn != NULL);
    return fn();
}

/* Another instance of the probe: its count after one more, as its exit code. */
CHILD(probe_bump)
{
    (void)arg;
    return (int)bump(load_probe(NULL));
}

/* A library's shared variables are the library's: one set for the processes that load
 * that file (not the runner's set), another for a copy of it, and afresh once no process
 * holds it. */
TEST(shared_variables_of_a_library_are_its_own)
{
    HMODULE h = load_probe(NULL);
    ASSERT_EQ(bump(h), 101);
    struct child c;
    start_child(&c, "probe_bump", "");
    ASSERT_EQ(wait_child(&c, 30000), 102);
    ASSERT_EQ(bump(h), 103);
    char copy[MAX_PATH];
    temp_path(copy, "probe-copy.dll");
    HMODULE h2 = load_probe(copy);
    ASSERT(h2 != h);
    ASSERT_EQ(bump(h2), 101);
    ASSERT(FreeLibrary(h2) && FreeLibrary(h));
    ASSERT(DeleteFileA(copy));
    h = load_probe(NULL);
#if defined(__linux__) && !defined(__GLIBC__)
    /* musl never unloads a library (its dlclose does nothing): the probe, and its set
     * with it, stayed (docs/deviations.md). */
    ASSERT_EQ(bump(h), 104);
#else
    ASSERT_EQ(bump(h), 101);
#endif
    ASSERT(FreeLibrary(h));
}
