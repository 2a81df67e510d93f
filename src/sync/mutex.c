/* Mutexes: owned by a thread, recursive, abandoned when the owner ends without releasing.
 *
 * STATE is the owner's thread id (0: free), AUX the recursion count, ABANDONED set when an
 * owner ended owning it. Each thread keeps a list of the mutexes it owns; a thread-
 * specific-data destructor abandons them when the thread ends, however it ends (and a
 * library destructor those of the thread that ends the process), so the next waiter gets
 * WAIT_ABANDONED at once. An owner in another process killed with -9 runs
 * no destructor: waiters watch for its death (check_owner). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"

/* --- The mutexes this thread owns ------------------------------------------------------ */

struct owned {
    struct mmf__sync **v;
    size_t n, cap;
};

static _Thread_local struct owned *mine;
static pthread_key_t owned_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void thread_ends(void *p);

static void make_key(void)
{
    pthread_key_create(&owned_key, thread_ends);
}

static struct owned *my_list(void)
{
    if (!mine) {
        pthread_once(&key_once, make_key);
        mine = calloc(1, sizeof *mine);
        if (mine)
            pthread_setspecific(owned_key, mine);
    }
    return mine;
}

/* Records m as this thread's; it keeps a reference, since closing its handles does not
 * release an owned mutex. */
static int own(struct mmf__sync *m)
{
    struct owned *t = my_list();
    if (!t)
        return -ENOMEM;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct mmf__sync **v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    mmf__ref(&m->obj);
    t->v[t->n++] = m;
    return 0;
}

static void disown(struct mmf__sync *m)
{
    struct owned *t = mine;
    for (size_t i = t ? t->n : 0; i-- > 0;) /* usually the last one taken */
        if (t->v[i] == m) {
            t->v[i] = t->v[--t->n];
            mmf__unref(&m->obj);
            return;
        }
}

static void abandon(struct mmf__sync *m, uint32_t owner)
{
    _Atomic uint32_t *w = m->w;
    if (atomic_load(&w[MMF__S_STATE]) != owner)
        return;
    atomic_store(&w[MMF__S_ABANDONED], 1); /* before the owner word: no one misses it */
    if (atomic_compare_exchange_strong(&w[MMF__S_STATE], &owner, 0))
        mmf__sync_changed(m, 1);
}

static void abandon_all(struct owned *t)
{
    uint32_t me = mmf__tid();
    for (size_t i = 0; t && i < t->n; i++) {
        abandon(t->v[i], me);
        mmf__unref(&t->v[i]->obj);
    }
    if (t)
        t->n = 0;
}

void mmf__mutexes_abandon_mine(void)
{
    abandon_all(mine);
}

/* Windows abandons what the threads of an ending process own as it ends. The thread that
 * calls exit() (the main thread, returning from main) runs no thread-specific-data
 * destructor: its mutexes are abandoned here, so that the next wait, one that does not
 * sleep included, gets WAIT_ABANDONED. (Threads still running when the process ends leave
 * theirs to the waiters' check_owner, as a killed process does.) */
__attribute__((destructor)) static void abandon_at_exit(void)
{
    mmf__mutexes_abandon_mine();
}

static void thread_ends(void *p)
{
    struct owned *t = p;
    abandon_all(t);
    free(t->v);
    free(t);
    mine = NULL;
}

/* --- Taking, giving back, releasing ---------------------------------------------------- */

static enum mmf__take take(struct mmf__sync *s, uint32_t pulse0)
{
    _Atomic uint32_t *w = s->w;
    uint32_t me = mmf__tid(), free_ = 0;
    (void)pulse0;
    if (atomic_load(&w[MMF__S_STATE]) == me) {
        if (atomic_load(&w[MMF__S_AUX]) >= 0x7FFFFFFF)
            return MMF__TAKE_NO; /* recursion limit: Windows' mutant limit */
        atomic_fetch_add(&w[MMF__S_AUX], 1);
        return MMF__TAKE_OK;
    }
    if (!atomic_compare_exchange_strong(&w[MMF__S_STATE], &free_, me))
        return MMF__TAKE_NO;
    if (own(s) < 0) { /* cannot record it: do not own what cannot be abandoned */
        atomic_store(&w[MMF__S_STATE], 0);
        mmf__sync_changed(s, 1);
        return MMF__TAKE_NO;
    }
    atomic_store(&w[MMF__S_AUX], 1);
    return atomic_exchange(&w[MMF__S_ABANDONED], 0) ? MMF__TAKE_ABANDONED : MMF__TAKE_OK;
}

