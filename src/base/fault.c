/* Faults mmf resolves: a signal handler per signal (SIGSEGV, SIGBUS), installed with the
 * first resolver registered for it, that asks each resolver in turn whether the fault is
 * one of its own and, if one fixed it, lets the access run again. A fault no resolver takes
 * goes to the handler that was installed before (ASan's, for instance), or kills the
 * process as the default action would.
 *
 * Resolvers run inside the handler: they may only try-lock and make async-signal-safe
 * calls. Components register them from above (base knows none of them). */
#include <signal.h>
#include <string.h>

#include "base/base.h"

#define MAX_RESOLVERS 4

struct chain {
    int sig;
    struct sigaction previous;
    _Atomic(mmf__fault_resolver) fns[MAX_RESOLVERS];
    _Atomic int n;
};

static struct chain chains[] = {{.sig = SIGSEGV}, {.sig = SIGBUS}};
static pthread_mutex_t add_lock = PTHREAD_MUTEX_INITIALIZER;

static struct chain *chain_of(int sig)
{
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++)
        if (chains[i].sig == sig)
            return &chains[i];
    return NULL;
}

static void on_fault(int sig, siginfo_t *si, void *context)
{
    struct chain *c = chain_of(sig);
    int saved = errno;
    bool done = false;
    for (int i = 0; c && !done && i < atomic_load(&c->n); i++)
        done = atomic_load(&c->fns[i])(sig, si);
    errno = saved;
    if (done || !c)
        return;
    if (c->previous.sa_flags & SA_SIGINFO)
        c->previous.sa_sigaction(sig, si, context);
    else if (c->previous.sa_handler != SIG_DFL && c->previous.sa_handler != SIG_IGN)
        c->previous.sa_handler(sig);
    else
        sigaction(sig, &c->previous, NULL); /* the access faults again, and kills as before */
}

void mmf__fault_add(int sig, mmf__fault_resolver fn)
{
    struct chain *c = chain_of(sig);
    MMF__ASSERT(c != NULL);
    pthread_mutex_lock(&add_lock);
    int n = atomic_load(&c->n);
    bool known = false;
    for (int i = 0; i < n; i++)
        known |= atomic_load(&c->fns[i]) == fn;
    if (!known && n < MAX_RESOLVERS) {
        atomic_store(&c->fns[n], fn);
        atomic_store(&c->n, n + 1); /* after the entry: the handler reads n first */
        if (n == 0) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = on_fault;
            sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
            sigemptyset(&sa.sa_mask);
            sigaction(sig, &sa, &c->previous);
        }
    }
    pthread_mutex_unlock(&add_lock);
}
