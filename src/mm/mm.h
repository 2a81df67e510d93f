/* mm: memory — sections (file-mapping objects), views, the registry of address ranges
 * mmf manages, Virtual*, and the first touch of SEC_RESERVE pages committed elsewhere. */
#ifndef MMF_MM_H
#define MMF_MM_H

#include "io/io.h"

/* prot.c: PAGE_* protections. */
bool mmf__prot_is_valid(DWORD prot);
int mmf__prot_to_posix(DWORD prot);

/* image.c: a PE file's layout as the loader maps it (SEC_IMAGE). */
#define MMF__IMAGE_MAX_SECTIONS 96 /* Windows' limit */
#define MMF__IMAGE_HEADER_MAX 65536 /* the section table must end within the file's first
                                       bytes this many */
struct mmf__image_section {
    uint32_t rva, size;          /* pages in the image: [rva, rva + size) */
    uint32_t raw_off, raw_size;  /* the file bytes copied to rva (the rest are zero) */
    DWORD prot;                  /* PAGE_* */
    bool shared;                 /* IMAGE_SCN_MEM_SHARED and writable: one set of pages */
};
struct mmf__image {
    uint64_t base;               /* the preferred ImageBase */
    uint32_t size;               /* SizeOfImage, page-rounded: the section's size */
    uint32_t headers;            /* header bytes mapped at the base */
    uint16_t machine;
    bool pe64, relocs_stripped;
    IMAGE_DATA_DIRECTORY reloc;  /* base relocations (RVA, size), within the image */
    uint32_t nsections;
    struct mmf__image_section sections[MMF__IMAGE_MAX_SECTIONS];
};
/* Checks the first len bytes of a PE file of file_size bytes (len: all of it, or
 * MMF__IMAGE_HEADER_MAX) and lays it out: ERROR_BAD_EXE_FORMAT for anything the loader
 * would refuse or that does not fit. laid_out: the bytes are an image already laid out
 * (file_size: its size), each section's data at its RVA. */
int mmf__image_parse(const uint8_t *p, size_t len, uint64_t file_size, bool laid_out,
                     struct mmf__image *img);
/* Lays the image out in fd at off from the PE file `file`. */
int mmf__image_load(const struct mmf__image *img, int file, int fd, uint64_t off);
/* The layout of an image laid out in fd at off (size bytes), checked: ERROR_FILE_CORRUPT. */
int mmf__image_reload(int fd, uint64_t off, uint64_t size, struct mmf__image *img);

/* section.c */
struct mmf__section {
    struct mmf__object obj;
    int fd;              /* the data: a memfd, the named object's file, or the mapped file;
                            -1 for a named one of a lease table until its first view
                            (mmf__section_fd) */
    uint64_t data_off;   /* where the section's bytes start in fd */
    uint64_t size;       /* bytes, as created */
    DWORD protect;       /* PAGE_* of the section */
    DWORD attrs;         /* SEC_* */
    bool allocated;      /* its pages exist: a named paging-file section's, from creation */
    _Atomic uint64_t *commit; /* SEC_RESERVE: one bit a page, set when committed */
    size_t commit_len;   /* bytes of the commit bitmap mapping (unnamed sections) */
    struct mmf__image *image; /* SEC_IMAGE: the layout fd holds (image.c) */
};
extern const struct mmf__type mmf__section_type;
static inline bool mmf__section_committed(const struct mmf__section *s, uint64_t page)
{
    if (!s->commit)
        return true;
    return atomic_load_explicit(&s->commit[page / 64], memory_order_acquire) >> (page % 64) & 1;
}
/* The descriptor of a section's bytes, for a view: a named section of a lease table
 * holds none until its first view opens its data file again, and keeps it then. */
int mmf__section_fd(struct mmf__section *s);
/* Commits pages of a SEC_RESERVE section, their space reserved first (named sections):
 * ERROR_COMMITMENT_LIMIT when there is no room. */
int mmf__section_commit(struct mmf__section *s, uint64_t first, uint64_t count);

/* region.c: the registry of address ranges mmf manages (views and VirtualAlloc regions),
 * sorted by address, under one rwlock. */
struct mmf__region {
    uintptr_t base;
    size_t size;           /* page-rounded */
    DWORD type;            /* MEM_MAPPED or MEM_PRIVATE */
    DWORD alloc_protect;
    uint8_t *prot;         /* per page PAGE_* (0: not committed); NULL: all alloc_protect */
    struct mmf__section *section; /* views */
    uint64_t offset;       /* views: offset in the section */
    bool copy;             /* views: private copy-on-write */
    _Atomic uint8_t *applied; /* SEC_RESERVE views: one bit a page, protection applied */
};
/* Take and give back the registry lock; the registry's writers assert they hold it. */
void mmf__regions_read(void);
bool mmf__regions_try_read(void); /* in a signal handler: a bounded wait, never blocks */
void mmf__regions_write(void);
void mmf__regions_unlock(void);
struct mmf__region *mmf__region_find(uintptr_t addr);
struct mmf__region *mmf__region_next(uintptr_t addr); /* first region above addr */
int mmf__region_insert(struct mmf__region *r);
void mmf__region_remove(struct mmf__region *r);
void mmf__region_free(struct mmf__region *r);
/* Each region of this process that views section s, in address order. */
struct mmf__region *mmf__region_of_section(struct mmf__section *s, size_t *cursor);
DWORD mmf__region_page_prot(const struct mmf__region *r, size_t page);
bool mmf__region_page_committed(const struct mmf__region *r, size_t page);
/* The end of the run of pages from `first` (below `end`) with first's state and protection. */
size_t mmf__region_run_end(const struct mmf__region *r, size_t first, size_t end);
/* Applies page protections to [first, first+count) of a view from its state. */
int mmf__view_apply(struct mmf__region *r, size_t first, size_t count);
/* Reserves len bytes of address space at a 64 KiB-aligned address (or exactly at
 * fixed) as PROT_NONE. */
int mmf__va_reserve(void *fixed, size_t len, void **out);
/* Maps len bytes of fd at off (mmap's prot and flags) at a 64 KiB-aligned address (or
 * exactly at fixed: ERROR_INVALID_ADDRESS when something is there): at the last place
 * released if it fits, one call; else over a reservation of its own. */
int mmf__va_map(void *fixed, size_t len, int prot, int flags, int fd, off_t off, void **out);
/* Unmaps a region that is gone, and remembers its place for the next reservation. */
void mmf__va_release(void *p, size_t len);

/* vm.c: one line of /proc/self/maps: the mapping containing addr, or else the next one
 * above it (*found false); -errno if /proc cannot be read. */
struct mmf__sysmap {
    uintptr_t start, end;
    char perms[5];
    unsigned dev_major, dev_minor;
    unsigned long inode;
    char path[256];          /* its first word, if any */
};
int mmf__sysmap_find(uintptr_t addr, struct mmf__sysmap *m, bool *found);

/* section.c: the named paging-file section `name` of size bytes, read-write, made with
 * `initial` as its bytes when it does not exist yet (MMF_SHARED's sets). */
int mmf__section_shared(const struct mmf__name *name, const void *initial, uint64_t size,
                        struct mmf__section **out);

/* fault.c: resolves faults on views of named or SEC_RESERVE sections: first touches of
 * pages other processes committed, and object files another user cut short. */
void mmf__view_faults_install(void);

#endif
