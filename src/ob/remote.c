/* Handles between processes: DuplicateHandle into and out of another process, without a
 * daemon (docs/processes.md).
 *
 * Every process publishes its handle table in a memfd ("mmf-handles", sealed against
 * shrinking): a header, and per handle slot an entry with what its object exports (the
 * descriptors this process holds for it, the kind's values) under a sequence word.
 * Another process reaches that memfd with pidfd_getfd, which Linux allows only where
 * ptrace is allowed (the same user, or root), or else through /proc/<pid>/fd:
 *  - out of a process: read the value's entry, copy the descriptors it names with
 *    pidfd_getfd, check that the sequence did not move (the descriptors were then still
 *    the handle's), and build the object as an inherited one is built;
 *  - into a process: reserve a value from the target's counter (the values from
 *    MMF__HANDLE_REMOTE up, which the target never hands out itself), connect to the
 *    target's inbox (an abstract unix socket named by a random token in its header, so
 *    that only who can read the header finds it) and send the object's descriptors with
 *    SCM_RIGHTS. The target claims what arrived the first time a lookup misses a value of
 *    that range. In flight, the descriptors keep the object alive, as a handle does.
 * A child made by CreateProcess gets its table and inbox from its parent, which keeps the
 * table with the child's process object: a suspended child, which has run nothing yet,
 * can be given handles. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ob/ob.h"

#define TABLE_MAGIC 0x54464D4Du /* "MMFT" */
#define TABLE_VERSION 1u
#define TABLE_NAME "mmf-handles"
#define ENTRY_CHUNK 1024u       /* entries mapped at a time */
#define NOT_SHAREABLE 0xFFFFu   /* entry kind: a handle whose object cannot cross */
#define SEQ_WRITING 1u          /* sequence bits: being written, */
#define SEQ_CLOSE 2u            /* and closed by another process (DUPLICATE_CLOSE_SOURCE) */
#define SEQ_STEP 4u
#define MSG_MAGIC 0x58464D4Du   /* "MMFX" */

struct table_hdr {
    uint32_t magic, version;
    uint32_t pid;               /* the process whose table it is (0: not yet known) */
    _Atomic uint32_t next_remote; /* values reserved by other processes so far */
    uint8_t token[16];          /* the inbox's name */
    _Atomic uint32_t closing;   /* entries closed by another process, or about to be: while
                                   0, a lookup need not look at its entry */
    uint32_t reserved;
};
struct entry {
    _Atomic uint32_t seq;
    uint32_t kind;              /* 0: no handle */
    uint32_t access;
    int32_t fd[2];              /* descriptors of the table's process */
    uint32_t named;             /* scope + 1 for a named object */
    uint64_t v[4];
    uint64_t pad;
};
/* One message on an inbox: a handle for the value its sender reserved. */
struct inbox_msg {
    uint32_t magic, version;
    uint64_t value;
    uint32_t access, flags;
    struct mmf__xfer x;         /* fd[i]: index in the message's descriptors, or -1 */
};

_Static_assert(sizeof(struct entry) == 64, "entries are 64 bytes");
_Static_assert(sizeof(struct inbox_msg) <= MMF__REMOTE_MSG_MAX, "message size");

#define CHUNK_BYTES (ENTRY_CHUNK * sizeof(struct entry))

/* This process's table: made at start (take over a parent's, or make one), under the
 * handle table's lock afterwards. */
static int table_fd = -1, inbox_fd = -1;
static struct table_hdr *table;
static _Atomic(struct entry *) entries[MMF__HANDLE_SLOTS / ENTRY_CHUNK]; /* read unlocked */

/* A copy of descriptor fd of process pid: the same description by pidfd_getfd (ptrace's
 * rule), else (no pidfds, or a ptrace scope that allows only reading) a description of its
 * own of the same file through /proc, which pidfds and sockets do not have. */
static int copy_fd(int pidfd, pid_t pid, int fd)
{
    int r = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0) : (errno = ENOSYS, -1);
    if (r < 0 && (errno == ENOSYS || errno == EPERM)) {
        char path[48];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
        r = mmf__sys.open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (r < 0 && (errno == EACCES || errno == EISDIR))
            r = mmf__sys.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (r < 0 && errno == ENXIO)
            return MMF__W(ERROR_NOT_SUPPORTED); /* a pidfd or a socket */
    }
    if (r < 0)
        return errno == EPERM || errno == EACCES ? MMF__W(ERROR_ACCESS_DENIED)
               : errno == ESRCH || errno == ENOENT ? MMF__W(ERROR_ACCESS_DENIED) /* ending */
                                                   : -errno;
    int high = mmf__dup_high(r);
    mmf__sys.close(r);
    return high;
}

