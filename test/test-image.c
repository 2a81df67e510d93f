/* SEC_IMAGE: PE files checked as the loader checks them. Images are built here, byte by
 * byte, from one valid PE32+ or PE32 layout and one change each, so that the same test
 * asks Windows (Wine) and mmf the same question. */
#include "test.h"

#include <stddef.h>
#include <stdint.h>

/* A valid image: headers in the first 0x400 file bytes (one page in the image), a code
 * section and a data section, each a page in the image and 0x200 bytes of file. */
#define FILE_SIZE 0x800
struct pe {
    unsigned char b[FILE_SIZE + 0x1000]; /* room for tests that grow the file */
    DWORD size;
    IMAGE_DOS_HEADER *dos;
    IMAGE_FILE_HEADER *fh;
    IMAGE_OPTIONAL_HEADER64 *o64; /* one of these two */
    IMAGE_OPTIONAL_HEADER32 *o32;
    IMAGE_SECTION_HEADER *sec;
};

static void build(struct pe *pe, BOOL pe64)
{
    memset(pe, 0, sizeof *pe);
    pe->size = FILE_SIZE;
    pe->dos = (IMAGE_DOS_HEADER *)pe->b;
    pe->dos->e_magic = IMAGE_DOS_SIGNATURE;
    pe->dos->e_lfanew = 0x80;
    memcpy(pe->b + 0x80, "PE\0\0", 4);
    pe->fh = (IMAGE_FILE_HEADER *)(pe->b + 0x84);
    pe->fh->Machine = pe64 ? IMAGE_FILE_MACHINE_AMD64 : IMAGE_FILE_MACHINE_I386;
    pe->fh->NumberOfSections = 2;
    pe->fh->SizeOfOptionalHeader =
        pe64 ? sizeof(IMAGE_OPTIONAL_HEADER64) : sizeof(IMAGE_OPTIONAL_HEADER32);
    pe->fh->Characteristics = IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_DLL |
                              (pe64 ? IMAGE_FILE_LARGE_ADDRESS_AWARE : IMAGE_FILE_32BIT_MACHINE);
    unsigned char *opt = pe->b + 0x84 + sizeof(IMAGE_FILE_HEADER);
#define FILL(o, magic, base)                                                               \
    do {                                                                                   \
        (o)->Magic = (magic);                                                              \
        (o)->ImageBase = (base);                                                           \
        (o)->SectionAlignment = 0x1000;                                                    \
        (o)->FileAlignment = 0x200;                                                        \
        (o)->MajorOperatingSystemVersion = (o)->MajorSubsystemVersion = 4;                 \
        (o)->SizeOfImage = 0x3000;                                                         \
        (o)->SizeOfHeaders = 0x400;                                                        \
        (o)->Subsystem = IMAGE_SUBSYSTEM_WINDOWS_CUI;                                      \
        (o)->SizeOfStackReserve = (o)->SizeOfHeapReserve = 0x100000;                       \
        (o)->SizeOfStackCommit = (o)->SizeOfHeapCommit = 0x1000;                           \
        (o)->NumberOfRvaAndSizes = IMAGE_NUMBEROF_DIRECTORY_ENTRIES;                       \
    } while (0)
    if (pe64) {
        pe->o64 = (IMAGE_OPTIONAL_HEADER64 *)opt;
        FILL(pe->o64, IMAGE_NT_OPTIONAL_HDR64_MAGIC, 0x7ff640000000ULL);
    } else {
        pe->o32 = (IMAGE_OPTIONAL_HEADER32 *)opt;
        FILL(pe->o32, IMAGE_NT_OPTIONAL_HDR32_MAGIC, 0x10000000u);
    }
#undef FILL
    pe->sec = (IMAGE_SECTION_HEADER *)(opt + pe->fh->SizeOfOptionalHeader);
    static const struct {
        const char *name;
        DWORD rva, raw, ch;
    } s[2] = {
        {".text", 0x1000, 0x400,
         IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ},
        {".data", 0x2000, 0x600,
         IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE},
    };
    for (int i = 0; i < 2; i++) {
        memcpy(pe->sec[i].Name, s[i].name, strlen(s[i].name));
        pe->sec[i].Misc.VirtualSize = 0x100;
        pe->sec[i].VirtualAddress = s[i].rva;
        pe->sec[i].SizeOfRawData = 0x200;
        pe->sec[i].PointerToRawData = s[i].raw;
        pe->sec[i].Characteristics = s[i].ch;
        memset(pe->b + s[i].raw, 0xC3 + i, 0x100);
    }
}

