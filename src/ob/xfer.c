/* The handoff: what a parent gives a child it creates (docs/processes.md).
 *
 * A memfd the child finds through MMF_HANDOFF=<its pid>:<descriptor>: a versioned header,
 * one entry per object the inherited handles refer to (struct mmf__xfer: descriptors made
 * for the child, the kind's values), one per handle (its value, access, attributes and
 * object), then the caller's extra bytes (the command line). Descriptors cross by fork and
 * exec under the same numbers; the child takes them over and marks them close-on-exec.
 *
 * The child reads it as untrusted input: every count against the size, every index and
 * descriptor checked, each object built by its kind's import, which validates the rest. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob/ob.h"

#define HANDOFF_MAGIC 0x48464D4Du /* "MMFH" */
#define HANDOFF_VERSION 1u
#define HANDOFF_MAX (64u << 20)   /* bytes a child reads at most */

struct handoff_hdr {
    uint32_t magic, version;
    uint32_t nobj, nhandle;
    uint64_t std[3];              /* the child's standard handles (0: none inherited) */
    uint64_t extra_len;
};
struct handoff_handle {
    uint64_t value;
    uint32_t access, flags;
    uint32_t obj, reserved;
};

int mmf__xfer_borrow(struct mmf__object *obj, struct mmf__xfer *x, bool with_name)
{
    memset(x, 0, with_name ? sizeof *x : offsetof(struct mmf__xfer, fname));
    x->kind = (uint32_t)obj->type->kind;
    x->fd[0] = x->fd[1] = -1;
    if (obj->ns) {
        mmf__ns_export(obj->ns, x);
        if (with_name)
            snprintf(x->fname, sizeof x->fname, "%s", obj->ns->fname);
        return 0;
    }
    if (!obj->type->export_obj)
        return MMF__W(ERROR_NOT_SUPPORTED);
    return obj->type->export_obj(obj, x);
}

static void close_xfer(const struct mmf__xfer *x)
{
    for (int i = 0; i < 2; i++)
        if (x->fd[i] >= 0)
            mmf__sys.close(x->fd[i]);
}

int mmf__xfer_own(struct mmf__object *obj, struct mmf__xfer *x)
{
    int st = x->fd[0] < 0 ? MMF__W(ERROR_NOT_SUPPORTED) : 0; /* nothing to cross by */
    for (int i = 0; i < 2; i++) {
        if (x->fd[i] < 0)
            continue;
        int fd = st < 0 ? -1 : i == 0 && x->fname[0] ? mmf__ns_lease_copy(x->fd[i], x->v)
                                                   : mmf__dup_high(x->fd[i]);
        if (fd < 0 && st == 0)
            st = fd;
        x->fd[i] = fd < 0 ? -1 : fd;
    }
    if (st < 0) {
        close_xfer(x);
        x->fd[0] = x->fd[1] = -1;
    } else if (!obj->ns && obj->type->lend) {
        obj->type->lend(obj, x);
    }
    return st;
}

/* The object's part of the handoff: descriptors of the child's own. */
static int export_object(struct mmf__object *obj, struct mmf__xfer *x)
{
    int st = mmf__xfer_borrow(obj, x, true);
    if (st == 0)
        st = mmf__xfer_own(obj, x);
    else
        x->fd[0] = x->fd[1] = -1;
    return st;
}

void mmf__handoff_close(struct mmf__handoff *h)
{
    for (size_t i = 0; i < h->nobj; i++)
        close_xfer(&h->objs[i]);
    if (h->fd >= 0)
        mmf__sys.close(h->fd);
    free(h->objs);
    h->objs = NULL;
    h->nobj = 0;
    h->fd = -1;
}

static int write_all(int fd, const void *p, size_t n)
{
    for (const char *c = p; n;) {
        ssize_t w = mmf__sys.write(fd, c, n);
        if (w < 0)
            return -errno;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The object index of each handle: objects in the order handles first name them. */
static int index_objects(const struct mmf__held *hs, size_t n, uint32_t *idx,
                         struct mmf__object ***objs, size_t *nobj)
{
    struct mmf__object **o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < k && o[j] != hs[i].obj)
            j++;
        if (j == k)
            o[k++] = hs[i].obj;
        idx[i] = (uint32_t)j;
    }
    *objs = o;
    *nobj = k;
    return 0;
}

