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
