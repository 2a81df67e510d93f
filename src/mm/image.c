/* PE images (SEC_IMAGE): the file's headers checked as untrusted input and turned into
 * the layout the loader gives them — the headers at the base, each section at its RVA
 * with its raw data from the file and zeros to its virtual size, a protection per
 * section from its characteristics. Every offset, size and count is checked against
 * the bytes read and the file's size, in 64-bit arithmetic, before it is used. The rules
 * are the strict ones of Windows since Vista (Wine's loader tests, test_Loader). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mm.h"

static bool pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

/* A section's page protection from its characteristics: writable sections are
 * copy-on-write unless shared. Indexed by execute | read << 1 | write << 2. */
static DWORD section_protect(DWORD ch)
{
    static const DWORD prot[8] = {
        PAGE_NOACCESS,  PAGE_EXECUTE,          PAGE_READONLY,  PAGE_EXECUTE_READ,
        PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY, PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY,
    };
    unsigned i = (ch & IMAGE_SCN_MEM_EXECUTE ? 1u : 0u) | (ch & IMAGE_SCN_MEM_READ ? 2u : 0u) |
                 (ch & IMAGE_SCN_MEM_WRITE ? 4u : 0u);
    DWORD p = prot[i];
    if (ch & IMAGE_SCN_MEM_SHARED) /* one set of pages: written in place */
        p = p == PAGE_WRITECOPY ? PAGE_READWRITE
            : p == PAGE_EXECUTE_WRITECOPY ? PAGE_EXECUTE_READWRITE
                                          : p;
    return p;
}

/* The fields of the optional header the layout needs, from either width. */
struct optional {
    uint64_t base;
    uint32_t section_align, file_align, image_size, headers_size, ndirs;
    const IMAGE_DATA_DIRECTORY *dirs;
    bool pe64;
};

/* The optional header at p, of `size` bytes (the file header's SizeOfOptionalHeader,
 * all of it within the bytes read). It must reach NumberOfRvaAndSizes, and hold the
 * directories it counts. */
static int read_optional(const uint8_t *p, uint32_t size, struct optional *o)
{
    WORD magic;
    if (size < sizeof magic)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    memcpy(&magic, p, sizeof magic);
    size_t dirs_at;
/* The fields before the directories, of the header type the magic names. */
#define READ_FIELDS(type, wide)                                                           \
    do {                                                                                 \
        type h = {0};                                                                    \
        dirs_at = offsetof(type, DataDirectory);                                         \
        if (size < dirs_at)                                                              \
            return MMF__W(ERROR_BAD_EXE_FORMAT);                                         \
        memcpy(&h, p, dirs_at);                                                          \
        *o = (struct optional){h.ImageBase, h.SectionAlignment, h.FileAlignment,         \
                               h.SizeOfImage, h.SizeOfHeaders, h.NumberOfRvaAndSizes,    \
                               NULL, wide};                                              \
    } while (0)
    if (magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC)
        READ_FIELDS(IMAGE_OPTIONAL_HEADER64, true);
    else if (magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC)
        READ_FIELDS(IMAGE_OPTIONAL_HEADER32, false);
    else
        return MMF__W(ERROR_BAD_EXE_FORMAT);
#undef READ_FIELDS
    if (o->ndirs > IMAGE_NUMBEROF_DIRECTORY_ENTRIES)
        o->ndirs = IMAGE_NUMBEROF_DIRECTORY_ENTRIES; /* the loader reads no more */
    if (dirs_at + (uint64_t)o->ndirs * sizeof(IMAGE_DATA_DIRECTORY) > size)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    o->dirs = (const IMAGE_DATA_DIRECTORY *)(p + dirs_at);
    return 0;
}

/* Alignments: powers of two; a section alignment of a page or more with a file
 * alignment no larger; below a page, the image is mapped flat and both must agree. */
static int check_alignment(const struct optional *o)
{
    if (!pow2(o->section_align) || !pow2(o->file_align) || o->file_align > o->section_align)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    if (o->section_align < mmf__page_size && o->file_align != o->section_align)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    return 0;
}

/* One section header into *s; `next` is the first RVA it may start at, moved past it.
 * Sections are in ascending order, aligned, apart, within the image; their raw data
 * within the file (mapped flat, at the same offset as in the image). A section with no
 * size takes no pages. */
static int read_section(const IMAGE_SECTION_HEADER *h, const struct optional *o,
                        uint64_t file_size, bool laid_out, uint64_t *next,
                        struct mmf__image_section *s)
{
    uint64_t rva = h->VirtualAddress, vsize = h->Misc.VirtualSize, raw = h->SizeOfRawData;
    if (vsize == 0)
        vsize = raw;
    if (rva % o->section_align || rva < *next)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    uint64_t end = rva + align_up(vsize, o->section_align);
    if (align_up(end, mmf__page_size) > align_up(o->image_size, mmf__page_size))
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    if (raw > end - rva)
        raw = end - rva; /* file bytes past the section's pages are not its own */
    uint64_t off = laid_out ? rva : h->PointerToRawData;
    if (raw && (off + raw > file_size || (o->section_align < mmf__page_size && off != rva)))
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    *s = (struct mmf__image_section){
        .rva = (uint32_t)rva,
        .size = (uint32_t)(end - rva),
        .raw_off = raw ? (uint32_t)off : 0, /* no bytes: the offset means nothing */
        .raw_size = (uint32_t)raw,
        .prot = section_protect(h->Characteristics),
        .shared = (h->Characteristics & (IMAGE_SCN_MEM_SHARED | IMAGE_SCN_MEM_WRITE)) ==
                  (IMAGE_SCN_MEM_SHARED | IMAGE_SCN_MEM_WRITE),
    };
    *next = end;
    return 0;
}