/* Sets a field of whichever optional header the image has. */
#define OPT(pe, field, v)                 \
    do {                                  \
        if ((pe)->o64)                    \
            (pe)->o64->field = (v);       \
        else                              \
            (pe)->o32->field = (v);       \
    } while (0)

/* The image written to a file and made an image section: the section handle, or NULL
 * with the error in *err. */
static HANDLE map_image(const struct pe *pe, DWORD *err)
{
    char path[MAX_PATH];
    temp_path(path, "image");
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE, 0, NULL,
                           CREATE_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    DWORD n;
    ASSERT(WriteFile(f, pe->b, pe->size, &n, NULL) && n == pe->size);
    SetLastError(0xdeadbeef);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    *err = m ? 0 : GetLastError();
    CloseHandle(f);
    return m;
}

static void expect_valid(const struct pe *pe)
{
    DWORD err;
    HANDLE m = map_image(pe, &err);
    ASSERT(m != NULL);
    CloseHandle(m);
}

/* line: the caller's, said when the image is taken. wine_takes: Wine 8 makes the section
 * (its server checks the headers' signatures, sizes and counts when it creates one, and
 * the sections' layout only when a view is mapped); mmf refuses such an image when the
 * section is made, as Windows' loader refuses it (Wine's test_Loader: LoadLibrary, which
 * maps through NtCreateSection, gives ERROR_BAD_EXE_FORMAT for inconsistent alignments
 * and sizes). Not checked against Windows itself here: docs/deviations.md. */
static void refused_at(const struct pe *pe, int line, BOOL wine_takes)
{
    DWORD err;
    HANDLE m = map_image(pe, &err);
    if (m && wine_takes && on_wine()) {
        CloseHandle(m);
        return;
    }
    if (m) {
        CloseHandle(m);
        fprintf(stderr, "test-image.c:%d: the image was taken\n", line);
    }
    ASSERT(m == NULL);
    ASSERT_EQ(err, ERROR_BAD_EXE_FORMAT);
}
#define expect_refused(pe) refused_at((pe), __LINE__, FALSE)
#define expect_refused_not_by_wine(pe) refused_at((pe), __LINE__, TRUE)

TEST(pe_headers_have_windows_layouts)
{
    ASSERT_EQ(sizeof(IMAGE_DOS_HEADER), 64);
    ASSERT_EQ(sizeof(IMAGE_FILE_HEADER), 20);
    ASSERT_EQ(sizeof(IMAGE_OPTIONAL_HEADER32), 224);
    ASSERT_EQ(sizeof(IMAGE_OPTIONAL_HEADER64), 240);
    ASSERT_EQ(sizeof(IMAGE_NT_HEADERS32), 248);
    ASSERT_EQ(sizeof(IMAGE_NT_HEADERS64), 264);
    ASSERT_EQ(sizeof(IMAGE_SECTION_HEADER), IMAGE_SIZEOF_SECTION_HEADER);
    ASSERT_EQ(sizeof(IMAGE_EXPORT_DIRECTORY), 40);
    ASSERT_EQ(sizeof(IMAGE_BASE_RELOCATION), 8);
    ASSERT_EQ(offsetof(IMAGE_OPTIONAL_HEADER64, ImageBase), 24);
    ASSERT_EQ(offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory), 112);
    ASSERT_EQ(offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory), 96);
    struct pe pe;
    build(&pe, TRUE);
    IMAGE_NT_HEADERS64 *nt = (IMAGE_NT_HEADERS64 *)(pe.b + pe.dos->e_lfanew);
    ASSERT((unsigned char *)IMAGE_FIRST_SECTION(nt) == (unsigned char *)pe.sec);
}

