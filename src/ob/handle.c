/* The process handle table: HANDLE -> (object, granted access, attributes).
 *
 * Handle values are multiples of 4 starting at 4, like Windows'; the low two bits of a
 * value are ignored on lookup, as the Windows kernel does.
 *
 * Lookups take no lock. Slots live in chunks that never move; a lookup *pins* its slot,
 * reads the object, and unpins when done. CloseHandle empties the slot, then waits for
 * the pins on it to drain before it drops the handle's reference, so a pinned object
 * cannot go away under its user. Pins are for short operations; a wait that must sleep
 * takes a reference of its own first. Allocation and closing serialize on one mutex.
 *
 * A pin is a hazard: the thread writes the slot's address into an entry of a record of
 * its own (one exchange, on a line no other thread writes), then reads the object; the
 * unpin is a plain store. CloseHandle empties the slot, then looks through every
 * thread's record for it. Both sides' first step is a full barrier, so either the pinner
 * reads the emptied slot (and lets go) or the closer sees its entry (and waits). A count
 * on the slot (two atomic operations on a line every user of the handle writes) cost
 * a tenth to a third of SetEvent, a wait or ReleaseMutex, more between threads that
 * use the same handle (BENCHMARKS.md); it remains for a thread whose entries are all in
 * use (a wait on many handles) or that has no record (no memory). */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob/ob.h"

#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define MMF_HAVE_SINGLE_THREADED 1
#endif
#endif

#define CHUNK_BITS 10
#define CHUNK (1u << CHUNK_BITS)
#define MAX_CHUNKS (MMF__HANDLE_SLOTS / CHUNK)
#define OWN_CHUNKS (MMF__HANDLE_REMOTE / CHUNK) /* two million handles of this process's */

struct slot {
    _Atomic(struct mmf__object *) obj; /* NULL: free, or being closed */
    _Atomic uint32_t pins;
    DWORD access;
    _Atomic uint32_t flags; /* HANDLE_FLAG_INHERIT, HANDLE_FLAG_PROTECT_FROM_CLOSE */
    bool closing; /* emptied but still pinned: not to be reused yet (alloc_lock) */
};

static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct slot *) chunks[MAX_CHUNKS]; /* the first nslots / CHUNK, then sparse */
static size_t nslots, first_free;

static struct slot *slot_at(size_t i)
{
    if (i >= (size_t)MAX_CHUNKS * CHUNK)
        return NULL;
    struct slot *c = atomic_load_explicit(&chunks[i >> CHUNK_BITS], memory_order_acquire);
    return c ? &c[i & (CHUNK - 1)] : NULL;
}

/* The slot index a handle names, or SIZE_MAX for values that can never be handles. */
static size_t index_of(HANDLE h)
{
    uintptr_t v = (uintptr_t)h & ~(uintptr_t)3;
    return v == 0 ? SIZE_MAX : v / 4 - 1;
}

#define HANDLE_FLAGS (HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE)

int mmf__handle_new(struct mmf__object *obj, DWORD access, DWORD flags, HANDLE *out)
{
    struct slot *s;
    pthread_mutex_lock(&alloc_lock);
    while (first_free < nslots && ((s = slot_at(first_free))->obj || s->closing))
        first_free++;
    if (first_free == nslots) {
        struct slot *c = nslots / CHUNK < OWN_CHUNKS ? calloc(CHUNK, sizeof *c) : NULL;
        if (!c) {
            pthread_mutex_unlock(&alloc_lock);
            mmf__handle_drop(obj);
            return MMF__W(ERROR_NO_SYSTEM_RESOURCES);
        }
        atomic_store_explicit(&chunks[nslots / CHUNK], c, memory_order_release);
        nslots += CHUNK;
    }
    size_t i = first_free++;
    s = slot_at(i);
    s->access = access;
    atomic_store_explicit(&s->flags, flags & HANDLE_FLAGS, memory_order_relaxed);
    atomic_store_explicit(&s->obj, obj, memory_order_release); /* after access and flags */
    mmf__remote_publish(i, obj, access);
    pthread_mutex_unlock(&alloc_lock);
    *out = (HANDLE)(uintptr_t)((i + 1) * 4);
    return 0;
}

/* Places what other processes gave this process (a value one thread is claiming is found
 * by another after it). */
