/* VirtualQuery, VirtualAlloc, VirtualFree and VirtualProtect over views and private
 * regions. Addresses mmf does not manage are answered from
 * /proc/self/maps. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mm.h"

static bool is_writecopy(DWORD prot)
{
    return prot == PAGE_WRITECOPY || prot == PAGE_EXECUTE_WRITECOPY;
}

/* Protections a view page may take, given the view's own: never more rights than it was
 * mapped with, and write-copy wherever it may read (written pages turn private, so the
 * section is never written through them). */
static bool view_allows(DWORD view, DWORD want)
{
    const DWORD readable = PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READ |
                           PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
    const DWORD executable = PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE |
                             PAGE_EXECUTE_WRITECOPY;
    DWORD ok = PAGE_NOACCESS;
    if (view & readable)
        ok |= PAGE_READONLY | PAGE_WRITECOPY;
    if (view & (PAGE_READWRITE | PAGE_EXECUTE_READWRITE))
        ok |= PAGE_READWRITE;
    if (view & executable)
        ok |= PAGE_EXECUTE;
    if (view & executable & readable)
        ok |= PAGE_EXECUTE_READ | PAGE_EXECUTE_WRITECOPY;
    if (view & PAGE_EXECUTE_READWRITE)
        ok |= PAGE_EXECUTE_READWRITE;
    return (ok & want) != 0;
}

static uintptr_t page_down(uintptr_t a)
{
    return a & ~(uintptr_t)(mmf__page_size - 1);
}

/* Page index range [*first, *first + *count) of r covering [addr, addr+size), or an
 * error if it leaves the region. */
static int page_range(const struct mmf__region *r, uintptr_t addr, size_t size, size_t *first,
                      size_t *count)
{
    uintptr_t start = page_down(addr), end;
    if (__builtin_add_overflow(addr, size, &end) || end - r->base > r->size)
        return MMF__W(ERROR_INVALID_ADDRESS);
    end = mmf__round_up(end, mmf__page_size);
    *first = (start - r->base) / mmf__page_size;
    *count = (end - start) / mmf__page_size;
    return 0;
}

/* Gives a view its own per-page protection array, filled with the view protection. */
static int own_prot(struct mmf__region *r)
{
    if (r->prot)
        return 0;
    size_t n = r->size / mmf__page_size;
    r->prot = malloc(n);
    if (!r->prot)
        return -ENOMEM;
    memset(r->prot, (int)r->alloc_protect, n);
    return 0;
}

/* --- VirtualQuery --------------------------------------------------------------------- */

static void query_region(const struct mmf__region *r, uintptr_t addr,
                         MEMORY_BASIC_INFORMATION *mbi)
{
    size_t i = (page_down(addr) - r->base) / mmf__page_size, n = r->size / mmf__page_size;
    bool committed = mmf__region_page_committed(r, i);
    DWORD prot = mmf__region_page_prot(r, i);
    size_t j = mmf__region_run_end(r, i, n);
    *mbi = (MEMORY_BASIC_INFORMATION){
        .BaseAddress = (void *)page_down(addr),
        .AllocationBase = (void *)r->base,
        .AllocationProtect = r->alloc_protect,
        .RegionSize = (j - i) * mmf__page_size,
        .State = committed ? MEM_COMMIT : MEM_RESERVE,
        .Protect = prot,
        .Type = r->type,
    };
}

/* Finds the mapping containing addr, or else the next one above it (found = false).
 * Returns -errno if /proc cannot be read. */
int mmf__sysmap_find(uintptr_t addr, struct mmf__sysmap *m, bool *found)
{
    int fd = mmf__sys.open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[8192];
    size_t have = 0;
    bool eof = false;
    *found = false;
    m->start = m->end = MMF__MAX_USER_ADDRESS + 1;
    while (!eof || have) {
        if (!eof && have < sizeof buf - 1) {
            ssize_t r = mmf__sys.read(fd, buf + have, sizeof buf - 1 - have);
            if (r < 0 && errno == EINTR)
                continue;
            eof = r <= 0;
            have += r > 0 ? (size_t)r : 0;
        }
        buf[have] = 0;
        char *nl = strchr(buf, '\n');
        if (!nl && !eof)
            continue;
        size_t len = nl ? (size_t)(nl - buf) + 1 : have;
        struct mmf__sysmap cur = {0};
        if (nl)
            *nl = 0; /* the path ends the line */
        if (sscanf(buf, "%lx-%lx %4s %*s %x:%x %lu %255s", &cur.start, &cur.end, cur.perms,
                   &cur.dev_major, &cur.dev_minor, &cur.inode, cur.path) >= 6 &&
            cur.end > addr) {
            *m = cur;
            *found = cur.start <= addr;
            break;
        }
        memmove(buf, buf + len, have - len);
        have -= len;
    }
    mmf__sys.close(fd);
    return 0;
}

