/* ob: the object manager — object types, reference-counted objects, the handle table,
 * names and the daemonless namespace, security descriptors. Every kind of object (a
 * file, a section, an event…) is one row of the type table: struct mmf__type, defined in
 * the kind's own file; ob's generic paths (handles, Open*, DuplicateHandle, the name's
 * lifetime) ask the row and know no kind. docs/design.md tells what keeps an object
 * alive. */
#ifndef MMF_OB_H
#define MMF_OB_H

#include <mmf/mmf.h>

#include "base/base.h"

/* A kind's id. Named kinds' values are stored in object headers (docs/namespace.md) and
 * equal mmf.h's enum mmf_type: they never change. */
enum mmf__kind {
    MMF__KIND_FILE = 1,
    MMF__KIND_SECTION = 2,
    MMF__KIND_EVENT = 3,
    MMF__KIND_MUTEX = 4,
    MMF__KIND_SEMAPHORE = 5,
    MMF__KIND_THREAD = 6,
    MMF__KIND_PROCESS = 7,
    MMF__KIND_COUNT
};

/* What GENERIC_READ/WRITE/EXECUTE/ALL mean for one kind (Windows' GENERIC_MAPPING). */
struct mmf__generic_mapping {
    DWORD read, write, execute, all;
};

struct mmf__object;
struct mmf__nsobj;
struct mmf__objhdr;
struct mmf__wait_ops; /* sync/sync.h */

/* What crosses into another process for one object (inheritance, DuplicateHandle): the
 * descriptors it is made of (-1: none) and the kind's values. As a kind exports it, the
 * descriptors are the object's own (borrowed); mmf__xfer_own makes them the other side's.
 * A named object is its name's file (fname, in the namespace of scope v[0]) with a lease
 * of its own, and its data file; an unnamed one is what its kind says. */
struct mmf__xfer {
    uint32_t kind;
    int32_t fd[2];
    uint64_t v[4];
    char fname[256];
};

/* One kind of object: what is specific to it, for the generic paths. */
struct mmf__type {
    const char *name;    /* NT's name for the type: "Section", "Event"… */
    enum mmf__kind kind;
    struct mmf__generic_mapping generic;
    DWORD valid;         /* the rights the kind has (its ..._ALL_ACCESS); the standard
                            rights are valid for every kind */
    /* The last reference went: free it. */
    void (*destroy)(struct mmf__object *obj);
    /* Named kinds: builds the typed object (of this type, the first argument) for a name
     * found or created in the namespace (sets ns->obj, holding one reference, and
     * obj->ns = ns). ctx is the creator's request when this process made the object,
     * NULL when it opened it. */
    int (*build_named)(const struct mmf__type *type, struct mmf__nsobj *ns, void *ctx);
    /* The state change SignalObjectAndWait makes, by kind (SetEvent, ReleaseMutex,
     * ReleaseSemaphore by one), checked against the handle's access; NULL: none. */
    int (*signal)(struct mmf__object *obj, DWORD access);
    /* Named kinds with state words, for mmf_list: the words, decoded. */
    void (*describe)(const uint32_t *words, struct mmf_object_info *info);
    /* Waitable kinds: how a wait takes and gives back the object (its struct begins with
     * struct mmf__sync). NULL: not waitable. */
    const struct mmf__wait_ops *wait;
    /* Unnamed objects that can cross into another process: fills x (not kind) with the
     * object's own descriptors (borrowed: the caller copies them for the other side) and
     * values, and builds the object there from it. import takes the descriptors over,
     * closing them if it fails. NULL: the kind cannot cross (ERROR_NOT_SUPPORTED). Named
     * objects cross by their name's file, whatever their kind (namespace.c). A process's
     * export is its pidfd and v[0] its pid: DuplicateHandle reaches the process by it. */
    int (*export_obj)(struct mmf__object *obj, struct mmf__xfer *x);
    int (*import_obj)(const struct mmf__type *type, struct mmf__xfer *x,
                      struct mmf__object **out);
    /* Kinds whose object another process's import must find alive: a count of it travels
     * with an export made the other side's (mmf__xfer_own), for an import that comes
     * after the object is gone here. NULL: the descriptors keep it. */
    void (*lend)(struct mmf__object *obj, struct mmf__xfer *x);
    /* Kinds with a pseudo-handle (GetCurrentProcess): an object of its own for what it
     * stands for, which DuplicateHandle makes a real handle of. NULL: none. */
    int (*open_current)(struct mmf__object **out);
};