static void claim(void)
{
    static pthread_mutex_t claim_lock = PTHREAD_MUTEX_INITIALIZER;
    struct mmf__held e;
    pthread_mutex_lock(&claim_lock);
    while (mmf__remote_next(&e))
        if (e.obj && mmf__handle_put(e.value, e.obj, e.access, e.flags) < 0)
            mmf__handle_drop(e.obj); /* a value in use: not one this process gave out */
    pthread_mutex_unlock(&claim_lock);
}

/* Each thread's hazard entries (see the head of the file). Records are never freed: a
 * thread's goes back to the pool when it ends, and closers walk the list unlocked. */
#define HAZARDS 8 /* a line of them: a wait on up to eight handles pins each so */
struct pinrec {
    _Alignas(64) _Atomic(struct slot *) hazard[HAZARDS];
    _Atomic bool taken; /* by a running thread */
    struct pinrec *next;
};
static _Atomic(struct pinrec *) pinrecs;
static _Thread_local struct pinrec *my_rec;
static _Thread_local unsigned my_used; /* bit j: my_rec->hazard[j] is in use */
static pthread_key_t rec_key;
static pthread_once_t rec_once = PTHREAD_ONCE_INIT;

static void give_back(void *rec)
{
    my_rec = NULL;
    atomic_store_explicit(&((struct pinrec *)rec)->taken, false, memory_order_release);
}

/* A forked child is the forking thread alone: the others' records are free, and a pin
 * one of them held at the fork will never be let go. */
static void forget_other_threads(void)
{
    for (struct pinrec *r = atomic_load(&pinrecs); r; r = r->next)
        if (r != my_rec) {
            for (int j = 0; j < HAZARDS; j++)
                atomic_store_explicit(&r->hazard[j], NULL, memory_order_relaxed);
            atomic_store_explicit(&r->taken, false, memory_order_relaxed);
        }
}

static void make_rec_key(void)
{
    if (pthread_key_create(&rec_key, give_back) != 0)
        rec_key = (pthread_key_t)-1;
    pthread_atfork(NULL, NULL, forget_other_threads);
}

/* This thread's record: a free one taken, or a new one; NULL without memory (or when the
 * thread could not be told when it ends: its record would never come back). */
static struct pinrec *my_record(void)
{
    if (my_rec)
        return my_rec;
    pthread_once(&rec_once, make_rec_key);
    struct pinrec *r = atomic_load(&pinrecs);
    for (bool no = false; r; r = r->next, no = false)
        if (!atomic_load_explicit(&r->taken, memory_order_relaxed) &&
            atomic_compare_exchange_strong(&r->taken, &no, true))
            break;
    if (!r && (r = aligned_alloc(64, sizeof *r))) {
        memset(r, 0, sizeof *r);
        atomic_store_explicit(&r->taken, true, memory_order_relaxed);
        r->next = atomic_load(&pinrecs);
        while (!atomic_compare_exchange_weak(&pinrecs, &r->next, r))
            ;
    }
    if (r && (rec_key == (pthread_key_t)-1 || pthread_setspecific(rec_key, r) != 0)) {
        atomic_store(&r->taken, false);
        r = NULL;
    }
    return my_rec = r;
}

/* Whether this thread is the process's only one: no closer can then run meanwhile, and
 * a pin needs no barrier (the exchange is most of its cost: BENCHMARKS.md). glibc tells
 * (until the first thread is created, before that thread starts); elsewhere, assume not. */
static bool alone(void)
{
#ifdef MMF_HAVE_SINGLE_THREADED
    return __libc_single_threaded;
#else
    return false;
#endif
}

/* Announces a use of slot s before its object is read: the pin to give unpin, an
 * entry of this thread's record, or (none free) the slot tagged, its count raised. */
static void *announce(struct slot *s)
{
    struct pinrec *r = my_record();
    unsigned free_ = ~my_used & ((1u << HAZARDS) - 1);
    if (r && free_) {
        int j = __builtin_ctz(free_);
        my_used |= 1u << j;
        if (alone())
            atomic_store_explicit(&r->hazard[j], s, memory_order_relaxed);
        else
            atomic_exchange(&r->hazard[j], s); /* a full barrier, before the object is read */
        return &r->hazard[j];
    }
    atomic_fetch_add(&s->pins, 1);
    return (void *)((uintptr_t)s | 1);
}

