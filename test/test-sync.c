/* Events, mutexes, semaphores and waits within one process, across threads. */
#include "test.h"

#define NO_ERR 0x5eed

static DWORD wait0(HANDLE h)
{
    return WaitForSingleObject(h, 0);
}

TEST(events_auto_and_manual)
{
    HANDLE a = CreateEventA(NULL, FALSE, TRUE, NULL), m = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT(a && m);
    SetLastError(NO_ERR);
    ASSERT_EQ(wait0(a), WAIT_OBJECT_0);
    ASSERT_EQ(wait0(a), WAIT_TIMEOUT); /* the wait it satisfied reset it */
    ASSERT_EQ(GetLastError(), NO_ERR); /* waits and timeouts leave the last error alone */
    ASSERT(SetEvent(a));
    ASSERT_EQ(wait0(a), WAIT_OBJECT_0);
    ASSERT_EQ(wait0(m), WAIT_TIMEOUT);
    ASSERT(SetEvent(m));
    ASSERT_EQ(wait0(m), WAIT_OBJECT_0);
    ASSERT_EQ(wait0(m), WAIT_OBJECT_0); /* manual: stays signaled */
    ASSERT(ResetEvent(m));
    ASSERT_EQ(wait0(m), WAIT_TIMEOUT);
    ASSERT_ERR(!SetEvent(NULL), ERROR_INVALID_HANDLE);
    HANDLE sem = CreateSemaphoreA(NULL, 0, 1, NULL);
    ASSERT_ERR(!SetEvent(sem), ERROR_INVALID_HANDLE);
    CloseHandle(sem);
    CloseHandle(a);
    CloseHandle(m);
}

static HANDLE pulse_event;
static volatile LONG woken, waiting;

static void pulse_waiter(int i)
{
    (void)i;
    __atomic_add_fetch(&waiting, 1, __ATOMIC_SEQ_CST);
    if (WaitForSingleObject(pulse_event, 2000) == WAIT_OBJECT_0)
        __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
}

static void pulse_with_two_waiters(BOOL manual, LONG expect)
{
    pulse_event = CreateEventA(NULL, manual, FALSE, NULL);
    ASSERT(pulse_event != NULL);
    woken = waiting = 0;
    ASSERT(PulseEvent(pulse_event)); /* no waiters yet: nothing happens */
    HANDLE t[2];
    struct { int dummy; } unused;
    (void)unused;
    for (int i = 0; i < 2; i++)
        t[i] = CreateThread(NULL, 0, (LPTHREAD_START_ROUTINE)(void *)pulse_waiter, NULL, 0, NULL);
    wait_flag(&waiting, 2, 5000);
    Sleep(200); /* both are asleep in the wait */
    ASSERT(PulseEvent(pulse_event));
    ASSERT_EQ(WaitForMultipleObjects(2, t, TRUE, 10000), WAIT_OBJECT_0);
    ASSERT_EQ(woken, expect);
    ASSERT_EQ(wait0(pulse_event), WAIT_TIMEOUT); /* left non-signaled */
    CloseHandle(t[0]);
    CloseHandle(t[1]);
    CloseHandle(pulse_event);
}

TEST(pulse_event_wakes_current_waiters)
{
    pulse_with_two_waiters(TRUE, 2);  /* manual: all of them */
    pulse_with_two_waiters(FALSE, 1); /* automatic: one */
}

TEST(semaphore_limits)
{
    ASSERT_ERR(!CreateSemaphoreA(NULL, 4, 3, NULL), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!CreateSemaphoreA(NULL, 0, 0, NULL), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!CreateSemaphoreA(NULL, -1, 3, NULL), ERROR_INVALID_PARAMETER);
    HANDLE s = CreateSemaphoreA(NULL, 2, 3, NULL);
    ASSERT(s != NULL);
    LONG prev = -99;
    ASSERT(ReleaseSemaphore(s, 1, &prev));
    ASSERT_EQ(prev, 2);
    prev = -99;
    ASSERT_ERR(!ReleaseSemaphore(s, 1, &prev), ERROR_TOO_MANY_POSTS);
    ASSERT_EQ(prev, -99); /* not written */
    if (!on_wine()) /* Windows refuses a count below 1; Wine adds nothing */
        ASSERT_ERR(!ReleaseSemaphore(s, 0, NULL), ERROR_INVALID_PARAMETER);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(wait0(s), WAIT_OBJECT_0); /* the count is still 3 */
    ASSERT_EQ(wait0(s), WAIT_TIMEOUT);
    ASSERT(ReleaseSemaphore(s, 3, &prev));
    ASSERT_EQ(prev, 0);
    CloseHandle(s);
}