/* Each kind's file lists its row with MMF__TYPE_ROW(row): the rows make one table, by
 * kind id, that only the generic paths read (a linker set, so that a static program has
 * the rows of the kinds it links and the table needs no edit for a new kind). */
#define MMF__TYPE_ROW(row)                                                                 \
    __attribute__((section("mmf__types"), used)) static const struct mmf__type *const      \
        row##_row = &row
/* The type of a kind id (as stored in object headers and handoffs), or NULL. */
const struct mmf__type *mmf__type_of(uint32_t kind);

struct mmf__object {
    const struct mmf__type *type;
    atomic_int refs;
    struct mmf__nsobj *ns; /* named objects: their name, held while handles exist */
};

/* object.c */
void mmf__object_init(struct mmf__object *obj, const struct mmf__type *type);
void mmf__ref(struct mmf__object *obj);
void mmf__unref(struct mmf__object *obj);
/* The specific rights an access mask stands for in a kind: generic rights mapped,
 * MAXIMUM_ALLOWED as all the kind's rights (the caller may have them all). */
DWORD mmf__access_map(const struct mmf__type *type, DWORD access);
/* The same for an access asked of an Open function, refused as Windows refuses it:
 * rights the kind does not have (ERROR_ACCESS_DENIED), ACCESS_SYSTEM_SECURITY (no
 * privilege to hold: ERROR_PRIVILEGE_NOT_HELD). */
int mmf__access_check(const struct mmf__type *type, DWORD access, DWORD *granted);

/* handle.c: the process handle table: MMF__HANDLE_SLOTS values at most, those of slots
 * from MMF__HANDLE_REMOTE up given out by other processes only (remote.c). */
#define MMF__HANDLE_SLOTS (1u << 22)
#define MMF__HANDLE_REMOTE (1u << 21)
/* Places a handle at a value another process gave it (inheritance, DuplicateHandle): fails
 * if the value is in use or out of range, giving nothing back. */
int mmf__handle_put(HANDLE value, struct mmf__object *obj, DWORD access, DWORD flags);
/* handle.c: the process handle table. Each handle holds one reference to its object, its
 * granted access and its attributes (HANDLE_FLAG_*). */
#define MMF__CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)
#define MMF__CURRENT_THREAD ((HANDLE)(LONG_PTR)-2)
bool mmf__is_pseudo_handle(HANDLE h);
/* Stores obj in a new handle, which takes over the caller's reference and, for a named
 * object, the handle counted on its name; if no handle can be made, both are given back
 * (mmf__handle_drop). */
int mmf__handle_new(struct mmf__object *obj, DWORD access, DWORD flags, HANDLE *out);
/* Gives back what a handle holds: its reference, and a named object's counted handle (the
 * name goes with the last one). */
void mmf__handle_drop(struct mmf__object *obj);
/* Looks up a handle of the given kind (ERROR_INVALID_HANDLE for another); returns a new
 * reference and the granted access. */
int mmf__handle_get(HANDLE h, const struct mmf__type *type, struct mmf__object **out,
                    DWORD *access);
int mmf__handle_get_any(HANDLE h, struct mmf__object **out, DWORD *access);
/* The same, for a handle granted one of the rights in need (0: any), else
 * ERROR_ACCESS_DENIED. */
int mmf__handle_get_for(HANDLE h, const struct mmf__type *type, DWORD need,
                        struct mmf__object **out);
/* For short operations: the object without a reference, valid until unpinned (a close of
 * the handle waits for it). Never sleep while pinned. */