TEST(sec_image_takes_valid_pe32_and_pe32plus_files)
{
    struct pe pe;
    for (int w = 0; w < 2; w++) {
        build(&pe, w);
        expect_valid(&pe);
    }
}

/* Each header field the loader relies on, made inconsistent one at a time, in both
 * widths: ERROR_BAD_EXE_FORMAT, never a crash. */
TEST(sec_image_refuses_malformed_headers)
{
    struct pe pe;
    for (int w = 0; w < 2; w++) {
        build(&pe, w);
        pe.dos->e_lfanew = FILE_SIZE - 8; /* the NT headers run past the end */
        expect_refused(&pe);
        build(&pe, w);
        pe.dos->e_lfanew = -4;
        expect_refused(&pe);
        build(&pe, w);
        memcpy(pe.b + 0x80, "PE\0\1", 4);
        expect_refused(&pe);
        build(&pe, w);
        pe.fh->SizeOfOptionalHeader = 0;
        expect_refused_not_by_wine(&pe);
        build(&pe, w);
        OPT(&pe, Magic, 0x10c);
        expect_refused(&pe);
        build(&pe, w);
        OPT(&pe, SizeOfImage, 0);
        expect_refused(&pe);
        build(&pe, w);
        OPT(&pe, FileAlignment, 0x2000); /* above the section alignment */
        expect_refused_not_by_wine(&pe);
        build(&pe, w);
        pe.fh->NumberOfSections = 0x7000; /* the table runs far past the file */
        expect_refused(&pe);
        build(&pe, w);
        pe.size = 0x60; /* the file stops inside the NT headers */
        expect_refused(&pe);
    }
}

TEST(sec_image_refuses_sections_that_do_not_fit)
{
    struct pe pe;
    for (int w = 0; w < 2; w++) {
        build(&pe, w);
        pe.sec[1].VirtualAddress = 0x3000; /* past SizeOfImage */
        expect_refused_not_by_wine(&pe);
        build(&pe, w);
        pe.sec[1].VirtualAddress = 0x1000; /* on top of the first */
        expect_refused_not_by_wine(&pe);
        build(&pe, w);
        pe.sec[1].PointerToRawData = FILE_SIZE - 0x100; /* its data runs past the file */
        expect_refused_not_by_wine(&pe);
        build(&pe, w);
        pe.sec[0].Misc.VirtualSize = 0x1800; /* runs into the second */
        expect_refused_not_by_wine(&pe);
    }
}

static uint64_t image_base(const struct pe *pe)
{
    return pe->o64 ? pe->o64->ImageBase : pe->o32->ImageBase;
}

static void expect_page(const unsigned char *v, DWORD rva, DWORD prot)
{
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v + rva, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT(mbi.BaseAddress == v + rva && mbi.AllocationBase == v);
    ASSERT_EQ(mbi.AllocationProtect, PAGE_EXECUTE_WRITECOPY);
    ASSERT_EQ(mbi.State, MEM_COMMIT);
    ASSERT_EQ(mbi.Type, MEM_IMAGE);
    ASSERT_EQ(mbi.Protect, prot);
    ASSERT_EQ(mbi.RegionSize, 0x1000);
}

/* A view lays the image out: the headers at the base, each section's file bytes at its
 * RVA and zeros after them, a protection per section; at the preferred base when it is
 * free, elsewhere when it is not, and never relocated. */
