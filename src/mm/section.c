/* File-mapping objects (sections): CreateFileMapping/OpenFileMapping, the backing store,
 * and the commit state of SEC_RESERVE sections.
 *
 * Unnamed paging-file sections live in a memfd; named ones in their object's data file
 * in the namespace (ob: the object file itself, or one of its own for an object everyone
 * may open), so every process maps the same pages. File-backed sections map the file
 * through an open file description of their own that also holds the section's lock
 * records (io/lock.c): no process may cut the file while the section lives
 * (ERROR_USER_MAPPED_FILE), and a writable one makes every new handle share writing. A
 * section lives while a handle or a view refers to it; its name, while a handle does. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include "mm/mm.h"

/* Anonymous sections beyond the user address space could never be mapped: Windows'
 * commit limit refuses them too (ERROR_NOT_ENOUGH_MEMORY). */
#define MAX_ANON_SECTION (1ULL << 47)
#define MAX_SECTION (1ULL << 63)

static void section_destroy(struct mmf__object *obj)
{
    struct mmf__section *s = (struct mmf__section *)obj;
    if (s->fd >= 0 && !(s->obj.ns && s->fd == s->obj.ns->data_fd))
        mmf__sys.close(s->fd);
    if (s->obj.ns)
        mmf__ns_free(s->obj.ns);
    if (s->commit_len)
        mmf__sys.munmap((void *)s->commit, s->commit_len);
    free(s->image);
    free(s);
}

int mmf__section_fd(struct mmf__section *s)
{
    int fd = __atomic_load_n(&s->fd, __ATOMIC_ACQUIRE), none = -1;
    if (fd >= 0 || !s->obj.ns)
        return fd;
    if ((fd = mmf__ns_reopen_data(s->obj.ns)) < 0)
        return fd;
    if (!__atomic_compare_exchange_n(&s->fd, &none, fd, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        mmf__sys.close(fd); /* another thread's view opened it first */
        fd = none;
    }
    return fd;
}

int mmf__section_commit(struct mmf__section *s, uint64_t first, uint64_t count)
{
    if (!s->commit)
        return 0;
    /* A named section's pages are its object file's, on a file system that can fill up:
     * their space is reserved before they count as committed, so that a committed page
     * never faults for lack of room (Windows charges the commit here, and refuses it with
     * ERROR_COMMITMENT_LIMIT). An unnamed one's memfd has no such limit. */
    if (s->obj.ns) {
        off_t off = (off_t)(s->data_off + first * mmf__page_size);
        int st = (int)mmf__sysret(mmf__sys.fallocate(s->fd, 0, off,
                                                     (off_t)(count * mmf__page_size)));
        if (st == -ENOSPC || st == -EDQUOT)
            return MMF__W(ERROR_COMMITMENT_LIMIT);
        if (st < 0 && st != -EOPNOTSUPP)
            return st;
    }
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
    mmf__object_init(&s->obj, &mmf__section_type);
    s->fd = fd;
    s->size = size;
    s->protect = prot;
    s->attrs = attrs;
    return s;
}

static uint64_t commit_map_bytes(uint64_t size)
{
    return (mmf__round_up(size, mmf__page_size) / mmf__page_size + 63) / 64 * 8;
}

/* SEC_RESERVE, unnamed: a bitmap of committed pages, kept in the section's memfd after its
 * data so that a process the section is handed to shares it; zero (nothing committed) to
 * start. An imported one must be in the memfd already. */
static int add_commit_map(struct mmf__section *s, bool create)
{
    uint64_t at = mmf__round_up(s->size, mmf__page_size);
    size_t len = mmf__round_up(commit_map_bytes(s->size), mmf__page_size);
    struct stat sb;
    if (create && mmf__sys.ftruncate(s->fd, (off_t)(at + len)) < 0)
        return -errno;
    if (!create && (mmf__sys.fstat(s->fd, &sb) < 0 || (uint64_t)sb.st_size < at + len))
        return MMF__W(ERROR_FILE_CORRUPT);
    void *p = mmf__sys.mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, (off_t)at);
    if (p == MAP_FAILED)
        return -errno;
    s->commit = p;
    s->commit_len = len;
    return 0;
}

