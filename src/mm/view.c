/* Views: MapViewOfFile(Ex), UnmapViewOfFile and FlushViewOfFile.
 *
 * A view is a 64 KiB-aligned mapping of part of a section, registered in the region
 * registry so that any address inside it finds it. It holds a reference to its section,
 * so views outlive the section handle, as on Windows. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mm.h"

/* The view protection for a FILE_MAP_* access, or ERROR_ACCESS_DENIED when the section
 * protection or the handle's rights do not allow it. */
static int view_protect(DWORD access, DWORD handle_rights, DWORD section_prot, DWORD *prot,
                        bool *copy)
{
    bool w = access & FILE_MAP_WRITE, r = access & FILE_MAP_READ, c = access & FILE_MAP_COPY;
    bool x = access & FILE_MAP_EXECUTE;
    bool section_w = section_prot == PAGE_READWRITE || section_prot == PAGE_EXECUTE_READWRITE;
    bool section_x = section_prot & (PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE |
                                     PAGE_EXECUTE_WRITECOPY);
    if ((w && !section_w) || (x && !section_x))
        return MMF__W(ERROR_ACCESS_DENIED);
    if ((w && !(handle_rights & SECTION_MAP_WRITE)) ||
        (x && !(handle_rights & SECTION_MAP_EXECUTE)) ||
        ((r || c) && !(handle_rights & SECTION_MAP_READ)))
        return MMF__W(ERROR_ACCESS_DENIED);
    /* WRITE wins over READ, READ over COPY; no right at all maps an inaccessible view. */
    *copy = c && !w && !r;
    if (w)
        *prot = x ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    else if (r)
        *prot = x ? PAGE_EXECUTE_READ : PAGE_READONLY;
    else if (c)
        *prot = x ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
    else
        *prot = x ? PAGE_EXECUTE : PAGE_NOACCESS;
    return 0;
}

/* Checks offset and length against the section; a length of 0 means "to the end". */
static int view_extent(const struct mmf__section *s, uint64_t offset, size_t *len)
{
    if (offset % MMF__GRANULARITY)
        return MMF__W(ERROR_MAPPED_ALIGNMENT);
    if (offset >= s->size)
        return MMF__W(ERROR_INVALID_PARAMETER);
    uint64_t limit = mmf__round_up(s->size, mmf__page_size) - offset;
    if (*len == 0)
        *len = (size_t)(s->size - offset);
    if (*len > limit)
        return MMF__W(ERROR_ACCESS_DENIED);
    return 0;
}

/* A view mapped, in the registry: its pages' protections applied first if asked (they
 * differ from the mapping's), then the view holds its section. */
static int publish(struct mmf__region *r, bool apply)
{
    int st = 0;
    mmf__regions_write();
    if (apply)
        st = mmf__view_apply(r, 0, r->size / mmf__page_size);
    if (st == 0)
        st = mmf__region_insert(r);
    mmf__regions_unlock();
    if (st == 0)
        mmf__ref(&r->section->obj);
    return st;
}

/* Views of committed memory up to this size have their pages mapped in by mmap itself:
 * a program maps shared memory to use it, and where a first touch is costly (a VM whose
 * hypervisor adds several microseconds to each: 140-205 us for 16 pages, against 54-79
 * mapped in at once) a view touched whole comes up 2-3 times faster; where faults are
 * cheap, mapping in costs a little more than the touches (a create cycle 1.06 times as
 * long on such a VM: BENCHMARKS.md). Above it, a view may be touched sparsely, and mapping
 * it whole would cost what it saves; its pages fault in as they are touched. (Windows too
 * maps pages around a faulting one in, in clusters.) */
#define POPULATE_MAX (1u << 20)

/* Only memory that is there already: a named paging-file section's pages, reserved at
 * its creation (an unnamed one's would be allocated by the mapping in, where Windows only
 * charges them; a file's would be read in, and writable ones all made dirty; a
 * copy-on-write view's each copied; SEC_RESERVE pages are inaccessible until committed). */
static bool populates(const struct mmf__section *s, bool copy, size_t size)
{
    return s->allocated && !s->commit && !copy && size <= POPULATE_MAX;
}