int mmf__handle_pin(HANDLE h, struct mmf__object **out, DWORD *access, void **pin);
void mmf__handle_unpin(void *pin);
/* Makes the state change of its kind's row (signal) on the object a handle refers to:
 * SignalObjectAndWait's signal, or with only = MMF__KIND_EVENT the I/O manager's setting
 * of an OVERLAPPED's event. ERROR_INVALID_HANDLE for a kind that has none, or not `only`
 * (0: any). */
int mmf__handle_signal(HANDLE h, enum mmf__kind only);

/* A handle as it crosses into another process: its value there, object, access, attributes. */
struct mmf__held {
    HANDLE value;
    struct mmf__object *obj;
    DWORD access, flags;
};
/* The handoff to a child (xfer.c): a memfd, and the descriptors made for the child (in
 * objs), all close-on-exec and numbered 3 or above, each to be kept by the child. */
struct mmf__handoff {
    int fd;
    struct mmf__xfer *objs;
    size_t nobj;
    int *fds;       /* every descriptor the entries name, once: the child inherits them */
    size_t nfds;
};
/* The handoff for a new child: every inheritable handle if `inherit` (each object
 * exported: ERROR_NOT_SUPPORTED for one that cannot cross), the child's standard handles
 * (kept only where inherited), and extra bytes for the child (its command line). */
int mmf__handoff_for_child(bool inherit, const HANDLE std[3], const void *extra,
                           size_t extra_len, struct mmf__handoff *h);
/* Closes the parent's copies of everything in a handoff. */
void mmf__handoff_close(struct mmf__handoff *h);
/* What this process was handed at its start (none: extra NULL, std handles NULL). */
const void *mmf__inherited_extra(size_t *len);
HANDLE mmf__inherited_std(int which);

/* remote.c: handles between processes. This process's table: started at load from a
 * table its parent made for it (descriptors; -1: none) or a new one; published entries
 * (obj NULL: none), called with the handle table's lock; whether another process closed
 * slot i's handle (DUPLICATE_CLOSE_SOURCE); the values other processes reserved made
 * past i (an inherited one); the next handle that arrived on the inbox (false: none
 * left; obj NULL: one that was unusable), to be placed by the caller. */
void mmf__remote_start(int table_fd, int inbox_fd);
void mmf__remote_publish(size_t i, struct mmf__object *obj, DWORD access);
bool mmf__remote_closed(size_t i);
void mmf__remote_reserve_past(size_t i);
bool mmf__remote_next(struct mmf__held *out);
/* One inbox message (n bytes) and the descriptors that came with it, as untrusted input:
 * the handle it carries (its object with a reference and counted handle), or negative.
 * Takes the descriptors over. */
int mmf__remote_parse(const void *buf, size_t n, int *fds, int nfds, struct mmf__held *out);
/* The message that gives obj to another process under `value` (MMF__REMOTE_MSG_MAX bytes
 * at most, *len) and the descriptors to send with it, the caller's to close. */
#define MMF__REMOTE_MSG_MAX 512
int mmf__remote_message(struct mmf__object *obj, DWORD access, DWORD flags, HANDLE value,
                        void *buf, size_t *len, int fds[2], int *nfds);
/* A table and inbox for a child about to be made (its process object keeps the table). */
int mmf__remote_table_for_child(int *table_fd, int *inbox_fd);
/* Through a process object (not this process: mmf__remote_is_self): the object of its
 * handle `value`, with a reference and a counted handle, and the handle's access (closing
 * it there if asked; out NULL: only closing it); or obj given a handle there (flags: its
 * attributes), its value. */
bool mmf__remote_is_self(struct mmf__object *proc);
int mmf__remote_get(struct mmf__object *proc, HANDLE value, bool close_source,
                    struct mmf__object **out, DWORD *access);
int mmf__remote_put(struct mmf__object *proc, struct mmf__object *obj, DWORD access,
                    DWORD flags, HANDLE *out);

/* security.c: what SECURITY_ATTRIBUTES ask of a new object: the file mode its security
 * descriptor stands for (NULL DACL: everyone), and the new handle's attributes. */
