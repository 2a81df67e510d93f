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
#define HANDOFF_VERSION 2u
#define HANDOFF_MAX (1u << 30)    /* bytes a child reads at most: 3 million objects */

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

/* An entry for an object of a lease table: its descriptor is the handoff's one of that
 * table, which every such entry of the table names (mmf__ns_export's v[1]). */
static bool in_table(const struct mmf__xfer *x)
{
    return x->fname[0] && x->v[1];
}

/* The object's part of the handoff: descriptors of the child's own (listed in h->fds).
 * That of a lease table's object is left to share_tables (fd[0] is still its table's,
 * this process's). */
static int export_object(struct mmf__handoff *h, struct mmf__object *obj, struct mmf__xfer *x)
{
    int st = mmf__xfer_borrow(obj, x, true);
    if (st < 0) {
        x->fd[0] = x->fd[1] = -1;
        return st;
    }
    if (in_table(x))
        return 0;
    if ((st = mmf__xfer_own(obj, x)) < 0)
        return st; /* its copies closed */
    for (int i = 0; i < 2; i++)
        if (x->fd[i] >= 0)
            h->fds[h->nfds++] = x->fd[i];
    return 0;
}

static int by_table_slot(const void *a, const void *b)
{
    const struct mmf__xfer *x = *(struct mmf__xfer *const *)a, *y = *(struct mmf__xfer *const *)b;
    if (x->fd[0] != y->fd[0])
        return (x->fd[0] > y->fd[0]) - (x->fd[0] < y->fd[0]);
    return (x->v[1] > y->v[1]) - (x->v[1] < y->v[1]);
}

/* The objects of one lease table cross on one new description of it, which holds a lease
 * on each of their slots: a child inheriting tens of thousands of them needs a descriptor
 * per table, not per object. Entries are grouped by this process's descriptor of their
 * table (one a table), in slot order. Each group's entries then name the copy, listed once
 * in h->fds. A run of consecutive slots takes one lock: the same as a lock a slot, since
 * a description's adjacent read locks merge (a table made in one go is one run). */
static int share_tables(struct mmf__handoff *h)
{
    struct mmf__xfer **e = malloc((h->nobj ? h->nobj : 1) * sizeof *e);
    size_t n = 0;
    if (!e)
        return -ENOMEM;
    for (size_t i = 0; i < h->nobj; i++)
        if (in_table(&h->objs[i]))
            e[n++] = &h->objs[i];
    qsort(e, n, sizeof *e, by_table_slot);
    int st = 0;
    for (size_t i = 0; st == 0 && i < n;) {
        int mine = e[i]->fd[0], copy = mmf__ns_lease_copy(mine, e[i]->v); /* its slot's too */
        if (copy < 0) {
            st = copy;
            break;
        }
        h->fds[h->nfds++] = copy;
        e[i++]->fd[0] = copy;
        for (size_t run = i; st == 0 && i < n && e[i]->fd[0] == mine; i++) {
            e[i]->fd[0] = copy;
            if (i + 1 < n && e[i + 1]->fd[0] == mine && e[i + 1]->v[1] == e[i]->v[1] + 1)
                continue; /* the run goes on */
            st = mmf__lt_lock_fd(copy, (uint32_t)e[run]->v[1] - 1,
                                 (uint32_t)(e[i]->v[1] - e[run]->v[1] + 1), F_RDLCK);
            run = i + 1;
        }
    }
    free(e);
    return st;
}

void mmf__handoff_close(struct mmf__handoff *h)
{
    for (size_t i = 0; i < h->nfds; i++)
        mmf__sys.close(h->fds[i]);
    if (h->fd >= 0)
        mmf__sys.close(h->fd);
    free(h->objs);
    free(h->fds);
    *h = (struct mmf__handoff){.fd = -1};
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

static int by_object(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct mmf__held *const *)a)[0]->obj,
              y = (uintptr_t)((const struct mmf__held *const *)b)[0]->obj;
    return (x > y) - (x < y);
}

/* The object index of each handle: each object once (sorted, since a process may hand
 * on a hundred thousand handles). */
static int index_objects(const struct mmf__held *hs, size_t n, uint32_t *idx,
                         struct mmf__object ***objs, size_t *nobj)
{
    const struct mmf__held **by = malloc((n ? n : 1) * sizeof *by);
    struct mmf__object **o = malloc((n ? n : 1) * sizeof *o);
    if (!by || !o) {
        free(by), free(o);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        by[i] = &hs[i];
    qsort(by, n, sizeof *by, by_object);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || o[k - 1] != by[i]->obj)
            o[k++] = by[i]->obj;
        idx[by[i] - hs] = (uint32_t)(k - 1);
    }
    free(by);
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
    struct handoff_handle *e = malloc((n ? n : 1) * sizeof *e);
    if (!e)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        e[i] = (struct handoff_handle){(uint64_t)(uintptr_t)hs[i].value, hs[i].access,
                                       hs[i].flags, idx[i], 0};
    int st = write_all(h->fd, &hdr, sizeof hdr);
    if (st == 0)
        st = write_all(h->fd, h->objs, h->nobj * sizeof *h->objs);
    if (st == 0)
        st = write_all(h->fd, e, n * sizeof *e);
    if (st == 0)
        st = write_all(h->fd, extra, extra_len);
    free(e);
    return st;
}

