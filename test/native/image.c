/* Images between users: a shared section is one set of pages per user, never another
 * user's to read or write (Windows shares it with every user; docs/deviations.md). The
 * image is the mingw-w64 fixture beside the runner. */
#include <unistd.h>

#include "../test.h"
#include "native.h"

/* The fixture's shared LONG, in a view of its image (*m: the section). */
static volatile LONG *shared_long(HANDLE *m)
{
    char path[MAX_PATH];
    beside_runner(path, "fixture64.dll");
    HANDLE f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return NULL;
    *m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    CloseHandle(f);
    unsigned char *v = *m ? MapViewOfFile(*m, FILE_MAP_READ, 0, 0, 0) : NULL;
    if (!v)
        return NULL;
    const IMAGE_NT_HEADERS64 *nt = (const void *)(v + ((IMAGE_DOS_HEADER *)v)->e_lfanew);
    const IMAGE_SECTION_HEADER *s = IMAGE_FIRST_SECTION(nt);
    for (int i = 0; i < nt->FileHeader.NumberOfSections; i++)
        if (s[i].Characteristics & IMAGE_SCN_MEM_SHARED)
            return (volatile LONG *)(v + s[i].VirtualAddress);
    return NULL;
}

/* Child: as user nobody, maps the image: its shared LONG is the file's 7, not root's;
 * writes its own. */
CHILD(image_as_nobody)
{
    (void)arg;
    HANDLE m;
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 99;
    volatile LONG *x = shared_long(&m);
    if (!x)
        return 10;
    if (*x != 7)
        return 11;
    *x = 99;
    return 0;
}

TEST(image_shared_sections_are_per_user)
{
    if (geteuid() != 0) {
        printf("# skipped image_shared_sections_are_per_user: needs root to act as a second user\n");
        return;
    }
    HANDLE m;
    volatile LONG *x = shared_long(&m);
    ASSERT(x != NULL);
    ASSERT_EQ(*x, 7);
    *x = 0x1234;
    struct child c;
    start_child(&c, "image_as_nobody", "");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT_EQ(*x, 0x1234);
    ASSERT(UnmapViewOfFile((void *)x) && CloseHandle(m)); /* any address in the view */
}
