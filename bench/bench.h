/* Benchmark helpers. Benchmarks are Win32 programs: the same source builds natively
 * against mmf and with mingw-w64 for Wine. Each prints one figure per line:
 *     <benchmark> <value> <unit>
 * Children (for cross-process benchmarks) are the program started again with an
 * argument, as in the tests. */
#ifndef MMF_BENCH_H
#define MMF_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#ifndef _WIN32
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
extern char **environ;
#endif

static inline double now_ns(void)
{
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    return (double)c.QuadPart * 1e9 / (double)f.QuadPart;
}

static inline void report(const char *name, double value, const char *unit)
{
    printf("%s %.4g %s\n", name, value, unit);
    fflush(stdout);
}

static inline void die(const char *what)
{
    fprintf(stderr, "bench: %s failed: error %lu\n", what, (unsigned long)GetLastError());
    exit(1);
}

/* Starts this program again with arguments (separated by spaces, as on a Windows command
 * line); returns a token for join_self. */
static inline intptr_t spawn_self(const char *self, const char *arg)
{
#ifdef _WIN32
    char cmd[2 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    (void)self;
    char exe[MAX_PATH];
    GetModuleFileNameA(NULL, exe, MAX_PATH);
    snprintf(cmd, sizeof cmd, "\"%s\" %s", exe, arg);
    if (!CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        die("CreateProcess");
    CloseHandle(pi.hThread);
    return (intptr_t)pi.hProcess;
#else
    char buf[512], *argv[8], *save;
    int n = 0;
    snprintf(buf, sizeof buf, "%s", arg);
    argv[n++] = (char *)self;
    for (char *p = strtok_r(buf, " ", &save); p && n < 7; p = strtok_r(NULL, " ", &save))
        argv[n++] = p;
    argv[n] = NULL;
    pid_t pid;
    if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
        die("posix_spawn");
    return pid;
#endif
}

static inline int join_self(intptr_t child)
{
#ifdef _WIN32
    DWORD code = 1;
    WaitForSingleObject((HANDLE)child, INFINITE);
    GetExitCodeProcess((HANDLE)child, &code);
    CloseHandle((HANDLE)child);
    return (int)code;
#else
    int status;
    waitpid((pid_t)child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
#endif
}

#endif