TEST(image_views_lay_the_image_out)
{
    struct pe pe;
    for (int w = 0; w < 2; w++) {
        build(&pe, w);
        DWORD err;
        HANDLE m = map_image(&pe, &err);
        ASSERT(m != NULL);
        unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
        ASSERT(v != NULL);
        ASSERT((uint64_t)(uintptr_t)v == image_base(&pe));
        ASSERT(memcmp(v, pe.b, 0x400) == 0);
        ASSERT(v[0x1000] == 0xC3 && v[0x10FF] == 0xC3 && v[0x1100] == 0 && v[0x1FFF] == 0);
        ASSERT(v[0x2000] == 0xC4 && v[0x20FF] == 0xC4 && v[0x2100] == 0);
        expect_page(v, 0, PAGE_READONLY);
        expect_page(v, 0x1000, PAGE_EXECUTE_READ);
        expect_page(v, 0x2000, PAGE_WRITECOPY);
        MEMORY_BASIC_INFORMATION mbi;
        ASSERT(VirtualQuery(v + 0x3000, &mbi, sizeof mbi) == sizeof mbi);
        ASSERT(mbi.AllocationBase != v);
        /* The base is taken now: a second view goes elsewhere, with the same bytes, and
         * writes to a write-copy page stay the view's own. Offset and length do not
         * matter: a view is the whole image. */
        unsigned char *v2 = MapViewOfFile(m, FILE_MAP_COPY, 0, 0, 0x1000);
        ASSERT(v2 != NULL && v2 != v);
        ASSERT(memcmp(v2, v, 0x3000) == 0);
        v[0x2001] = 0x55;
        ASSERT(v2[0x2001] == 0xC4);
        expect_page(v2, 0x2000, PAGE_WRITECOPY);
        ASSERT(UnmapViewOfFile(v2 + 0x1000)); /* any address in it */
        /* MapViewOfFileEx puts it where asked: v2's place, free again. */
        unsigned char *v3 = MapViewOfFileEx(m, FILE_MAP_READ, 0, 0, 0, v2);
        ASSERT(v3 == v2);
        expect_page(v3, 0x1000, PAGE_EXECUTE_READ);
        ASSERT(UnmapViewOfFile(v3));
        ASSERT(UnmapViewOfFile(v));
        CloseHandle(m);
    }
}

TEST(image_views_are_never_writable_through)
{
    struct pe pe;
    build(&pe, TRUE);
    DWORD err, old;
    HANDLE m = map_image(&pe, &err);
    ASSERT(m != NULL);
    ASSERT_ERR(MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) == NULL, ERROR_ACCESS_DENIED);
    ASSERT_ERR(MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0) == NULL, ERROR_ACCESS_DENIED);
    /* The section was made PAGE_READONLY: no executable view either. */
    ASSERT_ERR(MapViewOfFile(m, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, 0, 0) == NULL,
               ERROR_ACCESS_DENIED);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    /* Asked for writable pages, an image view gives write-copy ones. */
    ASSERT(VirtualProtect(v + 0x1000, 0x1000, PAGE_READWRITE, &old));
    ASSERT_EQ(old, PAGE_EXECUTE_READ);
    ASSERT(VirtualProtect(v + 0x1000, 0x1000, PAGE_EXECUTE_READWRITE, &old));
    ASSERT_EQ(old, PAGE_WRITECOPY);
    expect_page(v, 0x1000, PAGE_EXECUTE_WRITECOPY);
    v[0x1000] = 0x90;
    unsigned char *v2 = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v2 != NULL && v2[0x1000] == 0xC3);
    ASSERT(UnmapViewOfFile(v2) && UnmapViewOfFile(v));
    CloseHandle(m);
}

/* A shared writable section is one set of pages for the section's views (read-write,
 * not write-copy); the other sections stay each view's own. */
TEST(image_shared_sections_are_one_set_of_pages)
{
    struct pe pe;
    build(&pe, TRUE);
    pe.sec[1].Characteristics |= IMAGE_SCN_MEM_SHARED;
    DWORD err;
    HANDLE m = map_image(&pe, &err);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    unsigned char *v2 = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v && v2);
    /* Wine 8 reports (and gives) write-copy pages here; Windows' shared sections are
     * read-write (docs/deviations.md). */
    expect_page(v, 0x2000, on_wine() ? PAGE_WRITECOPY : PAGE_READWRITE);
    v[0x2002] = 0x77;
    ASSERT(v2[0x2002] == 0x77);
    ASSERT(UnmapViewOfFile(v2) && UnmapViewOfFile(v));
    CloseHandle(m);
}

/* The image file at path, written and kept (other processes open it by name). */
static void write_image(const struct pe *pe, char *path)
{
    temp_path(path, "shared-image");
    HANDLE f = CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD n;
    ASSERT(f != INVALID_HANDLE_VALUE && WriteFile(f, pe->b, pe->size, &n, NULL) && n == pe->size);
    CloseHandle(f);
}