mode_t mmf__sa_mode(const SECURITY_ATTRIBUTES *sa);
DWORD mmf__sa_handle_flags(const SECURITY_ATTRIBUTES *sa);
/* The attributes an Open or DuplicateHandle call's bInheritHandle asks for. */
static inline DWORD mmf__inherit_flags(BOOL inherit)
{
    return inherit ? HANDLE_FLAG_INHERIT : 0;
}

/* name.c: Windows' name rules and the file name an object is stored under. */
enum mmf__scope { MMF__SCOPE_LOCAL, MMF__SCOPE_GLOBAL };
struct mmf__name {
    enum mmf__scope scope;
    const WCHAR *text; /* without the Local\ or Global\ prefix */
    size_t units;
};
int mmf__name_parse(const WCHAR *name, size_t len, struct mmf__name *out);
int mmf__name_encode(const struct mmf__name *n, char *out, size_t cap);
int mmf__name_from_a(const char *name, WCHAR **out, size_t *units);
/* The same for a Create* name, where NULL and "" mean unnamed (*out NULL, *units 0). */
int mmf__name_from_a_optional(const char *name, WCHAR **out, size_t *units);

/* namespace.c: named objects as files with a versioned header; docs/namespace.md is the
 * format and the protocol, and the offsets below are asserted against it there. */
#define MMF__OBJ_MAGIC 0x4F464D4Du /* "MMFO" */
#define MMF__OBJ_VERSION 6u
#define MMF__SYNC_WORDS 16
struct mmf__objhdr {
    uint32_t magic;
    uint32_t version;
    uint32_t kind;        /* enum mmf__kind */
    uint32_t header_len;  /* bytes of header (page multiple) */
    uint64_t data_offset; /* page multiple, in the data file: a paging-file section's bytes */
    uint64_t size;        /* section size in bytes */
    uint64_t created_ns;  /* CLOCK_REALTIME at creation */
    uint64_t file_dev, file_ino;
    uint32_t protect, attrs;
    uint32_t creator_pid;
    uint32_t name_units;  /* UTF-16 units of the name, stored after this header */
    uint32_t path_len;    /* file-backed: bytes of the file's path, stored after the name */
    uint32_t removed;     /* 0; set before the name goes, by whoever removes it */
    uint64_t shared_offset; /* page multiple, in the data file */
    uint64_t shared_len;  /* page multiple: the state words or the SEC_RESERVE map */
    uint64_t data_len;    /* page multiple */
    uint64_t data_ino;    /* 0: the data file is this file; else "<name>%data", this inode */
    uint64_t table;       /* 0: the lease is on this file; else the id of its lease table */
    uint32_t slot;        /* in that table: the lease's byte and the state words' slot */
    uint32_t reserved;    /* 0 */
};
struct mmf__nsobj {
    struct mmf__nsobj *next;  /* the next held name in its bucket */
    struct mmf__nsobj *next_mapped, *prev_mapped; /* the list of shared mappings, while mapped */
    struct mmf__object *obj;  /* the typed object this name belongs to */
    enum mmf__scope scope;
    int fd;                   /* the object file; its OFD holds the lease (a shared flock);
                                 -1 for an object of a lease table, once opened */
    int data_fd;              /* the data file: fd itself, or the object's "%data" file */
    bool writable;            /* the data file is */
    unsigned handles;         /* handles in this process; the lease is held while > 0 */
    bool left_to_others;      /* when the last handle closed, other processes held it */
    struct mmf__objhdr info;  /* private copy of the header, validated once at open */
    uint64_t file_size;       /* of the object file, when it was opened (not made) */
    struct timespec ctime;    /* its status change time then (made: none) */
    uint64_t data_size;       /* what the data file must hold: the end of its last region */
    uid_t owner;              /* the object file's owner: its creator */
    mode_t mode;              /* the object file's permission bits */
    char *tail;               /* the header's name (UTF-16) and path, as stored, malloc'd */
    char *path;               /* file-backed sections: the file's path, in tail */
    const void *head;         /* the object file's first page, mapped read-only once the
                                 name is kept (its header); NULL: not mapped */
    void *shared;             /* shared mapping of the data file's shared region (state
                                 words, the SEC_RESERVE map); NULL when it has none */
    struct mmf__lt *table;    /* the object's lease table (NULL: none), and its slot there */
    uint32_t slot;
    bool leased;              /* this process holds the slot's lease */
    uint64_t shared_len;      /* bytes at shared */
    dev_t dev;                /* the object file's */
    ino_t ino;
    char fname[256];
};
/* What a Create asks of a new name: the data file's two regions, a shared one (mapped by
 * every holder: state words, the SEC_RESERVE map) and the data (a paging-file section's
 * bytes), both rounded up to pages, and their permission bits. The shared region starts
 * as shared_init (shared_len bytes) or zeros. init(), if any, fills the kind's fields in
 * the header of the not yet published object, where the regions' offsets are set, and
 * may size and reserve the data region of the data file it is given. ctx goes to init and
 * to the type's build_named. */
