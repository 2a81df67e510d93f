/* The textbook round trip between two processes without shared memory: a byte sent
 * through one pipe and answered through another (each read sleeps until the byte comes).
 * About a second of turns; prints ns per round trip. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.h"

/* One round trip: a byte out through one pipe, and back through the other. */
static bool round_trip(void *fds, unsigned i)
{
    const int *fd = fds; /* {ping's write end, pong's read end} */
    char b = 0;
    (void)i;
    return write(fd[0], &b, 1) == 1 && read(fd[1], &b, 1) == 1;
}

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
    int ends[2] = {ping[1], pong[0]};
    double ns = time_round_trips(round_trip, ends);
    close(ping[1]);
    waitpid(pid, NULL, 0);
    if (ns < 0)
        return 1;
    printf("pipe_round_trip %.1f ns\n", ns);
    return 0;
}