static int map_view(struct mmf__section *s, DWORD prot, bool copy, uint64_t offset, size_t len,
                    void *base, void **out)
{
    size_t size = mmf__round_up(len, mmf__page_size);
    void *p;
    struct mmf__region *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    /* SEC_RESERVE views start inaccessible; committed pages get their protection below. */
    int posix = s->commit ? PROT_NONE : mmf__prot_to_posix(prot);
    int flags = copy ? MAP_PRIVATE : MAP_SHARED;
    if (populates(s, copy, size))
        flags |= MAP_POPULATE;
    int fd = mmf__section_fd(s);
    int st = fd < 0 ? fd : mmf__va_map(base, size, posix, flags, fd, (off_t)(s->data_off + offset), &p);
    if (st < 0)
        goto fail;
    *r = (struct mmf__region){.base = (uintptr_t)p, .size = size, .type = MEM_MAPPED,
                              .alloc_protect = prot, .section = s, .offset = offset,
                              .copy = copy};
    if (s->commit) {
        r->applied = calloc((size / mmf__page_size + 7) / 8, 1);
        if (!r->applied) {
            st = -ENOMEM;
            goto unmap;
        }
    }
    if (s->commit || s->obj.ns)
        mmf__view_faults_install();
    if ((st = publish(r, s->commit != NULL)) < 0)
        goto unmap;
    *out = p;
    return 0;
unmap:
    mmf__sys.munmap(p, size);
fail:
    free((void *)r->applied);
    free(r);
    return st;
}

/* --- Views of images -------------------------------------------------------------------
 * The whole image, whatever offset and length were asked (as Windows and Wine map it),
 * at its preferred base when that is free and no address was asked, else where there is
 * room. Its pages are private copies of the section's memfd (a write stays the view's:
 * copy-on-write), but for shared sections', which are the section's own. Nothing is
 * relocated: Windows' memory manager leaves that to the loader when an image is not at
 * its base (STATUS_IMAGE_NOT_AT_BASE), and MapViewOfFile runs no loader. */

/* The protection of each page: the headers' and the gaps' read-only, each section's
 * from its characteristics. */
static void image_pages(const struct mmf__image *img, uint8_t *prot)
{
    memset(prot, PAGE_READONLY, img->size / mmf__page_size);
    for (uint32_t i = 0; i < img->nsections; i++) {
        const struct mmf__image_section *s = &img->sections[i];
        size_t first = s->rva / mmf__page_size;
        size_t n = mmf__round_up(s->size, mmf__page_size) / mmf__page_size;
        memset(prot + first, (int)s->prot, n);
    }
}

/* The shared sections' pages, mapped over the private ones as the section's own. */
static int share_sections(const struct mmf__section *sec, uintptr_t base)
{
    const struct mmf__image *img = sec->image;
    for (uint32_t i = 0; i < img->nsections; i++) {
        const struct mmf__image_section *s = &img->sections[i];
        size_t len = mmf__round_up(s->size, mmf__page_size);
        if (s->shared && len &&
            mmf__sys.mmap((void *)(base + s->rva), len, PROT_NONE, MAP_SHARED | MAP_FIXED,
                          sec->fd, (off_t)(sec->data_off + s->rva)) == MAP_FAILED)
            return -errno;
    }
    return 0;
}

/* Where an image goes when no address was asked: its preferred base if it is a place a
 * view may start and nothing is there, else anywhere. */
static int image_place(const struct mmf__image *img, void **out)
{
    uint64_t b = img->base;
    if (b && b % MMF__GRANULARITY == 0 && b < MMF__MAX_USER_ADDRESS &&
        img->size <= MMF__MAX_USER_ADDRESS - b && mmf__va_reserve((void *)b, img->size, out) == 0)
        return 0;
    return mmf__va_reserve(NULL, img->size, out);
}