/* The image at path as a view of a section of its own; *m: the section. */
static unsigned char *view_image(const char *path, HANDLE *m)
{
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_EXECUTE, FILE_SHARE_READ, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return NULL;
    *m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    CloseHandle(f);
    return *m ? MapViewOfFile(*m, FILE_MAP_READ, 0, 0, 0) : NULL;
}

/* Another instance: sees the shared section as written, not the other's private pages,
 * and writes to the shared section for it. */
CHILD(image_peer)
{
    HANDLE m;
    unsigned char *v = view_image(arg, &m);
    if (!v)
        return 10;
    if (v[0x2003] != 0x42)
        return 11; /* the shared section is not shared */
    if (v[0x1000] != 0xC3)
        return 12; /* another process's private page leaked */
    v[0x2004] = 0x43;
    return 0;
}

/* Seed 002's instance counter, by hand: a shared section's pages are one set for every
 * section of the same image file, in this process and in others, while any maps it; when
 * the last goes, the next starts from the file again. Other sections stay private. */
TEST(image_shared_sections_span_processes)
{
    struct pe pe;
    char path[MAX_PATH];
    DWORD old;
    build(&pe, TRUE);
    pe.sec[1].Characteristics |= IMAGE_SCN_MEM_SHARED;
    write_image(&pe, path);
    HANDLE m, m2;
    unsigned char *v = view_image(path, &m);
    ASSERT(v != NULL);
    ASSERT(VirtualProtect(v + 0x1000, 0x1000, PAGE_EXECUTE_WRITECOPY, &old));
    v[0x1000] = 0x90;
    v[0x2003] = 0x42;
    unsigned char *v2 = view_image(path, &m2); /* a second section of the same file */
    ASSERT(v2 != NULL && v2 != v);
    ASSERT(v2[0x2003] == 0x42 && v2[0x1000] == 0xC3);
    struct child c;
    start_child(&c, "image_peer", path);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT(v[0x2004] == 0x43);
    ASSERT(UnmapViewOfFile(v) && UnmapViewOfFile(v2) && CloseHandle(m) && CloseHandle(m2));
    v = view_image(path, &m);
    ASSERT(v != NULL);
    ASSERT(v[0x2003] == 0xC4 && v[0x2004] == 0xC4);
    ASSERT(UnmapViewOfFile(v) && CloseHandle(m));
    ASSERT(DeleteFileA(path));
}

/* A named image section opens by name as any named section, as the image. */
TEST(named_image_sections_open_by_name)
{
    struct pe pe;
    char path[MAX_PATH], name[64];
    build(&pe, FALSE);
    write_image(&pe, path);
    test_name(name, "image");
    HANDLE f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, name);
    ASSERT(m != NULL);
    CloseHandle(f);
    HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(o != NULL);
    unsigned char *v = MapViewOfFile(o, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(memcmp(v, pe.b, 0x400) == 0 && v[0x1000] == 0xC3 && v[0x2000] == 0xC4);
    expect_page(v, 0x2000, PAGE_WRITECOPY);
    ASSERT(UnmapViewOfFile(v) && CloseHandle(o) && CloseHandle(m));
    ASSERT(DeleteFileA(path));
}

/* An instance that writes to the shared section and stays until killed. */
CHILD(image_holder)
{
    HANDLE m;
    unsigned char *v = view_image(arg, &m);
    if (!v)
        return 10;
    v[0x2005] = 0x55;
    Sleep(INFINITE);
    return 0;
}

/* Instances killed (kill -9 natively) let go of the shared pages as ones that end do. */
TEST(image_shared_sections_end_with_killed_instances)
{
    struct pe pe;
    char path[MAX_PATH];
    build(&pe, TRUE);
    pe.sec[1].Characteristics |= IMAGE_SCN_MEM_SHARED;
    write_image(&pe, path);
    HANDLE m;
    volatile unsigned char *v = view_image(path, &m);
    ASSERT(v != NULL);
    struct child c;
    start_child(&c, "image_holder", path);
    for (int i = 0; i < 2000 && v[0x2005] != 0x55; i++)
        Sleep(10);
    ASSERT(v[0x2005] == 0x55);
    ASSERT(UnmapViewOfFile((void *)v) && CloseHandle(m));
    kill_child(&c);
    v = view_image(path, &m);
    ASSERT(v != NULL);
    ASSERT(v[0x2005] == 0xC4);
    ASSERT(UnmapViewOfFile((void *)v) && CloseHandle(m));
    ASSERT(DeleteFileA(path));
}