struct mmf__ns_new {
    mode_t mode;
    uint64_t shared_len;
    const void *shared_init;
    uint64_t data_len;
    const char *path; /* file-backed sections: the file, recorded in the header */
    int (*init)(int data_fd, struct mmf__objhdr *hdr, void *ctx);
    void *ctx;
    /* The kind opens the data file again when it needs it (mmf__ns_reopen_data), so that
     * the object may be made in a lease table and held without a descriptor. */
    bool reopens;
};
/* xfer.c: an object crossing. borrow: what a handle on obj exports (the file name of a
 * named one only if with_name); ERROR_NOT_SUPPORTED for a kind that cannot cross. own:
 * the borrowed descriptors replaced by copies for the other side (a named object's file
 * with a lease of its own) and what the kind lends, or none on failure. import: the object
 * from an export the caller owns (taken over, closed on failure; a named one's lease
 * table descriptor kept with keep_table, as mmf__ns_import), a named one's file name its
 * header's if x->fname is empty; the reference and counted handle of mmf__ns_create's. */
int mmf__xfer_borrow(struct mmf__object *obj, struct mmf__xfer *x, bool with_name);
int mmf__xfer_own(struct mmf__object *obj, struct mmf__xfer *x);
int mmf__xfer_import(struct mmf__xfer *x, bool named, bool keep_table, struct mmf__object **out);
/* The handoff's format. make: from the handles, the parent's side; read: the
 * child's, objects built and one reference per handle returned (malloc'd list). */
int mmf__handoff_make(const struct mmf__held *hs, size_t n, const uint64_t std[3],
                      const void *extra, size_t extra_len, struct mmf__handoff *h);
int mmf__handoff_read(int fd, struct mmf__held **out, size_t *n, uint64_t std[3],
                      void **extra, size_t *extra_len);

/* Finds or creates the object of `type` named `name`. On success *out is referenced and
 * one handle is counted on its name: the caller makes the handle with mmf__handle_new,
 * which gives both back if it cannot. A name of another type: ERROR_INVALID_HANDLE. */
int mmf__ns_create(const struct mmf__name *name, const struct mmf__type *type,
                   const struct mmf__ns_new *nw, struct mmf__object **out, bool *existed);
int mmf__ns_open(const struct mmf__name *name, const struct mmf__type *type, bool want_write,
                 struct mmf__object **out);
/* A held name for another process: what its handles export (mmf__xfer: the object file's
 * and the data file's descriptors, borrowed, and the scope; not the file name). */
void mmf__ns_export(const struct mmf__nsobj *ns, struct mmf__xfer *x);
/* For another process, from a descriptor of an object file: a description of its own,
 * holding a lease of its own (close-on-exec, 3 or above), or negative. */
int mmf__ns_lease_copy(int fd, const uint64_t v[4]);
/* The other side: the object `type` from an export made its own (mmf__xfer_own), checked
 * as an opened one is, held with one handle; takes the descriptors over (closed on
 * failure), but with keep_table a lease table's (x->v[1] set), which stays the caller's:
 * a handoff's entries of one table share it. */
