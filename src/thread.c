/* Threads: CreateThread and friends, thread ids, and the mutexes each thread owns.
 *
 * A thread's owned mutexes are kept in a thread-local list; a thread-specific-data
 * destructor abandons them when the thread ends (however it ends: return, ExitThread,
 * pthread_exit), so the next waiter gets WAIT_ABANDONED at once. Threads created by
 * CreateThread also have a waitable object, signaled when they end, with their exit
 * code. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

struct mmf__thread {
    struct mmf__sync sync; /* STATE: ended; AUX: exit code */
    LPTHREAD_START_ROUTINE start;
    void *arg;
    _Atomic uint32_t tid;  /* set by the new thread before it runs user code */
};

/* What this thread owns, and (for CreateThread threads) its object. */
struct tstate {
    struct mmf__sync **owned;
    size_t n, cap;
    struct mmf__thread *self;
};

static _Thread_local uint32_t my_tid;
static _Thread_local struct tstate *my_state;
static pthread_key_t state_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

uint32_t mmf__tid(void)
{
    if (!my_tid)
        my_tid = (uint32_t)syscall(SYS_gettid);
    return my_tid;
}

DWORD WINAPI GetCurrentThreadId(void)
{
    return mmf__tid();
}

HANDLE WINAPI GetCurrentThread(void)
{
    return (HANDLE)(LONG_PTR)-2;
}

static void thread_ended(void *p);

static void make_key(void)
{
    pthread_key_create(&state_key, thread_ended);
}

static struct tstate *state(void)
{
    if (!my_state) {
        pthread_once(&key_once, make_key);
        my_state = calloc(1, sizeof *my_state);
        if (my_state)
            pthread_setspecific(state_key, my_state);
    }
    return my_state;
}

int mmf__thread_owns(struct mmf__sync *m)
{
    struct tstate *t = state();
    if (!t)
        return -ENOMEM;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct mmf__sync **v = realloc(t->owned, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        t->owned = v;
        t->cap = cap;
    }
    mmf__ref(&m->obj); /* closing its handles does not release an owned mutex */
    t->owned[t->n++] = m;
    return 0;
}

void mmf__thread_disowns(struct mmf__sync *m)
{
    struct tstate *t = my_state;
    for (size_t i = t ? t->n : 0; i-- > 0;) /* usually the last one taken */
        if (t->owned[i] == m) {
            t->owned[i] = t->owned[--t->n];
            mmf__unref(&m->obj);
            return;
        }
}

/* The thread is ending: abandon what it owns, and signal its object. */
static void thread_ended(void *p)
{
    struct tstate *t = p;
    uint32_t me = mmf__tid();
    for (size_t i = 0; i < t->n; i++) {
        mmf__mutex_abandon(t->owned[i], me);
        mmf__unref(&t->owned[i]->obj);
    }
    if (t->self) {
        atomic_store(&t->self->sync.w[MMF__S_STATE], 1);
        mmf__sync_changed(&t->self->sync, INT32_MAX);
        mmf__unref(&t->self->sync.obj);
    }
    free(t->owned);
    free(t);
    my_state = NULL;
}

static void thread_destroy(struct mmf__object *obj)
{
    free(obj);
}

static void *trampoline(void *p)
{
    struct mmf__thread *th = p;
    struct tstate *t = state();
    if (t)
        t->self = th; /* the thread's own reference, dropped when it ends */
    atomic_store(&th->tid, mmf__tid());
    mmf__futex_wake(&th->tid, 1, false);
    DWORD code = th->start(th->arg);
    atomic_store(&th->sync.w[MMF__S_AUX], code);
    if (!t) { /* no thread state to end it through (out of memory): end it here */
        atomic_store(&th->sync.w[MMF__S_STATE], 1);
        mmf__sync_changed(&th->sync, INT32_MAX);
        mmf__unref(&th->sync.obj);
    }
    return NULL;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack, LPTHREAD_START_ROUTINE start,
                           LPVOID arg, DWORD flags, LPDWORD id)
{
    (void)sa;
    pthread_attr_t attr;
    pthread_t pt;
    HANDLE h;
    if (!start || (flags & ~(DWORD)(CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION)))
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    if (flags & CREATE_SUSPENDED) /* there is no ResumeThread to start it */
        return mmf__fail(MMF__W(ERROR_NOT_SUPPORTED)), NULL;
    struct mmf__thread *th = calloc(1, sizeof *th);
    if (!th)
        return mmf__fail(-ENOMEM), NULL;
    mmf__sync_init(&th->sync, MMF__KIND_THREAD, thread_destroy);
    atomic_store(&th->sync.w[MMF__S_AUX], STILL_ACTIVE);
    th->start = start;
    th->arg = arg;
    mmf__ref(&th->sync.obj); /* the thread's own */
    int st = mmf__handle_new(&th->sync.obj, THREAD_ALL_ACCESS, &h);
    if (st < 0) { /* the handle's reference was given back; the thread's own is the last */
        free(th);
        return mmf__fail(st), NULL;
    }
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (stack)
        pthread_attr_setstacksize(&attr, stack < (SIZE_T)PTHREAD_STACK_MIN ? PTHREAD_STACK_MIN
                                                                            : stack);
    st = -pthread_create(&pt, &attr, trampoline, th);
    pthread_attr_destroy(&attr);
    if (st < 0) {
        mmf__unref(&th->sync.obj);
        CloseHandle(h);
        return mmf__fail(st == -EAGAIN ? MMF__W(ERROR_NOT_ENOUGH_MEMORY) : st), NULL;
    }
    while (!atomic_load(&th->tid)) /* the id is known before CreateThread returns */
        mmf__futex_wait(&th->tid, 0, false, NULL);
    if (id)
        *id = atomic_load(&th->tid);
    return h;
}

void WINAPI ExitThread(DWORD code)
{
    struct tstate *t = state();
    if (t && t->self)
        atomic_store(&t->self->sync.w[MMF__S_AUX], code);
    pthread_exit(NULL);
}

BOOL WINAPI GetExitCodeThread(HANDLE h, LPDWORD code)
{
    struct mmf__object *obj;
    int st = code ? mmf__handle_get(h, MMF__KIND_THREAD, &obj, NULL) : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    struct mmf__sync *s = (struct mmf__sync *)obj;
    /* Until it has ended (and run its destructors) a thread is STILL_ACTIVE. */
    *code = atomic_load(&s->w[MMF__S_STATE]) ? atomic_load(&s->w[MMF__S_AUX]) : STILL_ACTIVE;
    mmf__unref(obj);
    return TRUE;
}
