/* Events, mutexes and semaphores between processes. */
#include "test.h"

static HANDLE must(HANDLE h)
{
    ASSERT(h != NULL);
    return h;
}

#define TURNS 3000

/* The seed scenario's client: waits for the server's turn, reads its number from the
 * shared section, answers, and gives the turn back. */
CHILD(ping_client)
{
    char n[96];
    sprintf(n, "%s-map", arg);
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, n);
    sprintf(n, "%s-ping", arg);
    HANDLE ping = OpenEventA(SYNCHRONIZE, FALSE, n);
    sprintf(n, "%s-pong", arg);
    HANDLE pong = OpenEventA(EVENT_MODIFY_STATE, FALSE, n);
    if (!m || !ping || !pong)
        return 10;
    volatile LONG *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    for (LONG i = 1; i <= TURNS; i++) {
        if (WaitForSingleObject(ping, 20000) != WAIT_OBJECT_0)
            return 11;
        if (v[0] != i)
            return 12; /* a lost or doubled turn */
        v[1] = i;
        if (!SetEvent(pong))
            return 13;
    }
    return 0;
}

TEST(events_alternate_between_processes)
{
    char base[64], n[96];
    test_name(base, "pingpong");
    sprintf(n, "%s-map", base);
    HANDLE m = must(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, n));
    sprintf(n, "%s-ping", base);
    HANDLE ping = must(CreateEventA(NULL, FALSE, FALSE, n));
    sprintf(n, "%s-pong", base);
    HANDLE pong = must(CreateEventA(NULL, FALSE, FALSE, n));
    volatile LONG *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(v != NULL);
    struct child c;
    start_child(&c, "ping_client", base);
    for (LONG i = 1; i <= TURNS; i++) {
        v[0] = i;
        ASSERT(SetEvent(ping));
        ASSERT_EQ(WaitForSingleObject(pong, 20000), WAIT_OBJECT_0);
        ASSERT_EQ(v[1], i);
    }
    ASSERT_EQ(wait_child(&c, 20000), 0);
    UnmapViewOfFile((void *)v);
    CloseHandle(m);
    CloseHandle(ping);
    CloseHandle(pong);
}

/* Takes the named mutex, says so through the event, and waits to be killed. */
CHILD(own_mutex)
{
    char n[96];
    sprintf(n, "%s-mutex", arg);
    HANDLE mx = OpenMutexA(SYNCHRONIZE, FALSE, n);
    sprintf(n, "%s-ready", arg);
    HANDLE ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, n);
    if (!mx || !ready || WaitForSingleObject(mx, 20000) != WAIT_OBJECT_0)
        return 10;
    SetEvent(ready);
    Sleep(30000);
    return 11;
}

static HANDLE owned_mx, owned_ev;

static DWORD WINAPI take_and_stay(LPVOID unused)
{
    (void)unused;
    if (WaitForSingleObject(owned_mx, 20000) == WAIT_OBJECT_0)
        SetEvent(owned_ev);
    Sleep(INFINITE);
    return 0;
}

/* Child: arg "main:<name>" or "thread:<name>": the main thread, or another that is still
 * running, takes the mutex; the process ends owning it, by returning from main (exit). */
CHILD(own_mutex_and_exit)
{
    BOOL thread = strncmp(arg, "thread:", 7) == 0;
    owned_mx = OpenMutexA(SYNCHRONIZE, FALSE, strchr(arg, ':') + 1);
    owned_ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (!owned_mx || !owned_ev)
        return 10;
    if (!thread)
        return WaitForSingleObject(owned_mx, 20000) == WAIT_OBJECT_0 ? 0 : 11;
    HANDLE t = CreateThread(NULL, 0, take_and_stay, NULL, 0, NULL);
    return t && WaitForSingleObject(owned_ev, 20000) == WAIT_OBJECT_0 ? 0 : 12;
}

/* A process that ends owning a mutex abandons it as it ends, whichever of its threads owns
 * it: the next wait, even one that does not sleep, gets WAIT_ABANDONED. */
TEST(exit_of_a_mutex_owner_abandons_it_at_once)
{
    static const char *const how[] = {"main", "thread"};
    for (int i = 0; i < 2; i++) {
        char n[64], arg[80];
        test_name(n, how[i]);
        HANDLE mx = must(CreateMutexA(NULL, FALSE, n));
        struct child c;
        snprintf(arg, sizeof arg, "%s:%s", how[i], n);
        start_child(&c, "own_mutex_and_exit", arg);
        ASSERT_EQ(wait_child(&c, 20000), 0);
        ASSERT_EQ(WaitForSingleObject(mx, 0), WAIT_ABANDONED);
        ASSERT(ReleaseMutex(mx));
        CloseHandle(mx);
    }
}