int mmf__ns_import(const struct mmf__type *type, struct mmf__xfer *x, bool keep_table,
                   struct mmf__object **out);
/* One more handle on a held name (DuplicateHandle); fails if its last one went. */
int mmf__ns_hold(struct mmf__nsobj *ns);
void mmf__ns_handle_closed(struct mmf__nsobj *ns);
/* For a fault past the end of a data file that someone cut short (a 0666 data file's
 * other writers may truncate it): grows the file (open as fd) back to the size its header
 * gives, or, for a holder that may not write it (or has no descriptor of it), maps a
 * private zero page with `prot` at `page`. True if the access may run again.
 * Async-signal-safe: fault handlers call it. */
bool mmf__ns_repair(const struct mmf__nsobj *ns, int fd, void *page, int prot);
/* A new descriptor of the data file of a held object of a lease table (which keeps none
 * open: ns->data_fd is -1), checked to be the one it was (grown back if cut), or
 * ERROR_FILE_NOT_FOUND once its name was removed by force. */
int mmf__ns_reopen_data(const struct mmf__nsobj *ns);
void mmf__ns_free(struct mmf__nsobj *ns);
/* Whether some process holds the object open as fd at fname (a lease on its file, or in
 * its lease table): 1, 0, or negative. */
int mmf__ns_live(int dirfd, int fd);
/* For listing: the inode of the lease table the object open as fd has its lease in, and
 * its slot; 0 for an object whose lease is on its own file (or none found). */
int mmf__ns_lease_place(int dirfd, int fd, ino_t *table_ino, uint32_t *slot);
/* For listing and reclaiming (admin/list.c): the namespace root, a namespace directory
 * (checked as on every use: owner, mode, no links), and a header read from a file, checked
 * for layout; *tail gets the name (UTF-16) and the path, NUL-terminated, malloc'd. */
const char *mmf__ns_root(void);
int mmf__ns_open_dir(enum mmf__scope scope, uid_t uid, bool create, int *out);
/* The directory `name` in the root, as a namespace directory of scope for uid: made if
 * absent and create, then checked; ERROR_ACCESS_DENIED if it is not uid's (or root's, for
 * Global\). */
int mmf__ns_dir_at(const char *name, enum mmf__scope scope, uid_t uid, bool create, int *out);
/* The calling ordinary user's Local\ directory: mmf-<uid>, or where the user's record
 * says its processes went when another user took that name (nsrecord.c). */
int mmf__ns_own_local(bool create, int *out);
/* A record's text (n bytes) for `root` and uid: 0 with the directory it names in
 * name; 1 if it is no record (empty, cut short, for another root or user: to be
 * rewritten); ERROR_REVISION_MISMATCH if another format version wrote it. */
#define MMF__NS_RECORD_NAME 48
int mmf__ns_record_parse(const char *text, size_t n, const char *root, uid_t uid,
                         char name[MMF__NS_RECORD_NAME]);
/* Whether a root entry is some user's Local\ directory: its uid, or -1. */
long mmf__ns_local_owner(const char *entry);
int mmf__ns_read_info(int fd, uint64_t file_size, struct mmf__objhdr *info, char **tail);
/* The data file of the object open as fd at fname in dirfd (h: its header, read by
 * mmf__ns_read_info), opened read-only: fd itself, or a new descriptor of its %data file
 * (checked to be the one the header names) or of its lease table, or negative. */
int mmf__ns_open_data(int dirfd, const char *fname, int fd, const struct mmf__objhdr *h);
/* Forces the name fname out of dirfd, held or not (mmf_remove), with its data file; a
 * data file left without its object (by a removal killed halfway) goes too. */
int mmf__ns_remove(int dirfd, const char *fname);
/* Whether a directory entry is an object's data file, which belongs to the object file
 * of the same name without the suffix (listing and reclaiming go by that one). */
bool mmf__ns_is_data_name(const char *fname);
/* The lease on an object file: flock(op | LOCK_NB); 0 or negative errno (-EWOULDBLOCK:
 * held otherwise). LOCK_SH is a holder's; LOCK_EX succeeds only with no other holder. */