static DWORD prot_of_perms(const char *perms)
{
    bool r = perms[0] == 'r', w = perms[1] == 'w', x = perms[2] == 'x';
    if (x)
        return w ? PAGE_EXECUTE_READWRITE : r ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
    return w ? PAGE_READWRITE : r ? PAGE_READONLY : PAGE_NOACCESS;
}

/* Memory mmf does not manage: the loader's images, the heap, stacks, or nothing. */
static int query_system(uintptr_t addr, MEMORY_BASIC_INFORMATION *mbi)
{
    struct mmf__sysmap m;
    bool found;
    int st = mmf__sysmap_find(addr, &m, &found);
    if (st < 0)
        return st;
    uintptr_t base = page_down(addr);
    struct mmf__region *next = mmf__region_next(addr);
    uintptr_t end = found ? m.end : m.start;
    if (!found && next && next->base < end)
        end = next->base;
    DWORD prot = found ? prot_of_perms(m.perms) : PAGE_NOACCESS;
    *mbi = (MEMORY_BASIC_INFORMATION){
        .BaseAddress = (void *)base,
        .AllocationBase = found ? (void *)m.start : NULL,
        .AllocationProtect = found ? prot : 0,
        .RegionSize = end - base,
        .State = !found ? MEM_FREE : prot == PAGE_NOACCESS ? MEM_RESERVE : MEM_COMMIT,
        .Protect = found && prot == PAGE_NOACCESS ? 0 : prot,
        .Type = !found ? 0 : m.inode ? MEM_IMAGE : MEM_PRIVATE,
    };
    return 0;
}

SIZE_T WINAPI VirtualQuery(LPCVOID addr, PMEMORY_BASIC_INFORMATION mbi, SIZE_T len)
{
    uintptr_t a = (uintptr_t)addr;
    int st = 0;
    if (a > MMF__MAX_USER_ADDRESS)
        st = MMF__W(ERROR_INVALID_PARAMETER);
    else if (!mbi)
        st = MMF__W(ERROR_NOACCESS);
    else if (len < sizeof *mbi)
        st = MMF__W(ERROR_BAD_LENGTH);
    if (st < 0)
        return mmf__fail(st), 0;
    mmf__regions_read();
    struct mmf__region *r = mmf__region_find(a);
    if (r)
        query_region(r, a, mbi);
    else
        st = query_system(a, mbi);
    mmf__regions_unlock();
    if (st < 0)
        return mmf__fail(st), 0;
    return sizeof *mbi;
}

/* --- VirtualAlloc --------------------------------------------------------------------- */

static int protect_view(struct mmf__region *r, size_t first, size_t count, DWORD prot);

/* Commits pages of a view: the pages belong to the section, so every view of it in this
 * process gains them, each with its own protection. In this view the range then takes
 * the protection asked for, committed before or not (Windows: a commit of a SEC_COMMIT
 * view, all committed, is a change of protection), as VirtualProtect gives it. */
static int commit_view(struct mmf__region *r, size_t first, size_t count, DWORD prot)
{
    if (!view_allows(r->alloc_protect, prot))
        return MMF__W(ERROR_INVALID_PARAMETER);
    uint64_t sfirst = r->offset / mmf__page_size + first;
    int st = mmf__section_commit(r->section, sfirst, count);
    size_t cursor = 0;
    for (struct mmf__region *v; st == 0 && (v = mmf__region_of_section(r->section, &cursor));) {
        uint64_t vfirst = v->offset / mmf__page_size, vn = v->size / mmf__page_size;
        uint64_t lo = sfirst > vfirst ? sfirst : vfirst;
        uint64_t hi = sfirst + count < vfirst + vn ? sfirst + count : vfirst + vn;
        if (v != r && lo < hi)
            st = mmf__view_apply(v, lo - vfirst, hi - lo);
    }
    return st < 0 ? st : protect_view(r, first, count, prot);
}