void mmf__handle_unpin(void *pin)
{
    uintptr_t p = (uintptr_t)pin;
    if (p & 1) {
        uint32_t before = atomic_fetch_sub_explicit(&((struct slot *)(p - 1))->pins, 1,
                                                    memory_order_release);
        MMF__ASSERT(before > 0);
        (void)before;
        return;
    }
    _Atomic(struct slot *) *e = pin;
    size_t j = (size_t)(e - my_rec->hazard);
    MMF__ASSERT(j < HAZARDS && (my_used & (1u << j)) && atomic_load(e)); /* this thread's */
    atomic_store_explicit(e, NULL, memory_order_release); /* after every use of the object */
    my_used &= ~(1u << j);
}

/* Waits until no thread uses slot s any more (it was emptied: no new use begins). */
static void wait_unpinned(struct slot *s)
{
    for (struct pinrec *r = atomic_load(&pinrecs); r; r = r->next)
        for (int j = 0; j < HAZARDS; j++)
            while (atomic_load(&r->hazard[j]) == s)
                sched_yield();
    while (atomic_load_explicit(&s->pins, memory_order_acquire))
        sched_yield();
}

/* A value given out by another process is claimed the first time it is looked up. */
static struct slot *pin_at(size_t i, struct mmf__object **obj, void **pin)
{
    for (int claimed = 0;; claimed++) {
        struct slot *s = slot_at(i);
        if (s) {
            *pin = announce(s); /* before reading obj: CloseHandle sees one or the other */
            if ((*obj = atomic_load(&s->obj)))
                return s;
            mmf__handle_unpin(*pin);
        }
        if (claimed || i < MMF__HANDLE_REMOTE || i >= MMF__HANDLE_SLOTS)
            return NULL;
        claim();
    }
}

/* Pins a live handle's slot: the slot, its object, and the pin to give unpin. */
static int pin_slot(HANDLE h, struct slot **out, struct mmf__object **obj, void **pin)
{
    size_t i = index_of(h);
    struct slot *s = pin_at(i, obj, pin);
    if (!s)
        return MMF__W(ERROR_INVALID_HANDLE);
    if (mmf__remote_closed(i)) { /* another process's DUPLICATE_CLOSE_SOURCE */
        mmf__handle_unpin(*pin);
        CloseHandle(h);
        return MMF__W(ERROR_INVALID_HANDLE);
    }
    *out = s;
    return 0;
}

int mmf__handle_pin(HANDLE h, struct mmf__object **out, DWORD *access, void **pin)
{
    struct slot *s;
    int st = pin_slot(h, &s, out, pin);
    if (access)
        *access = st == 0 ? s->access : 0;
    return st;
}

int mmf__handle_signal(HANDLE h, enum mmf__kind only)
{
    struct mmf__object *obj;
    DWORD access;
    void *pin;
    int st = mmf__handle_pin(h, &obj, &access, &pin);
    if (st < 0)
        return st;
    st = obj->type->signal && (!only || obj->type->kind == only) ? obj->type->signal(obj, access)
                                                                : MMF__W(ERROR_INVALID_HANDLE);
    mmf__handle_unpin(pin);
    return st;
}

int mmf__handle_get_any(HANDLE h, struct mmf__object **out, DWORD *access)
{
    void *pin;
    int st = mmf__handle_pin(h, out, access, &pin);
    if (st == 0) {
        mmf__ref(*out);
        mmf__handle_unpin(pin);
    }
    return st;
}

int mmf__handle_get(HANDLE h, const struct mmf__type *type, struct mmf__object **out,
                    DWORD *access)
{
    int st = mmf__handle_get_any(h, out, access);
    if (st == 0 && (*out)->type != type) {
        mmf__unref(*out);
        st = MMF__W(ERROR_INVALID_HANDLE);
    }
    return st;
}

int mmf__handle_get_for(HANDLE h, const struct mmf__type *type, DWORD need,
                        struct mmf__object **out)
{
    DWORD access;
    int st = mmf__handle_get(h, type, out, &access);
    if (st == 0 && need && !(access & need)) {
        mmf__unref(*out);
        st = MMF__W(ERROR_ACCESS_DENIED);
    }
    return st;
}

/* GetCurrentProcess() and GetCurrentThread(): closing them is a successful no-op. */
bool mmf__is_pseudo_handle(HANDLE h)
{
    return h == MMF__CURRENT_PROCESS || h == MMF__CURRENT_THREAD;
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return MMF__CURRENT_PROCESS;
}