static HANDLE shared_mutex;
static DWORD other_result;

static void other_thread_tries(int i)
{
    (void)i;
    SetLastError(0);
    other_result = ReleaseMutex(shared_mutex) ? 0 : GetLastError();
    if (other_result == ERROR_NOT_OWNER)
        other_result = wait0(shared_mutex);
}

TEST(mutexes_are_owned_by_threads)
{
    shared_mutex = CreateMutexA(NULL, TRUE, NULL); /* owned by this thread */
    ASSERT(shared_mutex != NULL);
    run_threads(1, other_thread_tries);
    ASSERT_EQ(other_result, WAIT_TIMEOUT); /* not its owner: NOT_OWNER, then busy */
    ASSERT_EQ(wait0(shared_mutex), WAIT_OBJECT_0); /* recursive for the owner */
    ASSERT_EQ(wait0(shared_mutex), WAIT_OBJECT_0);
    ASSERT(ReleaseMutex(shared_mutex));
    ASSERT(ReleaseMutex(shared_mutex));
    ASSERT(ReleaseMutex(shared_mutex));
    ASSERT_ERR(!ReleaseMutex(shared_mutex), ERROR_NOT_OWNER);
    run_threads(1, other_thread_tries);
    ASSERT_EQ(other_result, WAIT_OBJECT_0); /* free: the other thread got it... */
    ASSERT_EQ(wait0(shared_mutex), WAIT_ABANDONED); /* ...and ended owning it */
    ASSERT(ReleaseMutex(shared_mutex));
    ASSERT_EQ(wait0(shared_mutex), WAIT_OBJECT_0); /* abandonment is told once */
    ASSERT(ReleaseMutex(shared_mutex));
    CloseHandle(shared_mutex);
}

static HANDLE dup_mutex;

static void own_then_close(int i)
{
    (void)i;
    ASSERT_EQ(wait0(dup_mutex), WAIT_OBJECT_0);
    ASSERT(CloseHandle(dup_mutex));
}

TEST(closing_a_handle_keeps_ownership)
{
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    ASSERT(m != NULL);
    ASSERT(DuplicateHandle(GetCurrentProcess(), m, GetCurrentProcess(), &dup_mutex, 0, FALSE,
                           DUPLICATE_SAME_ACCESS));
    run_threads(1, own_then_close);
    /* Owned by the thread until it ended, whose exit abandoned it. */
    ASSERT_EQ(wait0(m), WAIT_ABANDONED);
    ASSERT(ReleaseMutex(m));
    CloseHandle(m);
}

