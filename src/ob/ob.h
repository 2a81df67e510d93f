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
    /* Named kinds: whether an object keeps state in its header's shared mapping (state
     * words, a commit map); NULL: always. */
    bool (*shares_header)(const struct mmf__objhdr *hdr);
    /* Named kinds with state words, for mmf_list: the words, decoded. */
    void (*describe)(const uint32_t *words, struct mmf_object_info *info);
    /* Waitable kinds: how a wait takes and gives back the object (its struct begins with
     * struct mmf__sync). NULL: not waitable. */
    const struct mmf__wait_ops *wait;
};

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
/* For short operations: the object without a reference, valid until unpinned (a close of
 * the handle waits for it). Never sleep while pinned. */
int mmf__handle_pin(HANDLE h, struct mmf__object **out, DWORD *access, void **pin);
void mmf__handle_unpin(void *pin);

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
#define MMF__OBJ_VERSION 3u
#define MMF__SYNC_WORDS 16
struct mmf__objhdr {
    uint32_t magic;
    uint32_t version;
    uint32_t kind;        /* enum mmf__kind */
    uint32_t header_len;  /* bytes of header (page multiple): the SEC_RESERVE map follows */
    uint64_t data_offset; /* page multiple: where a paging-file section's bytes start */
    uint64_t size;        /* section size in bytes */
    uint64_t created_ns;  /* CLOCK_REALTIME at creation */
    uint64_t file_dev, file_ino;
    uint32_t protect, attrs;
    uint32_t creator_pid;
    uint32_t name_units;  /* UTF-16 units of the name, stored after this header */
    uint32_t path_len;    /* file-backed: bytes of the file's path, stored after the name */
    uint32_t sync[MMF__SYNC_WORDS]; /* state words of events, mutexes, semaphores */
};
struct mmf__nsobj {
    struct mmf__nsobj *next;  /* the process's list of held names */
    struct mmf__nsobj *next_mapped; /* the list of shared header mappings, while mapped */
    struct mmf__object *obj;  /* the typed object this name belongs to */
    enum mmf__scope scope;
    int fd;                   /* the object file; its OFD holds the lease (a shared flock) */
    bool writable;
    unsigned handles;         /* handles in this process; the lease is held while > 0 */
    struct mmf__objhdr info;  /* private copy of the header, validated once at open */
    uint64_t file_size;       /* of the object file, when it was opened */
    uid_t owner;              /* the object file's owner: its creator */
    mode_t mode;              /* the object file's permission bits */
    char *tail;               /* the header's name (UTF-16) and path, as stored, malloc'd */
    char *path;               /* file-backed sections: the file's path, in tail */
    struct mmf__objhdr *hdr;  /* shared mapping of [0, info.data_offset): state words and
                                 the SEC_RESERVE map live here; never trusted for layout.
                                 NULL for sections without SEC_RESERVE (nothing to share) */
    char fname[256];
};
/* What a Create asks of a new name. Layout of the object: header bytes (for the name and
 * path), extra bytes before the data (the SEC_RESERVE map), and data bytes from
 * hdr->data_offset. init() fills the kind's fields in the header of the not yet published
 * file and, when it has extra or data bytes, sizes the file (writing the header covers
 * the header's own bytes). ctx goes to init and to the type's build_named. */
struct mmf__ns_new {
    mode_t mode;
    size_t extra_len;
    const char *path; /* file-backed sections: the file, recorded in the header */
    int (*init)(int fd, struct mmf__objhdr *hdr, void *ctx);
    void *ctx;
};
/* Finds or creates the object of `type` named `name`. On success *out is referenced and
 * one handle is counted on its name: the caller makes the handle with mmf__handle_new,
 * which gives both back if it cannot. A name of another type: ERROR_INVALID_HANDLE. */
int mmf__ns_create(const struct mmf__name *name, const struct mmf__type *type,
                   const struct mmf__ns_new *nw, struct mmf__object **out, bool *existed);
int mmf__ns_open(const struct mmf__name *name, const struct mmf__type *type, bool want_write,
                 struct mmf__object **out);
/* One more handle on a held name (DuplicateHandle); fails if its last one went. */
int mmf__ns_hold(struct mmf__nsobj *ns);
void mmf__ns_handle_closed(struct mmf__nsobj *ns);
/* For a fault past the end of an object file that someone cut short (a 0666 file's other
 * writers may truncate it): grows the file back to the size it was opened with, or, for a
 * holder that may not write it, maps a private zero page with `prot` at `page`. True if the
 * access may run again. Async-signal-safe: fault handlers call it. */
bool mmf__ns_repair(const struct mmf__nsobj *ns, void *page, int prot);
void mmf__ns_free(struct mmf__nsobj *ns);
/* For listing and reclaiming (admin/list.c): the namespace root, a namespace directory
 * (checked as on every use: owner, mode, no links), and a header read from a file, checked
 * for layout; *tail gets the name (UTF-16) and the path, NUL-terminated, malloc'd. */
const char *mmf__ns_root(void);
int mmf__ns_open_dir(enum mmf__scope scope, uid_t uid, bool create, int *out);
int mmf__ns_read_info(int fd, uint64_t file_size, struct mmf__objhdr *info, char **tail);
/* The lease on an object file: flock(op | LOCK_NB); 0 or negative errno (-EWOULDBLOCK:
 * held otherwise). LOCK_SH is a holder's; LOCK_EX succeeds only with no other holder. */
int mmf__ns_lease(int fd, int op);
/* Removes the name of a stale object (one this process holds the exclusive lease on): 1 if
 * removed, 0 if the name no longer leads to fd, or negative: ERROR_REVISION_MISMATCH for an
 * object of another format version (held by its version's rules, which this one cannot
 * judge: never taken for stale), or why the name cannot be removed. */
int mmf__ns_reclaim(int dirfd, const char *fname, int fd);

#endif
