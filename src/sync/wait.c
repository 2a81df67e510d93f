/* WaitForSingleObject, WaitForMultipleObjects, SignalObjectAndWait, on futexes.
 *
 * A wait reads every object's SEQ word, then tries to take the objects (wait-any: the
 * lowest index that is signaled; wait-all: each in turn, giving back what it took at the
 * first one that is not); if that fails it sleeps until one of the SEQ words changes
 * (futex_waitv for several, a plain futex for one) and tries again. A change between the
 * read and the sleep makes the sleep return at once, so no wake-up is lost.
 *
 * A mutex owned by a thread of another process that died (kill -9) cannot be released by
 * it: while such a mutex is among the objects, sleeps last at most OWNER_POLL_MS and the
 * owner's thread is checked; a dead owner's mutex is abandoned, and the next waiter gets
 * WAIT_ABANDONED. A wait that does not sleep checks too (a program that only polls, as an
 * instance check with a zero timeout, must see its dead peer's mutex abandoned), at most
 * once a millisecond a thread: a check reads /proc. */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sync/sync.h"

#define OWNER_POLL_MS 50
/* Spinning before sleeping: on SEQ words only (a cached load and a pause), taking another
 * try when one changes. A sleep costs a scheduler wake-up each way, far more than a turn
 * handed between two cores; on a single CPU a spin only delays the signaler.
 *
 * A spin pays only while the other side runs. On a busy machine it may not (the side
 * that would signal waits for a CPU, maybe this one), and spinning would burn the time
 * slice it needs. Two things tell: a spinning waiter counts itself in the object's
 * SPINNERS word, so a thread whose last signal found one knows its peer runs on another
 * CPU right now and spins fully for the answer (unless such a spin ran out since the last
 * one that paid: the word is a hint anyone may have left wrong); otherwise each thread
 * learns from its spins: one that saw a change gives it the full budget
 * (MMF_SPIN_ROUNDS) again, one that ran out halves it, down to nothing; then one wait in
 * PROBE_EVERY spins PROBE_ROUNDS to notice the other side running again, and each probe
 * that ran out makes them half as frequent, down to one in PROBE_EVERY_MAX (a probe burns
 * the CPU the answering side may be waiting for: one in 8 waits made the loaded round
 * trip 5-10% longer, BENCHMARKS.md). Only a spin that ran out on a busy CPU halves
 * either: one during which (or since the last that ran out) the thread was preempted, so
 * that another wanted the CPU. On an idle machine spins run
 * out too, when the other side sleeps and its answer waits for its wake-up; halving there
 * left two threads that woke each other sleeping for good, each spin too short for the
 * other's wake-up (idle round trips 3.5 times as long: BENCHMARKS.md). */
#ifndef MMF_SPIN_ROUNDS
#define MMF_SPIN_ROUNDS 1000
#endif
#define PROBE_ROUNDS 128
#define PROBE_EVERY 8
#define PROBE_EVERY_MAX 256

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static bool several_cpus(void)
{
    static atomic_int cpus;
    int n = atomic_load_explicit(&cpus, memory_order_relaxed);
    if (!n) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        n = online > 0 ? (int)online : 1;
        atomic_store_explicit(&cpus, n, memory_order_relaxed);
    }
    return n > 1;
}

static _Thread_local struct {
    unsigned rounds, waits_without; /* what this thread's spins may cost; waits since */
    unsigned probe_every;           /* waits a probe in, while rounds is 0 */
    bool known;
    /* The last spin was granted for a spinner found (hinted); one such ran out (distrusted:
     * SPINNERS may be stale, left by a spinner killed mid-spin, or written by anyone who
     * may write the object) until a spin pays again. */
    bool hinted, distrusted;
} spin;

/* The rounds the next wait of this thread may spin. */
static unsigned spin_budget(void)
{
    if (!spin.known) {
        spin.rounds = several_cpus() ? MMF_SPIN_ROUNDS : 0;
        spin.waits_without = 0;
        spin.probe_every = PROBE_EVERY;
        spin.known = true;
    }
    bool found = mmf__sync_found_spinner;
    mmf__sync_found_spinner = false;
    spin.hinted = found && !spin.distrusted && several_cpus();
    if (spin.hinted)
        return MMF_SPIN_ROUNDS;
    if (spin.rounds || !several_cpus())
        return spin.rounds;
    return ++spin.waits_without % spin.probe_every == 0 ? PROBE_ROUNDS : 0;
}

/* Whether this thread was preempted since it last asked (the kernel's count of its
 * involuntary switches moved): asked only when a spin ran out, on the way to a sleep. */