static void inbox_name(const uint8_t token[16], struct sockaddr_un *a, socklen_t *len)
{
    static const char hex[] = "0123456789abcdef";
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    char *p = a->sun_path + 1; /* abstract */
    memcpy(p, "mmf-inbox-", 10);
    p += 10;
    for (int i = 0; i < 16; i++) {
        *p++ = hex[token[i] >> 4];
        *p++ = hex[token[i] & 15];
    }
    *len = (socklen_t)(p - (char *)a);
}

/* A new table and its inbox, for this process or a child to be. */
static int table_new(int *tfd, int *ifd)
{
    uint8_t token[16];
    struct sockaddr_un a;
    socklen_t alen;
    int fd = -1, s = -1, st = getrandom(token, sizeof token, 0) == sizeof token ? 0 : -errno;
    if (st == 0 && (fd = mmf__sys.memfd_create(TABLE_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
        st = -errno;
    if (st == 0 && (mmf__sys.ftruncate(fd, (off_t)mmf__page_size) < 0 ||
                    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL) < 0))
        st = -errno;
    struct table_hdr hdr = {TABLE_MAGIC, TABLE_VERSION, 0, 0, {0}, 0, 0};
    memcpy(hdr.token, token, sizeof token);
    if (st == 0 && mmf__sys.pwrite(fd, &hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
        st = -EIO;
    inbox_name(token, &a, &alen);
    if (st == 0 && (s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        st = -errno;
    if (st == 0 && (bind(s, (struct sockaddr *)&a, alen) < 0 || listen(s, SOMAXCONN) < 0))
        st = -errno;
    if (st == 0 && ((*tfd = mmf__dup_high(fd)) < 0 || (*ifd = mmf__dup_high(s)) < 0)) {
        st = *tfd < 0 ? *tfd : *ifd;
        if (*tfd >= 0)
            mmf__sys.close(*tfd);
    }
    if (fd >= 0)
        mmf__sys.close(fd);
    if (s >= 0)
        mmf__sys.close(s);
    return st;
}

int mmf__remote_table_for_child(int *tfd, int *ifd)
{
    return table_new(tfd, ifd);
}

void mmf__remote_start(int tfd, int ifd)
{
    struct stat sb, si;
    if (tfd < 0 || ifd < 0 || mmf__sys.fstat(tfd, &sb) < 0 ||
        (uint64_t)sb.st_size < mmf__page_size || !(fcntl(tfd, F_GET_SEALS) & F_SEAL_SHRINK) ||
        mmf__sys.fstat(ifd, &si) < 0 ||
        !S_ISSOCK(si.st_mode)) {
        if (tfd >= 0)
            mmf__sys.close(tfd);
        if (ifd >= 0)
            mmf__sys.close(ifd);
        if (table_new(&tfd, &ifd) < 0)
            return; /* nothing can be duplicated into or out of this process */
    }
    void *p = mmf__sys.mmap(NULL, mmf__page_size, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
    if (p == MAP_FAILED) {
        mmf__sys.close(tfd);
        mmf__sys.close(ifd);
        return;
    }
    table = p;
    table->pid = (uint32_t)mmf__pid();
    table_fd = tfd;
    inbox_fd = ifd;
}

/* --- This process's side --------------------------------------------------------------- */

/* The entry of slot i; its chunk mapped, the table grown to hold it (sparse: the values
 * others give start at slot 2^21). NULL: it cannot be (the handle stays unpublished). */
static struct entry *entry_at(size_t i)
{
    static uint64_t table_size; /* what this process grew it to */
    size_t c = i / ENTRY_CHUNK;
    if (!table || c >= MMF__HANDLE_SLOTS / ENTRY_CHUNK)
        return NULL;
    struct entry *chunk = atomic_load_explicit(&entries[c], memory_order_relaxed);
    if (!chunk) {
        uint64_t at = mmf__page_size + c * CHUNK_BYTES;
        if (table_size < at + CHUNK_BYTES) {
            if (mmf__sys.ftruncate(table_fd, (off_t)(at + CHUNK_BYTES)) < 0)
                return NULL;
            table_size = at + CHUNK_BYTES;
        }
        void *p = mmf__sys.mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, table_fd,
                                (off_t)at);
        if (p == MAP_FAILED)
            return NULL;
        chunk = p;
        atomic_store_explicit(&entries[c], chunk, memory_order_release);
    }
    return &chunk[i % ENTRY_CHUNK];
}

/* Rewrites an entry under its sequence word: odd while written, then one step on. */
static void entry_write(struct entry *e, const struct entry *with)
{
    uint32_t seq = atomic_load_explicit(&e->seq, memory_order_relaxed) & ~(SEQ_WRITING | SEQ_CLOSE);
    /* acquire: the writes below stay after the mark */
    uint32_t was = atomic_exchange_explicit(&e->seq, seq | SEQ_WRITING, memory_order_acquire);
    if (was & SEQ_CLOSE) /* the close another process asked for is done */
        atomic_fetch_sub(&table->closing, 1);
    e->kind = with->kind;
    e->access = with->access;
    e->fd[0] = with->fd[0];
    e->fd[1] = with->fd[1];
    e->named = with->named;
    memcpy(e->v, with->v, sizeof e->v);
    atomic_store_explicit(&e->seq, seq + SEQ_STEP, memory_order_release);
}

void mmf__remote_publish(size_t i, struct mmf__object *obj, DWORD access)
{
    struct entry *e = entry_at(i), w = {.fd = {-1, -1}};
    struct mmf__xfer x;
    if (!e)
        return;
    if (obj) {
        w.kind = mmf__xfer_borrow(obj, &x, false) == 0 ? x.kind : NOT_SHAREABLE;
        w.access = access;
        if (w.kind != NOT_SHAREABLE) {
            memcpy(w.fd, x.fd, sizeof w.fd);
            memcpy(w.v, x.v, sizeof w.v);
            w.named = obj->ns ? (uint32_t)x.v[0] + 1 : 0;
        }
    }
    entry_write(e, &w);
}

bool mmf__remote_closed(size_t i)
{
    if (!table || !atomic_load_explicit(&table->closing, memory_order_relaxed))
        return false; /* the common case: one load of a line that is rarely written */
    size_t c = i / ENTRY_CHUNK;
    struct entry *chunk = c < MMF__HANDLE_SLOTS / ENTRY_CHUNK
                              ? atomic_load_explicit(&entries[c], memory_order_acquire)
                              : NULL;
    return chunk && (atomic_load_explicit(&chunk[i % ENTRY_CHUNK].seq, memory_order_relaxed) &
                     SEQ_CLOSE);
}

void mmf__remote_reserve_past(size_t i)
{
    if (table && i >= MMF__HANDLE_REMOTE) {
        uint32_t want = (uint32_t)(i - MMF__HANDLE_REMOTE + 1);
        uint32_t cur = atomic_load(&table->next_remote);
        while (cur < want && !atomic_compare_exchange_weak(&table->next_remote, &cur, want))
            ;
    }
}

int mmf__remote_parse(const void *buf, size_t n, int *fds, int nfds, struct mmf__held *out)
{
    struct inbox_msg m = {0};
    memcpy(&m, buf, n < sizeof m ? n : sizeof m);
    uintptr_t v = (uintptr_t)m.value;
    bool ok = n == sizeof m && nfds >= 0 && nfds <= 2 && m.magic == MSG_MAGIC &&
              m.version == TABLE_VERSION && v % 4 == 0 && v / 4 > MMF__HANDLE_REMOTE &&
              v / 4 <= MMF__HANDLE_SLOTS;
    for (int j = 0; j < 2; j++) { /* indices become this process's descriptors, once each */
        int k = ok ? m.x.fd[j] : -1;
        m.x.fd[j] = k >= 0 && k < nfds ? fds[k] : -1;
        if (k >= 0 && k < nfds)
            fds[k] = -1;
    }
    for (int j = 0; j < nfds && j < 2; j++)
        if (fds[j] >= 0)
            mmf__sys.close(fds[j]);
    if (!ok) {
        for (int j = 0; j < 2; j++)
            if (m.x.fd[j] >= 0)
                mmf__sys.close(m.x.fd[j]);
        return MMF__W(ERROR_FILE_CORRUPT);
    }
    *out = (struct mmf__held){(HANDLE)v, NULL, m.access, m.flags};
    return mmf__xfer_import(&m.x, m.x.fname[0] != 0, false, &out->obj);
}

/* One message off a connection: the handle it carries (obj NULL: none), from a sender of
 * this process's user (or root). */
static void claim_one(int conn, struct mmf__held *out)
{
    struct inbox_msg m;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl;
    struct iovec iov = {&m, sizeof m};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf};
    struct ucred cred;
    socklen_t clen = sizeof cred;
    int fds[2] = {-1, -1}, nfds = 0;
    /* A sender sends right after it connects: one met in between is waited for, briefly
     * (one killed there ends the connection). */
    struct pollfd pfd = {conn, POLLIN, 0};
    ssize_t n = recvmsg(conn, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EAGAIN && poll(&pfd, 1, 1000) == 1)
        n = recvmsg(conn, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        nfds = nfds > 2 ? 2 : nfds; /* the buffer holds two: the kernel closed the rest */
        memcpy(fds, CMSG_DATA(c), (size_t)nfds * sizeof(int));
    }
    bool ok = n > 0 && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
              getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 &&
              (cred.uid == geteuid() || cred.uid == 0);
    out->obj = NULL;
    if (mmf__remote_parse(&m, ok ? (size_t)n : 0, fds, nfds, out) < 0)
        out->obj = NULL;
}

bool mmf__remote_next(struct mmf__held *out)
{
    int conn = inbox_fd >= 0 ? accept4(inbox_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK) : -1;
    if (conn < 0)
        return false;
    claim_one(conn, out);
    mmf__sys.close(conn);
    return true;
}

/* --- The other process's side ---------------------------------------------------------- */

/* The table of process pid (pidfd): a descriptor of it, checked. */
static int find_table(int pidfd, pid_t pid, int known)
{
    char path[64], link[64];
    int fd = -1;
    if (known >= 0) {
        fd = mmf__dup_high(known);
    } else {
        snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
        DIR *d = opendir(path);
        if (!d) /* another user's (EACCES), or gone (ENOENT) */
            return MMF__W(ERROR_ACCESS_DENIED);
        for (struct dirent *de; fd < 0 && (de = readdir(d));) {
            ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof link - 1);
            if (n > 0 && (link[n] = 0, !strcmp(link, "/memfd:" TABLE_NAME " (deleted)")))
                fd = copy_fd(pidfd, pid, atoi(de->d_name));
        }
        closedir(d);
        if (fd == -1)
            return MMF__W(ERROR_NOT_SUPPORTED); /* not a process built with mmf */
    }
    if (fd < 0)
        return fd;
    struct stat sb;
    struct table_hdr h = {0};
    if (mmf__sys.fstat(fd, &sb) < 0 || (uint64_t)sb.st_size < mmf__page_size ||
        !(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK) ||
        mmf__sys.pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || h.magic != TABLE_MAGIC ||
        h.version != TABLE_VERSION || (h.pid && h.pid != (uint32_t)pid)) {
        mmf__sys.close(fd);
        bool other_version = h.magic == TABLE_MAGIC && h.version != TABLE_VERSION;
        return other_version ? MMF__W(ERROR_REVISION_MISMATCH) : MMF__W(ERROR_NOT_SUPPORTED);
    }
    return fd;
}

/* The page of another process's table that holds byte `at`, mapped; *p: that byte. */
static void *map_at(int fd, uint64_t at, void **p)
{
    uint64_t base = at & ~(uint64_t)(mmf__page_size - 1);
    void *m = mmf__sys.mmap(NULL, mmf__page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                            (off_t)base);
    if (m == MAP_FAILED)
        return NULL;
    *p = (char *)m + (at - base);
    return m;
}

/* A stable copy of an entry, and the sequence it was read under. */
static uint32_t read_entry(struct entry *e, struct entry *out)
{
    for (;;) {
        uint32_t s1 = atomic_load_explicit(&e->seq, memory_order_acquire);
        memcpy((char *)out + sizeof out->seq, (char *)e + sizeof e->seq,
               sizeof *e - sizeof e->seq);
        /* release: the reads above stay before this second look */
        uint32_t s2 = atomic_fetch_add_explicit(&e->seq, 0, memory_order_acq_rel);
        if (!(s1 & SEQ_WRITING) && s2 == s1)
            return s1;
        sched_yield();
    }
}

/* Asks the table's process to close the handle of entry e, read under seq: only that very
 * handle (compare-and-swap). The count goes up first, so that a lookup that finds the bit
 * has found the count. */
static bool ask_close(struct table_hdr *h, struct entry *e, uint32_t seq)
{
    atomic_fetch_add(&h->closing, 1);
    if (atomic_compare_exchange_strong(&e->seq, &seq, seq | SEQ_CLOSE))
        return true;
    atomic_fetch_sub(&h->closing, 1);
    return false;
}

/* The object behind handle `value` of another process, copied while its entry holds
 * still; closes the handle there if asked (out NULL: only that). */
static int pull(int pidfd, pid_t pid, int tfd, HANDLE value, bool close_source,
                struct mmf__object **out, DWORD *access)
{
    struct stat sb;
    uintptr_t v = (uintptr_t)value & ~(uintptr_t)3;
    uint64_t off = mmf__page_size + (v / 4 - 1) * sizeof(struct entry);
    /* The table only grows (sealed): an entry past its end was never written. */
    if (v == 0 || v / 4 > MMF__HANDLE_SLOTS || mmf__sys.fstat(tfd, &sb) < 0 ||
        (uint64_t)sb.st_size < off + sizeof(struct entry))
        return MMF__W(ERROR_INVALID_HANDLE);
    void *at, *hat, *m = map_at(tfd, off, &at), *hm = m ? map_at(tfd, 0, &hat) : NULL;
    if (!hm) {
        if (m)
            mmf__sys.munmap(m, mmf__page_size);
        return -errno;
    }
    struct entry *e = at, copy;
    struct mmf__xfer x;
    int st;
    for (;;) {
        uint32_t seq = read_entry(e, &copy);
        if (copy.kind == 0 || (seq & SEQ_CLOSE)) {
            st = MMF__W(ERROR_INVALID_HANDLE);
            break;
        }
        if (!out) { /* only closing it: whatever its kind */
            if (ask_close(hat, e, seq)) {
                st = 0;
                break;
            }
            continue;
        }
        if (copy.kind == NOT_SHAREABLE || copy.fd[0] < 0) {
            st = MMF__W(ERROR_NOT_SUPPORTED);
            break;
        }
        memset(&x, 0, sizeof x);
        x.kind = copy.kind;
        memcpy(x.v, copy.v, sizeof x.v);
        x.fd[0] = x.fd[1] = -1;
        st = 0;
        for (int j = 0; st == 0 && j < 2; j++)
            if (copy.fd[j] >= 0 && (x.fd[j] = copy_fd(pidfd, pid, copy.fd[j])) < 0)
                st = x.fd[j];
        /* Unmoved: the handle lived all along, so the descriptors were its object's. */
        bool moved = atomic_load(&e->seq) != seq;
        if (st == 0 && !moved && close_source)
            moved = !ask_close(hat, e, seq);
        if (st == 0 && !moved) {
            *access = copy.access;
            break;
        }
        for (int j = 0; j < 2; j++)
            if (x.fd[j] >= 0)
                mmf__sys.close(x.fd[j]);
        if (!moved) /* a copy failed while the handle lived */
            break;
    }
    mmf__sys.munmap(m, mmf__page_size);
    mmf__sys.munmap(hm, mmf__page_size);
    if (st < 0 || !out)
        return st;
    if (copy.named) { /* its own description and lease, as a child's; the file's name is
                         * its header's (x.fname empty) */
        int own = mmf__ns_lease_copy(x.fd[0], x.v);
        mmf__sys.close(x.fd[0]);
        x.fd[0] = own;
        x.v[0] = copy.named - 1;
        if (own < 0) {
            if (x.fd[1] >= 0)
                mmf__sys.close(x.fd[1]);
            return own;
        }
    }
    return mmf__xfer_import(&x, copy.named != 0, false, out);
}

int mmf__remote_message(struct mmf__object *obj, DWORD access, DWORD flags, HANDLE value,
                        void *buf, size_t *len, int fds[2], int *nfds)
{
    struct inbox_msg m = {MSG_MAGIC, TABLE_VERSION, (uint64_t)(uintptr_t)value, access, flags,
                          {0}};
    int st = mmf__xfer_borrow(obj, &m.x, true);
    if (st < 0 || (st = mmf__xfer_own(obj, &m.x)) < 0)
        return st;
    *nfds = 0;
    for (int j = 0; j < 2; j++)
        if (m.x.fd[j] >= 0) {
            fds[*nfds] = m.x.fd[j];
            m.x.fd[j] = (*nfds)++;
        }
    memcpy(buf, &m, sizeof m);
    *len = sizeof m;
    return 0;
}

/* Sends obj to another process's inbox, under the value reserved for it there. */
static int push(int tfd, struct mmf__object *obj, DWORD access, DWORD flags, HANDLE *out)
{
    void *at, *m = map_at(tfd, 0, &at);
    if (!m)
        return -errno;
    struct table_hdr *h = at;
    uint32_t k = atomic_fetch_add(&h->next_remote, 1);
    struct sockaddr_un a;
    socklen_t alen;
    inbox_name(h->token, &a, &alen);
    mmf__sys.munmap(m, mmf__page_size);
    if (k >= MMF__HANDLE_SLOTS - MMF__HANDLE_REMOTE)
        return MMF__W(ERROR_NO_SYSTEM_RESOURCES);
    struct inbox_msg msg;
    size_t len;
    int fds[2], nfds;
    HANDLE value = (HANDLE)(uintptr_t)(((uint64_t)MMF__HANDLE_REMOTE + k + 1) * 4);
    int st = mmf__remote_message(obj, access, flags, value, &msg, &len, fds, &nfds);
    if (st < 0)
        return st;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl = {0};
    struct iovec iov = {&msg, sizeof msg};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds) {
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    /* The inbox's name can be seen (/proc/net/unix), and taken by anyone once its process
     * is gone: the listener must be the table's owner's. */
    struct ucred cred;
    struct stat sb;
    socklen_t clen = sizeof cred;
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, alen) < 0)
        st = errno == EAGAIN ? MMF__W(ERROR_NO_SYSTEM_RESOURCES)
             : errno == ECONNREFUSED ? MMF__W(ERROR_ACCESS_DENIED) /* it ended */
                                     : -errno;
    else if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
             mmf__sys.fstat(tfd, &sb) < 0 || cred.uid != sb.st_uid)
        st = MMF__W(ERROR_ACCESS_DENIED);
    else if (sendmsg(s, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof msg)
        st = errno == EAGAIN ? MMF__W(ERROR_NO_SYSTEM_RESOURCES) : -errno;
    if (s >= 0)
        mmf__sys.close(s);
    for (int j = 0; j < nfds; j++)
        mmf__sys.close(fds[j]);
    if (st == 0)
        *out = (HANDLE)(uintptr_t)msg.value;
    return st;
}

/* What a process handle leads to: its pidfd (-1: none here), pid and whether it was seen
 * to end, and its table if this process made it (a child's). */
static int target_of(struct mmf__object *proc, struct mmf__xfer *x)
{
    int st = mmf__xfer_borrow(proc, x, false);
    if (st == 0 && x->v[1])
        st = MMF__W(ERROR_ACCESS_DENIED); /* it has ended: Windows' "process is terminating" */
    return st;
}

bool mmf__remote_is_self(struct mmf__object *proc)
{
    struct mmf__xfer x;
    return mmf__xfer_borrow(proc, &x, false) == 0 && x.v[0] == (uint64_t)mmf__pid();
}

int mmf__remote_get(struct mmf__object *proc, HANDLE value, bool close_source,
                    struct mmf__object **out, DWORD *access)
{
    struct mmf__xfer x;
    int st = target_of(proc, &x);
    int tfd = st < 0 ? st : find_table(x.fd[0], (pid_t)x.v[0], x.fd[1]);
    if (tfd < 0)
        return tfd;
    st = pull(x.fd[0], (pid_t)x.v[0], tfd, value, close_source, out, access);
    mmf__sys.close(tfd);
    return st;
}

int mmf__remote_put(struct mmf__object *proc, struct mmf__object *obj, DWORD access,
                    DWORD flags, HANDLE *out)
{
    struct mmf__xfer x;
    int st = target_of(proc, &x);
    int tfd = st < 0 ? st : find_table(x.fd[0], (pid_t)x.v[0], x.fd[1]);
    if (tfd < 0)
        return tfd;
    st = push(tfd, obj, access, flags, out);
    mmf__sys.close(tfd);
    return st;
}
