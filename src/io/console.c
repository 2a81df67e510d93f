/* <conio.h>: _getch, _getche and _kbhit, the console keyboard calls of samples that wait
 * for a key. On a terminal a key is read without waiting for Enter and without echo (the
 * terminal's mode put back after); from anything else, a byte of standard input. At the
 * end of the input they return 0. */
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <conio.h>

#include "io/io.h"

static int read_key(bool echo)
{
    struct termios old, raw;
    bool tty = tcgetattr(0, &old) == 0;
    if (tty) {
        raw = old;
        raw.c_lflag &= ~(tcflag_t)(ICANON | (echo ? 0 : ECHO));
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(0, TCSANOW, &raw);
    }
    unsigned char c;
    ssize_t n;
    do
        n = read(0, &c, 1);
    while (n < 0 && errno == EINTR);
    if (tty)
        tcsetattr(0, TCSANOW, &old);
    return n == 1 ? c : 0;
}

int _getch(void)
{
    return read_key(false);
}

int _getche(void)
{
    return read_key(true);
}

/* Nonzero when a key (a byte of standard input) is waiting. */
int _kbhit(void)
{
    struct pollfd p = {.fd = 0, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}