static int map_image(struct mmf__section *s, DWORD access, void *base, void **out)
{
    const struct mmf__image *img = s->image;
    if (access & FILE_MAP_WRITE) /* image pages are never written through to the file */
        return MMF__W(ERROR_ACCESS_DENIED);
    struct mmf__region *r = calloc(1, sizeof *r);
    uint8_t *prot = malloc(img->size / mmf__page_size);
    void *p = NULL;
    int st = r && prot ? 0 : -ENOMEM;
    if (st == 0)
        st = base ? mmf__va_reserve(base, img->size, &p) : image_place(img, &p);
    if (st < 0)
        goto fail;
    if (mmf__sys.mmap(p, img->size, PROT_NONE, MAP_PRIVATE | MAP_FIXED, s->fd,
                      (off_t)s->data_off) == MAP_FAILED) {
        st = -errno;
        goto unmap;
    }
    if ((st = share_sections(s, (uintptr_t)p)) < 0)
        goto unmap;
    image_pages(img, prot);
    mmf__view_faults_install(); /* the image is a named object's data: see map_view */
    *r = (struct mmf__region){.base = (uintptr_t)p, .size = img->size, .type = MEM_IMAGE,
                              .alloc_protect = PAGE_EXECUTE_WRITECOPY, .prot = prot,
                              .section = s, .copy = true};
    if ((st = publish(r, true)) < 0)
        goto unmap;
    *out = p;
    return 0;
unmap:
    mmf__sys.munmap(p, img->size);
fail:
    free(prot);
    free(r);
    return st;
}

LPVOID WINAPI MapViewOfFileEx(HANDLE h, DWORD access, DWORD high, DWORD low, SIZE_T len,
                              LPVOID base)
{
    struct mmf__object *obj;
    DWORD rights, prot;
    bool copy;
    void *p = NULL;
    uint64_t offset = (uint64_t)high << 32 | low;
    int st = mmf__handle_get(h, &mmf__section_type, &obj, &rights);
    if (st < 0)
        return mmf__fail(st), NULL;
    struct mmf__section *s = (struct mmf__section *)obj;
    if ((st = view_protect(access, rights, s->protect, &prot, &copy)) == 0 &&
        (s->image || (st = view_extent(s, offset, &len)) == 0)) {
        if ((uintptr_t)base % MMF__GRANULARITY)
            st = MMF__W(ERROR_MAPPED_ALIGNMENT);
        else if (s->image)
            st = map_image(s, access, base, &p);
        else
            st = map_view(s, prot, copy, offset, len, base, &p);
    }
    mmf__unref(obj);
    if (st < 0)
        return mmf__fail(st), NULL;
    return p;
}

LPVOID WINAPI MapViewOfFile(HANDLE h, DWORD access, DWORD high, DWORD low, SIZE_T len)
{
    return MapViewOfFileEx(h, access, high, low, len, NULL);
}

BOOL WINAPI UnmapViewOfFile(LPCVOID addr)
{
    mmf__regions_write();
    struct mmf__region *r = mmf__region_find((uintptr_t)addr);
    bool view = r && r->type != MEM_PRIVATE;
    if (view) {
        mmf__region_remove(r);
        mmf__va_release((void *)r->base, r->size);
    }
    mmf__regions_unlock();
    if (!view)
        return mmf__fail(MMF__W(ERROR_INVALID_ADDRESS)), FALSE;
    mmf__region_free(r);
    return TRUE;
}

BOOL WINAPI FlushViewOfFile(LPCVOID addr, SIZE_T n)
{
    int st = 0;
    mmf__regions_read();
    struct mmf__region *r = mmf__region_find((uintptr_t)addr);
    if (!r || r->type != MEM_MAPPED) {
        st = MMF__W(ERROR_INVALID_PARAMETER);
    } else if (!r->copy) {
        /* From the page holding addr to addr+n (0: the end of the view); a range leaving
         * the view is refused. */
        uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(mmf__page_size - 1);
        uintptr_t end = r->base + r->size;
        if (n > end - (uintptr_t)addr)
            st = MMF__W(ERROR_INVALID_PARAMETER);
        else if (n)
            end = mmf__round_up((uintptr_t)addr + n, mmf__page_size);
        if (st == 0)
            st = (int)mmf__sysret(mmf__sys.msync((void *)start, end - start, MS_SYNC));
    }
    mmf__regions_unlock();
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}
