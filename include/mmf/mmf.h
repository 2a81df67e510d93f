/* mmf's own small C API, beside the Win32 one: what the `mmf` command is built on.
 * Functions return 0 or a Win32 error code (also left as the thread's last error). */
#ifndef MMF_MMF_H
#define MMF_MMF_H

#include <stdint.h>
#include <mmf/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

enum mmf_type {
    MMF_TYPE_SECTION = 2,
    MMF_TYPE_EVENT = 3,
    MMF_TYPE_MUTEX = 4,
    MMF_TYPE_SEMAPHORE = 5,
};

enum mmf_scope { MMF_SCOPE_LOCAL = 0, MMF_SCOPE_GLOBAL = 1 };

/* One live named object. Pointers are valid during the callback only. */
struct mmf_object_info {
    enum mmf_scope scope;
    enum mmf_type type;
    const char *name;        /* UTF-8, without the Local\ or Global\ prefix */
    uint32_t owner_uid;      /* who created it */
    uint32_t mode;           /* permission bits: 0600 owner only, 0666 everyone */
    uint32_t creator_pid;
    uint64_t created_ns;     /* creation time, ns since the epoch */
    uint64_t size;           /* sections: bytes */
    uint32_t protect;        /* sections: PAGE_* */
    uint32_t attributes;     /* sections: SEC_* */
    const char *file;        /* file-backed sections: the file; NULL for paging-file ones */
    int signaled;            /* events: set; semaphores: count > 0; mutexes: free */
    int manual_reset;        /* events */
    int32_t count, maximum;  /* semaphores */
    uint32_t owner_tid;      /* mutexes: the owning thread, 0 when free */
    int abandoned;           /* mutexes: the last owner died owning it */
    size_t nholders;         /* processes holding it, as far as /proc lets the caller see */
    const uint32_t *holders; /* their pids */
};

/* Return nonzero to stop the listing. */
typedef int (*mmf_list_fn)(const struct mmf_object_info *info, void *ctx);

#define MMF_LIST_GLOBAL 0x1    /* also Global\ objects */
#define MMF_LIST_ALL_USERS 0x2 /* also other users' Local\ objects the caller may read */

/* Calls fn for each live object; dead (stale) ones are never listed. */
MMF_API DWORD mmf_list(unsigned flags, mmf_list_fn fn, void *ctx);

/* Removes what killed processes left behind (in the caller's Local\ namespace, and
 * Global\ with MMF_LIST_GLOBAL); counts objects and bytes reclaimed (either may be NULL). */
MMF_API DWORD mmf_gc(unsigned flags, uint64_t *objects, uint64_t *bytes);

/* Forces a name out of the namespace while holders keep their memory (`mmf rm`). */
MMF_API DWORD mmf_remove(const WCHAR *name);

/* Makes the Local\ namespace directory of user uid ready (or Global\'s, with
 * MMF_LIST_GLOBAL; uid is then ignored): made if absent and, run as root, taken back
 * from another user who took its name first (`mmf provision`). Only root may provision
 * another user's. ERROR_ACCESS_DENIED if the name is another user's and stays so. */
MMF_API DWORD mmf_provision(unsigned flags, uint32_t uid);

#ifdef __cplusplus
}
#endif

#endif