static void untake(struct mmf__sync *s, enum mmf__take how)
{
    _Atomic uint32_t *w = s->w;
    if (atomic_fetch_sub(&w[MMF__S_AUX], 1) > 1)
        return; /* it was already ours: one recursion less */
    if (how == MMF__TAKE_ABANDONED)
        atomic_store(&w[MMF__S_ABANDONED], 1); /* the next owner must still hear it */
    disown(s);
    atomic_store(&w[MMF__S_STATE], 0);
    mmf__sync_changed(s, INT32_MAX);
}

/* ReleaseMutex needs no right: the owner releases through a handle of any access
 * (Windows', and Wine's test_mutex). */
static int release(struct mmf__sync *s, DWORD access, void *ctx)
{
    _Atomic uint32_t *w = s->w;
    (void)access, (void)ctx;
    if (atomic_load(&w[MMF__S_STATE]) != mmf__tid())
        return MMF__W(ERROR_NOT_OWNER);
    if (atomic_fetch_sub(&w[MMF__S_AUX], 1) > 1)
        return 0;
    disown(s);
    atomic_store(&w[MMF__S_STATE], 0);
    mmf__sync_changed(s, 1);
    return 0;
}

static int signal_op(struct mmf__object *obj, DWORD access)
{
    struct mmf__sync *s = (struct mmf__sync *)obj;
    return release(s, access, NULL);
}

/* --- Owners that died ------------------------------------------------------------------ */

/* Is the thread tid gone? A killed process's main thread stays a zombie until reaped. */
static bool thread_gone(uint32_t tid)
{
    if (kill((pid_t)tid, 0) < 0)
        return errno == ESRCH;
    char path[40], buf[512];
    snprintf(path, sizeof path, "/proc/%u/stat", tid);
    if (mmf__read_small_file(path, buf, sizeof buf) <= 0)
        return false;
    const char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

static bool owned_elsewhere(struct mmf__sync *m)
{
    uint32_t owner = atomic_load(&m->w[MMF__S_STATE]);
    return owner && owner != mmf__tid();
}

static void check_owner(struct mmf__sync *m)
{
    uint32_t owner = atomic_load(&m->w[MMF__S_STATE]);
    if (owner && owner != mmf__tid() && thread_gone(owner))
        abandon(m, owner);
}

static void describe(const uint32_t *w, struct mmf_object_info *info)
{
    info->owner_tid = w[MMF__S_STATE];
    info->abandoned = w[MMF__S_ABANDONED] != 0;
    info->signaled = info->owner_tid == 0;
}

static const struct mmf__wait_ops wait_ops = {
    .take = take,
    .untake = untake,
    .owned_elsewhere = owned_elsewhere,
    .check_owner = check_owner,
};

const struct mmf__type mmf__mutex_type = {
    .name = "Mutant",
    .kind = MMF__KIND_MUTEX,
    .generic = {STANDARD_RIGHTS_READ | MUTANT_QUERY_STATE, STANDARD_RIGHTS_WRITE,
                STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, MUTANT_ALL_ACCESS},
    .valid = MUTANT_ALL_ACCESS,
    .destroy = mmf__sync_destroy,
    .build_named = mmf__sync_build_named,
    .describe = describe,
    .signal = signal_op,
    .wait = &wait_ops,
    .export_obj = mmf__sync_export,
    .import_obj = mmf__sync_import,
    .lend = mmf__sync_lend,
};
MMF__TYPE_ROW(mmf__mutex_type);

BOOL WINAPI ReleaseMutex(HANDLE h)
{
    return mmf__sync_modify(h, &mmf__mutex_type, release, NULL);
}

HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL owner, LPCWSTR name)
{
    struct mmf__sync_request rq = {&mmf__mutex_type, 0, 0};
    return mmf__sync_create(&rq, sa, name, name ? mmf__wcslen(name) : 0, owner != 0);
}

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL owner, LPCSTR name)
{
    struct mmf__sync_request rq = {&mmf__mutex_type, 0, 0};
    return mmf__sync_create_a(&rq, sa, name, owner != 0);
}

HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name)
{
    return mmf__sync_open(&mmf__mutex_type, access, inherit, name);
}

HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name)
{
    return mmf__sync_open_a(&mmf__mutex_type, access, inherit, name);
}
