/* Test helpers. Every test is a Win32 program: it builds natively against mmf and with
 * mingw-w64 for Wine, and must pass both ways. */
#ifndef MMF_TEST_H
#define MMF_TEST_H

/* Ported code includes POSIX and C headers before and after <windows.h>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <stdarg.h>
#include <signal.h>

#define TEST(name)               \
    void test_##name(void);      \
    void test_##name(void)

/* A role a test starts in a child process: the runner run again with --child NAME ARG.
 * Its return value is the child's exit code. */
#define CHILD(name)                          \
    int child_##name(const char *arg);       \
    int child_##name(const char *arg)

/* Started with CreateProcess in both builds. */
struct child {
    HANDLE process;
};
void start_child(struct child *c, const char *role, const char *arg);
/* The child's exit code; fails the test if it does not end within timeout_ms. */
int wait_child(struct child *c, DWORD timeout_ms);
/* TerminateProcess (natively a kill -9), and waits for its end. */
void kill_child(struct child *c);
/* A name unique to this test process: "mmf-test-<pid>-<tag>". */
void test_name(char *buf, const char *tag);
/* Waits until *flag (in shared memory) becomes `value`; fails after timeout_ms. */
void wait_flag(volatile LONG *flag, LONG value, DWORD timeout_ms);

void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

#define ASSERT(c)                                               \
    do {                                                        \
        if (!(c))                                               \
            test_fail(__FILE__, __LINE__, "ASSERT(%s)", #c);    \
    } while (0)

#define ASSERT_EQ(a, b)                                                                  \
    do {                                                                                 \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);   \
        if (a_ != b_)                                                                    \
            test_fail(__FILE__, __LINE__, "%s == %s: %#llx != %#llx", #a, #b, a_, b_);   \
    } while (0)

/* `failed` is a truth expression that says the call failed (e.g. `!MapViewOfFile(...)`);
 * the last error must then be `code`. */
#define ASSERT_ERR(failed, code)                                                         \
    do {                                                                                 \
        SetLastError(0xdeadbeef);                                                        \
        if (!(failed))                                                                   \
            test_fail(__FILE__, __LINE__, "expected failure: %s", #failed);              \
        ASSERT_EQ(GetLastError(), (code));                                               \
    } while (0)

/* True when running under Wine, for the few places where Wine is known to differ from
 * Windows: the test says so and follows Windows natively. */
int on_wine(void);

/* The path of `file` in the runner's own directory (libraries and images built for it). */
void beside_runner(char *buf, const char *file);
/* A path in the temporary directory unique to this process and tag. */
void temp_path(char *buf, const char *tag);
/* Creates a file at a fresh temp path holding `size` bytes of pattern (byte i = i*7). */
HANDLE make_file(char *path, const char *tag, DWORD size, DWORD access);
unsigned char pattern_byte(size_t i);
/* Runs fn(0..n-1) on n threads at once and waits for all (n <= 16). */
void run_threads(int n, void (*fn)(int index));
/* Closes a file made by make_file and deletes it. */
void drop_file(HANDLE f, const char *path);
/* Security attributes with a NULL DACL: an object every user may open. */
SECURITY_ATTRIBUTES *everyone(void);
/* Reads n bytes at offset off through the file pointer; all must arrive. */
void read_at(HANDLE f, LONG off, void *buf, DWORD n);

#endif
