/* The Interlocked* family and MemoryBarrier: compiler intrinsics on Windows, inline
 * functions here (sequentially consistent, as Windows' full-barrier forms; the Acquire,
 * Release and NoFence variants are no weaker). Each returns what Windows' does: the new
 * value for Increment, Decrement and Add, the old one for the rest. */
#ifndef MMF_INTERLOCKED_H
#define MMF_INTERLOCKED_H

#include <mmf/wintypes.h>

#define MMF_SEQ_ __ATOMIC_SEQ_CST

#define MMF_INTERLOCKED_(suffix, T)                                                            \
    static inline T InterlockedIncrement##suffix(T volatile *p)                                \
    {                                                                                          \
        return __atomic_add_fetch(p, 1, MMF_SEQ_);                                             \
    }                                                                                          \
    static inline T InterlockedDecrement##suffix(T volatile *p)                                \
    {                                                                                          \
        return __atomic_sub_fetch(p, 1, MMF_SEQ_);                                             \
    }                                                                                          \
    static inline T InterlockedExchange##suffix(T volatile *p, T v)                            \
    {                                                                                          \
        return __atomic_exchange_n(p, v, MMF_SEQ_);                                            \
    }                                                                                          \
    static inline T InterlockedExchangeAdd##suffix(T volatile *p, T v)                         \
    {                                                                                          \
        return __atomic_fetch_add(p, v, MMF_SEQ_);                                             \
    }                                                                                          \
    static inline T InterlockedAdd##suffix(T volatile *p, T v)                                 \
    {                                                                                          \
        return __atomic_add_fetch(p, v, MMF_SEQ_);                                             \
    }                                                                                          \
    static inline T InterlockedCompareExchange##suffix(T volatile *p, T v, T cmp)              \
    {                                                                                          \
        __atomic_compare_exchange_n(p, &cmp, v, 0, MMF_SEQ_, MMF_SEQ_);                        \
        return cmp;                                                                            \
    }                                                                                          \
    static inline T InterlockedAnd##suffix(T volatile *p, T v)                                 \
    {                                                                                          \
        return __atomic_fetch_and(p, v, MMF_SEQ_);                                             \
    }                                                                                          \
    static inline T InterlockedOr##suffix(T volatile *p, T v)                                  \
    {                                                                                          \
        return __atomic_fetch_or(p, v, MMF_SEQ_);                                              \
    }                                                                                          \
    static inline T InterlockedXor##suffix(T volatile *p, T v)                                 \
    {                                                                                          \
        return __atomic_fetch_xor(p, v, MMF_SEQ_);                                             \
    }

MMF_INTERLOCKED_(, LONG)
MMF_INTERLOCKED_(64, LONG64)
MMF_INTERLOCKED_(16, SHORT)
#undef MMF_INTERLOCKED_

static inline PVOID InterlockedExchangePointer(PVOID volatile *p, PVOID v)
{
    return __atomic_exchange_n(p, v, MMF_SEQ_);
}

static inline PVOID InterlockedCompareExchangePointer(PVOID volatile *p, PVOID v, PVOID cmp)
{
    __atomic_compare_exchange_n(p, &cmp, v, 0, MMF_SEQ_, MMF_SEQ_);
    return cmp;
}
#undef MMF_SEQ_

#define InterlockedIncrementAcquire InterlockedIncrement
#define InterlockedIncrementRelease InterlockedIncrement
#define InterlockedIncrementNoFence InterlockedIncrement
#define InterlockedDecrementAcquire InterlockedDecrement
#define InterlockedDecrementRelease InterlockedDecrement
#define InterlockedDecrementNoFence InterlockedDecrement
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define InterlockedCompareExchangeNoFence InterlockedCompareExchange
#define InterlockedExchangeAcquire InterlockedExchange
#define InterlockedCompareExchangePointerAcquire InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerRelease InterlockedCompareExchangePointer
#define InterlockedExchangePointerAcquire InterlockedExchangePointer

/* A full fence, and a compiler-only one. ThreadSanitizer does not model fences: under it,
 * a locked read-modify-write of a local, which is how x86 compilers make the fence. */
#if defined(__SANITIZE_THREAD__)
#define MMF_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MMF_TSAN_ 1
#endif
#endif
#ifdef MMF_TSAN_
static inline void MemoryBarrier(void)
{
    volatile LONG fence = 0;
    __atomic_fetch_or(&fence, 0, __ATOMIC_SEQ_CST);
}
#undef MMF_TSAN_
#else
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#define _ReadWriteBarrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#if defined(__x86_64__) || defined(__i386__)
#define YieldProcessor() __builtin_ia32_pause()
#else
#define YieldProcessor() ((void)0)
#endif

#endif
