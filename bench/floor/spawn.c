/* The POSIX floor for CreateProcess: posix_spawn of a program that returns at once (this
 * one, started again; glibc's posix_spawn shares the parent's memory until the exec, as a
 * vfork does), then waitpid, for about a second. Prints us until posix_spawn returns, and
 * until waitpid has seen the child end. */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

#include "floor.h"

extern char **environ;

int main(int argc, char **argv)
{
    if (argc == 2) /* the child */
        return 0;
    char *args[] = {argv[0], "child", NULL};
    double spawned = 0, ended = 0, t0 = now_ns();
    long n = 0;
    do {
        pid_t pid;
        double t = now_ns();
        if (posix_spawn(&pid, argv[0], NULL, NULL, args, environ) != 0)
            return 1;
        spawned += now_ns() - t;
        if (waitpid(pid, NULL, 0) != pid)
            return 1;
        ended += now_ns() - t;
        n++;
    } while (now_ns() - t0 < 1e9 || n < 5);
    printf("create_process %.1f us\ncreate_process_to_end %.1f us\n", spawned / n / 1e3,
           ended / n / 1e3);
    return 0;
}
