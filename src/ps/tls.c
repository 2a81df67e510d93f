/* Thread local storage slots: TlsAlloc, TlsFree, TlsGetValue, TlsSetValue.
 *
 * Windows has 1088 slots a process (64, then 1024 more), each a pointer per thread that
 * reads as NULL until the thread sets it, including after the slot is freed and given out
 * again. Each slot has a generation, bumped by TlsAlloc and TlsFree; a thread's value holds
 * the generation it was set in and counts only while that is the slot's. A thread's values
 * are allocated at its first TlsSetValue and freed when it ends. */
#include <pthread.h>
#include <stdlib.h>

#include "ps/ps.h"

#define SLOTS 1088

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool used[SLOTS];
static _Atomic uint32_t gen[SLOTS];

struct values {
    void *v[SLOTS];
    uint32_t gen[SLOTS];
};
static __thread struct values *mine;
static pthread_key_t ending;
static pthread_once_t ending_once = PTHREAD_ONCE_INIT;

static void thread_ends(void *p)
{
    free(p);
    mine = NULL;
}

static void make_key(void)
{
    pthread_key_create(&ending, thread_ends);
}

DWORD WINAPI TlsAlloc(void)
{
    DWORD i = 0;
    pthread_mutex_lock(&lock);
    while (i < SLOTS && used[i])
        i++;
    if (i < SLOTS) {
        used[i] = true;
        atomic_fetch_add(&gen[i], 1);
    }
    pthread_mutex_unlock(&lock);
    if (i == SLOTS)
        return mmf__fail(MMF__W(ERROR_NO_MORE_ITEMS)), TLS_OUT_OF_INDEXES;
    return i;
}

BOOL WINAPI TlsFree(DWORD i)
{
    pthread_mutex_lock(&lock);
    bool was = i < SLOTS && used[i];
    if (was) {
        used[i] = false;
        atomic_fetch_add(&gen[i], 1);
    }
    pthread_mutex_unlock(&lock);
    if (!was)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), FALSE;
    return TRUE;
}

/* Windows clears the last error when it succeeds, so that a NULL value can be told from a
 * failure. */
LPVOID WINAPI TlsGetValue(DWORD i)
{
    if (i >= SLOTS)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), NULL;
    SetLastError(ERROR_SUCCESS);
    struct values *t = mine;
    if (!t || t->gen[i] != atomic_load_explicit(&gen[i], memory_order_relaxed))
        return NULL;
    return t->v[i];
}

BOOL WINAPI TlsSetValue(DWORD i, LPVOID value)
{
    if (i >= SLOTS)
        return mmf__fail(MMF__W(ERROR_INVALID_PARAMETER)), FALSE;
    if (!mine) {
        struct values *t = calloc(1, sizeof *t);
        pthread_once(&ending_once, make_key);
        if (!t || pthread_setspecific(ending, t) != 0) {
            free(t);
            return mmf__fail(MMF__W(ERROR_NOT_ENOUGH_MEMORY)), FALSE;
        }
        mine = t;
    }
    mine->v[i] = value;
    mine->gen[i] = atomic_load_explicit(&gen[i], memory_order_relaxed);
    return TRUE;
}