TEST(wait_multiple_rules)
{
    HANDLE e[3], h[65];
    for (int i = 0; i < 3; i++)
        e[i] = CreateEventA(NULL, FALSE, i > 0, NULL);
    ASSERT_ERR(WaitForMultipleObjects(0, e, FALSE, 0) == WAIT_FAILED, ERROR_INVALID_PARAMETER);
    for (int i = 0; i < 65; i++)
        h[i] = e[0];
    ASSERT_ERR(WaitForMultipleObjects(65, h, FALSE, 0) == WAIT_FAILED, ERROR_INVALID_PARAMETER);
    HANDLE bad[2] = {e[1], (HANDLE)(ULONG_PTR)0x7777770};
    ASSERT_ERR(WaitForMultipleObjects(2, bad, FALSE, 0) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    ASSERT_EQ(wait0(e[1]), WAIT_OBJECT_0); /* a failed wait consumed nothing */
    ASSERT(SetEvent(e[1]));
    HANDLE sec = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT_ERR(WaitForSingleObject(sec, 0) == WAIT_FAILED, ERROR_ACCESS_DENIED); /* no SYNCHRONIZE */
    CloseHandle(sec);
    /* Wait-any: the lowest signaled index, and only it consumed. */
    ASSERT_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_OBJECT_0 + 1);
    ASSERT_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_OBJECT_0 + 2);
    ASSERT_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_TIMEOUT);
    /* Wait-all: nothing consumed unless all are signaled at once. */
    ASSERT(SetEvent(e[1]) && SetEvent(e[2]));
    ASSERT_EQ(WaitForMultipleObjects(3, e, TRUE, 50), WAIT_TIMEOUT);
    ASSERT_EQ(wait0(e[1]), WAIT_OBJECT_0);
    ASSERT_EQ(wait0(e[2]), WAIT_OBJECT_0);
    HANDLE s = CreateSemaphoreA(NULL, 1, 5, NULL);
    HANDLE mix[4] = {e[0], e[1], e[2], s};
    ASSERT(SetEvent(e[0]) && SetEvent(e[1]) && SetEvent(e[2]));
    ASSERT_EQ(WaitForMultipleObjects(4, mix, TRUE, 0), WAIT_OBJECT_0);
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(wait0(mix[i]), WAIT_TIMEOUT); /* all consumed together */
    HANDLE twice[2] = {s, s};
    if (!on_wine()) /* Windows refuses one object twice in a wait-all; Wine waits */
        ASSERT_ERR(WaitForMultipleObjects(2, twice, TRUE, 0) == WAIT_FAILED,
                   ERROR_INVALID_PARAMETER);
    for (int i = 0; i < 3; i++)
        CloseHandle(e[i]);
    CloseHandle(s);
}

TEST(wait_times_out)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    DWORD t0 = GetTickCount();
    SetLastError(NO_ERR);
    ASSERT_EQ(WaitForSingleObject(e, 120), WAIT_TIMEOUT);
    ASSERT(GetTickCount() - t0 >= 100);
    ASSERT_EQ(GetLastError(), NO_ERR);
    CloseHandle(e);
}

TEST(access_rights_on_open)
{
    char name[64], mname[70], sname[70];
    test_name(name, "rights");
    sprintf(mname, "%s-m", name);
    sprintf(sname, "%s-s", name);
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, name);
    HANDLE m = CreateMutexA(NULL, FALSE, mname);
    HANDLE s = CreateSemaphoreA(NULL, 0, 2, sname);
    ASSERT(e && m && s);
    HANDLE es = OpenEventA(SYNCHRONIZE, FALSE, name);
    HANDLE em = OpenEventA(EVENT_MODIFY_STATE, FALSE, name);
    ASSERT(es && em);
    ASSERT_ERR(!SetEvent(es), ERROR_ACCESS_DENIED);
    ASSERT(SetEvent(em));
    ASSERT_ERR(WaitForSingleObject(em, 0) == WAIT_FAILED, ERROR_ACCESS_DENIED);
    ASSERT_EQ(WaitForSingleObject(es, 0), WAIT_OBJECT_0);
    HANDLE ms = OpenMutexA(SYNCHRONIZE, FALSE, mname);
    ASSERT_EQ(WaitForSingleObject(ms, 0), WAIT_OBJECT_0);
    ASSERT(ReleaseMutex(ms)); /* SYNCHRONIZE is all ReleaseMutex needs */
    HANDLE mm = OpenMutexA(MUTEX_MODIFY_STATE, FALSE, mname);
    ASSERT_ERR(WaitForSingleObject(mm, 0) == WAIT_FAILED, ERROR_ACCESS_DENIED);
    CloseHandle(mm);
    HANDLE ss = OpenSemaphoreA(SYNCHRONIZE, FALSE, sname);
    ASSERT_ERR(!ReleaseSemaphore(ss, 1, NULL), ERROR_ACCESS_DENIED);
    HANDLE sm = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, sname);
    ASSERT(ReleaseSemaphore(sm, 1, NULL));
    ASSERT_EQ(WaitForSingleObject(ss, 0), WAIT_OBJECT_0);
    HANDLE all[] = {e, m, s, es, em, ms, ss, sm};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CloseHandle(all[i]);
}

