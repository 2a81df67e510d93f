/* Faults on views that mmf resolves (through base/fault.c's handler).
 *
 * SIGSEGV, a SEC_RESERVE page committed by another process: a section's commit map is
 * shared, but the page protections of a view are the viewing process's own, so such a
 * page is still PROT_NONE here. The first touch finds the page committed in the section's
 * map, gives it the view's protection, and the access runs again. Each view remembers
 * which pages it has given their protection (`applied`): a fault on such a page is a real
 * protection fault, never "resolved" again.
 *
 * SIGBUS, a named section's data file cut short: another user who may write a 0666
 * data file may also truncate it, and Linux cannot forbid that. A holder touching a page
 * past the cut grows the file back to its size (ob's mmf__ns_repair): the bytes past the
 * cut read as zeros, as if that user had overwritten them, and every holder shares the
 * pages again. A holder that may not write the file gets a private zero page instead. */
#include <sys/mman.h>

#include "mm/mm.h"

static bool commit_fault(int sig, siginfo_t *si)
{
    (void)sig;
    uintptr_t addr = (uintptr_t)si->si_addr;
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

static bool cut_fault(int sig, siginfo_t *si)
{
    (void)sig;
    uintptr_t addr = (uintptr_t)si->si_addr;
    if (si->si_code != BUS_ADRERR || !mmf__regions_try_read())
        return false;
    bool done = false;
    struct mmf__region *r = mmf__region_find(addr);
    const struct mmf__nsobj *ns = r && r->section ? r->section->obj.ns : NULL;
    if (ns && !ns->path[0]) { /* a paging-file section: its data file's bytes */
        void *page = (void *)(addr & ~(uintptr_t)(mmf__page_size - 1));
        int prot = mmf__prot_to_posix(mmf__region_page_prot(r, (addr - r->base) / mmf__page_size));
        done = mmf__ns_repair(ns, r->section->fd, page, prot);
    }
    mmf__regions_unlock();
    return done;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void install(void)
{
    mmf__fault_add(SIGSEGV, commit_fault);
    mmf__fault_add(SIGBUS, cut_fault);
}

void mmf__view_faults_install(void)
{
    pthread_once(&once, install);
}
