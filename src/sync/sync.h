/* sync: events, mutexes and semaphores, and the waits on every waitable kind.
 *
 * Every waitable object begins with struct mmf__sync: sixteen 32-bit state words, in the
 * object file's header when named (so futexes are shared between processes), in the
 * object itself otherwise. Operations on one object are lock-free atomics on these words,
 * so a process killed at any moment leaves no internal lock held; see docs/sync.md. How a
 * kind is taken and given back is its type's wait operations. */
#ifndef MMF_SYNC_H
#define MMF_SYNC_H

#include "ob/ob.h"

enum {
    MMF__S_STATE,      /* event: signaled; semaphore: count; mutex: owner TID; thread: ended */
    MMF__S_SEQ,        /* bumped on every change a waiter may care about: the futex word */
    MMF__S_WAITERS,    /* sleepers on SEQ, so that signalers skip the wake when there are none */
    MMF__S_AUX,        /* event: manual reset; semaphore: maximum; mutex: recursion;
                          thread: exit code */
    MMF__S_ABANDONED,  /* mutex: its owner died or exited owning it */
    MMF__S_PULSE,      /* event: PulseEvent generation */
    MMF__S_PULSE_TOKEN, /* auto-reset event: the generation one waiter may still take */
    MMF__S_SPINNERS,   /* waiters spinning on SEQ now: running, on another CPU (a hint) */
    MMF__S_GEN = MMF__SYNC_WORDS - 2, /* unnamed objects' cells (cells.c): reuses, */
    MMF__S_REFS = MMF__SYNC_WORDS - 1 /* and users in every process */
};
struct mmf__sync {
    struct mmf__object obj;
    _Atomic uint32_t *w;     /* the state words */
    _Atomic uint32_t own[MMF__SYNC_WORDS]; /* threads and processes keep them here */
    bool shared;             /* futexes are shared between processes */
    /* Unnamed events, mutexes and semaphores: their cell (cells.c), this process's own or
     * another's, mapped (map: the page, fd: that process's cells) */
    bool cell_own;
    uint64_t cell;           /* byte offset; valid with cell_own or map */
    void *map;
    int fd;                  /* -1: none */
};

/* Result of trying to take an object. */
enum mmf__take { MMF__TAKE_NO, MMF__TAKE_OK, MMF__TAKE_ABANDONED };

/* A waitable kind's part of its type row. */
struct mmf__wait_ops {
    /* Takes the object if it is signaled; pulse0 is its PULSE word when the wait began. */
    enum mmf__take (*take)(struct mmf__sync *s, uint32_t pulse0);
    /* Gives back what a wait-all took before it found another object not signaled. */
    void (*untake)(struct mmf__sync *s, enum mmf__take how);
    /* Kinds a thread owns (mutexes): whether another thread owns it, which a wait must
     * watch for death, and the check that abandons it if that owner is gone. */
    bool (*owned_elsewhere)(struct mmf__sync *s);
    void (*check_owner)(struct mmf__sync *s);
};

/* sync.c: what every kind shares. */
void mmf__sync_init(struct mmf__sync *s, const struct mmf__type *type);
/* Publishes a state change: bumps SEQ and wakes sleepers (all of them, or `n`). */
void mmf__sync_changed(struct mmf__sync *s, int n);
/* Whether the last change this thread made to an object found a waiter spinning on it:
 * one running elsewhere, which is likely to answer soon (wait.c spins for it). */
extern _Thread_local bool mmf__sync_found_spinner;
/* The destroy of event, mutex and semaphore objects. */
void mmf__sync_destroy(struct mmf__object *obj);
/* The export_obj, lend and import_obj of event, mutex and semaphore objects: an unnamed
 * one crosses as its cell. */
int mmf__sync_export(struct mmf__object *obj, struct mmf__xfer *x);
void mmf__sync_lend(struct mmf__object *obj, struct mmf__xfer *x);
int mmf__sync_import(const struct mmf__type *type, struct mmf__xfer *x, struct mmf__object **out);

/* cells.c: the words of unnamed objects, in cells other processes can map. new: one for
 * a new object (words zero); release: the object's use of it ends; export: its part of an
 * export (the cells' memfd, borrowed; the cell, its generation); lend: a count of the
 * cell's travels with an export (for a handing that arrives after the object is gone);
 * import: the cell an export names, checked and counted (ERROR_INVALID_HANDLE: it was
 * given back meanwhile); the caller keeps x->fd[0] only on success. */
int mmf__cell_new(struct mmf__sync *s);
void mmf__cell_release(struct mmf__sync *s);
void mmf__cell_export(const struct mmf__sync *s, struct mmf__xfer *x);
void mmf__cell_lend(struct mmf__sync *s, struct mmf__xfer *x);
int mmf__cell_import(struct mmf__sync *s, const struct mmf__xfer *x);
/* The build_named of event, mutex and semaphore objects: their words are the header's. */
int mmf__sync_build_named(const struct mmf__type *type, struct mmf__nsobj *ns, void *ctx);
/* The state words of a new object of a kind: what its creator asks for. */
struct mmf__sync_request {
    const struct mmf__type *type;
    uint32_t state, aux;
};
/* Creates (or, by name, opens) an object; the new handle's error and last error as
 * Create* sets them. `owned`: a mutex created owned by this thread (only when new). */
HANDLE mmf__sync_create(const struct mmf__sync_request *rq, LPSECURITY_ATTRIBUTES sa,
                        const WCHAR *name, size_t units, bool owned);
HANDLE mmf__sync_create_a(const struct mmf__sync_request *rq, LPSECURITY_ATTRIBUTES sa,
                          LPCSTR name, bool owned);
HANDLE mmf__sync_open(const struct mmf__type *type, DWORD access, BOOL inherit,
                      const WCHAR *name);
HANDLE mmf__sync_open_a(const struct mmf__type *type, DWORD access, BOOL inherit,
                        LPCSTR name);
/* Runs op on the object behind a handle of `type`, pinned; the Win32 result, with the
 * last error set on failure. The op checks the handle's access. */
BOOL mmf__sync_modify(HANDLE h, const struct mmf__type *type,
                      int (*op)(struct mmf__sync *s, DWORD access, void *ctx), void *ctx);

/* event.c, mutex.c, semaphore.c */
extern const struct mmf__type mmf__event_type, mmf__mutex_type, mmf__semaphore_type;
/* mutex.c: a thread is ending: abandon every mutex it owns (at once, for the next
 * waiter). Called by the thread-exit hook of the mutex list, and by a CreateThread
 * thread's end before its object is signaled. */
void mmf__mutexes_abandon_mine(void);

#endif
