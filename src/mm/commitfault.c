/* The first touch of a SEC_RESERVE page that another process committed.
 *
 * A SEC_RESERVE section's commit map is shared, but the page protections of a view are
 * the viewing process's own: a page committed by another process is still PROT_NONE
 * here. The first touch of such a page faults; this SIGSEGV handler finds the view,
 * sees the page committed in the section's map, gives it the view's protection, and lets
 * the access run again. Every other fault goes to the handler that was there before (or
 * kills the process as the default action would).
 *
 * Each view remembers which pages it has given their protection (`applied`): a fault on
 * such a page is a real protection fault, never "resolved" again. */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mm.h"

static struct sigaction previous;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Makes the page at addr accessible if it belongs to a reserve view and is committed in
 * its section but not yet here. Runs in the signal handler: only a try-lock. */
static bool resolve(uintptr_t addr)
{
    if (!mmf__regions_try_read())
        return false;
    bool done = false;
    struct mmf__region *r = mmf__region_find(addr);
    if (r && r->applied) {
        size_t page = (addr - r->base) / mmf__page_size;
        uint8_t bit = (uint8_t)(1u << (page % 8));
        DWORD prot = mmf__region_page_prot(r, page);
        if (prot && !(atomic_load(&r->applied[page / 8]) & bit)) {
            void *p = (void *)(r->base + page * mmf__page_size);
            done = mmf__sys.mprotect(p, mmf__page_size, mmf__prot_to_posix(prot)) == 0;
            if (done)
                atomic_fetch_or(&r->applied[page / 8], bit);
        }
    }
    mmf__regions_unlock();
    return done;
}

static void on_segv(int sig, siginfo_t *si, void *context)
{
    int saved = errno;
    bool done = resolve((uintptr_t)si->si_addr);
    errno = saved;
    if (done)
        return;
    if (previous.sa_flags & SA_SIGINFO)
        previous.sa_sigaction(sig, si, context);
    else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)
        previous.sa_handler(sig);
    else
        sigaction(sig, &previous, NULL); /* the access faults again, and kills as before */
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous);
}

void mmf__commit_fault_install(void)
{
    pthread_once(&once, install);
}