/* What CreateFileMapping was asked for, validated. */
struct request {
    DWORD prot, attrs;
    uint64_t size;          /* the section size (file-backed: after the size rules) */
    struct mmf__file *file; /* file-backed: referenced */
    bool grow;              /* file-backed: the file grows to `size` */
    mode_t mode;            /* named: who may open it (security descriptor) */
    int fd;                 /* named file-backed: the section's description, made (and the
                               file grown) before the name is published; -1 once taken */
    off_t had;              /* the file's size before it grew */
    struct mmf__image *image; /* SEC_IMAGE: the file's layout (owned until a section takes it) */
    const void *initial;    /* named paging-file: its first bytes (size of them), or NULL */
};

static int check_anonymous(struct request *rq)
{
    if (rq->attrs & SEC_IMAGE)
        return MMF__W(ERROR_BAD_EXE_FORMAT);
    if (rq->size == 0 || rq->size >= MAX_SECTION)
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (rq->size > MAX_ANON_SECTION)
        return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
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
static int file_section_size(int fd, struct request *rq)
{
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    uint64_t have = (uint64_t)sb.st_size;
    if (rq->size == 0) {
        if (have == 0)
            return MMF__W(ERROR_FILE_INVALID);
        rq->size = have;
        return 0;
    }
    if (rq->size >= MAX_SECTION)
        return MMF__W(ERROR_INVALID_PARAMETER);
    if (rq->size > have && !is_writable_protect(rq->prot))
        return MMF__W(ERROR_NOT_ENOUGH_MEMORY);
    rq->grow = rq->size > have;
    return 0;
}

/* A PE file, checked as the loader checks it (image.c): the section is the image, its
 * size SizeOfImage; a larger size asked for is refused (STATUS_SECTION_TOO_BIG). */
static int check_image(int fd, struct request *rq)
{
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    size_t len = sb.st_size < MMF__IMAGE_HEADER_MAX ? (size_t)sb.st_size : MMF__IMAGE_HEADER_MAX;
    uint8_t *p = malloc(len ? len : 1);
    rq->image = malloc(sizeof *rq->image);
    int st = p && rq->image ? 0 : -ENOMEM;
    if (st == 0 && mmf__sys.pread(fd, p, len, 0) != (ssize_t)len)
        st = MMF__W(ERROR_BAD_EXE_FORMAT); /* cut short under us */
    if (st == 0)
        st = mmf__image_parse(p, len, (uint64_t)sb.st_size, false, rq->image);
    free(p);
    if (st == 0 && rq->size > rq->image->size)
        st = MMF__W(ERROR_NOT_ENOUGH_MEMORY);
    if (st == 0)
        rq->size = rq->image->size;
    return st;
}

static int check_file(HANDLE hfile, struct request *rq)
{
    struct mmf__object *obj;
    DWORD access;
    int st = mmf__handle_get(hfile, &mmf__file_type, &obj, &access);
    if (st < 0)
        return st;
    rq->file = (struct mmf__file *)obj;
    rq->attrs &= ~SEC_RESERVE; /* commit state is the file's */
    if ((st = check_file_access(access, rq->prot)) < 0)
        return st;
    if (rq->attrs & SEC_IMAGE)
        return check_image(rq->file->fd, rq);
    return file_section_size(rq->file->fd, rq);
}

/* Grows a file for a section: with its blocks allocated, so that a full file system is
 * ERROR_DISK_FULL now and never a SIGBUS when the new pages are written. A failure leaves
 * the file its old size (*had); a file system that cannot allocate ahead is only
 * extended. */
static int grow_file(int fd, uint64_t size, off_t *had)
{
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    off_t have = *had = sb.st_size;
    int st = (int)mmf__sysret(mmf__sys.fallocate(fd, 0, have, (off_t)size - have));
    if (st == -EOPNOTSUPP)
        return (int)mmf__sysret(mmf__sys.ftruncate(fd, (off_t)size));
    if (st < 0)
        mmf__sys.ftruncate(fd, have); /* what was allocated before it failed goes */
    return st;
}

/* A file-backed section's own open file description of its file, holding the mapped-range
 * lock, and the file grown to `size` if asked: locked first, so that a failure leaves the
 * file as it was. *had: the file's size before. */
static int open_for_section(int file_fd, DWORD prot, uint64_t size, bool grow, int *out,
                            off_t *had)
{
    int fd = is_writable_protect(prot) ? mmf__reopen(file_fd, O_RDWR) : -EACCES;
    if (fd == -EACCES)
        fd = mmf__reopen(file_fd, O_RDONLY);
    if (fd < 0)
        return fd;
    int st = mmf__lock_section(fd, size, is_writable_protect(prot));
    if (st == 0 && grow)
        st = grow_file(fd, size, had);
    if (st < 0) {
        mmf__sys.close(fd);
        return st;
    }
    *out = fd;
    return 0;
}

static int create_unnamed(const struct request *rq, struct mmf__section **out)
{
    struct mmf__section *s = section_new(-1, rq->size, rq->prot, rq->attrs);
    if (!s)
        return -ENOMEM;
    int st;
    if (rq->file) {
        off_t had;
        st = open_for_section(rq->file->fd, rq->prot, rq->size, rq->grow, &s->fd, &had);
    } else if ((s->fd = mmf__sys.memfd_create("mmf-section", MFD_CLOEXEC)) < 0) {
        st = -errno;
    } else {
        st = (int)mmf__sysret(
            mmf__sys.ftruncate(s->fd, (off_t)mmf__round_up(rq->size, mmf__page_size)));
        if (st == 0 && (rq->attrs & SEC_RESERVE))
            st = add_commit_map(s, true);
    }
    if (st < 0) {
        section_destroy(&s->obj);
        return st;
    }
    *out = s;
    return 0;
}

/* --- Named sections --------------------------------------------------------------------- */

/* Sections this large ask the file system for room before reserving it: tmpfs would fill
 * up page by page before it refused. */
#define ASK_FOR_ROOM (1u << 20)

/* A named paging-file section's bytes, at off in its file: a committed section reserves
 * its space now (a full /dev/shm is an error here, never a SIGBUS on first touch), which
 * also sizes the file; a SEC_RESERVE one (or a file system that cannot reserve) only
 * sizes it. */
static int make_data(int fd, uint64_t off, uint64_t len, bool commit)
{
    struct statfs fs;
    int st = -EOPNOTSUPP;
    if (commit && len >= ASK_FOR_ROOM && mmf__sys.fstatfs(fd, &fs) == 0 && fs.f_blocks &&
        (uint64_t)fs.f_bavail * fs.f_bsize < len)
        return MMF__W(ERROR_DISK_FULL);
    if (commit)
        st = (int)mmf__sysret(mmf__sys.fallocate(fd, 0, (off_t)off, (off_t)len));
    if (st == -EOPNOTSUPP)
        st = (int)mmf__sysret(mmf__sys.ftruncate(fd, (off_t)(off + len)));
    return st;
}

/* The header of a new named section, before its name is published. A file-backed one's
 * file is made ready here (grown to the section), so that no opener ever finds it shorter
 * than the section. */
static int init_named(int fd, struct mmf__objhdr *h, void *ctx)
{
    struct request *rq = ctx;
    h->size = rq->size;
    h->protect = rq->prot;
    h->attrs = rq->attrs;
    if (rq->image) { /* laid out in the object's data, as an unnamed one in its memfd */
        int st = make_data(fd, h->data_offset, rq->size, true);
        return st < 0 ? st : mmf__image_load(rq->image, rq->file->fd, fd, h->data_offset);
    }
    if (rq->file) {
        struct stat sb;
        if (mmf__sys.fstat(rq->file->fd, &sb) < 0)
            return -errno;
        h->file_dev = (uint64_t)sb.st_dev;
        h->file_ino = (uint64_t)sb.st_ino;
        return open_for_section(rq->file->fd, rq->prot, rq->size, rq->grow, &rq->fd,
                                &rq->had);
    }
    int st = make_data(fd, h->data_offset, mmf__round_up(rq->size, mmf__page_size),
                       !(rq->attrs & SEC_RESERVE));
    if (st < 0 || !rq->initial)
        return st;
    ssize_t w = mmf__sys.pwrite(fd, rq->initial, rq->size, (off_t)h->data_offset);
    return w == (ssize_t)rq->size ? 0 : w < 0 ? -errno : MMF__W(ERROR_DISK_FULL);
}

/* Whether an opener may map the file a named section's header names: the header is the
 * object's owner's word (ob refuses an object file anyone else may write), and the owner
 * could open the file with its own rights: it owns the file, or is root, or is the
 * opener. The opener still opens the path with its own rights. Otherwise another user
 * could plant a header that names a file only the opener may open. */
static bool may_map_backing(const struct mmf__nsobj *ns, const struct stat *file)
{
    return file->st_uid == ns->owner || ns->owner == 0 || ns->owner == geteuid();
}

/* Opens the file a named file-backed section maps, and checks it is the same file, one
 * this opener may map, and still as long as the section. */
static int open_backing(const struct mmf__nsobj *ns, int *out)
{
    struct stat sb;
    int fd = mmf__sys.open(ns->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? MMF__W(ERROR_FILE_NOT_FOUND) : -errno;
    int st = 0;
    if (mmf__sys.fstat(fd, &sb) < 0 || (uint64_t)sb.st_dev != ns->info.file_dev ||
        (uint64_t)sb.st_ino != ns->info.file_ino)
        st = MMF__W(ERROR_FILE_NOT_FOUND); /* replaced since the section was made */
    else if (!S_ISREG(sb.st_mode) || !may_map_backing(ns, &sb))
        st = MMF__W(ERROR_ACCESS_DENIED);
    else if ((uint64_t)sb.st_size < ns->info.size)
        /* Cut below the section since (Windows forbids it; a program not using mmf can),
         * or a header claiming more than the file has: views would fault past its end. */
        st = MMF__W(ERROR_FILE_INVALID);
    if (st < 0) {
        mmf__sys.close(fd);
        return st;
    }
    *out = fd;
    return 0;
}

/* A named file-backed section's file: the creator's own (rq), or for an opener the file
 * the header names, which must still be the same file. */
static int build_file_backed(struct mmf__section *s, const struct mmf__nsobj *ns,
                             struct request *rq)
{
    if (rq) { /* the description init_named made */
        s->fd = rq->fd;
        rq->fd = -1;
        return 0;
    }
    off_t had;
    int fd = -1, st = open_backing(ns, &fd);
    if (st == 0) {
        st = open_for_section(fd, s->protect, s->size, false, &s->fd, &had);
        mmf__sys.close(fd);
    }
    return st;
}

/* A named paging-file section's bytes are the data region of its data file, and a
 * SEC_RESERVE section's commit map its shared region: the header (checked by ob for
 * layout) must make them large enough for the section. */
static int build_paging_file(struct mmf__section *s, const struct mmf__nsobj *ns)
{
    const struct mmf__objhdr *h = &ns->info;
    uint64_t map = (s->attrs & SEC_RESERVE) ? commit_map_bytes(h->size) : 0;
    if (h->shared_len < map || h->data_len < mmf__round_up(h->size, mmf__page_size))
        return MMF__W(ERROR_FILE_CORRUPT);
    s->fd = ns->table ? -1 : ns->data_fd; /* a lease table's: opened again at its first view */
    s->data_off = h->data_offset;
    s->allocated = !(s->attrs & SEC_IMAGE);
    if (map)
        s->commit = ns->shared;
    if (!(s->attrs & SEC_IMAGE))
        return 0;
    s->image = malloc(sizeof *s->image);
    return s->image ? mmf__image_reload(s->fd, s->data_off, s->size, s->image) : -ENOMEM;
}

/* The section of a named object found or created on disk. ctx is the request when this
 * process created it, NULL otherwise. The header is untrusted: it is checked again. */
static int build_named(const struct mmf__type *type, struct mmf__nsobj *ns, void *ctx)
{
    (void)type;
    const struct mmf__objhdr *h = &ns->info;
    DWORD prot, attrs;
    int st = parse_protect(h->protect | h->attrs, &prot, &attrs);
    if (st == 0 && (h->size == 0 || h->size >= MAX_SECTION || prot != h->protect))
        st = MMF__W(ERROR_FILE_CORRUPT);
    if (st < 0)
        return st;
    struct mmf__section *s = section_new(-1, h->size, prot, attrs);
    if (!s)
        return -ENOMEM;
    st = ns->path[0] ? build_file_backed(s, ns, ctx) : build_paging_file(s, ns);
    if (st < 0) {
        section_destroy(&s->obj);
        return st;
    }
    s->obj.ns = ns;
    ns->obj = &s->obj;
    return 0;
}

/* An unnamed section crosses as its data's descriptor (a memfd, with the commit map of a
 * SEC_RESERVE one, or its own description of a mapped file, whose section record it
 * keeps alive) and its size, protection and attributes. */
static int section_export(struct mmf__object *obj, struct mmf__xfer *x)
{
    struct mmf__section *s = (struct mmf__section *)obj;
    x->fd[0] = s->fd;
    x->v[0] = s->size;
    x->v[1] = s->protect;
    x->v[2] = s->attrs;
    x->v[3] = s->commit != NULL;
    return 0;
}

static int section_import(const struct mmf__type *type, struct mmf__xfer *x,
                          struct mmf__object **out)
{
    (void)type;
    struct stat sb;
    DWORD prot, attrs;
    if (x->fd[1] >= 0)
        mmf__sys.close(x->fd[1]);
    int st = parse_protect((DWORD)x->v[1] | (DWORD)x->v[2], &prot, &attrs);
    /* Image sections are named (create_image): an unnamed one claiming to be is forged. */
    if (st == 0 && (x->v[0] == 0 || x->v[0] >= MAX_SECTION || prot != x->v[1] ||
                    attrs != x->v[2] || (attrs & SEC_IMAGE) || mmf__sys.fstat(x->fd[0], &sb) < 0 ||
                    (uint64_t)sb.st_size < x->v[0]))
        st = MMF__W(ERROR_FILE_CORRUPT);
    struct mmf__section *s = st == 0 ? section_new(x->fd[0], x->v[0], prot, attrs) : NULL;
    if (st == 0 && !s)
        st = -ENOMEM;
    if (st == 0 && x->v[3])
        st = add_commit_map(s, false);
    if (s && st < 0)
        section_destroy(&s->obj); /* closes the descriptor */
    else if (st < 0)
        mmf__sys.close(x->fd[0]);
    if (st == 0)
        *out = &s->obj;
    return st;
}

const struct mmf__type mmf__section_type = {
    .name = "Section",
    .kind = MMF__KIND_SECTION,
    .generic = {STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ,
                STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE,
                STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE, SECTION_ALL_ACCESS},
    .valid = SECTION_ALL_ACCESS | SECTION_MAP_EXECUTE_EXPLICIT,
    .destroy = section_destroy,
    .build_named = build_named,
    .export_obj = section_export,
    .import_obj = section_import,
};
MMF__TYPE_ROW(mmf__section_type);

static int create_named(const struct mmf__name *name, struct request *rq,
                        struct mmf__object **out, bool *existed)
{
    bool paging = !rq->file || rq->image;
    struct mmf__ns_new nw = {
        .mode = rq->mode,
        .shared_len = paging && (rq->attrs & SEC_RESERVE) ? commit_map_bytes(rq->size) : 0,
        .data_len = paging ? mmf__round_up(rq->size, mmf__page_size) : 0,
        .path = NULL,
        .init = init_named,
        .ctx = rq,
        /* A paging-file section with nothing shared: its views open its data again. */
        .reopens = paging && !(rq->attrs & (SEC_RESERVE | SEC_IMAGE)),
    };
    char path[64], real[4096];
    if (!paging) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", rq->file->fd);
        ssize_t n = mmf__sys.readlink(path, real, sizeof real - 1);
        if (n < 0)
            return -errno;
        real[n] = 0;
        nw.path = real;
    }
    int st = mmf__ns_create(name, &mmf__section_type, &nw, out, existed);
    if (rq->fd >= 0) {
        /* Made ready for a name that turned out to exist (another creator's, which won),
         * or for a publication that failed: the file goes back to its size, unless a
         * section made meanwhile maps what it grew. */
        if (rq->grow && mmf__file_check_truncate(rq->fd, (uint64_t)rq->had) == 0)
            mmf__sys.ftruncate(rq->fd, rq->had);
        mmf__sys.close(rq->fd);
    }
    return st;
}

/* An unnamed image section: one for every process of this user that maps the same
 * file, as Windows keeps one image per file, so that its shared sections are shared. It
 * is a named object of this user's Local\ namespace, named after the file's device,
 * inode, size and change time (a changed file is another image); it lives while a handle
 * or a view holds it, and `mmf ls` lists it. Another user's image of the same file is
 * another object: a user's shared sections are not another user's to write. */
static int create_image(struct request *rq, struct mmf__object **out)
{
    struct stat sb;
    if (mmf__sys.fstat(rq->file->fd, &sb) < 0)
        return -errno;
    char a[128];
    snprintf(a, sizeof a, "Local\\mmf-image-%llx-%llx-%llx-%lx.%lx",
             (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino,
             (unsigned long long)sb.st_size, (long)sb.st_ctim.tv_sec, (long)sb.st_ctim.tv_nsec);
    WCHAR *w = NULL;
    size_t units;
    struct mmf__name name;
    bool existed;
    int st = mmf__name_from_a(a, &w, &units);
    if (st == 0)
        st = mmf__name_parse(w, units, &name);
    if (st == 0)
        st = create_named(&name, rq, out, &existed);
    free(w);
    /* The name is this user's: an object there that is not this image (planted, or made
     * by a broken process) is not used. */
    struct mmf__section *s = st == 0 ? (struct mmf__section *)*out : NULL;
    if (s && (!s->image || s->size != rq->size)) {
        mmf__handle_drop(*out);
        st = MMF__W(ERROR_BAD_EXE_FORMAT);
    }
    return st;
}

int mmf__section_shared(const struct mmf__name *name, const void *initial, uint64_t size,
                        struct mmf__section **out)
{
    struct request rq = {.prot = PAGE_READWRITE, .size = size, .mode = mmf__sa_mode(NULL),
                         .fd = -1, .initial = initial};
    struct mmf__object *obj;
    bool existed;
    int st = create_named(name, &rq, &obj, &existed);
    if (st < 0)
        return st;
    struct mmf__section *s = (struct mmf__section *)obj;
    /* The name is this user's: a set of another size, or another kind of section, is not
     * this binary's (a stale or planted one). */
    if (s->size != size || s->commit || s->image || s->obj.ns->path[0] ||
        s->protect != PAGE_READWRITE) {
        mmf__handle_drop(obj);
        return MMF__W(ERROR_INVALID_HANDLE);
    }
    *out = s;
    return 0;
}

/* The access a CreateFileMapping handle gets: what the protection asked for implies. */
static DWORD access_of_protect(DWORD prot)
{
    DWORD a = STANDARD_RIGHTS_REQUIRED | SECTION_QUERY | SECTION_MAP_READ;
    if (is_writable_protect(prot))
        a |= SECTION_MAP_WRITE;
    if (is_execute_protect(prot))
        a |= SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT;
    return a;
}

static HANDLE create_mapping(HANDLE hfile, LPSECURITY_ATTRIBUTES sa, DWORD fl, uint64_t size,
                             const struct mmf__name *name)
{
    struct request rq = {.size = size, .mode = mmf__sa_mode(sa), .fd = -1};
    struct mmf__object *obj = NULL;
    struct mmf__section *s;
    bool existed = false, file = hfile != INVALID_HANDLE_VALUE && hfile != NULL;
    HANDLE h;
    int st = parse_protect(fl, &rq.prot, &rq.attrs);
    /* A file-backed request for an existing name returns that object whatever the file
     * (Windows ignores it), so the name is looked up before the file's checks can refuse
     * the request; the file is grown only for a name this process publishes. */
    if (st == 0 && file && name) {
        st = mmf__ns_open(name, &mmf__section_type, false, &obj);
        existed = st == 0;
        if (st == MMF__W(ERROR_FILE_NOT_FOUND))
            st = 0;
    }
    if (st == 0 && !obj)
        st = file ? check_file(hfile, &rq) : check_anonymous(&rq);
    if (st == 0 && !obj) {
        if (name)
            st = create_named(name, &rq, &obj, &existed);
        else if (rq.image)
            st = create_image(&rq, &obj);
        else if ((st = create_unnamed(&rq, &s)) == 0)
            obj = &s->obj;
    }
    if (st == 0)
        st = mmf__handle_new(obj, access_of_protect(rq.prot), mmf__sa_handle_flags(sa), &h);
    if (rq.file)
        mmf__unref(&rq.file->obj);
    free(rq.image);
    if (st < 0)
        return mmf__fail(st), NULL;
    SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return h;
}

/* Parses a W name (NULL or empty: unnamed) and creates the mapping. */
static HANDLE create_mapping_w(HANDLE hfile, LPSECURITY_ATTRIBUTES sa, DWORD fl, DWORD high,
                               DWORD low, LPCWSTR wname, size_t units)
{
    struct mmf__name name;
    uint64_t size = (uint64_t)high << 32 | low;
    if (!wname || units == 0)
        return create_mapping(hfile, sa, fl, size, NULL);
    int st = mmf__name_parse(wname, units, &name);
    if (st < 0)
        return mmf__fail(st), NULL;
    return create_mapping(hfile, sa, fl, size, &name);
}

HANDLE WINAPI CreateFileMappingW(HANDLE hfile, LPSECURITY_ATTRIBUTES sa, DWORD fl, DWORD high,
                                 DWORD low, LPCWSTR name)
{
    return create_mapping_w(hfile, sa, fl, high, low, name, name ? mmf__wcslen(name) : 0);
}

HANDLE WINAPI CreateFileMappingA(HANDLE hfile, LPSECURITY_ATTRIBUTES sa, DWORD fl, DWORD high,
                                 DWORD low, LPCSTR name)
{
    WCHAR *w;
    size_t units;
    int st = mmf__name_from_a_optional(name, &w, &units);
    if (st < 0)
        return mmf__fail(st), NULL;
    HANDLE h = create_mapping_w(hfile, sa, fl, high, low, w, units);
    free(w);
    return h;
}

/* OpenFileMapping's access: FILE_MAP_COPY opens for reading, as kernelbase does. */
static DWORD open_access(DWORD access)
{
    return access == FILE_MAP_COPY ? SECTION_MAP_READ : access;
}

static HANDLE open_mapping(DWORD access, BOOL inherit, const WCHAR *wname, size_t units)
{
    struct mmf__name name;
    struct mmf__object *obj;
    HANDLE h;
    int st = units == 0 ? MMF__W(ERROR_INVALID_HANDLE) : mmf__name_parse(wname, units, &name);
    if (st == 0)
        st = mmf__access_check(&mmf__section_type, open_access(access), &access);
    if (st == 0)
        st = mmf__ns_open(&name, &mmf__section_type, (access & SECTION_MAP_WRITE) != 0, &obj);
    if (st == 0)
        st = mmf__handle_new(obj, access, mmf__inherit_flags(inherit), &h);
    if (st < 0)
        return mmf__fail(st), NULL;
    return h;
}

HANDLE WINAPI OpenFileMappingW(DWORD access, BOOL inherit, LPCWSTR name)
{
    if (!name)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    return open_mapping(access, inherit, name, mmf__wcslen(name));
}

HANDLE WINAPI OpenFileMappingA(DWORD access, BOOL inherit, LPCSTR name)
{
    WCHAR *w = NULL;
    size_t units = 0;
    int st = name ? mmf__name_from_a(name, &w, &units) : MMF__W(ERROR_INVALID_PARAMETER);
    if (st < 0)
        return mmf__fail(st), NULL;
    HANDLE h = open_mapping(access, inherit, w, units);
    free(w);
    return h;
}