BOOL WINAPI CloseHandle(HANDLE h)
{
    if (mmf__is_pseudo_handle(h))
        return TRUE;
    size_t i = index_of(h);
    struct mmf__object *obj = NULL;
    pthread_mutex_lock(&alloc_lock);
    struct slot *s = slot_at(i);
    /* A handle protected from close stays open; Windows says it is invalid to close. */
    if (s && !(atomic_load(&s->flags) & HANDLE_FLAG_PROTECT_FROM_CLOSE) &&
        (obj = atomic_exchange(&s->obj, NULL))) {
        s->closing = true;
        mmf__remote_publish(i, NULL, 0);
    }
    pthread_mutex_unlock(&alloc_lock);
    if (!obj) {
        mmf__fail(MMF__W(ERROR_INVALID_HANDLE));
        return FALSE;
    }
    wait_unpinned(s); /* users of a moment ago */
    pthread_mutex_lock(&alloc_lock);
    s->closing = false;
    if (i < first_free)
        first_free = i;
    pthread_mutex_unlock(&alloc_lock);
    mmf__handle_drop(obj);
    return TRUE;
}

void mmf__handle_drop(struct mmf__object *obj)
{
    if (obj->ns)
        mmf__ns_handle_closed(obj->ns);
    mmf__unref(obj);
}

BOOL WINAPI GetHandleInformation(HANDLE h, LPDWORD flags)
{
    struct slot *s;
    struct mmf__object *obj;
    void *pin;
    int st = flags ? pin_slot(h, &s, &obj, &pin) : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    *flags = atomic_load(&s->flags);
    mmf__handle_unpin(pin);
    return TRUE;
}

BOOL WINAPI SetHandleInformation(HANDLE h, DWORD mask, DWORD flags)
{
    struct slot *s;
    struct mmf__object *obj;
    void *pin;
    int st = pin_slot(h, &s, &obj, &pin);
    if (st < 0)
        return mmf__fail(st), FALSE;
    mask &= HANDLE_FLAGS;
    uint32_t old = atomic_load(&s->flags);
    while (!atomic_compare_exchange_weak(&s->flags, &old, (old & ~mask) | (flags & mask)))
        ;
    mmf__handle_unpin(pin);
    return TRUE;
}

/* The process a DuplicateHandle argument names, needing PROCESS_DUP_HANDLE: NULL for this
 * one (the pseudo-handle, or a handle to itself). */
static int process_of(HANDLE h, struct mmf__object **out)
{
    const struct mmf__type *type = mmf__type_of(MMF__KIND_PROCESS);
    *out = NULL;
    if (h == MMF__CURRENT_PROCESS)
        return 0;
    int st = type ? mmf__handle_get_for(h, type, PROCESS_DUP_HANDLE, out)
                  : MMF__W(ERROR_INVALID_HANDLE);
    if (st < 0 || mmf__remote_is_self(*out)) {
        if (st == 0)
            mmf__unref(*out);
        *out = NULL;
    }
    return st;
}

/* A handle's worth of this process's handle src (a reference, a counted handle on a
 * name); a pseudo-handle becomes an object of its own. */
static int local_source(HANDLE src, struct mmf__object **obj, DWORD *access)
{
    if (mmf__is_pseudo_handle(src)) {
        const struct mmf__type *type =
            mmf__type_of(src == MMF__CURRENT_PROCESS ? MMF__KIND_PROCESS : MMF__KIND_THREAD);
        *access = type ? type->valid | STANDARD_RIGHTS_ALL : 0;
        return type && type->open_current ? type->open_current(obj)
                                          : MMF__W(ERROR_NOT_SUPPORTED);
    }
    int st = mmf__handle_get_any(src, obj, access);
    if (st == 0 && (*obj)->ns && (st = mmf__ns_hold((*obj)->ns)) < 0)
        mmf__unref(*obj);
    return st;
}

/* Between any two processes (docs/processes.md): the source handle's object is taken as a
 * handle of this process's would hold it, then given a handle in the target. The new
 * handle gets the rights asked for, mapped through the object's own kind (the object's
 * owner may have them all), or the source's with DUPLICATE_SAME_ACCESS; its attributes
 * come from bInheritHandle alone. */
