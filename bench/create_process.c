/* CreateProcess of a program that returns at once (this one, started again), then a wait
 * for its end, for about a second. Prints us until CreateProcess returns, and until the
 * wait has seen the child end. */
#include "bench.h"

#define SECONDS 1.0

int main(int argc, char **argv)
{
    (void)argv;
    if (argc == 2) /* the child */
        return 0;
    char exe[MAX_PATH], cmd[2 * MAX_PATH];
    if (GetModuleFileNameA(NULL, exe, MAX_PATH) == 0)
        die("GetModuleFileName");
    snprintf(cmd, sizeof cmd, "\"%s\" child", exe);
    double created = 0, ended = 0, t0 = now_ns();
    long n = 0;
    do {
        STARTUPINFOA si = {.cb = sizeof si};
        PROCESS_INFORMATION pi;
        double t = now_ns();
        if (!CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
            die("CreateProcess");
        created += now_ns() - t;
        if (WaitForSingleObject(pi.hProcess, INFINITE) != WAIT_OBJECT_0)
            die("wait");
        ended += now_ns() - t;
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        n++;
    } while (now_ns() - t0 < SECONDS * 1e9 || n < 5);
    report("create_process", created / n / 1e3, "us");
    report("create_process_to_end", ended / n / 1e3, "us");
    return 0;
}