int mmf__handoff_make(const struct mmf__held *hs, size_t n, const uint64_t std[3],
                      const void *extra, size_t extra_len, struct mmf__handoff *h)
{
    struct mmf__object **objs = NULL;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    *h = (struct mmf__handoff){.fd = -1};
    size_t nobj = 0;
    int st = idx ? index_objects(hs, n, idx, &objs, &nobj) : -ENOMEM;
    if (st == 0 && sizeof(struct handoff_hdr) + nobj * sizeof *h->objs +
                           n * sizeof(struct handoff_handle) + extra_len > HANDOFF_MAX)
        st = MMF__W(ERROR_NOT_ENOUGH_MEMORY); /* more than a child would read */
    /* Two descriptors an entry at most; a lease table's entries share one. */
    if (st == 0 && (!(h->objs = calloc(nobj ? nobj : 1, sizeof *h->objs)) ||
                    !(h->fds = malloc((2 * nobj + 1) * sizeof *h->fds))))
        st = -ENOMEM;
    /* h->fds lists what was made, which mmf__handoff_close closes on failure. */
    for (; st == 0 && h->nobj < nobj; h->nobj++)
        if ((st = export_object(h, objs[h->nobj], &h->objs[h->nobj])) < 0)
            break;
    if (st == 0)
        st = share_tables(h);
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

/* A descriptor the entries name, and where: entry * 2 + which of its two. */
struct use {
    int fd;
    uint32_t at;
};

static int by_use(const void *a, const void *b)
{
    const struct use *x = a, *y = b;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

/* Checks the descriptors the entries name, each once: numbered 3 or above and open (then
 * made close-on-exec). Each is taken over by the one entry that names it, but a lease
 * table's, which the entries of its table share (in_table) and which is kept in tables[]
 * until they are all built. A descriptor named otherwise is no entry's. */
static int check_descriptors(struct mmf__xfer *xs, size_t nobj, int **tables, size_t *ntables)
{
    struct use *u = malloc((2 * nobj + 1) * sizeof *u);
    size_t n = 0, k = 0;
    *tables = malloc((nobj + 1) * sizeof **tables);
    if (!u || !*tables) {
        free(u);
        return -ENOMEM;
    }
    for (size_t i = 0; i < nobj; i++)
        for (uint32_t j = 0; j < 2; j++)
            if (xs[i].fd[j] >= 0)
                u[n++] = (struct use){xs[i].fd[j], (uint32_t)i * 2 + j};
    qsort(u, n, sizeof *u, by_use);
    for (size_t a = 0, b; a < n; a = b) {
        bool shared = true;
        for (b = a; b < n && u[b].fd == u[a].fd; b++)
            shared = shared && u[b].at % 2 == 0 && in_table(&xs[u[b].at / 2]);
        bool ok = (b - a == 1 || shared) && u[a].fd >= 3 &&
                  mmf__sys.fcntl(u[a].fd, F_SETFD, FD_CLOEXEC) == 0;
        for (size_t c = a; c < b && !ok; c++)
            xs[u[c].at / 2].fd[u[c].at % 2] = -1;
        if (ok && shared)
            (*tables)[k++] = u[a].fd;
    }
    free(u);
    *ntables = k;
    return 0;
}

int mmf__xfer_import(struct mmf__xfer *x, bool named, bool keep_table, struct mmf__object **out)
{
    const struct mmf__type *type = mmf__type_of(x->kind);
    if (x->fd[0] < 0 || !type || (!named && !type->import_obj) ||
        !memchr(x->fname, 0, sizeof x->fname)) {
        if (keep_table)
            x->fd[0] = -1;
        close_xfer(x);
        return MMF__W(ERROR_FILE_CORRUPT);
    }
    return named ? mmf__ns_import(type, x, keep_table, out) : type->import_obj(type, x, out);
}

/* Builds one object; NULL when its entry is unusable (its descriptors then closed). A
 * lease table's object leaves the table's descriptor, which its table's entries share, to
 * mmf__handoff_read. */
static struct mmf__object *import_object(struct mmf__xfer *x)
{
    struct mmf__object *obj;
    return mmf__xfer_import(x, x->fname[0] != 0, in_table(x), &obj) < 0 ? NULL : obj;
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
    struct mmf__xfer *xs = malloc(((size_t)hdr.nobj + 1) * sizeof *xs);
    struct mmf__held *hs = calloc(hdr.nhandle + 1, sizeof *hs);
    void *ex = malloc(hdr.extra_len + 1);
    int *tables = NULL;
    size_t k = 0, ntables = 0;
    if (xs)
        memcpy(xs, buf + objs_at, hdr.nobj * sizeof *xs);
    if (!objs || !xs || !hs || !ex || check_descriptors(xs, hdr.nobj, &tables, &ntables) < 0) {
        free(objs), free(xs), free(hs), free(ex), free(buf), free(tables);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < hdr.nobj; i++)
        objs[i] = import_object(&xs[i]);
    for (size_t i = 0; i < ntables; i++) /* each object holds its lease now */
        mmf__sys.close(tables[i]);
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
    free(objs), free(xs), free(buf), free(tables);
    *out = hs;
    *n = k;
    *extra = ex;
    *extra_len = hdr.extra_len;
    return 0;
}