static int commit_private(struct mmf__region *r, size_t first, size_t count, DWORD prot)
{
    if (is_writecopy(prot)) /* copy-on-write needs a section to copy from */
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (mmf__sys.mprotect((void *)(r->base + first * mmf__page_size), count * mmf__page_size,
                          mmf__prot_to_posix(prot)) < 0)
        return -errno;
    memset(r->prot + first, (int)prot, count);
    return 0;
}

static int new_private(void *fixed, size_t size, DWORD type, DWORD prot, void **out)
{
    uintptr_t base = (uintptr_t)fixed & ~(uintptr_t)(MMF__GRANULARITY - 1);
    /* The whole range must lie in the user address space. */
    if ((uintptr_t)fixed > MMF__MAX_USER_ADDRESS || size > MMF__MAX_USER_ADDRESS + 1 - (uintptr_t)fixed)
        return MMF__W(ERROR_INVALID_PARAMETER);
    size = mmf__round_up(size + ((uintptr_t)fixed - base), mmf__page_size);
    struct mmf__region *r = calloc(1, sizeof *r);
    uint8_t *pages = calloc(size / mmf__page_size, 1);
    void *p = NULL;
    int st = r && pages ? mmf__va_reserve(fixed ? (void *)base : NULL, size, &p) : -ENOMEM;
    if (st == 0) {
        *r = (struct mmf__region){.base = (uintptr_t)p, .size = size, .type = MEM_PRIVATE,
                                  .alloc_protect = prot, .prot = pages};
        if (type & MEM_COMMIT)
            st = commit_private(r, 0, size / mmf__page_size, prot);
        if (st == 0)
            st = mmf__region_insert(r);
        if (st < 0)
            mmf__sys.munmap(p, size);
    }
    if (st < 0) {
        free(pages);
        free(r);
        return st;
    }
    *out = p;
    return 0;
}

static int virtual_alloc(void *addr, size_t size, DWORD type, DWORD prot, void **out)
{
    const DWORD known = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN;
    if (size == 0 || !(type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET)) || (type & ~known) ||
        ((type & MEM_RESET) && (type & ~MEM_RESET)))
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (!(type & MEM_RESET) && !mmf__prot_is_valid(prot))
        return MMF__W(ERROR_INVALID_PARAMETER);
    struct mmf__region *r = addr ? mmf__region_find((uintptr_t)addr) : NULL;
    if (!r) {
        if (!(type & MEM_RESERVE) && addr)
            return MMF__W(ERROR_INVALID_ADDRESS);
        if (type & MEM_RESET)
            return MMF__W(ERROR_INVALID_ADDRESS);
        return new_private(addr, size, type, prot, out);
    }
    size_t first, count;
    int st = page_range(r, (uintptr_t)addr, size, &first, &count);
    if (st < 0 || (type & MEM_RESERVE))
        return st < 0 ? st : MMF__W(ERROR_INVALID_ADDRESS);
    *out = (void *)(r->base + first * mmf__page_size);
    if (type & MEM_RESET) {
        /* Contents may be discarded; the pages stay committed. */
        mmf__sys.madvise(*out, count * mmf__page_size, MADV_FREE);
        return 0;
    }
    return r->type != MEM_PRIVATE ? commit_view(r, first, count, prot)
                                  : commit_private(r, first, count, prot);
}

LPVOID WINAPI VirtualAlloc(LPVOID addr, SIZE_T size, DWORD type, DWORD prot)
{
    void *out = NULL;
    mmf__regions_write();
    int st = virtual_alloc(addr, size, type, prot, &out);
    mmf__regions_unlock();
    if (st < 0)
        return mmf__fail(st), NULL;
    return out;
}

/* --- VirtualFree ---------------------------------------------------------------------- */

