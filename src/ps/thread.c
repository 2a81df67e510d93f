/* Threads: CreateThread and its waitable thread objects, signaled when the thread ends,
 * with its exit code.
 *
 * A CreateThread thread ends through a thread-specific-data destructor (however it ends:
 * return, ExitThread, pthread_exit): first the mutexes it owns are abandoned, then its
 * object is signaled, so a waiter on the thread finds them abandoned already. */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <process.h>

#include "ps/ps.h"

struct mmf__thread {
    struct mmf__sync sync; /* STATE: ended; AUX: exit code */
    LPTHREAD_START_ROUTINE start;
    void *arg;
    _Atomic uint32_t tid;  /* set by the new thread before it runs user code */
    _Atomic uint32_t suspended; /* CREATE_SUSPENDED: 1 until ResumeThread (the futex word) */
    int gate;              /* another process's main thread, suspended: our end of the
                              socket pair its exec waits on; else -1 */
};

/* The object of the CreateThread thread running here, if any. */
static _Thread_local struct mmf__thread *self;
static pthread_key_t self_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

HANDLE WINAPI GetCurrentThread(void)
{
    return MMF__CURRENT_THREAD;
}

void mmf__thread_end(struct mmf__thread *th, DWORD code)
{
    atomic_store(&th->sync.w[MMF__S_AUX], code);
    atomic_store(&th->sync.w[MMF__S_STATE], 1);
    mmf__sync_changed(&th->sync, INT32_MAX);
}

/* The thread has ended: its object is signaled, and its own reference dropped. */
static void signal_end(struct mmf__thread *th)
{
    mmf__thread_end(th, atomic_load(&th->sync.w[MMF__S_AUX]));
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

/* Threads and processes are signaled once they have ended, for good. */
static enum mmf__take take_ended(struct mmf__sync *s, uint32_t pulse0)
{
    (void)pulse0;
    return atomic_load(&s->w[MMF__S_STATE]) ? MMF__TAKE_OK : MMF__TAKE_NO;
}

static void untake_ended(struct mmf__sync *s, enum mmf__take how)
{
    (void)s, (void)how; /* an ended thread stays ended */
}

static void thread_destroy(struct mmf__object *obj)
{
    struct mmf__thread *th = (struct mmf__thread *)obj;
    if (th->gate >= 0)
        mmf__sys.close(th->gate); /* a process never resumed: its exec never comes */
    free(obj);
}

const struct mmf__wait_ops mmf__ended_wait_ops = {.take = take_ended, .untake = untake_ended};

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
    .wait = &mmf__ended_wait_ops,
};
MMF__TYPE_ROW(mmf__thread_type);

static struct mmf__thread *thread_new(bool suspended, int gate)
{
    struct mmf__thread *th = calloc(1, sizeof *th);
    if (th) {
        mmf__sync_init(&th->sync, &mmf__thread_type);
        atomic_store(&th->sync.w[MMF__S_AUX], STILL_ACTIVE);
        atomic_store(&th->suspended, suspended);
        th->gate = gate;
    }
    return th;
}

struct mmf__thread *mmf__thread_remote(DWORD tid, int gate)
{
    struct mmf__thread *th = thread_new(gate >= 0, gate);
    if (th)
        atomic_store(&th->tid, tid);
    return th;
}

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
    while (atomic_load(&th->suspended)) /* CREATE_SUSPENDED: until ResumeThread */
        mmf__futex_wait(&th->suspended, 1, false, NULL);
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
    struct mmf__thread *th = thread_new(flags & CREATE_SUSPENDED, -1);
    if (!th)
        return mmf__fail(-ENOMEM), NULL;
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

/* Threads are suspended only by CREATE_SUSPENDED (there is no SuspendThread): the count is
 * 1 or 0. Resuming another process's main thread lets its exec go on. */
static int resume(struct mmf__thread *th, DWORD *prev)
{
    uint32_t one = 1;
    *prev = atomic_compare_exchange_strong(&th->suspended, &one, 0) ? 1 : 0;
    if (*prev && th->gate >= 0) {
        /* A socket: a child killed before it was resumed is an error, not a SIGPIPE. */
        int st = (int)mmf__sysret(send(th->gate, "", 1, MSG_NOSIGNAL));
        mmf__sys.close(th->gate);
        th->gate = -1;
        if (st == -EPIPE || st == -ECONNRESET)
            return 0; /* the process ended already */
        return st < 0 ? st : 0;
    }
    if (*prev)
        mmf__futex_wake(&th->suspended, 1, false);
    return 0;
}

DWORD WINAPI ResumeThread(HANDLE h)
{
    struct mmf__object *obj;
    DWORD prev = 0;
    int st = mmf__handle_get_for(h, &mmf__thread_type, THREAD_SUSPEND_RESUME, &obj);
    if (st == 0) {
        st = resume((struct mmf__thread *)obj, &prev);
        mmf__unref(obj);
    }
    if (st < 0)
        return mmf__fail(st), (DWORD)-1;
    return prev;
}

/* <process.h>: the C runtime's thread start, over CreateThread (its start routine has the
 * same shape here); 0 with errno set when it fails, as the CRT's. */
uintptr_t _beginthreadex(void *security, unsigned stack, unsigned (*start)(void *), void *arg,
                         unsigned flags, unsigned *id)
{
    HANDLE h = CreateThread(security, stack, (LPTHREAD_START_ROUTINE)start, arg, flags,
                            (LPDWORD)id);
    if (!h)
        errno = GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? ENOMEM : EINVAL;
    return (uintptr_t)h;
}

void _endthreadex(unsigned code)
{
    ExitThread(code);
}