/* The protection a section's characteristics give its pages (Windows' table). */
static DWORD protection_of(DWORD ch)
{
    BOOL x = !!(ch & IMAGE_SCN_MEM_EXECUTE), w = !!(ch & IMAGE_SCN_MEM_WRITE);
    BOOL r = !!(ch & IMAGE_SCN_MEM_READ), shared = !!(ch & IMAGE_SCN_MEM_SHARED);
    if (w && shared) /* Wine 8 reports these write-copy (see image_shared_sections_...) */
        return on_wine() ? (x ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY)
                         : (x ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE);
    if (w)
        return x ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
    if (x)
        return r ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
    return r ? PAGE_READONLY : PAGE_NOACCESS;
}

/* A mingw-w64 DLL next to the runner, mapped as an image: every section where its header
 * says, with its file bytes, zeros past them, and its protection; the headers read-only;
 * the view the image's size. */
static void check_fixture(const char *file, WORD magic)
{
    char path[MAX_PATH];
    DWORD n;
    beside_runner(path, file);
    HANDLE f = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    DWORD size = GetFileSize(f, NULL);
    unsigned char *raw = malloc(size);
    ASSERT(raw && ReadFile(f, raw, size, &n, NULL) && n == size);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READONLY | SEC_IMAGE, 0, 0, NULL);
    ASSERT(m != NULL);
    unsigned char *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)v;
    const IMAGE_NT_HEADERS32 *nt = (const IMAGE_NT_HEADERS32 *)(v + dos->e_lfanew);
    ASSERT_EQ(nt->Signature, IMAGE_NT_SIGNATURE);
    ASSERT_EQ(nt->OptionalHeader.Magic, magic);
    DWORD image = nt->OptionalHeader.SizeOfImage; /* the same offset in both widths */
    const IMAGE_SECTION_HEADER *sec = IMAGE_FIRST_SECTION(nt);
    MEMORY_BASIC_INFORMATION mbi;
    ASSERT(VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
    ASSERT(mbi.Protect == PAGE_READONLY && mbi.Type == MEM_IMAGE && mbi.AllocationBase == v);
    int shared = 0;
    for (int i = 0; i < nt->FileHeader.NumberOfSections; i++) {
        const IMAGE_SECTION_HEADER *s = &sec[i];
        DWORD vsize = s->Misc.VirtualSize ? s->Misc.VirtualSize : s->SizeOfRawData;
        DWORD have = s->SizeOfRawData < vsize ? s->SizeOfRawData : vsize;
        ASSERT(memcmp(v + s->VirtualAddress, raw + s->PointerToRawData, have) == 0);
        for (DWORD k = have; k < vsize; k++)
            ASSERT(v[s->VirtualAddress + k] == 0);
        ASSERT(VirtualQuery(v + s->VirtualAddress, &mbi, sizeof mbi) == sizeof mbi);
        ASSERT_EQ(mbi.Protect, protection_of(s->Characteristics));
        ASSERT(mbi.State == MEM_COMMIT && mbi.AllocationBase == v);
        shared += !!(s->Characteristics & IMAGE_SCN_MEM_SHARED);
    }
    ASSERT_EQ(shared, 1);
    ASSERT(VirtualQuery(v + image - 1, &mbi, sizeof mbi) == sizeof mbi && mbi.AllocationBase == v);
    ASSERT(UnmapViewOfFile(v) && CloseHandle(m) && CloseHandle(f));
    free(raw);
}

TEST(mingw_images_map_as_the_loader_lays_them_out)
{
    check_fixture("fixture64.dll", IMAGE_NT_OPTIONAL_HDR64_MAGIC);
    check_fixture("fixture32.dll", IMAGE_NT_OPTIONAL_HDR32_MAGIC);
}
