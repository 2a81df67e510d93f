/* Images between users: a shared section is one set of pages per user, never another
 * user's to read or write (Windows shares it with every user; docs/deviations.md). The
 * image is the mingw-w64 fixture beside the runner. */
#include <stdio.h>
#include <sys/stat.h>
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

/* An object of this user planted under the name an image would take (here, a plain
 * section) is refused, not mapped as the image. */
TEST(a_planted_image_name_is_refused)
{
    char path[MAX_PATH], name[160];
    beside_runner(path, "fixture64.dll");
    struct stat sb;
    ASSERT(stat(path, &sb) == 0);
    snprintf(name, sizeof name, "Local\\mmf-image-%llx-%llx-%llx-%lx.%lx",
             (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino,
             (unsigned long long)sb.st_size, (long)sb.st_ctim.tv_sec, (long)sb.st_ctim.tv_nsec);
    HANDLE planted = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x10000, name);
    ASSERT(planted != NULL);
    HANDLE f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    ASSERT_ERR(CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL) == NULL,
               ERROR_BAD_EXE_FORMAT);
    CloseHandle(planted);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    ASSERT(m != NULL); /* the name free again, the image is made */
    CloseHandle(m);
    CloseHandle(f);
}