int mmf__image_parse(const uint8_t *p, size_t len, uint64_t file_size, bool laid_out,
                     struct mmf__image *img)
{
    IMAGE_DOS_HEADER dos;
    IMAGE_FILE_HEADER fh;
    DWORD sig;
    if (len > file_size || len < sizeof dos)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    memcpy(&dos, p, sizeof dos);
    uint64_t nt = (uint32_t)dos.e_lfanew;
    if (dos.e_magic != IMAGE_DOS_SIGNATURE || nt + sizeof sig + sizeof fh > len)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    memcpy(&sig, p + nt, sizeof sig);
    memcpy(&fh, p + nt + sizeof sig, sizeof fh);
    uint64_t opt_at = nt + sizeof sig + sizeof fh;
    uint64_t table = opt_at + fh.SizeOfOptionalHeader;
    uint64_t table_end = table + (uint64_t)fh.NumberOfSections * sizeof(IMAGE_SECTION_HEADER);
    if (sig != IMAGE_NT_SIGNATURE || fh.NumberOfSections > MMF__IMAGE_MAX_SECTIONS ||
        table_end > len)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    struct optional o;
    int st = read_optional(p + opt_at, fh.SizeOfOptionalHeader, &o);
    if (st < 0 || (st = check_alignment(&o)) < 0)
        return st;
    /* The headers the loader maps: all of them within the image and the file, the
     * section table included. */
    uint64_t image_size = align_up(o.image_size, mmf__page_size);
    if (o.image_size == 0 || image_size > UINT32_MAX || o.headers_size > o.image_size ||
        o.headers_size > file_size || table_end > image_size)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    *img = (struct mmf__image){
        .base = o.base,
        .size = (uint32_t)image_size,
        .headers = o.headers_size > table_end ? o.headers_size : (uint32_t)table_end,
        .machine = fh.Machine,
        .pe64 = o.pe64,
        .relocs_stripped = fh.Characteristics & IMAGE_FILE_RELOCS_STRIPPED,
        .nsections = fh.NumberOfSections,
    };
    if (o.ndirs > IMAGE_DIRECTORY_ENTRY_BASERELOC)
        memcpy(&img->reloc, &o.dirs[IMAGE_DIRECTORY_ENTRY_BASERELOC], sizeof img->reloc);
    if ((uint64_t)img->reloc.VirtualAddress + img->reloc.Size > img->size)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    uint64_t next = align_up(img->headers, o.section_align);
    for (unsigned i = 0; i < fh.NumberOfSections; i++) {
        IMAGE_SECTION_HEADER h;
        memcpy(&h, p + table + i * sizeof h, sizeof h);
        if ((st = read_section(&h, &o, file_size, laid_out, &next, &img->sections[i])) < 0)
            return st;
    }
    return 0;
}

/* The image's bytes at their places in fd from off (a page boundary; fd already holds
 * img->size bytes there, zeros): the headers and each section's raw data, read from
 * file. A file cut short meanwhile is ERROR_BAD_EXE_FORMAT. */
int mmf__image_load(const struct mmf__image *img, int file, int fd, uint64_t off)
{
    uint8_t *p = mmf__sys.mmap(NULL, img->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
    if (p == MAP_FAILED)
        return -errno;
    int st = 0;
    if (mmf__sys.pread(file, p, img->headers, 0) != (ssize_t)img->headers)
        st = MMF__W(ERROR_BAD_EXE_FORMAT);
    for (uint32_t i = 0; st == 0 && i < img->nsections; i++) {
        const struct mmf__image_section *s = &img->sections[i];
        if (s->raw_size && mmf__sys.pread(file, p + s->rva, s->raw_size, s->raw_off) !=
                               (ssize_t)s->raw_size)
            st = MMF__W(ERROR_BAD_EXE_FORMAT);
    }
    mmf__sys.munmap(p, img->size);
    return st;
}

/* The layout of an image already in fd from off (an image section handed to this
 * process, or opened by name): checked again, as anything another process wrote. */
int mmf__image_reload(int fd, uint64_t off, uint64_t size, struct mmf__image *img)
{
    size_t len = size < MMF__IMAGE_HEADER_MAX ? (size_t)size : MMF__IMAGE_HEADER_MAX;
    uint8_t *p = malloc(len ? len : 1);
    if (!p)
        return -ENOMEM;
    int st = mmf__sys.pread(fd, p, len, (off_t)off) == (ssize_t)len
                 ? mmf__image_parse(p, len, size, true, img)
                 : MMF__W(ERROR_FILE_CORRUPT);
    free(p);
    if (st == 0 && img->size != size)
        st = MMF__W(ERROR_FILE_CORRUPT);
    return st == MMF__W(ERROR_BAD_EXE_FORMAT) ? MMF__W(ERROR_FILE_CORRUPT) : st;
}