static int decommit(struct mmf__region *r, size_t first, size_t count)
{
    void *p = (void *)(r->base + first * mmf__page_size);
    /* Fresh anonymous pages: the memory is returned and a later commit reads zeros. */
    if (mmf__sys.mmap(p, count * mmf__page_size, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
        return -errno;
    memset(r->prot + first, 0, count);
    return 0;
}

static int virtual_free(void *addr, size_t size, DWORD type)
{
    if (type != MEM_DECOMMIT && type != MEM_RELEASE)
        return MMF__W(ERROR_INVALID_PARAMETER);
    struct mmf__region *r = mmf__region_find((uintptr_t)addr);
    if (!r || r->type != MEM_PRIVATE)
        return MMF__W(ERROR_INVALID_PARAMETER); /* views go with UnmapViewOfFile */
    if (type == MEM_RELEASE) {
        if (size)
            return MMF__W(ERROR_INVALID_PARAMETER);
        if ((uintptr_t)addr != r->base)
            return MMF__W(ERROR_INVALID_ADDRESS);
        mmf__region_remove(r);
        mmf__va_release((void *)r->base, r->size);
        mmf__region_free(r);
        return 0;
    }
    if (size == 0) {
        if ((uintptr_t)addr != r->base)
            return MMF__W(ERROR_INVALID_ADDRESS);
        size = r->size;
    }
    size_t first, count;
    if (page_range(r, (uintptr_t)addr, size, &first, &count) < 0)
        return MMF__W(ERROR_INVALID_PARAMETER);
    return decommit(r, first, count);
}

BOOL WINAPI VirtualFree(LPVOID addr, SIZE_T size, DWORD type)
{
    mmf__regions_write();
    int st = virtual_free(addr, size, type);
    mmf__regions_unlock();
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

/* --- VirtualProtect ------------------------------------------------------------------- */

/* Maps pages of a shared view privately (write-copy) or back to shared. */
static int remap_view_pages(struct mmf__region *r, size_t first, size_t count, bool private_)
{
    void *p = (void *)(r->base + first * mmf__page_size);
    int flags = (private_ ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED;
    off_t off = (off_t)(r->section->data_off + r->offset + first * mmf__page_size);
    if (mmf__sys.mmap(p, count * mmf__page_size, PROT_NONE, flags, r->section->fd, off) ==
        MAP_FAILED)
        return -errno;
    return 0;
}

/* Whether the page at addr of a private file mapping has been copied on write: the
 * kernel's page map shows it anonymous (present and not a file page, or swapped). A page
 * map that cannot be read says no. */
static bool page_copied(uintptr_t addr)
{
    uint64_t e = 0;
    int fd = mmf__sys.open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    off_t at = (off_t)(addr / mmf__page_size * sizeof e);
    bool ok = mmf__sys.pread(fd, &e, sizeof e, at) == (ssize_t)sizeof e;
    mmf__sys.close(fd);
    return ok && ((e >> 62 & 1) || ((e >> 63 & 1) && !(e >> 61 & 1)));
}

static int protect_view(struct mmf__region *r, size_t first, size_t count, DWORD prot)
{
    if (!view_allows(r->alloc_protect, prot))
        return MMF__W(ERROR_INVALID_PARAMETER);
    int st = own_prot(r);
    for (size_t i = first; st == 0 && i < first + count; i++) {
        /* A shared view's page turns private when it becomes write-copy, and shared again
         * when it stops being so, unless it was written meanwhile: a copied page stays
         * the process's own, whatever its protection (Windows: it is private then). */
        uintptr_t page = r->base + i * mmf__page_size;
        if (!r->copy && is_writecopy(prot) != is_writecopy(r->prot[i]) &&
            !(is_writecopy(r->prot[i]) && page_copied(page)))
            st = remap_view_pages(r, i, 1, is_writecopy(prot));
        if (st == 0)
            r->prot[i] = (uint8_t)prot;
    }
    return st < 0 ? st : mmf__view_apply(r, first, count);
}

/* Memory mmf did not allocate (static data, heap, stack): one mapping of the process,
 * changed in place, its old protection read from /proc/self/maps. */
static int protect_system(uintptr_t addr, size_t size, DWORD prot, DWORD *old)
{
    struct mmf__sysmap m;
    bool found;
    uintptr_t end;
    int st = mmf__sysmap_find(addr, &m, &found);
    if (st < 0)
        return st;
    struct mmf__region *next = mmf__region_next(addr);
    if (!found || __builtin_add_overflow(addr, size, &end) || end > m.end ||
        (next && next->base < end))
        return MMF__W(ERROR_INVALID_ADDRESS);
    if (is_writecopy(prot))
        return MMF__W(ERROR_INVALID_PARAMETER);
    uintptr_t start = page_down(addr);
    end = mmf__round_up(end, mmf__page_size);
    if (mmf__sys.mprotect((void *)start, end - start, mmf__prot_to_posix(prot)) < 0)
        return -errno;
    *old = prot_of_perms(m.perms);
    return 0;
}

static int virtual_protect(void *addr, size_t size, DWORD prot, DWORD *old)
{
    if (!old)
        return MMF__W(ERROR_NOACCESS);
    if (!mmf__prot_is_valid(prot))
        return MMF__W(ERROR_INVALID_PARAMETER);
    struct mmf__region *r = mmf__region_find((uintptr_t)addr);
    if (!r)
        return protect_system((uintptr_t)addr, size, prot, old);
    size_t first, count;
    int st = page_range(r, (uintptr_t)addr, size, &first, &count);
    if (st < 0)
        return st;
    for (size_t i = first; i < first + count; i++)
        if (!mmf__region_page_committed(r, i))
            return MMF__W(ERROR_INVALID_ADDRESS);
    *old = mmf__region_page_prot(r, first);
    /* An image's pages are copies on write, whatever is asked (Windows and Wine turn a
     * writable protection into the write-copy one). */
    if (r->type == MEM_IMAGE && (prot == PAGE_READWRITE || prot == PAGE_EXECUTE_READWRITE))
        prot = prot == PAGE_READWRITE ? PAGE_WRITECOPY : PAGE_EXECUTE_WRITECOPY;
    if (r->type != MEM_PRIVATE)
        return protect_view(r, first, count, prot);
    return commit_private(r, first, count, prot);
}

BOOL WINAPI VirtualProtect(LPVOID addr, SIZE_T size, DWORD prot, PDWORD old)
{
    mmf__regions_write();
    int st = virtual_protect(addr, size, prot, old);
    mmf__regions_unlock();
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

/* --- The Ex forms and IsBad*Ptr ------------------------------------------------------- */

/* The Ex forms act on the current process only: the pseudo handle GetCurrentProcess()
 * returns (process handles of their own come with processes). */
static bool current_process(HANDLE h)
{
    if (h == MMF__CURRENT_PROCESS)
        return true;
    SetLastError(ERROR_INVALID_HANDLE);
    return false;
}

SIZE_T WINAPI VirtualQueryEx(HANDLE h, LPCVOID addr, PMEMORY_BASIC_INFORMATION mbi, SIZE_T len)
{
    return current_process(h) ? VirtualQuery(addr, mbi, len) : 0;
}

LPVOID WINAPI VirtualAllocEx(HANDLE h, LPVOID addr, SIZE_T size, DWORD type, DWORD prot)
{
    return current_process(h) ? VirtualAlloc(addr, size, type, prot) : NULL;
}

BOOL WINAPI VirtualFreeEx(HANDLE h, LPVOID addr, SIZE_T size, DWORD type)
{
    return current_process(h) && VirtualFree(addr, size, type);
}

BOOL WINAPI VirtualProtectEx(HANDLE h, LPVOID addr, SIZE_T size, DWORD prot, PDWORD old)
{
    return current_process(h) && VirtualProtect(addr, size, prot, old);
}

/* Whether every page of [p, p + n) is committed with a protection that allows `need`
 * (PAGE_READONLY: reading; PAGE_READWRITE: writing). Windows answers by touching the
 * pages; mmf asks where they are mapped, and guard pages count as inaccessible, as the
 * first touch would fault. Sets no error, as Windows sets none. */
static bool accessible(const void *p, size_t n, DWORD need)
{
    const DWORD readable = PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READ |
                           PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
    const DWORD writable = PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE |
                           PAGE_EXECUTE_WRITECOPY;
    uintptr_t a = (uintptr_t)p, end;
    if (__builtin_add_overflow(a, n, &end))
        return false;
    DWORD saved = GetLastError();
    MEMORY_BASIC_INFORMATION mbi;
    while (a < end && VirtualQuery((void *)a, &mbi, sizeof mbi) == sizeof mbi &&
           mbi.State == MEM_COMMIT && !(mbi.Protect & PAGE_GUARD) &&
           (mbi.Protect & (need == PAGE_READWRITE ? writable : readable)))
        a = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    SetLastError(saved);
    return a >= end;
}

BOOL WINAPI IsBadReadPtr(const void *p, UINT_PTR n)
{
    return n && !accessible(p, n, PAGE_READONLY);
}

BOOL WINAPI IsBadWritePtr(LPVOID p, UINT_PTR n)
{
    return n && !accessible(p, n, PAGE_READWRITE);
}

/* Windows asks only for read access to the address. */
BOOL WINAPI IsBadCodePtr(void *fn)
{
    return !accessible(fn, 1, PAGE_READONLY);
}
