/* CRITICAL_SECTION: a recursive lock private to the process, in the caller's own struct.
 *
 * Windows' layout is kept so that programs that look at OwningThread or RecursionCount
 * (SQLite's debug checks do) see what they would: OwningThread holds the owner's thread
 * id, RecursionCount its depth. LockCount is the futex word: 0 free, 1 held, 2 held with
 * sleepers (only the owner changes the others). SpinCount tries before sleeping. */
#include "sync/sync.h"

enum { FREE, HELD, CONTENDED };

static _Atomic uint32_t *word(CRITICAL_SECTION *cs)
{
    return (_Atomic uint32_t *)&cs->LockCount;
}

static DWORD owner(CRITICAL_SECTION *cs)
{
    return (DWORD)(uintptr_t)__atomic_load_n(&cs->OwningThread, __ATOMIC_RELAXED);
}

static void set_owner(CRITICAL_SECTION *cs, DWORD tid)
{
    __atomic_store_n(&cs->OwningThread, (HANDLE)(uintptr_t)tid, __ATOMIC_RELAXED);
}

static bool try_take(CRITICAL_SECTION *cs)
{
    uint32_t free_ = FREE;
    return atomic_compare_exchange_strong_explicit(word(cs), &free_, HELD, memory_order_acquire,
                                                   memory_order_relaxed);
}

void WINAPI InitializeCriticalSection(LPCRITICAL_SECTION cs)
{
    *cs = (CRITICAL_SECTION){0};
}

BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs, DWORD spin)
{
    InitializeCriticalSection(cs);
    cs->SpinCount = spin & 0xFFFFFF; /* the high bits are flags on Windows */
    return TRUE;
}

BOOL WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION cs, DWORD spin, DWORD flags)
{
    (void)flags; /* CRITICAL_SECTION_NO_DEBUG_INFO and the like: no debug info is kept */
    return InitializeCriticalSectionAndSpinCount(cs, spin);
}

DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION cs, DWORD spin)
{
    DWORD old = (DWORD)cs->SpinCount;
    cs->SpinCount = spin & 0xFFFFFF;
    return old;
}

void WINAPI DeleteCriticalSection(LPCRITICAL_SECTION cs)
{
    (void)cs; /* nothing is allocated */
}

void WINAPI EnterCriticalSection(LPCRITICAL_SECTION cs)
{
    DWORD me = mmf__tid();
    if (owner(cs) == me) {
        cs->RecursionCount++;
        return;
    }
    bool got = try_take(cs);
    for (ULONG_PTR i = 0; !got && i < cs->SpinCount; i++)
        got = atomic_load_explicit(word(cs), memory_order_relaxed) == FREE && try_take(cs);
    /* Sleep marked CONTENDED, so that the leaving owner knows to wake someone. */
    while (!got) {
        got = atomic_exchange_explicit(word(cs), CONTENDED, memory_order_acquire) == FREE;
        if (!got)
            mmf__futex_wait(word(cs), CONTENDED, false, NULL);
    }
    set_owner(cs, me);
    cs->RecursionCount = 1;
}

BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION cs)
{
    DWORD me = mmf__tid();
    if (owner(cs) == me) {
        cs->RecursionCount++;
        return TRUE;
    }
    if (!try_take(cs))
        return FALSE;
    set_owner(cs, me);
    cs->RecursionCount = 1;
    return TRUE;
}

void WINAPI LeaveCriticalSection(LPCRITICAL_SECTION cs)
{
    MMF__ASSERT(owner(cs) == mmf__tid() && cs->RecursionCount > 0);
    if (--cs->RecursionCount > 0)
        return;
    set_owner(cs, 0);
    if (atomic_exchange_explicit(word(cs), FREE, memory_order_release) == CONTENDED)
        mmf__futex_wake(word(cs), 1, false);
}
