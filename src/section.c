/* File-mapping objects (sections): CreateFileMapping's validation, the backing store, and
 * the commit state of SEC_RESERVE sections.
 *
 * Anonymous (paging-file) sections live in a memfd; file-backed ones map the file through
 * an open file description of their own that also holds the mapped-range lock (lock.c),
 * so that truncation below a live section fails with ERROR_USER_MAPPED_FILE in any
 * process. A section lives while a handle or a view refers to it. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Anonymous sections beyond the user address space could never be mapped: Windows'
 * commit limit refuses them too (ERROR_NOT_ENOUGH_MEMORY). */
#define MAX_ANON_SECTION (1ULL << 47)
#define MAX_SECTION (1ULL << 63)

static void section_destroy(struct mmf__object *obj)
{
    struct mmf__section *s = (struct mmf__section *)obj;
    mmf__sys.close(s->fd);
    if (s->file)
        mmf__unref(&s->file->obj);
    if (s->commit)
        mmf__sys.munmap((void *)s->commit, s->commit_len);
    free(s);
}

bool mmf__section_committed(struct mmf__section *s, uint64_t page)
{
    if (!s->commit)
        return true;
    return atomic_load_explicit(&s->commit[page / 64], memory_order_acquire) >> (page % 64) & 1;
}

int mmf__section_commit(struct mmf__section *s, uint64_t first, uint64_t count)
{
    if (!s->commit)
        return 0;
    for (uint64_t p = first; p < first + count; p++)
        atomic_fetch_or_explicit(&s->commit[p / 64], 1ULL << (p % 64), memory_order_release);
    return 0;
}

static bool is_writable_protect(DWORD prot)
{
    return prot == PAGE_READWRITE || prot == PAGE_EXECUTE_READWRITE;
}

static bool is_execute_protect(DWORD prot)
{
    return prot & (PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY);
}

/* Splits flProtect into the page protection and the SEC_ attributes, with Windows'
 * ERROR_INVALID_PARAMETER for anything it refuses. */
static int parse_protect(DWORD fl, DWORD *prot, DWORD *attrs)
{
    const DWORD sec_known = SEC_FILE | SEC_IMAGE | SEC_PROTECTED_IMAGE | SEC_RESERVE |
                            SEC_COMMIT | SEC_NOCACHE | SEC_WRITECOMBINE | SEC_LARGE_PAGES;
    DWORD p = fl & 0xFF, a = fl & ~0xFFu;
    if ((a & ~sec_known) || !mmf__prot_is_valid(p) || p == PAGE_NOACCESS || p == PAGE_EXECUTE)
        return MMF__W(ERROR_INVALID_PARAMETER);
    /* No large-page privilege exists here; SEC_FILE and protected images are not for
     * CreateFileMapping. */
    if (a & (SEC_FILE | SEC_PROTECTED_IMAGE | SEC_LARGE_PAGES))
        return MMF__W(ERROR_INVALID_PARAMETER);
    if ((a & SEC_RESERVE) && (a & SEC_COMMIT))
        return MMF__W(ERROR_INVALID_PARAMETER);
    if ((a & SEC_WRITECOMBINE) && ((a & SEC_NOCACHE) || !(a & (SEC_RESERVE | SEC_COMMIT))))
        return MMF__W(ERROR_INVALID_PARAMETER);
    if ((a & SEC_NOCACHE) && !(a & (SEC_RESERVE | SEC_COMMIT | SEC_IMAGE)))
        return MMF__W(ERROR_INVALID_PARAMETER);
    *prot = p;
    *attrs = a;
    return 0;
}

static struct mmf__section *section_new(int fd, uint64_t size, DWORD prot, DWORD attrs)
{
    struct mmf__section *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    mmf__object_init(&s->obj, MMF__KIND_SECTION, section_destroy);
    s->fd = fd;
    s->size = size;
    s->protect = prot;
    s->attrs = attrs;
    return s;
}

/* SEC_RESERVE: a bitmap of committed pages, zero (nothing committed) to start. */
static int add_commit_map(struct mmf__section *s)
{
    uint64_t pages = mmf__round_up(s->size, mmf__page_size) / mmf__page_size;
    size_t len = mmf__round_up((pages + 63) / 64 * 8, mmf__page_size);
    void *p = mmf__sys.mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    s->commit = p;
    s->commit_len = len;
    return 0;
}

