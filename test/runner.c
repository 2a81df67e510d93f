/* The test runner: lists every test, runs each in a child process of its own with a
 * timeout, and ends with the line "N passed, N failed". `runner NAME...` runs only
 * those; `runner --run NAME` runs one test in this process (what the children do). */
#include "test.h"

#ifndef _WIN32
#include <spawn.h>
#include <sys/stat.h>
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
#define CHILD_ENTRY(name) int child_##name(const char *arg);
#include TEST_LIST
#undef TEST_ENTRY
#undef CHILD_ENTRY

struct test_entry {
    const char *name;
    void (*fn)(void);
};
static const struct test_entry tests[] = {
#define TEST_ENTRY(name) {#name, test_##name},
#define CHILD_ENTRY(name)
#include TEST_LIST
#undef TEST_ENTRY
#undef CHILD_ENTRY
};
#define NTESTS (sizeof tests / sizeof tests[0])

struct child_entry {
    const char *name;
    int (*fn)(const char *arg);
};
static const struct child_entry children[] = {
#define TEST_ENTRY(name)
#define CHILD_ENTRY(name) {#name, child_##name},
#include TEST_LIST
#undef TEST_ENTRY
#undef CHILD_ENTRY
    {NULL, NULL},
};

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

void beside_runner(char *buf, const char *file)
{
    DWORD n = GetModuleFileNameA(NULL, buf, MAX_PATH);
    ASSERT(n > 0 && n < MAX_PATH);
    char *slash = strrchr(buf, '/'), *back = strrchr(buf, '\\');
    if (back > slash)
        slash = back;
    ASSERT(slash && strlen(file) < MAX_PATH - (size_t)(slash + 1 - buf));
    strcpy(slash + 1, file);
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

SECURITY_ATTRIBUTES *everyone(void)
{
    static SECURITY_DESCRIPTOR sd;
    static SECURITY_ATTRIBUTES sa = {sizeof sa, &sd, FALSE};
    ASSERT(InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION));
    ASSERT(SetSecurityDescriptorDacl(&sd, TRUE, NULL, FALSE));
    return &sa;
}

void read_at(HANDLE f, LONG off, void *buf, DWORD n)
{
    DWORD got;
    ASSERT_EQ(SetFilePointer(f, off, NULL, FILE_BEGIN), (DWORD)off);
    ASSERT(ReadFile(f, buf, n, &got, NULL));
    ASSERT_EQ(got, n);
}

struct thread_arg {
    void (*fn)(int);
    int index;
};

static DWORD WINAPI thread_main(LPVOID p)
{
    struct thread_arg *a = p;
    a->fn(a->index);
    return 0;
}

void run_threads(int n, void (*fn)(int))
{
    struct thread_arg args[16];
    HANDLE t[16] = {0};
    ASSERT(n > 0 && n <= 16);
    for (int i = 0; i < n; i++) {
        args[i] = (struct thread_arg){fn, i};
        t[i] = CreateThread(NULL, 0, thread_main, &args[i], 0, NULL);
        ASSERT(t[i] != NULL);
    }
    ASSERT(WaitForMultipleObjects((DWORD)n, t, TRUE, INFINITE) == WAIT_OBJECT_0);
    for (int i = 0; i < n; i++)
        CloseHandle(t[i]);
}

void test_name(char *buf, const char *tag)
{
    sprintf(buf, "mmf-test-%lu-%s", (unsigned long)GetCurrentProcessId(), tag);
}

void wait_flag(volatile LONG *flag, LONG value, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) != value) {
        if (GetTickCount() - start > timeout_ms)
            test_fail(__FILE__, __LINE__, "flag never became %ld", (long)value);
        Sleep(1);
    }
}

void start_child(struct child *c, const char *role, const char *arg)
{
    char exe[MAX_PATH], cmd[3 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s \"%s\"", exe, role, arg);
    ASSERT(CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    CloseHandle(pi.hThread);
    c->process = pi.hProcess;
}

int wait_child(struct child *c, DWORD timeout_ms)
{
    DWORD code;
    if (WaitForSingleObject(c->process, timeout_ms) != WAIT_OBJECT_0) {
        TerminateProcess(c->process, 1);
        test_fail(__FILE__, __LINE__, "child did not end");
    }
    ASSERT(GetExitCodeProcess(c->process, &code));
    CloseHandle(c->process);
    return (int)code;
}

void kill_child(struct child *c)
{
    ASSERT(TerminateProcess(c->process, 137));
    ASSERT(WaitForSingleObject(c->process, 10000) == WAIT_OBJECT_0);
    CloseHandle(c->process);
}

#ifndef _WIN32
static const char *self = "/proc/self/exe";
#endif

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
/* `self` is the runner's own path as started, so that a tool wrapping it (valgrind
 * --trace-children) wraps the children too; /proc/self/exe would name the tool. */
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

#ifndef _WIN32
/* Natively each run gets a namespace root of its own (MMF_ROOT), so that runs never meet
 * each other's objects, and so that what is left at the end can be checked. */
static char root[64];

static void private_root(void)
{
    if (getenv("MMF_ROOT"))
        return;
    strcpy(root, "/dev/shm/mmf-test-XXXXXX");
    if (!mkdtemp(root)) {
        strcpy(root, "/tmp/mmf-test-XXXXXX");
        ASSERT(mkdtemp(root) != NULL);
    }
    chmod(root, 01777); /* like /dev/shm: other users' tests make their namespaces here */
    setenv("MMF_ROOT", root, 1);
}

/* Removes the private root; returns how many object files were left in it. */
static int remove_root(void)
{
    char cmd[128];
    int left = 0;
    if (!root[0])
        return 0;
    snprintf(cmd, sizeof cmd, "find %s -type f | wc -l", root);
    FILE *p = popen(cmd, "r");
    if (p && fscanf(p, "%d", &left) != 1)
        left = 0;
    if (p)
        pclose(p);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return left;
}
#endif

int main(int argc, char **argv)
{
#ifndef _WIN32
    if (strchr(argv[0], '/'))
        self = argv[0];
#endif
    if (argc == 4 && strcmp(argv[1], "--child") == 0) {
        for (const struct child_entry *c = children; c->name; c++)
            if (strcmp(c->name, argv[2]) == 0)
                return c->fn(argv[3]);
        fprintf(stderr, "no child role named %s\n", argv[2]);
        return 2;
    }
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
    private_root();
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
#ifndef _WIN32
    /* Every name must have vanished with its last handle. */
    int left = remove_root();
    if (left) {
        printf("not ok %d - no objects left behind (%d files in the namespace)\n", ++n, left);
        failed++;
    }
#endif
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
