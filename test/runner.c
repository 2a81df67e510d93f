/* The test runner: lists every test, runs each in a child process of its own with a
 * timeout, and ends with the line "N passed, N failed". `runner NAME...` runs only
 * those; `runner --run NAME` runs one test in this process (what the children do). */
#include "test.h"

#ifndef _WIN32
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
#endif

/* The list of tests: test-list.h, or another one for a second runner (the fault tests). */
#ifndef TEST_LIST
#define TEST_LIST "test-list.h"
#endif

#define TEST_ENTRY(name) void test_##name(void);
#include TEST_LIST
#undef TEST_ENTRY

struct test_entry {
    const char *name;
    void (*fn)(void);
};
static const struct test_entry tests[] = {
#define TEST_ENTRY(name) {#name, test_##name},
#include TEST_LIST
#undef TEST_ENTRY
};
#define NTESTS (sizeof tests / sizeof tests[0])

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (last error %lu)\n", (unsigned long)GetLastError());
    fflush(stderr);
    exit(1);
}

int on_wine(void)
{
#ifdef _WIN32
    return GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != NULL;
#else
    return 0;
#endif
}

void temp_path(char *buf, const char *tag)
{
    DWORD n = GetTempPathA(MAX_PATH, buf);
    ASSERT(n > 0 && n < MAX_PATH - 64);
    sprintf(buf + n, "mmf-test-%lu-%s", (unsigned long)GetCurrentProcessId(), tag);
}

unsigned char pattern_byte(size_t i)
{
    return (unsigned char)(i * 7 + 1);
}

HANDLE make_file(char *path, const char *tag, DWORD size, DWORD access)
{
    static unsigned char chunk[65536];
    temp_path(path, tag);
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           NULL, CREATE_ALWAYS, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    for (DWORD done = 0; done < size;) {
        DWORD n = size - done < sizeof chunk ? size - done : (DWORD)sizeof chunk, w;
        for (DWORD i = 0; i < n; i++)
            chunk[i] = pattern_byte(done + i);
        ASSERT(WriteFile(f, chunk, n, &w, NULL) && w == n);
        done += n;
    }
    if (access == (GENERIC_READ | GENERIC_WRITE))
        return f;
    CloseHandle(f);
    f = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    return f;
}

void drop_file(HANDLE f, const char *path)
{
    ASSERT(CloseHandle(f));
    ASSERT(DeleteFileA(path));
}

void read_at(HANDLE f, LONG off, void *buf, DWORD n)
{
    DWORD got;
    ASSERT_EQ(SetFilePointer(f, off, NULL, FILE_BEGIN), (DWORD)off);
    ASSERT(ReadFile(f, buf, n, &got, NULL));
    ASSERT_EQ(got, n);
}

/* Test threads: Win32 threads under Wine, pthreads natively (CreateThread arrives in mmf
 * with the synchronization issue). */
struct thread_arg {
    void (*fn)(int);
    int index;
};
#ifdef _WIN32
static DWORD WINAPI thread_main(LPVOID p)
{
    struct thread_arg *a = p;
    a->fn(a->index);
    return 0;
}
#else
static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    a->fn(a->index);
    return NULL;
}
#endif

void run_threads(int n, void (*fn)(int))
{
    struct thread_arg args[16];
    ASSERT(n <= 16);
#ifdef _WIN32
    HANDLE t[16];
    for (int i = 0; i < n; i++) {
        args[i] = (struct thread_arg){fn, i};
        t[i] = CreateThread(NULL, 0, thread_main, &args[i], 0, NULL);
        ASSERT(t[i] != NULL);
    }
    for (int i = 0; i < n; i++) {
        ASSERT(WaitForSingleObject(t[i], INFINITE) == WAIT_OBJECT_0);
        CloseHandle(t[i]);
    }
#else
    pthread_t t[16];
    for (int i = 0; i < n; i++) {
        args[i] = (struct thread_arg){fn, i};
        ASSERT(pthread_create(&t[i], NULL, thread_main, &args[i]) == 0);
    }
    for (int i = 0; i < n; i++)
        ASSERT(pthread_join(t[i], NULL) == 0);
#endif
}

static const struct test_entry *find(const char *name)
{
    for (size_t i = 0; i < NTESTS; i++)
        if (strcmp(tests[i].name, name) == 0)
            return &tests[i];
    return NULL;
}

enum outcome { PASS, FAIL, TIMEOUT };

#ifdef _WIN32
static enum outcome run_child(const char *name, DWORD timeout_ms, int *code)
{
    char exe[MAX_PATH], cmd[2 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    DWORD status;
    GetModuleFileNameA(NULL, exe, MAX_PATH);
    snprintf(cmd, sizeof cmd, "\"%s\" --run %s", exe, name);
    if (!CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return *code = -1, FAIL;
    CloseHandle(pi.hThread);
    if (WaitForSingleObject(pi.hProcess, timeout_ms) == WAIT_TIMEOUT) {
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hProcess);
        return TIMEOUT;
    }
    GetExitCodeProcess(pi.hProcess, &status);
    CloseHandle(pi.hProcess);
    *code = (int)status;
    return status == 0 ? PASS : FAIL;
}
#else
/* The runner's own path as started, so that a tool wrapping it (valgrind
 * --trace-children) wraps the children too; /proc/self/exe would name the tool. */
static const char *self = "/proc/self/exe";

static enum outcome run_child(const char *name, DWORD timeout_ms, int *code)
{
    char *argv[] = {"runner", "--run", (char *)name, NULL};
    pid_t pid;
    int status;
    if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
        return *code = -1, FAIL;
    for (DWORD waited = 0;; waited += 5) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (waited >= timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return TIMEOUT;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *code == 0 ? PASS : FAIL;
}
#endif

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--run") == 0) {
        const struct test_entry *t = find(argv[2]);
        if (!t) {
            fprintf(stderr, "no test named %s\n", argv[2]);
            return 2;
        }
        t->fn();
        return 0;
    }
#ifndef _WIN32
    if (strchr(argv[0], '/'))
        self = argv[0];
#endif
    const char *env = getenv("MMF_TEST_TIMEOUT");
    DWORD timeout_ms = (env ? (DWORD)atoi(env) : 60) * 1000;
    int passed = 0, failed = 0, n = 0;
    for (size_t i = 0; i < NTESTS; i++) {
        int wanted = argc == 1;
        for (int a = 1; a < argc; a++)
            wanted |= strcmp(argv[a], tests[i].name) == 0;
        if (!wanted)
            continue;
        int code = 0;
        enum outcome o = run_child(tests[i].name, timeout_ms, &code);
        n++;
        if (o == PASS) {
            passed++;
            printf("ok %d - %s\n", n, tests[i].name);
        } else {
            failed++;
            if (o == TIMEOUT)
                printf("not ok %d - %s (timed out)\n", n, tests[i].name);
            else
                printf("not ok %d - %s (exit %d)\n", n, tests[i].name, code);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
