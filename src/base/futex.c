/* Futexes on one 32-bit word: private to the process, or shared between the processes
 * that map the word (named objects' state words). */
#include <sys/syscall.h>
#include <unistd.h>

#include "base/base.h"

/* From <linux/futex.h>, which musl's toolchain does not ship. */
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

int mmf__futex_wait(_Atomic uint32_t *word, uint32_t val, bool shared,
                    const struct timespec *deadline)
{
    int op = FUTEX_WAIT_BITSET | (shared ? 0 : FUTEX_PRIVATE_FLAG);
    long r = syscall(SYS_futex, word, op, val, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    return r < 0 ? -errno : 0;
}

void mmf__futex_wake(_Atomic uint32_t *word, int n, bool shared)
{
    syscall(SYS_futex, word, FUTEX_WAKE | (shared ? 0 : FUTEX_PRIVATE_FLAG), n, NULL, NULL, 0);
}