static bool preempted_since(void)
{
    static _Thread_local long last = -1;
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) < 0)
        return true;
    bool moved = ru.ru_nivcsw != last;
    last = ru.ru_nivcsw;
    return moved;
}

/* What a wait's first spin taught: it saw a change (paid), or ran out. */
static void spin_learn(bool paid)
{
    if (paid) {
        spin.rounds = MMF_SPIN_ROUNDS;
        spin.probe_every = PROBE_EVERY;
        spin.distrusted = false;
        return;
    }
    bool probe = !spin.rounds && !spin.hinted;
    spin.distrusted |= spin.hinted;
    if (!preempted_since())
        return;
    spin.rounds /= 2;
    if (probe && spin.probe_every < PROBE_EVERY_MAX)
        spin.probe_every *= 2;
}

/* Spins until a SEQ word differs from seen[] or the budget runs out; true if one did.
 * The spinner counts itself in SPINNERS only once QUIET_ROUNDS have gone by: a turn handed
 * between two running sides comes sooner, and those two atomic writes on the line the
 * signaler writes slow it down (counted at once, idle round trips took 1.35 times as
 * long: BENCHMARKS.md); a signaler that finds a spinner has kept it waiting a while. */
#define QUIET_ROUNDS 32
static bool spin_for_change(struct mmf__sync **objs, const uint32_t *seen, DWORD n,
                            unsigned *budget)
{
    bool changed = false;
    unsigned rounds = 0;
    while (*budget && !changed) {
        (*budget)--;
        for (DWORD i = 0; i < n && !changed; i++)
            changed = atomic_load_explicit(&objs[i]->w[MMF__S_SEQ], memory_order_relaxed) != seen[i];
        if (!changed && ++rounds == QUIET_ROUNDS)
            for (DWORD i = 0; i < n; i++)
                atomic_fetch_add_explicit(&objs[i]->w[MMF__S_SPINNERS], 1, memory_order_relaxed);
        if (!changed)
            cpu_relax();
    }
    for (DWORD i = 0; rounds >= QUIET_ROUNDS && i < n; i++)
        atomic_fetch_sub_explicit(&objs[i]->w[MMF__S_SPINNERS], 1, memory_order_relaxed);
    return changed;
}

/* From <linux/futex.h>, which musl's toolchain does not ship. */
#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE 128

struct waitv { /* struct futex_waitv */
    uint64_t val;
    uint64_t uaddr;
    uint32_t flags;
    uint32_t reserved;
};

static atomic_bool futex_waitv_missing;

/* Sleeps until one of the SEQ words differs from seen[], or the deadline. */
static void sleep_on(struct mmf__sync **objs, const uint32_t *seen, DWORD n,
                     const struct timespec *deadline)
{
    for (DWORD i = 0; i < n; i++)
        atomic_fetch_add(&objs[i]->w[MMF__S_WAITERS], 1);
    if (n == 1) {
        mmf__futex_wait(&objs[0]->w[MMF__S_SEQ], seen[0], objs[0]->shared, deadline);
    } else if (!futex_waitv_missing) {
        struct waitv v[MAXIMUM_WAIT_OBJECTS];
        for (DWORD i = 0; i < n; i++)
            v[i] = (struct waitv){seen[i], (uintptr_t)&objs[i]->w[MMF__S_SEQ],
                                  FUTEX2_SIZE_U32 | (objs[i]->shared ? 0 : FUTEX2_PRIVATE), 0};
        if (syscall(SYS_futex_waitv, v, n, 0, deadline, CLOCK_MONOTONIC) < 0 && errno == ENOSYS)
            futex_waitv_missing = true; /* before Linux 5.16: poll below */
    }
    if (n > 1 && futex_waitv_missing) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    for (DWORD i = 0; i < n; i++)
        atomic_fetch_sub(&objs[i]->w[MMF__S_WAITERS], 1);
}

static void add_ms(struct timespec *t, DWORD ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000;
    if (t->tv_nsec >= 1000000000) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000;
    }
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Tries to satisfy the wait once: the index taken (wait-any) or 0 (wait-all), ORed with
 * WAIT_ABANDONED_0 for an abandoned mutex; WAIT_TIMEOUT when nothing could be taken. */
