/* Threads: CreateThread and its waitable thread objects, signaled when the thread ends,
 * with its exit code.
 *
 * A CreateThread thread ends through a thread-specific-data destructor (however it ends:
 * return, ExitThread, pthread_exit): first the mutexes it owns are abandoned, then its
 * object is signaled, so a waiter on the thread finds them abandoned already. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include "ps/ps.h"

struct mmf__thread {
    struct mmf__sync sync; /* STATE: ended; AUX: exit code */
    LPTHREAD_START_ROUTINE start;
    void *arg;
    _Atomic uint32_t tid;  /* set by the new thread before it runs user code */
};

/* The object of the CreateThread thread running here, if any. */
static _Thread_local struct mmf__thread *self;
static pthread_key_t self_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

HANDLE WINAPI GetCurrentThread(void)
{
    return MMF__CURRENT_THREAD;
}

/* The thread has ended: its object is signaled, and its own reference dropped. */
static void signal_end(struct mmf__thread *th)
{
    atomic_store(&th->sync.w[MMF__S_STATE], 1);
    mmf__sync_changed(&th->sync, INT32_MAX);
    mmf__unref(&th->sync.obj);
}

static void thread_ended(void *p)
{
    mmf__mutexes_abandon_mine();
    signal_end(p);
    self = NULL;
}

static void make_key(void)
{
    pthread_key_create(&self_key, thread_ended);
}

static enum mmf__take take(struct mmf__sync *s, uint32_t pulse0)
{
    (void)pulse0;
    return atomic_load(&s->w[MMF__S_STATE]) ? MMF__TAKE_OK : MMF__TAKE_NO;
}

static void untake(struct mmf__sync *s, enum mmf__take how)
{
    (void)s, (void)how; /* an ended thread stays ended */
}

static void thread_destroy(struct mmf__object *obj)
{
    free(obj);
}

static const struct mmf__wait_ops wait_ops = {.take = take, .untake = untake};

const struct mmf__type mmf__thread_type = {
    .name = "Thread",
    .kind = MMF__KIND_THREAD,
    .generic = {STANDARD_RIGHTS_READ | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION |
                    THREAD_QUERY_LIMITED_INFORMATION,
                STANDARD_RIGHTS_WRITE | THREAD_TERMINATE | THREAD_SUSPEND_RESUME |
                    THREAD_SET_INFORMATION | THREAD_SET_CONTEXT |
                    THREAD_SET_LIMITED_INFORMATION,
                STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, THREAD_ALL_ACCESS},
    .valid = THREAD_ALL_ACCESS,
    .destroy = thread_destroy,
    .wait = &wait_ops,
};

static void *trampoline(void *p)
{
    struct mmf__thread *th = p;
    pthread_once(&key_once, make_key);
    /* The thread's own reference goes with its end: through the destructor, or here if
     * it could not be set (then the end is signaled when the routine returns). */
    bool hooked = pthread_setspecific(self_key, th) == 0;
    if (hooked)
        self = th;
    atomic_store(&th->tid, mmf__tid());
    mmf__futex_wake(&th->tid, 1, false);
    DWORD code = th->start(th->arg);
    atomic_store(&th->sync.w[MMF__S_AUX], code);
    if (!hooked) {
        mmf__mutexes_abandon_mine();
        signal_end(th);
    }
    return NULL;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack, LPTHREAD_START_ROUTINE start,
                           LPVOID arg, DWORD flags, LPDWORD id)
{
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
    mmf__sync_init(&th->sync, &mmf__thread_type);
    atomic_store(&th->sync.w[MMF__S_AUX], STILL_ACTIVE);
    th->start = start;
    th->arg = arg;
    mmf__ref(&th->sync.obj); /* the thread's own */
    int st = mmf__handle_new(&th->sync.obj, THREAD_ALL_ACCESS, mmf__sa_handle_flags(sa), &h);
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
    if (self)
        atomic_store(&self->sync.w[MMF__S_AUX], code);
    pthread_exit(NULL);
}

BOOL WINAPI GetExitCodeThread(HANDLE h, LPDWORD code)
{
    struct mmf__object *obj;
    int st = code ? mmf__handle_get(h, &mmf__thread_type, &obj, NULL) : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    struct mmf__sync *s = (struct mmf__sync *)obj;
    /* Until it has ended (and run its destructors) a thread is STILL_ACTIVE. */
    *code = atomic_load(&s->w[MMF__S_STATE]) ? atomic_load(&s->w[MMF__S_AUX]) : STILL_ACTIVE;
    mmf__unref(obj);
    return TRUE;
}