static int duplicate(HANDLE sproc, HANDLE src, HANDLE tproc, HANDLE *out, DWORD access,
                     DWORD flags, DWORD options)
{
    struct mmf__object *sp, *tp = NULL, *obj;
    DWORD src_access;
    if (options & ~(DWORD)(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS))
        return MMF__W(ERROR_INVALID_PARAMETER);
    int st = process_of(sproc, &sp);
    if (st == 0 && !tproc && (options & DUPLICATE_CLOSE_SOURCE)) { /* only the closing */
        if (sp) { /* in another process; in this one the caller closes it */
            st = mmf__remote_get(sp, src, true, NULL, &src_access);
            mmf__unref(sp);
        }
        return st;
    }
    if (st == 0 && (st = process_of(tproc, &tp)) == 0) {
        if (sp && src == MMF__CURRENT_PROCESS) { /* the source's own pseudo-handle: itself */
            mmf__ref(sp);
            obj = sp;
            src_access = sp->type->valid | STANDARD_RIGHTS_ALL;
        } else {
            st = sp ? mmf__remote_get(sp, src, options & DUPLICATE_CLOSE_SOURCE, &obj,
                                      &src_access)
                    : local_source(src, &obj, &src_access);
        }
    }
    if (st == 0) {
        DWORD a = options & DUPLICATE_SAME_ACCESS ? src_access
                                                  : mmf__access_map(obj->type, access);
        HANDLE v;
        if (!tp && out) {
            st = mmf__handle_new(obj, a, flags, out);
        } else {
            st = tp ? mmf__remote_put(tp, obj, a, flags, &v) : 0;
            if (st == 0 && out)
                *out = v;
            mmf__handle_drop(obj);
        }
    }
    if (sp)
        mmf__unref(sp);
    if (tp)
        mmf__unref(tp);
    return st;
}