static DWORD try_once(struct mmf__sync **objs, DWORD n, bool all, const uint32_t *pulse0)
{
    enum mmf__take got[MAXIMUM_WAIT_OBJECTS];
    DWORD abandoned = WAIT_TIMEOUT;
    for (DWORD i = 0; i < n; i++) {
        got[i] = objs[i]->obj.type->wait->take(objs[i], pulse0[i]);
        if (got[i] == MMF__TAKE_ABANDONED && abandoned == WAIT_TIMEOUT)
            abandoned = i;
        if (!all && got[i] != MMF__TAKE_NO)
            return i + (got[i] == MMF__TAKE_ABANDONED ? WAIT_ABANDONED_0 : WAIT_OBJECT_0);
        if (all && got[i] == MMF__TAKE_NO) {
            while (i-- > 0)
                objs[i]->obj.type->wait->untake(objs[i], got[i]);
            return WAIT_TIMEOUT;
        }
    }
    if (!all)
        return WAIT_TIMEOUT;
    return abandoned == WAIT_TIMEOUT ? WAIT_OBJECT_0 : WAIT_ABANDONED_0 + abandoned;
}

/* Is one of the objects owned by a thread that may die without releasing it? */
static bool owned_elsewhere(struct mmf__sync **objs, DWORD n)
{
    for (DWORD i = 0; i < n; i++) {
        const struct mmf__wait_ops *ops = objs[i]->obj.type->wait;
        if (ops->owned_elsewhere && ops->owned_elsewhere(objs[i]))
            return true;
    }
    return false;
}

/* Abandons the objects' mutexes whose owner thread is gone. */
static void check_owners(struct mmf__sync **objs, DWORD n)
{
    for (DWORD i = 0; i < n; i++)
        if (objs[i]->obj.type->wait->check_owner)
            objs[i]->obj.type->wait->check_owner(objs[i]);
}

/* May a wait that does not sleep check owners now? At most once a millisecond a thread. */
static bool owner_check_due(void)
{
    static _Thread_local int64_t last_ms = INT64_MIN;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (ms == last_ms)
        return false;
    last_ms = ms;
    return true;
}

/* Before a wait sleeps, each pinned object gets a reference of its own and is unpinned:
 * a CloseHandle meanwhile must not wait for this wait to end. */
static void hold_for_sleep(struct mmf__sync **objs, void **pins, DWORD n)
{
    for (DWORD i = 0; i < n; i++)
        if (pins[i]) {
            mmf__ref(&objs[i]->obj);
            mmf__handle_unpin(pins[i]);
            pins[i] = NULL;
        }
}

static DWORD wait_objects(struct mmf__sync **objs, void **pins, DWORD n, bool all, DWORD ms)
{
    uint32_t seen[MAXIMUM_WAIT_OBJECTS], pulse0[MAXIMUM_WAIT_OBJECTS];
    struct timespec deadline = {0, 0}, now;
    unsigned budget = spin_budget(), first = budget;
    for (DWORD i = 0; i < n; i++)
        pulse0[i] = atomic_load(&objs[i]->w[MMF__S_PULSE]);
    for (;;) {
        for (DWORD i = 0; i < n; i++)
            seen[i] = atomic_load(&objs[i]->w[MMF__S_SEQ]);
        DWORD r = try_once(objs, n, all, pulse0);
        if (r == WAIT_TIMEOUT && ms == 0 && owned_elsewhere(objs, n) && owner_check_due()) {
            check_owners(objs, n);
            r = try_once(objs, n, all, pulse0);
        }
        if (r != WAIT_TIMEOUT || ms == 0)
            return r;
        bool changed = spin_for_change(objs, seen, n, &budget);
        if (first) {
            spin_learn(changed);
            first = 0;
        }
        if (changed)
            continue; /* something changed: try again before any sleep */
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (deadline.tv_sec == 0 && deadline.tv_nsec == 0) { /* the first sleep: from here */
            deadline = now;
            add_ms(&deadline, ms);
        }
        if (ms != INFINITE && !before(&now, &deadline))
            return WAIT_TIMEOUT;
        hold_for_sleep(objs, pins, n);
        struct timespec until = now;
        bool poll = owned_elsewhere(objs, n);
        add_ms(&until, OWNER_POLL_MS);
        const struct timespec *limit = ms == INFINITE ? NULL : &deadline;
        if (poll && (!limit || before(&until, limit)))
            limit = &until;
        sleep_on(objs, seen, n, limit);
        if (poll)
            check_owners(objs, n);
    }
}

/* A never-signaled object standing for the pseudo handles of this process and thread:
 * they end only when the waiter does. Static, never referenced or destroyed. */
static enum mmf__take never_take(struct mmf__sync *s, uint32_t pulse0)
{
    (void)s, (void)pulse0;
    return MMF__TAKE_NO;
}