static int create_anonymous(uint64_t size, DWORD prot, DWORD attrs, struct mmf__section **out)
{
    if (attrs & SEC_IMAGE)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    if (size == 0 || size >= MAX_SECTION)
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (size > MAX_ANON_SECTION)
        return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
    int fd = mmf__sys.memfd_create("mmf-section", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    int st = (int)mmf__sysret(
        mmf__sys.ftruncate(fd, (off_t)mmf__round_up(size, mmf__page_size)));
    struct mmf__section *s = st == 0 ? section_new(fd, size, prot, attrs) : NULL;
    if (st == 0 && !s)
        st = -ENOMEM;
    if (s && (attrs & SEC_RESERVE) && (st = add_commit_map(s)) < 0)
        free(s);
    if (st < 0) {
        mmf__sys.close(fd);
        return st;
    }
    *out = s;
    return 0;
}

/* The rights a file handle needs for a section protection (ERROR_ACCESS_DENIED). */
static int check_file_access(DWORD access, DWORD prot)
{
    if (!(access & FILE_READ_DATA) || (is_writable_protect(prot) && !(access & FILE_WRITE_DATA)) ||
        (is_execute_protect(prot) && !(access & FILE_EXECUTE)))
        return MMF__W(ERROR_ACCESS_DENIED);
    return 0;
}

/* The section size for a file: the file's own when 0; beyond the file only for writable
 * sections, which grow it. */
static int file_section_size(int fd, uint64_t want, DWORD prot, uint64_t *size, bool *grow)
{
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    uint64_t have = (uint64_t)sb.st_size;
    *grow = false;
    if (want == 0) {
        if (have == 0)
            return MMF__W(ERROR_FILE_INVALID);
        *size = have;
        return 0;
    }
    if (want >= MAX_SECTION)
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (want > have && !is_writable_protect(prot))
        return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
    *size = want;
    *grow = want > have;
    return 0;
}

/* Windows tells images from data by the MZ/PE signatures. */
static int check_image(int fd)
{
    unsigned char h[0x40];
    uint32_t pe = 0;
    char sig[4] = {0};
    if (mmf__sys.pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h || h[0] != 'M' || h[1] != 'Z')
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    memcpy(&pe, h + 0x3C, 4);
    if (mmf__sys.pread(fd, sig, 4, pe) != 4 || memcmp(sig, "PE\0\0", 4) != 0)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    /* Loading images (SEC_IMAGE) is the images issue; until then it is refused. */
    return MMF__W(ERROR_NOT_SUPPORTED);
}

static int create_file_backed(HANDLE hfile, uint64_t want, DWORD prot, DWORD attrs,
                              struct mmf__section **out)
{
    struct mmf__object *obj;
    DWORD access;
    uint64_t size = 0;
    bool grow = false;
    int st = mmf__handle_get(hfile, MMF__KIND_FILE, &obj, &access);
    if (st < 0)
        return st;
    struct mmf__file *f = (struct mmf__file *)obj;
    int fd = -1;
    if ((st = check_file_access(access, prot)) < 0 ||
        ((attrs & SEC_IMAGE) && (st = check_image(f->fd)) < 0) ||
        (st = file_section_size(f->fd, want, prot, &size, &grow)) < 0)
        goto fail;
    /* Lock before growing so that a failure leaves the file as it was. */
    if ((fd = mmf__reopen(f->fd, is_writable_protect(prot) ? O_RDWR : O_RDONLY)) < 0) {
        st = fd;
        goto fail;
    }
    st = mmf__lock(fd, F_RDLCK, MMF__LK_SECTION, (off_t)size);
    if ((st < 0 && !mmf__lock_unsupported(st)) ||
        (grow && (st = (int)mmf__sysret(mmf__sys.ftruncate(fd, (off_t)size))) < 0))
        goto fail;
    struct mmf__section *s = section_new(fd, size, prot, attrs & ~SEC_RESERVE);
    if (!s) {
        st = -ENOMEM;
        goto fail;
    }
    s->file = f;
    *out = s;
    return 0;
fail:
    if (fd >= 0)
        mmf__sys.close(fd);
    mmf__unref(obj);
    return st;
}

static HANDLE create_mapping(HANDLE hfile, DWORD fl, DWORD high, DWORD low, bool named)
{
    DWORD prot, attrs;
    struct mmf__section *s = NULL;
    HANDLE h;
    uint64_t size = (uint64_t)high << 32 | low;
    int st = parse_protect(fl, &prot, &attrs);
    /* Named sections arrive with the namespace; refused clearly until then. */
    if (st == 0 && named)
        st = MMF__W(ERROR_NOT_SUPPORTED);
    if (st == 0)
        st = hfile == INVALID_HANDLE_VALUE || hfile == NULL
                 ? create_anonymous(size, prot, attrs, &s)
                 : create_file_backed(hfile, size, prot, attrs, &s);
    if (st == 0 && (st = mmf__handle_new(&s->obj, SECTION_ALL_ACCESS, &h)) < 0)
        mmf__unref(&s->obj);
    if (st < 0)
        return mmf__fail(st), NULL;
    SetLastError(ERROR_SUCCESS);
    return h;
}

HANDLE WINAPI CreateFileMappingA(HANDLE hfile, LPSECURITY_ATTRIBUTES sa, DWORD fl, DWORD high,
                                 DWORD low, LPCSTR name)
{
    (void)sa;
    return create_mapping(hfile, fl, high, low, name && *name);
}

HANDLE WINAPI CreateFileMappingW(HANDLE hfile, LPSECURITY_ATTRIBUTES sa, DWORD fl, DWORD high,
                                 DWORD low, LPCWSTR name)
{
    (void)sa;
    return create_mapping(hfile, fl, high, low, name && *name);
}