/* Starts a child (own_mutex) that takes the named mutex made here (returned) and waits to
 * be killed. The caller closes *ready after the kill, so that its close, the last, takes
 * the name with it. */
static HANDLE start_mutex_owner(struct child *c, const char *tag, HANDLE *ready)
{
    char base[64], n[96];
    test_name(base, tag);
    sprintf(n, "%s-mutex", base);
    HANDLE mx = must(CreateMutexA(NULL, FALSE, n));
    sprintf(n, "%s-ready", base);
    *ready = must(CreateEventA(NULL, FALSE, FALSE, n));
    start_child(c, "own_mutex", base);
    ASSERT_EQ(WaitForSingleObject(*ready, 20000), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(mx, 0), WAIT_TIMEOUT); /* owned over there */
    return mx;
}

TEST(kill9_of_a_mutex_owner_abandons_it)
{
    struct child c;
    HANDLE ready, mx = start_mutex_owner(&c, "abandon", &ready);
    kill_child(&c);
    DWORD t0 = GetTickCount();
    ASSERT_EQ(WaitForSingleObject(mx, 5000), WAIT_ABANDONED);
    /* mmf notices a dead owner within 50 ms; the bound here leaves room for a busy machine */
    ASSERT(GetTickCount() - t0 < 1000);
    ASSERT(ReleaseMutex(mx));
    ASSERT_EQ(WaitForSingleObject(mx, 0), WAIT_OBJECT_0);
    ASSERT(ReleaseMutex(mx));
    CloseHandle(mx);
    CloseHandle(ready);
}

/* A program that only polls (an instance check: a wait with a zero timeout) sees the
 * mutex of a killed owner abandoned, with nobody else waiting on it. */
TEST(kill9_of_a_mutex_owner_is_seen_by_a_wait_that_does_not_sleep)
{
    struct child c;
    HANDLE ready, mx = start_mutex_owner(&c, "abandon0", &ready);
    kill_child(&c);
    Sleep(2); /* a thread checks owners at most once a millisecond */
    ASSERT_EQ(WaitForSingleObject(mx, 0), WAIT_ABANDONED);
    ASSERT(ReleaseMutex(mx));
    CloseHandle(mx);
    CloseHandle(ready);
}

/* Signals the event (0) or the semaphore (1) of the set the parent waits on. */
CHILD(signal_one)
{
    char base[64], n[96];
    int which;
    if (sscanf(arg, "%63[^:]:%d", base, &which) != 2)
        return 9;
    sprintf(n, "%s-%d", base, which);
    BOOL ok = which == 0
                  ? SetEvent(OpenEventA(EVENT_MODIFY_STATE, FALSE, n))
                  : ReleaseSemaphore(OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, n), 1, NULL);
    return ok ? 0 : 10;
}

TEST(wait_any_across_processes_and_types)
{
    char base[64], n[96], arg[100];
    test_name(base, "mixed");
    HANDLE h[3];
    sprintf(n, "%s-0", base);
    h[0] = must(CreateEventA(NULL, FALSE, FALSE, n));
    sprintf(n, "%s-1", base);
    h[1] = must(CreateSemaphoreA(NULL, 0, 10, n));
    sprintf(n, "%s-mutex", base);
    h[2] = must(CreateMutexA(NULL, FALSE, n));
    sprintf(n, "%s-ready", base);
    HANDLE ready = must(CreateEventA(NULL, FALSE, FALSE, n));
    struct child owner;
    start_child(&owner, "own_mutex", base); /* another process owns the mutex */
    ASSERT_EQ(WaitForSingleObject(ready, 20000), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForMultipleObjects(3, h, FALSE, 0), WAIT_TIMEOUT);
    for (int which = 1; which >= 0; which--) {
        struct child c;
        sprintf(arg, "%s:%d", base, which);
        start_child(&c, "signal_one", arg);
        ASSERT_EQ(WaitForMultipleObjects(3, h, FALSE, 20000), WAIT_OBJECT_0 + (DWORD)which);
        ASSERT_EQ(wait_child(&c, 20000), 0);
    }
    kill_child(&owner);
    ASSERT_EQ(WaitForMultipleObjects(3, h, FALSE, 20000), WAIT_ABANDONED_0 + 2);
    ASSERT(ReleaseMutex(h[2]));
    for (int i = 0; i < 3; i++)
        CloseHandle(h[i]);
    CloseHandle(ready);
}

