/* System information, process and thread identity, clocks and Sleep. */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

size_t mmf__page_size = 4096;

__attribute__((constructor(101))) static void init_page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    if (p > 0)
        mmf__page_size = (size_t)p;
}

void WINAPI GetSystemInfo(LPSYSTEM_INFO si)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    *si = (SYSTEM_INFO){
#if defined(__x86_64__)
        .wProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64,
        .dwProcessorType = PROCESSOR_AMD_X8664,
#elif defined(__aarch64__)
        .wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM64,
#else
        .wProcessorArchitecture = PROCESSOR_ARCHITECTURE_UNKNOWN,
#endif
        .dwPageSize = (DWORD)mmf__page_size,
        .lpMinimumApplicationAddress = (LPVOID)(uintptr_t)MMF__GRANULARITY,
        .lpMaximumApplicationAddress = (LPVOID)MMF__MAX_USER_ADDRESS,
        .dwActiveProcessorMask = n >= 64 ? ~(DWORD_PTR)0 : ((DWORD_PTR)1 << n) - 1,
        .dwNumberOfProcessors = (DWORD)n,
        .dwAllocationGranularity = MMF__GRANULARITY,
    };
}

/* The process's and the thread's kernel ids, asked once: a system call costs ~1 us on
 * some virtual machines and the I/O path asks for the pid on each multi-page transfer.
 * A child made by fork() forgets both (its forking thread is its only one). */
static pid_t my_pid;
static _Thread_local uint32_t my_tid;

static void forget_ids(void)
{
    my_pid = 0;
    my_tid = 0;
}

static void watch_fork(void)
{
    pthread_atfork(NULL, NULL, forget_ids);
}

pid_t mmf__pid(void)
{
    pid_t p = __atomic_load_n(&my_pid, __ATOMIC_RELAXED);
    if (p == 0) {
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        pthread_once(&once, watch_fork);
        p = getpid();
        __atomic_store_n(&my_pid, p, __ATOMIC_RELAXED);
    }
    return p;
}

DWORD WINAPI GetCurrentProcessId(void)
{
    return (DWORD)mmf__pid();
}

uint32_t mmf__tid(void)
{
    if (!my_tid) {
        mmf__pid(); /* watch for fork() before caching */
        my_tid = (uint32_t)syscall(SYS_gettid);
    }
    return my_tid;
}

DWORD WINAPI GetCurrentThreadId(void)
{
    return mmf__tid();
}

static uint64_t monotonic_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* 10 MHz, as on current Windows: counter * 10^6 / frequency stays in range for weeks. */
#define QPC_FREQUENCY 10000000

BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *c)
{
    c->QuadPart = (LONGLONG)(monotonic_ns(CLOCK_MONOTONIC) / (1000000000 / QPC_FREQUENCY));
    return TRUE;
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *f)
{
    f->QuadPart = QPC_FREQUENCY;
    return TRUE;
}

/* Milliseconds since boot, suspend included, like Windows' tick count. */
ULONGLONG WINAPI GetTickCount64(void)
{
    return monotonic_ns(CLOCK_BOOTTIME) / 1000000;
}

DWORD WINAPI GetTickCount(void)
{
    return (DWORD)GetTickCount64();
}

void WINAPI Sleep(DWORD ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    if (ms == INFINITE) {
        for (;;)
            pause();
    }
    if (ms == 0) { /* give up the rest of the time slice */
        sched_yield();
        return;
    }
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* No APC can be queued to an mmf thread (see WaitForSingleObjectEx): an alertable sleep
 * runs its whole time and returns 0, never WAIT_IO_COMPLETION. */
DWORD WINAPI SleepEx(DWORD ms, BOOL alertable)
{
    (void)alertable;
    Sleep(ms);
    return 0;
}

/* --- The Windows version a program is told ------------------------------------------- */

/* Windows 8.1 and later tell a program without a compatibility manifest that it runs on
 * Windows 8 (6.2, build 9200): what every program built here has no way to carry. */
#define MAJOR 6
#define MINOR 2
#define BUILD 9200

DWORD WINAPI GetVersion(void)
{
    return (DWORD)BUILD << 16 | MINOR << 8 | MAJOR; /* high bit clear: the NT line */
}

/* The size field picks the structure: OSVERSIONINFO or OSVERSIONINFOEX, A or W. Their
 * first five DWORDs (size, major, minor, build, platform) are the same in all four; the
 * rest is zeroed, but for the EX forms' product type at `product`. */
static BOOL fill_version(void *vi, size_t plain, size_t ex, size_t product)
{
    DWORD *f = vi, size = f[0];
    if (size != plain && size != ex)
        return mmf__fail(MMF__W(ERROR_INSUFFICIENT_BUFFER)), FALSE;
    memset(f + 1, 0, size - sizeof *f);
    f[1] = MAJOR, f[2] = MINOR, f[3] = BUILD, f[4] = VER_PLATFORM_WIN32_NT;
    if (size == ex)
        ((BYTE *)vi)[product] = VER_NT_WORKSTATION;
    return TRUE;
}

BOOL WINAPI GetVersionExA(LPOSVERSIONINFOA vi)
{
    return fill_version(vi, sizeof(OSVERSIONINFOA), sizeof(OSVERSIONINFOEXA),
                        offsetof(OSVERSIONINFOEXA, wProductType));
}

BOOL WINAPI GetVersionExW(LPOSVERSIONINFOW vi)
{
    return fill_version(vi, sizeof(OSVERSIONINFOW), sizeof(OSVERSIONINFOEXW),
                        offsetof(OSVERSIONINFOEXW, wProductType));
}