static const struct mmf__wait_ops never_ops = {.take = never_take};
static const struct mmf__type never_type = {.name = "Thread", .wait = &never_ops};
static struct mmf__sync never;
static pthread_once_t never_once = PTHREAD_ONCE_INIT;

static void init_never(void)
{
    mmf__sync_init(&never, &never_type);
}

/* One waitable object for a handle, pinned (*pin), or the never-signaled one (NULL). */
static int get_waitable(HANDLE h, struct mmf__sync **out, void **pin)
{
    struct mmf__object *obj;
    DWORD access;
    *pin = NULL;
    if (mmf__is_pseudo_handle(h)) {
        pthread_once(&never_once, init_never);
        *out = &never;
        return 0;
    }
    int st = mmf__handle_pin(h, &obj, &access, pin);
    if (st < 0)
        return st;
    /* The right is checked first: a section handle (without SYNCHRONIZE) is denied. */
    if (!(access & SYNCHRONIZE))
        st = MMF__W(ERROR_ACCESS_DENIED);
    else if (!obj->type->wait)
        st = MMF__W(ERROR_INVALID_HANDLE);
    if (st < 0) {
        mmf__handle_unpin(*pin);
        return st;
    }
    *out = (struct mmf__sync *)obj;
    return 0;
}

/* Lets go of what get_waitables took: pins, or the references hold_for_sleep made. */
static void let_go(struct mmf__sync **objs, void **pins, DWORD n)
{
    for (DWORD i = 0; i < n; i++)
        if (pins[i])
            mmf__handle_unpin(pins[i]);
        else if (objs[i] != &never)
            mmf__unref(&objs[i]->obj);
}

/* Looks up waitable handles: WAIT_FAILED's error for the first that is not. */
static int get_waitables(DWORD n, const HANDLE *handles, struct mmf__sync **objs, void **pins)
{
    for (DWORD i = 0; i < n; i++) {
        int st = get_waitable(handles[i], &objs[i], &pins[i]);
        if (st < 0) {
            let_go(objs, pins, i);
            return st;
        }
    }
    return 0;
}

static DWORD wait_handles(DWORD n, const HANDLE *handles, bool all, DWORD ms)
{
    struct mmf__sync *objs[MAXIMUM_WAIT_OBJECTS];
    void *pins[MAXIMUM_WAIT_OBJECTS];
    int st = n == 0 || n > MAXIMUM_WAIT_OBJECTS ? MMF__W(ERROR_INVALID_PARAMETER)
             : !handles                         ? MMF__W(ERROR_NOACCESS)
                                                : get_waitables(n, handles, objs, pins);
    if (st < 0)
        return mmf__fail(st), WAIT_FAILED;
    /* Waiting for all of the same object twice can never be satisfied. */
    for (DWORD i = 0; all && i < n && st == 0; i++)
        for (DWORD j = i + 1; j < n; j++)
            if (objs[i] == objs[j] && objs[i] != &never)
                st = MMF__W(ERROR_INVALID_PARAMETER);
    DWORD r = st < 0 ? WAIT_FAILED : wait_objects(objs, pins, n, all, ms);
    let_go(objs, pins, n);
    if (st < 0)
        mmf__fail(st);
    return r;
}

DWORD WINAPI WaitForSingleObject(HANDLE h, DWORD ms)
{
    return wait_handles(1, &h, false, ms);
}

DWORD WINAPI WaitForMultipleObjects(DWORD n, const HANDLE *handles, BOOL all, DWORD ms)
{
    return wait_handles(n, handles, all != 0, ms);
}

/* mmf queues no APCs (no ReadFileEx, no QueueUserAPC), so an alertable wait has nothing to
 * be alerted by and ends as the plain one (never WAIT_IO_COMPLETION). */
DWORD WINAPI WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable)
{
    (void)alertable;
    return wait_handles(1, &h, false, ms);
}

DWORD WINAPI WaitForMultipleObjectsEx(DWORD n, const HANDLE *handles, BOOL all, DWORD ms,
                                      BOOL alertable)
{
    (void)alertable;
    return wait_handles(n, handles, all != 0, ms);
}

DWORD WINAPI SignalObjectAndWait(HANDLE sig, HANDLE h, DWORD ms, BOOL alertable)
{
    (void)alertable;
    int st = mmf__handle_signal(sig, 0); /* SetEvent, ReleaseMutex, ReleaseSemaphore(1) */
    if (st < 0)
        return mmf__fail(st), WAIT_FAILED;
    return WaitForSingleObject(h, ms);
}