static int write_handoff(struct mmf__handoff *h, const struct mmf__held *hs, size_t n,
                         const uint32_t *idx, const uint64_t std[3], const void *extra,
                         size_t extra_len)
{
    struct handoff_hdr hdr = {HANDOFF_MAGIC, HANDOFF_VERSION, (uint32_t)h->nobj, (uint32_t)n,
                              {std[0], std[1], std[2]}, extra_len};
    int st = write_all(h->fd, &hdr, sizeof hdr);
    if (st == 0)
        st = write_all(h->fd, h->objs, h->nobj * sizeof *h->objs);
    for (size_t i = 0; st == 0 && i < n; i++) {
        struct handoff_handle e = {(uint64_t)(uintptr_t)hs[i].value, hs[i].access,
                                   hs[i].flags, idx[i], 0};
        st = write_all(h->fd, &e, sizeof e);
    }
    if (st == 0)
        st = write_all(h->fd, extra, extra_len);
    return st;
}

int mmf__handoff_make(const struct mmf__held *hs, size_t n, const uint64_t std[3],
                      const void *extra, size_t extra_len, struct mmf__handoff *h)
{
    struct mmf__object **objs = NULL;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    h->objs = NULL;
    h->nobj = 0;
    h->fd = -1;
    int st = idx ? index_objects(hs, n, idx, &objs, &h->nobj) : -ENOMEM;
    if (st == 0 && !(h->objs = calloc(h->nobj ? h->nobj : 1, sizeof *h->objs)))
        st = -ENOMEM;
    for (size_t i = 0; st == 0 && i < h->nobj; i++) {
        if ((st = export_object(objs[i], &h->objs[i])) < 0)
            h->nobj = i; /* what was exported is closed below */
    }
    if (st == 0) {
        int fd = mmf__sys.memfd_create("mmf-handoff", MFD_CLOEXEC);
        h->fd = fd < 0 ? -errno : mmf__dup_high(fd);
        if (fd >= 0)
            mmf__sys.close(fd);
        st = h->fd < 0 ? h->fd : write_handoff(h, hs, n, idx, std, extra, extra_len);
    }
    free(idx);
    free(objs);
    if (st < 0)
        mmf__handoff_close(h);
    return st;
}

/* --- The child's side ----------------------------------------------------------------- */

/* Reads the whole handoff; its size bounded. */
static int read_handoff(int fd, char **out, size_t *len)
{
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return -errno;
    if (sb.st_size < (off_t)sizeof(struct handoff_hdr) || sb.st_size > HANDOFF_MAX)
        return MMF__W(ERROR_FILE_CORRUPT);
    char *buf = malloc((size_t)sb.st_size);
    if (!buf)
        return -ENOMEM;
    ssize_t r = mmf__sys.pread(fd, buf, (size_t)sb.st_size, 0);
    if (r != sb.st_size) {
        free(buf);
        return r < 0 ? -errno : MMF__W(ERROR_FILE_CORRUPT);
    }
    *out = buf;
    *len = (size_t)sb.st_size;
    return 0;
}

/* A descriptor an entry names must be one this process has, above the standard ones, and
 * named by no other entry (each is taken over, and closed, once). */