BOOL WINAPI DuplicateHandle(HANDLE sproc, HANDLE src, HANDLE tproc, LPHANDLE out, DWORD access,
                            BOOL inherit, DWORD options)
{
    int st = duplicate(sproc, src, tproc, out, access, mmf__inherit_flags(inherit), options);
    /* DUPLICATE_CLOSE_SOURCE closes the source even when duplication failed (in another
     * process: when its handle could be read). */
    if ((options & DUPLICATE_CLOSE_SOURCE) && sproc == MMF__CURRENT_PROCESS &&
        !mmf__is_pseudo_handle(src))
        CloseHandle(src);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

/* --- Inheritance ---------------------------------------------------------------------- */

/* Every inheritable handle, each with a reference of its own. */
static int collect_inheritable(struct mmf__held **out, size_t *n)
{
    size_t cap = 16, k = 0;
    struct mmf__held *hs = malloc(cap * sizeof *hs);
    if (!hs)
        return -ENOMEM;
    pthread_mutex_lock(&alloc_lock);
    for (size_t i = 0; i < MMF__HANDLE_SLOTS; i++) {
        struct slot *s = slot_at(i);
        if (!s) {
            i |= CHUNK - 1; /* a chunk never made */
            continue;
        }
        struct mmf__object *obj = atomic_load(&s->obj);
        if (!obj || !(atomic_load(&s->flags) & HANDLE_FLAG_INHERIT) || mmf__remote_closed(i))
            continue;
        if (k == cap) {
            struct mmf__held *more = realloc(hs, 2 * cap * sizeof *hs);
            if (!more) {
                pthread_mutex_unlock(&alloc_lock);
                while (k)
                    mmf__unref(hs[--k].obj);
                free(hs);
                return -ENOMEM;
            }
            hs = more;
            cap *= 2;
        }
        mmf__ref(obj); /* the slot holds one: a close waits for alloc_lock to empty it */
        hs[k++] = (struct mmf__held){(HANDLE)(uintptr_t)((i + 1) * 4), obj, s->access,
                                     atomic_load(&s->flags)};
    }
    pthread_mutex_unlock(&alloc_lock);
    *out = hs;
    *n = k;
    return 0;
}

int mmf__handoff_for_child(bool inherit, const HANDLE std[3], const void *extra,
                           size_t extra_len, struct mmf__handoff *h)
{
    struct mmf__held *hs = NULL;
    size_t n = 0;
    uint64_t stdv[3] = {0, 0, 0};
    int st = inherit ? collect_inheritable(&hs, &n) : 0;
    for (size_t i = 0; st == 0 && i < n; i++)
        for (int j = 0; j < 3; j++)
            if (std[j] && index_of(std[j]) == index_of(hs[i].value))
                stdv[j] = (uint64_t)(uintptr_t)hs[i].value;
    if (st == 0)
        st = mmf__handoff_make(hs, n, stdv, extra, extra_len, h);
    for (size_t i = 0; i < n; i++)
        mmf__unref(hs[i].obj);
    free(hs);
    return st;
}

static bool add_chunk(size_t c)
{
    struct slot *chunk = calloc(CHUNK, sizeof *chunk);
    if (chunk)
        atomic_store_explicit(&chunks[c], chunk, memory_order_release);
    return chunk != NULL;
}

/* Puts a handle at the value another process gave it (alloc_lock held). This process's own
 * values stay one run of chunks from 0; the others' are each in a chunk of its own. */
static bool put_at(const struct mmf__held *e)
{
    uintptr_t v = (uintptr_t)e->value;
    size_t i = index_of(e->value);
    if (v & 3 || i >= MMF__HANDLE_SLOTS)
        return false;
    while (i < MMF__HANDLE_REMOTE && nslots <= i) {
        if (!add_chunk(nslots / CHUNK))
            return false;
        nslots += CHUNK;
    }
    if (!slot_at(i) && !add_chunk(i / CHUNK))
        return false;
    struct slot *s = slot_at(i);
    if (atomic_load(&s->obj) || s->closing)
        return false; /* named twice */
    s->access = e->access;
    atomic_store(&s->flags, e->flags & HANDLE_FLAGS);
    atomic_store_explicit(&s->obj, e->obj, memory_order_release);
    mmf__remote_publish(i, e->obj, e->access);
    mmf__remote_reserve_past(i);
    return true;
}

int mmf__handle_put(HANDLE value, struct mmf__object *obj, DWORD access, DWORD flags)
{
    struct mmf__held e = {value, obj, access, flags};
    pthread_mutex_lock(&alloc_lock);
    bool ok = put_at(&e);
    pthread_mutex_unlock(&alloc_lock);
    return ok ? 0 : MMF__W(ERROR_INVALID_HANDLE);
}

static const void *handed_extra;
static size_t handed_extra_len;
static HANDLE handed_std[3];

/* MMF_HANDOFF=<pid>:<fd>:<table>:<inbox>, meant for this process (a program that did not
 * read it may have passed its environment on): the handoff's descriptor, or -1, and the
 * table and inbox made for this process (remote.c), or -1. */
static int handoff_fd(int *table, int *inbox)
{
    const char *v = secure_getenv("MMF_HANDOFF"); /* never for a set-user-ID program */
    unsigned long pid, fd, t, in;
    char end;
    *table = *inbox = -1;
    if (!v || sscanf(v, "%lu:%lu:%lu:%lu%c", &pid, &fd, &t, &in, &end) != 4 ||
        pid != (unsigned long)mmf__pid() || fd < 3 || fd > INT32_MAX || t < 3 || t > INT32_MAX ||
        in < 3 || in > INT32_MAX || fd == t || fd == in || t == in ||
        mmf__sys.fcntl((int)t, F_SETFD, FD_CLOEXEC) < 0 ||
        mmf__sys.fcntl((int)in, F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    *table = (int)t;
    *inbox = (int)in;
    return (int)fd;
}

/* A child made by CreateProcess takes over what its parent handed it before the program
 * runs: its handle table and inbox, its inheritable handles under the same values. Any
 * other process starts a table of its own. (After the page size's own constructor.) */
__attribute__((constructor(200))) static void take_handoff(void)
{
    int table, inbox, fd = handoff_fd(&table, &inbox);
    unsetenv("MMF_HANDOFF"); /* never to a grandchild */
    mmf__remote_start(table, inbox);
    if (fd < 0 || mmf__sys.fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return;
    struct mmf__held *hs;
    size_t n;
    uint64_t std[3];
    void *extra;
    size_t extra_len;
    if (mmf__handoff_read(fd, &hs, &n, std, &extra, &extra_len) == 0) {
        pthread_mutex_lock(&alloc_lock);
        for (size_t i = 0; i < n; i++)
            if (!put_at(&hs[i]))
                mmf__handle_drop(hs[i].obj);
        pthread_mutex_unlock(&alloc_lock);
        for (int j = 0; j < 3; j++)
            handed_std[j] = (HANDLE)(uintptr_t)std[j];
        handed_extra = extra;
        handed_extra_len = extra_len;
        free(hs);
    }
    mmf__sys.close(fd);
}

const void *mmf__inherited_extra(size_t *len)
{
    *len = handed_extra_len;
    return handed_extra;
}

HANDLE mmf__inherited_std(int which)
{
    return which >= 0 && which < 3 ? handed_std[which] : NULL;
}