int mmf__ns_lease(int fd, int op);
/* Removes the name of a stale object (one this process holds the exclusive lease on), and
 * its data file (*data_bytes, if asked and it had one: the data file's allocated bytes):
 * 1 if removed, 0 if the name no longer leads to fd, or negative: ERROR_REVISION_MISMATCH
 * for an object of another format version (held by its version's rules, which this one
 * cannot judge: never taken for stale), or why the name cannot be removed. */
int mmf__ns_reclaim(int dirfd, const char *fname, int fd, uint64_t *data_bytes);

/* lease.c: lease tables (docs/namespace.md, "Lease tables"): the leases and state words
 * of objects made while their creator held many, MMF__LT_SLOTS to a file of the namespace
 * directory. All under the namespace lock. */
#define MMF__LT_SLOTS 256u
#define MMF__LT_SLOT_BYTES (MMF__SYNC_WORDS * sizeof(uint32_t))
#define MMF__LT_BYTES (MMF__LT_SLOTS * MMF__LT_SLOT_BYTES)
#define MMF__LT_PREFIX "%table-" /* never an encoded name: escapes are upper-case hex */
#define MMF__LT_NAME 32
struct mmf__lt;
void mmf__lt_name(uint64_t id, char out[MMF__LT_NAME]);
bool mmf__lt_is_name(const char *fname);
/* An OFD lock (F_RDLCK, F_WRLCK, F_UNLCK) on len bytes from start, never waiting: 0 or
 * -EAGAIN (someone else's lock is in the way). */
int mmf__lt_lock_fd(int fd, uint32_t start, uint32_t len, short type);
int mmf__lt_lock(struct mmf__lt *t, uint32_t slot, short type);
uint64_t mmf__lt_id(const struct mmf__lt *t);
int mmf__lt_fd(const struct mmf__lt *t);
_Atomic uint32_t *mmf__lt_words(const struct mmf__lt *t, uint32_t slot);
/* A table this process made (fd: linked in, its creator's lock on byte MMF__LT_SLOTS
 * taken) becomes its own to give slots from. */
int mmf__lt_adopt_new(enum mmf__scope scope, uint64_t id, int fd, const struct stat *sb,
                      struct mmf__lt **out);
/* This process's table of scope and mode with a slot left to give, or NULL. */
struct mmf__lt *mmf__lt_current(enum mmf__scope scope, mode_t mode);
/* The next slot of such a table, its lease taken (held, and a use of the table). */
int mmf__lt_take_slot(struct mmf__lt *t, uint32_t *slot);
/* The table id in dirfd, owned by owner: a new descriptor of it (checked; the stat in
 * sb), or negative (-ENOENT: gone). */
int mmf__lt_open_fd(int dirfd, uint64_t id, uid_t owner, struct stat *sb);
/* The same as this process's table (one use more): -ENOENT when gone. */
int mmf__lt_find(int dirfd, enum mmf__scope scope, uint64_t id, uid_t owner,
                 struct mmf__lt **out);
/* Whether the table still has its name (one removed is dead: nobody held anything). */
bool mmf__lt_named(const struct mmf__lt *t);
/* A slot's lease counted as held, or given back (its lock let go already); whether this
 * process holds it (its lock is on this process's description: another lock there would
 * merge with it). */
void mmf__lt_hold(struct mmf__lt *t, uint32_t slot);
void mmf__lt_unhold(struct mmf__lt *t, uint32_t slot);
bool mmf__lt_holds(const struct mmf__lt *t, uint32_t slot);
/* One use fewer: with the last, the table is unmapped and closed, and removed if no
 * process holds anything in it any more (nor can: its creator gives no slot out). */
void mmf__lt_put(int dirfd, struct mmf__lt *t);
/* At exit: this process gives no more slots out of its tables (each removed if dead). */
void mmf__lt_retire_all(const int dirfds[2]);
/* A fault at addr in a table cut short: grown back (true), for the access to run again. */
bool mmf__lt_repair(uintptr_t addr);

#endif