#define HAMMER_THREADS 4
#define HAMMER_PROCESSES 4
#define HAMMER_MS 2500
#define POOL 3

struct hammer {
    LONG counter;      /* under the mutex */
    LONG in_pool;      /* holders of the semaphore: never above POOL */
    LONG pool_overrun;
    LONG rounds[HAMMER_PROCESSES * HAMMER_THREADS];
};

static struct hammer *ham;
static HANDLE ham_mutex, ham_sem;
static int ham_process;

static void hammer_thread(int t)
{
    LONG *mine = &ham->rounds[ham_process * HAMMER_THREADS + t];
    DWORD start = GetTickCount();
    while (GetTickCount() - start < HAMMER_MS) {
        ASSERT_EQ(WaitForSingleObject(ham_mutex, INFINITE), WAIT_OBJECT_0);
        LONG c = ham->counter; /* a plain read-modify-write: only the mutex protects it */
        ham->counter = c + 1;
        ASSERT(ReleaseMutex(ham_mutex));
        ASSERT_EQ(WaitForSingleObject(ham_sem, INFINITE), WAIT_OBJECT_0);
        if (__atomic_add_fetch(&ham->in_pool, 1, __ATOMIC_SEQ_CST) > POOL)
            __atomic_add_fetch(&ham->pool_overrun, 1, __ATOMIC_SEQ_CST);
        __atomic_sub_fetch(&ham->in_pool, 1, __ATOMIC_SEQ_CST);
        ASSERT(ReleaseSemaphore(ham_sem, 1, NULL));
        (*mine)++;
    }
}

static void hammer_attach(const char *base)
{
    char n[96];
    sprintf(n, "%s-map", base);
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, n);
    ASSERT(m != NULL);
    ham = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ASSERT(ham != NULL);
    sprintf(n, "%s-mutex", base);
    ham_mutex = must(OpenMutexA(SYNCHRONIZE, FALSE, n));
    sprintf(n, "%s-sem", base);
    ham_sem = must(OpenSemaphoreA(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, n));
}

CHILD(hammer)
{
    char base[64];
    if (sscanf(arg, "%63[^:]:%d", base, &ham_process) != 2)
        return 9;
    hammer_attach(base);
    run_threads(HAMMER_THREADS, hammer_thread);
    return 0;
}

TEST(processes_and_threads_hammer_a_mutex_and_a_semaphore)
{
    char base[64], n[96], arg[100];
    test_name(base, "hammer");
    sprintf(n, "%s-map", base);
    HANDLE m = must(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                       sizeof(struct hammer), n));
    sprintf(n, "%s-mutex", base);
    HANDLE mx = must(CreateMutexA(NULL, FALSE, n));
    sprintf(n, "%s-sem", base);
    HANDLE sem = must(CreateSemaphoreA(NULL, POOL, POOL, n));
    struct child c[HAMMER_PROCESSES];
    for (int p = 0; p < HAMMER_PROCESSES; p++) {
        sprintf(arg, "%s:%d", base, p);
        start_child(&c[p], "hammer", arg);
    }
    for (int p = 0; p < HAMMER_PROCESSES; p++)
        ASSERT_EQ(wait_child(&c[p], 60000), 0);
    struct hammer *h = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
    ASSERT(h != NULL);
    LONG total = 0;
    for (int i = 0; i < HAMMER_PROCESSES * HAMMER_THREADS; i++) {
        ASSERT(h->rounds[i] > 0); /* every thread made progress */
        total += h->rounds[i];
    }
    ASSERT_EQ(h->counter, total); /* exact: no lost update */
    ASSERT_EQ(h->pool_overrun, 0);
    LONG prev = -1;
    ASSERT(ReleaseSemaphore(sem, 0 + 1, &prev) == FALSE); /* the pool is full again */
    ASSERT_EQ(WaitForSingleObject(mx, 0), WAIT_OBJECT_0); /* and the mutex free */
    ASSERT(ReleaseMutex(mx));
    UnmapViewOfFile(h);
    CloseHandle(m);
    CloseHandle(mx);
    CloseHandle(sem);
}

/* Holds a named event ("event:NAME") or semaphore ("semaphore:NAME", 0 of 2) until killed;
 * for the command-line tool's tests. */
CHILD(hold_sync)
{
    HANDLE h = !strncmp(arg, "event:", 6) ? CreateEventA(NULL, FALSE, FALSE, arg + 6)
               : !strncmp(arg, "semaphore:", 10) ? CreateSemaphoreA(NULL, 0, 2, arg + 10)
                                                  : NULL;
    if (!h)
        return 10;
    Sleep(60000);
    return 11;
}
