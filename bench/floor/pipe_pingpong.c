/* The textbook round trip between two processes without shared memory: a byte sent
 * through one pipe and answered through another (each read sleeps until the byte comes).
 * About a second of turns; prints ns per round trip. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"

int main(void)
{
    int ping[2], pong[2];
    char b = 0;
    if (pipe(ping) < 0 || pipe(pong) < 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) { /* answers every byte until its pipe closes */
        close(ping[1]);
        close(pong[0]);
        while (read(ping[0], &b, 1) == 1)
            if (write(pong[1], &b, 1) != 1)
                _exit(1);
        _exit(0);
    }
    close(ping[0]);
    close(pong[1]);
    double t0 = 0, t = 0;
    unsigned i;
    for (i = 0;; i++) {
        if (i == 1000)
            t0 = now_ns();
        if (i > 1000 && (i & 255) == 0 && (t = now_ns() - t0) > 1e9)
            break;
        if (write(ping[1], &b, 1) != 1 || read(pong[0], &b, 1) != 1)
            return 1;
    }
    close(ping[1]);
    waitpid(pid, NULL, 0);
    printf("pipe_round_trip %.1f ns\n", t / (i - 1000));
    return 0;
}