static bool fd_usable(int fd, const int *seen, size_t nseen)
{
    if (fd < 3 || mmf__sys.fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return false;
    for (size_t i = 0; i < nseen; i++)
        if (seen[i] == fd)
            return false;
    return true;
}

int mmf__xfer_import(struct mmf__xfer *x, bool named, struct mmf__object **out)
{
    const struct mmf__type *type = mmf__type_of(x->kind);
    if (x->fd[0] < 0 || !type || (!named && !type->import_obj) ||
        !memchr(x->fname, 0, sizeof x->fname)) {
        close_xfer(x);
        return MMF__W(ERROR_FILE_CORRUPT);
    }
    return named ? mmf__ns_import(type, x, out) : type->import_obj(type, x, out);
}

/* Builds one object; NULL when its entry is unusable (its descriptors then closed). */
static struct mmf__object *import_object(struct mmf__xfer *x, int *seen, size_t *nseen)
{
    for (int i = 0; i < 2; i++) {
        if (x->fd[i] >= 0 && fd_usable(x->fd[i], seen, *nseen))
            seen[(*nseen)++] = x->fd[i];
        else
            x->fd[i] = -1; /* none, or not one to take over */
    }
    struct mmf__object *obj;
    return mmf__xfer_import(x, x->fname[0] != 0, &obj) < 0 ? NULL : obj;
}

int mmf__handoff_read(int fd, struct mmf__held **out, size_t *n, uint64_t std[3],
                      void **extra, size_t *extra_len)
{
    char *buf = NULL;
    size_t len = 0;
    int st = read_handoff(fd, &buf, &len);
    if (st < 0)
        return st;
    struct handoff_hdr hdr;
    memcpy(&hdr, buf, sizeof hdr);
    size_t objs_at = sizeof hdr, handles_at = objs_at + (size_t)hdr.nobj * sizeof(struct mmf__xfer);
    size_t extra_at = handles_at + (size_t)hdr.nhandle * sizeof(struct handoff_handle);
    if (hdr.magic != HANDOFF_MAGIC || hdr.version != HANDOFF_VERSION ||
        hdr.nobj > HANDOFF_MAX / sizeof(struct mmf__xfer) ||
        hdr.nhandle > HANDOFF_MAX / sizeof(struct handoff_handle) || extra_at > len ||
        hdr.extra_len != len - extra_at) {
        free(buf);
        return hdr.magic == HANDOFF_MAGIC && hdr.version != HANDOFF_VERSION
                   ? MMF__W(ERROR_REVISION_MISMATCH)
                   : MMF__W(ERROR_FILE_CORRUPT);
    }
    struct mmf__object **objs = calloc(hdr.nobj + 1, sizeof *objs);
    int *seen = malloc((2 * (size_t)hdr.nobj + 1) * sizeof *seen);
    struct mmf__held *hs = calloc(hdr.nhandle + 1, sizeof *hs);
    void *ex = malloc(hdr.extra_len + 1);
    size_t nseen = 0, k = 0;
    if (!objs || !seen || !hs || !ex) {
        free(objs), free(seen), free(hs), free(ex), free(buf);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < hdr.nobj; i++) {
        struct mmf__xfer x;
        memcpy(&x, buf + objs_at + i * sizeof x, sizeof x);
        objs[i] = import_object(&x, seen, &nseen);
    }
    /* Each handle takes a reference (and a counted handle on a name) of its own. */
    for (uint32_t i = 0; i < hdr.nhandle; i++) {
        struct handoff_handle e;
        memcpy(&e, buf + handles_at + i * sizeof e, sizeof e);
        struct mmf__object *obj = e.obj < hdr.nobj ? objs[e.obj] : NULL;
        if (!obj || (obj->ns && mmf__ns_hold(obj->ns) < 0))
            continue;
        mmf__ref(obj);
        hs[k++] = (struct mmf__held){(HANDLE)(uintptr_t)e.value, obj, e.access, e.flags};
    }
    /* What the import made is given back: the handles hold what they need. */
    for (uint32_t i = 0; i < hdr.nobj; i++) {
        if (objs[i] && objs[i]->ns) /* as mmf__handle_drop, which handle.c (above) holds */
            mmf__ns_handle_closed(objs[i]->ns);
        mmf__unref(objs[i]);
    }
    memcpy(ex, buf + extra_at, hdr.extra_len);
    memcpy(std, hdr.std, sizeof hdr.std);
    free(objs), free(seen), free(buf);
    *out = hs;
    *n = k;
    *extra = ex;
    *extra_len = hdr.extra_len;
    return 0;
}