TEST(named_sync_objects_share_the_namespace)
{
    char name[64];
    test_name(name, "syncns");
    SetLastError(NO_ERR);
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, name);
    ASSERT(e != NULL);
    ASSERT_EQ(GetLastError(), 0);
    HANDLE e2 = CreateEventA(NULL, FALSE, TRUE, name); /* existing: flags ignored */
    ASSERT(e2 != NULL);
    ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
    ASSERT_EQ(wait0(e2), WAIT_TIMEOUT);
    ASSERT(SetEvent(e));
    ASSERT_EQ(wait0(e2), WAIT_OBJECT_0);
    ASSERT_EQ(wait0(e2), WAIT_OBJECT_0); /* still the manual-reset one */
    ASSERT_ERR(!CreateMutexA(NULL, FALSE, name), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!CreateSemaphoreA(NULL, 0, 1, name), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name),
               ERROR_INVALID_HANDLE);
    ASSERT_ERR(!OpenMutexA(SYNCHRONIZE, FALSE, name), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_INVALID_HANDLE);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, NULL), ERROR_INVALID_PARAMETER);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, "mmf-no-such-event"), ERROR_FILE_NOT_FOUND);
    ASSERT_ERR(!CreateEventA(NULL, FALSE, FALSE, "Local\\"), ERROR_INVALID_NAME);
    HANDLE sec = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "x-sec");
    ASSERT_ERR(!CreateEventA(NULL, FALSE, FALSE, "x-sec"), ERROR_INVALID_HANDLE);
    CloseHandle(sec);
    CloseHandle(e);
    CloseHandle(e2);
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_FILE_NOT_FOUND);
}

static DWORD WINAPI exiting_thread(LPVOID p)
{
    if (p)
        ExitThread(77);
    return 42;
}

TEST(threads_are_waitable)
{
    DWORD id = 0, code = 0;
    HANDLE t = CreateThread(NULL, 0, exiting_thread, NULL, 0, &id);
    ASSERT(t != NULL);
    ASSERT(id != 0 && id != GetCurrentThreadId());
    ASSERT_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    ASSERT(GetExitCodeThread(t, &code));
    ASSERT_EQ(code, 42);
    CloseHandle(t);
    t = CreateThread(NULL, 0, exiting_thread, (LPVOID)1, 0, NULL);
    ASSERT_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    ASSERT(GetExitCodeThread(t, &code));
    ASSERT_EQ(code, 77);
    CloseHandle(t);
    ASSERT_EQ(WaitForSingleObject(GetCurrentThread(), 0), WAIT_TIMEOUT);
}

static DWORD WINAPI sleeper(LPVOID p)
{
    return WaitForSingleObject((HANDLE)p, INFINITE) == WAIT_OBJECT_0 ? 5 : 6;
}

TEST(running_thread_is_still_active)
{
    HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
    DWORD code;
    HANDLE t = CreateThread(NULL, 0, sleeper, go, 0, NULL);
    ASSERT(t != NULL);
    ASSERT(GetExitCodeThread(t, &code));
    ASSERT_EQ(code, STILL_ACTIVE);
    ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
    /* SignalObjectAndWait: set the event, wait for the thread it releases. */
    ASSERT_EQ(SignalObjectAndWait(go, t, 10000, FALSE), WAIT_OBJECT_0);
    ASSERT(GetExitCodeThread(t, &code));
    ASSERT_EQ(code, 5);
    ASSERT_ERR(SignalObjectAndWait(t, go, 0, FALSE) == WAIT_FAILED, ERROR_INVALID_HANDLE);
    CloseHandle(t);
    CloseHandle(go);
}
