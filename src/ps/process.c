/* Processes: CreateProcess, OpenProcess and process objects (docs/processes.md).
 *
 * A process object holds a pidfd, so that a reused pid never makes it refer to another
 * process. It is waitable like a thread (STATE: ended, AUX: exit code): one watcher thread
 * per process polls the pidfds of every process object (epoll) and signals each object
 * when its process ends, however it ends. Children made by CreateProcess are reaped by the
 * watcher (waitid on the pidfd), even when no handle to them is left, so that none stays
 * a zombie; another process's exit code comes from the pidfd once its parent has reaped it
 * (PIDFD_GET_INFO, Linux 6.15).
 *
 * A child is made as posix_spawn makes one, sharing this process's memory until it execs
 * (its pidfd made with it, its exec's failure written in place); or, suspended (or where
 * that clone is refused), by fork, and it waits on a socket pair (the "gate") before it
 * execs, which the parent opens once it has the child's pidfd (or, with CREATE_SUSPENDED,
 * ResumeThread does); exec's failure then comes back through a close-on-exec pipe.
 *
 * Where there are no pidfds (before Linux 5.3, or under a tool that does not know the
 * call: valgrind 3.19), a process object holds its pid alone (pidfd -1): the watcher
 * looks at it every 10 ms (waitid on the pid for a child, else whether it still exists),
 * and a pid reused meanwhile is taken for the same process (docs/processes.md). */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/io.h"
#include "ps/ps.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
/* PIDFD_GET_INFO (linux/pidfd.h, 6.15): the first 64 bytes of struct pidfd_info. */
struct pidfd_info {
    uint64_t mask, cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
};
#define PIDFD_INFO_EXIT (1u << 3)
#define PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info)

struct watch;

struct mmf__process {
    struct mmf__sync sync;     /* STATE: ended; AUX: exit code */
    pid_t pid;
    int pidfd;
    int table_fd;              /* a child's handle table (ob/remote.c), made for it; else -1 */
    int procfd;                /* without pidfds: its /proc/<pid>, which crosses into another
                                  process in place of one; else -1 */
    _Atomic int64_t term_code; /* TerminateProcess's code, from this process; -1: none */
    struct mmf__thread *main;  /* CreateProcess: the main thread's object (referenced) */
    struct watch *watch;       /* while its end is being watched */
};

/* --- The watcher ---------------------------------------------------------------------- */

/* One watched pidfd. A child's watch outlives its object until the child is reaped. */
struct watch {
    int pidfd;                 /* -1: no pidfd, the pid is polled */
    pid_t pid;
    bool child;                /* ours to reap */
    struct mmf__process *proc; /* NULL once its object is gone */
    bool parked;               /* ended, its status not yet known: off the epoll set */
    struct watch *next;        /* the list of every watch */
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watches;
static int epfd = -1;
static int kick = -1; /* an eventfd in the epoll set: a parked watch was added */

/* Windows' exit code for a status: the code an exit gave (Linux keeps 8 bits of it), the
 * code this process's TerminateProcess asked for, or one for the signal that ended it. */
static DWORD code_of(bool exited, int value, int64_t term)
{
    if (exited)
        return (DWORD)value;
    if (term >= 0 && value == SIGKILL)
        return (DWORD)term;
    switch (value) {
    case SIGSEGV: return 0xC0000005u; /* STATUS_ACCESS_VIOLATION */
    case SIGBUS: return 0xC0000006u;  /* STATUS_IN_PAGE_ERROR */
    case SIGILL: return 0xC000001Du;  /* STATUS_ILLEGAL_INSTRUCTION */
    case SIGFPE: return 0xC0000094u;  /* STATUS_INTEGER_DIVIDE_BY_ZERO */
    case SIGABRT: return 3;           /* what the C runtime's abort() exits with */
    default: return 128u + (DWORD)value;
    }
}

/* The end of a watched process, if it can be known now: a child is reaped; another
 * process's status is there once its parent has reaped it. */
static bool end_status(struct watch *w, bool *exited, int *value)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    idtype_t by = w->pidfd >= 0 ? (idtype_t)P_PIDFD : P_PID;
    id_t id = w->pidfd >= 0 ? (id_t)w->pidfd : (id_t)w->pid;
    if (w->child && syscall(SYS_waitid, by, id, &si, WEXITED | WNOHANG, NULL) == 0 && si.si_pid) {
        *exited = si.si_code == CLD_EXITED;
        *value = si.si_status;
        return true;
    }
    if (w->pidfd < 0) { /* the code is not to be had; its end is its pid's */
        *exited = true;
        *value = -1;
        return !w->child && kill(w->pid, 0) < 0 && errno == ESRCH;
    }
    struct pidfd_info info = {.mask = PIDFD_INFO_EXIT};
    if (ioctl(w->pidfd, PIDFD_GET_INFO, &info) == 0 && (info.mask & PIDFD_INFO_EXIT)) {
        *exited = WIFEXITED(info.exit_code);
        *value = *exited ? WEXITSTATUS(info.exit_code) : WTERMSIG(info.exit_code);
        return true;
    }
    if (errno == ENOTTY || errno == EINVAL) { /* before 6.15: the code is not to be had */
        *exited = true;
        *value = -1;
        return true;
    }
    return false;
}

static void unlist_watch(struct watch *w)
{
    for (struct watch **p = &watches; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

/* Its main thread first, as on Windows: a waiter woken by the process finds it ended. */
static void process_ended(struct mmf__process *p, DWORD code)
{
    if (p->main)
        mmf__thread_end(p->main, code);
    atomic_store(&p->sync.w[MMF__S_AUX], code);
    atomic_store(&p->sync.w[MMF__S_STATE], 1);
    mmf__sync_changed(&p->sync, INT32_MAX);
}

/* A watched pidfd became readable: its process has ended. False: look again later (another
 * process, not yet reaped by its own parent; its pidfd is taken off the epoll set
 * meanwhile, as it stays readable). Under watch_lock. */
static bool settle(struct watch *w)
{
    bool exited;
    int value;
    if (!end_status(w, &exited, &value)) {
        if (!w->parked)
            epoll_ctl(epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
        w->parked = true;
        return false;
    }
    if (!w->parked)
        epoll_ctl(epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
    unlist_watch(w);
    if (w->proc) {
        w->proc->watch = NULL;
        process_ended(w->proc, code_of(exited, value, atomic_load(&w->proc->term_code)));
    } else if (w->pidfd >= 0) {
        mmf__sys.close(w->pidfd); /* its object went first: the descriptor is the watch's */
    }
    free(w);
    return true;
}

/* Events name a pidfd; its watch is looked up under the lock, so that one freed meanwhile
 * is never touched. */
static struct watch *watch_of(int pidfd)
{
    for (struct watch *w = watches; w; w = w->next)
        if (w->pidfd == pidfd)
            return w;
    return NULL;
}

static void *watcher(void *arg)
{
    (void)arg;
    for (bool parked = false;;) {
        struct epoll_event ev[16];
        int n = epoll_wait(epfd, ev, 16, parked ? 10 : -1);
        pthread_mutex_lock(&watch_lock);
        for (int i = 0; i < n; i++) {
            uint64_t kicks;
            struct watch *w = ev[i].data.fd == kick ? NULL : watch_of(ev[i].data.fd);
            if (w)
                settle(w);
            else if (ev[i].data.fd == kick)
                (void)eventfd_read(kick, &kicks); /* a wake-up: the loop below polls */
        }
        parked = false;
        for (struct watch *w = watches, *next; w; w = next) {
            next = w->next;
            if (w->parked)
                parked = !settle(w) || parked;
        }
        pthread_mutex_unlock(&watch_lock);
    }
    return NULL;
}

static int start_watcher(void)
{
    if (epfd >= 0)
        return 0;
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.fd = kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (kick < 0 || epoll_ctl(fd, EPOLL_CTL_ADD, kick, &ev) < 0) {
        int err = errno;
        if (kick >= 0)
            mmf__sys.close(kick);
        mmf__sys.close(fd);
        kick = -1;
        return -err;
    }
    pthread_t t;
    pthread_attr_t attr;
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the program's signals are not its */
    epfd = fd;
    int st = -pthread_create(&t, &attr, watcher, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (st < 0) {
        mmf__sys.close(kick);
        mmf__sys.close(fd);
        epfd = kick = -1;
    }
    return st;
}

static int watch(struct mmf__process *p, bool child)
{
    struct watch *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    *w = (struct watch){.pidfd = p->pidfd, .pid = p->pid, .child = child, .proc = p,
                        .parked = p->pidfd < 0};
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = p->pidfd};
    pthread_mutex_lock(&watch_lock);
    int st = start_watcher();
    if (st == 0 && p->pidfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, p->pidfd, &ev) < 0)
        st = -errno;
    if (st == 0) {
        w->next = watches;
        watches = w;
        p->watch = w;
        if (w->parked) /* the watcher may be asleep without a limit: it polls from now on */
            (void)eventfd_write(kick, 1);
    }
    pthread_mutex_unlock(&watch_lock);
    if (st < 0)
        free(w);
    return st;
}

/* --- Process objects ------------------------------------------------------------------ */

static void process_destroy(struct mmf__object *obj)
{
    struct mmf__process *p = (struct mmf__process *)obj;
    bool keep_fd = false;
    pthread_mutex_lock(&watch_lock);
    if (p->watch) {
        p->watch->proc = NULL;
        if (p->watch->child) {
            keep_fd = true; /* the watcher reaps it, then closes the descriptor */
        } else {
            if (!p->watch->parked)
                epoll_ctl(epfd, EPOLL_CTL_DEL, p->pidfd, NULL);
            unlist_watch(p->watch);
            free(p->watch);
        }
    }
    pthread_mutex_unlock(&watch_lock);
    if (!keep_fd && p->pidfd >= 0)
        mmf__sys.close(p->pidfd);
    if (p->table_fd >= 0)
        mmf__sys.close(p->table_fd);
    if (p->procfd >= 0)
        mmf__sys.close(p->procfd);
    if (p->main)
        mmf__unref((struct mmf__object *)p->main);
    free(p);
}

static struct mmf__process *process_new(pid_t pid, int pidfd)
{
    struct mmf__process *p = calloc(1, sizeof *p);
    if (p) {
        mmf__sync_init(&p->sync, &mmf__process_type);
        atomic_store(&p->sync.w[MMF__S_AUX], STILL_ACTIVE);
        atomic_store(&p->term_code, -1);
        p->pid = pid;
        p->pidfd = pidfd;
        p->table_fd = -1;
        p->procfd = -1;
    }
    return p;
}

/* Without pidfds, the process's /proc directory stands for it where it crosses: unlike its
 * pid, it never names a later process (its calls fail once the process is gone). */
static void open_procfd(struct mmf__process *p)
{
    char path[32];
    snprintf(path, sizeof path, "/proc/%d", (int)p->pid);
    int fd = mmf__sys.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    p->procfd = fd < 0 ? -1 : mmf__dup_high(fd);
    if (fd >= 0)
        mmf__sys.close(fd);
}

/* The process a descriptor that crossed stands for: a pidfd's (its fdinfo's "Pid:", -1
 * once reaped) or a /proc/<pid> directory's; 0 for anything else. */
static pid_t pid_of_fd(int fd)
{
    char path[48], buf[1024];
    struct stat sb;
    if (mmf__sys.fstat(fd, &sb) < 0)
        return 0;
    if (S_ISDIR(sb.st_mode)) {
        int stat_fd = mmf__sys.openat(fd, "stat", O_RDONLY | O_CLOEXEC, 0);
        ssize_t n = stat_fd < 0 ? -1 : mmf__sys.read(stat_fd, buf, sizeof buf - 1);
        if (stat_fd >= 0)
            mmf__sys.close(stat_fd);
        if (n <= 0)
            return 0;
        buf[n] = 0;
        return (pid_t)strtol(buf, NULL, 10);
    }
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    const char *at = mmf__read_small_file(path, buf, sizeof buf) > 0 ? strstr(buf, "\nPid:")
                                                                     : NULL;
    return at ? (pid_t)strtol(at + 5, NULL, 10) : 0;
}

/* A process handle crosses as a pidfd (or its /proc directory), the process's handle
 * table if known, and what is known of its end. */
static int process_export(struct mmf__object *obj, struct mmf__xfer *x)
{
    struct mmf__process *p = (struct mmf__process *)obj;
    x->fd[0] = p->pidfd >= 0 ? p->pidfd : p->procfd; /* none: it cannot cross */
    x->fd[1] = p->table_fd;
    x->v[0] = (uint64_t)p->pid;
    x->v[1] = atomic_load(&p->sync.w[MMF__S_STATE]);
    x->v[2] = atomic_load(&p->sync.w[MMF__S_AUX]);
    return 0;
}

static int process_import(const struct mmf__type *type, struct mmf__xfer *x,
                          struct mmf__object **out)
{
    (void)type;
    struct stat sb;
    pid_t pid = pid_of_fd(x->fd[0]);
    bool dir = mmf__sys.fstat(x->fd[0], &sb) == 0 && S_ISDIR(sb.st_mode);
    /* The descriptor must be the process's, or a pidfd of one that is gone. */
    bool ok = x->v[0] && x->v[0] <= INT32_MAX &&
              (pid == (pid_t)x->v[0] || (pid == -1 && !dir));
    struct mmf__process *p = ok ? process_new((pid_t)x->v[0], dir ? -1 : x->fd[0]) : NULL;
    if (!p) {
        mmf__sys.close(x->fd[0]);
        if (x->fd[1] >= 0)
            mmf__sys.close(x->fd[1]);
        return ok ? -ENOMEM : MMF__W(ERROR_FILE_CORRUPT);
    }
    p->procfd = dir ? x->fd[0] : -1;
    p->table_fd = x->fd[1];
    int st = 0;
    if (x->v[1])
        process_ended(p, (DWORD)x->v[2]);
    else
        st = watch(p, false);
    if (st < 0) {
        process_destroy(&p->sync.obj);
        return st;
    }
    *out = &p->sync.obj;
    return 0;
}

static int pidfd_open(pid_t pid);

/* A new object for process pid, by a pidfd, else its pid and its /proc directory. */
static int process_by_pid(pid_t pid, struct mmf__process **out)
{
    int fd = pidfd_open(pid);
    struct mmf__process *p = fd >= -1 ? process_new(pid, fd) : NULL;
    if (!p) {
        if (fd >= 0)
            mmf__sys.close(fd);
        return fd < -1 ? fd : -ENOMEM;
    }
    if (fd < 0)
        open_procfd(p);
    *out = p;
    return 0;
}

/* DuplicateHandle(GetCurrentProcess()): this process, never seen to end by itself. */
static int process_open_current(struct mmf__object **out)
{
    struct mmf__process *p;
    int st = process_by_pid(mmf__pid(), &p);
    if (st == 0)
        *out = &p->sync.obj;
    return st;
}

const struct mmf__type mmf__process_type = {
    .name = "Process",
    .kind = MMF__KIND_PROCESS,
    .generic = {STANDARD_RIGHTS_READ | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION,
                STANDARD_RIGHTS_WRITE | PROCESS_CREATE_PROCESS | PROCESS_CREATE_THREAD |
                    PROCESS_VM_OPERATION | PROCESS_VM_WRITE | PROCESS_DUP_HANDLE |
                    PROCESS_TERMINATE | PROCESS_SET_QUOTA | PROCESS_SET_INFORMATION |
                    PROCESS_SUSPEND_RESUME,
                STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION,
                PROCESS_ALL_ACCESS},
    .valid = PROCESS_ALL_ACCESS,
    .destroy = process_destroy,
    .wait = &mmf__ended_wait_ops,
    .export_obj = process_export,
    .import_obj = process_import,
    .open_current = process_open_current,
};
MMF__TYPE_ROW(mmf__process_type);

/* A descriptor of this module's (close-on-exec, as pidfds are made) moved to 3 or above,
 * never a standard stream; -1 stays -1. */
static int above_std(int fd)
{
    if (fd < 0 || fd >= 3)
        return fd;
    int high = mmf__dup_high(fd);
    mmf__sys.close(fd);
    return high;
}

/* A pidfd; -1 where the system has none (ENOSYS): the pid stands alone. */
static int pidfd_open(pid_t pid)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return errno == ENOSYS && kill(pid, 0) == 0 ? -1 : errno == ENOSYS ? -ESRCH : -errno;
    return above_std(fd);
}

/* --- OpenProcess and the calls on process handles --------------------------------------- */

/* Whether this process may open another: its own user's, or any for root. The owner of
 * /proc/<pid> is the process's effective user. */
static int may_open(pid_t pid)
{
    char path[32];
    struct stat sb;
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    if (mmf__sys.stat(path, &sb) < 0)
        return MMF__W(ERROR_INVALID_PARAMETER);
    return geteuid() == 0 || sb.st_uid == geteuid() ? 0 : MMF__W(ERROR_ACCESS_DENIED);
}

static bool has_ended(int pidfd)
{
    struct pollfd pfd = {pidfd, POLLIN, 0};
    return pidfd >= 0 && poll(&pfd, 1, 0) == 1;
}

static int send_kill(const struct mmf__process *p)
{
    long r = p->pidfd >= 0 ? syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0)
                           : kill(p->pid, SIGKILL);
    return r < 0 && errno != ESRCH ? -errno : 0;
}

static int open_process(DWORD access, BOOL inherit, DWORD id, HANDLE *out)
{
    DWORD granted;
    if (id == 0 || id > INT32_MAX)
        return MMF__W(ERROR_INVALID_PARAMETER);
    int st = mmf__access_check(&mmf__process_type, access, &granted);
    if (st < 0)
        return st;
    struct mmf__process *p;
    if ((st = process_by_pid((pid_t)id, &p)) < 0)
        return st == -ESRCH ? MMF__W(ERROR_INVALID_PARAMETER) : st;
    /* /proc/<id> is this process's only while it has not ended (a pid reused after). */
    if ((st = may_open((pid_t)id)) == 0 && has_ended(p->pidfd))
        st = MMF__W(ERROR_INVALID_PARAMETER);
    if (st < 0 || (st = watch(p, false)) < 0) {
        process_destroy(&p->sync.obj);
        return st;
    }
    return mmf__handle_new(&p->sync.obj, granted, mmf__inherit_flags(inherit), out);
}

HANDLE WINAPI OpenProcess(DWORD access, BOOL inherit, DWORD id)
{
    HANDLE h;
    int st = open_process(access, inherit, id, &h);
    if (st < 0)
        return mmf__fail(st), NULL;
    return h;
}

/* The process object behind a handle, with its access; pseudo: the current process. */
static int get_process(HANDLE h, DWORD need, struct mmf__process **out, bool *pseudo)
{
    *pseudo = h == MMF__CURRENT_PROCESS;
    if (*pseudo)
        return 0;
    return mmf__handle_get_for(h, &mmf__process_type, need, (struct mmf__object **)out);
}

BOOL WINAPI GetExitCodeProcess(HANDLE h, LPDWORD code)
{
    struct mmf__process *p;
    bool self;
    int st = code ? get_process(h, PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION,
                                &p, &self)
                  : MMF__W(ERROR_NOACCESS);
    if (st < 0)
        return mmf__fail(st), FALSE;
    if (self) {
        *code = STILL_ACTIVE;
        return TRUE;
    }
    *code = atomic_load(&p->sync.w[MMF__S_STATE]) ? atomic_load(&p->sync.w[MMF__S_AUX])
                                                  : STILL_ACTIVE;
    mmf__unref(&p->sync.obj);
    return TRUE;
}

DWORD WINAPI GetProcessId(HANDLE h)
{
    struct mmf__process *p;
    bool self;
    int st = get_process(h, PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION, &p,
                         &self);
    if (st < 0)
        return mmf__fail(st), 0;
    if (self)
        return (DWORD)mmf__pid();
    DWORD id = (DWORD)p->pid;
    mmf__unref(&p->sync.obj);
    return id;
}

void WINAPI ExitProcess(UINT code)
{
    exit((int)code); /* atexit handlers and the library's destructors run, as DLL detach */
}

/* The code is the process's exit code for every holder of this process's handles; others
 * see the kill's (docs/processes.md). An ended process is left as it is. */
BOOL WINAPI TerminateProcess(HANDLE h, UINT code)
{
    struct mmf__process *p;
    bool self;
    int st = get_process(h, PROCESS_TERMINATE, &p, &self);
    if (st < 0)
        return mmf__fail(st), FALSE;
    if (self)
        _exit((int)code);
    if (!atomic_load(&p->sync.w[MMF__S_STATE])) {
        atomic_store(&p->term_code, code);
        st = send_kill(p);
    }
    mmf__unref(&p->sync.obj);
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

/* --- CreateProcess -------------------------------------------------------------------- */

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000 /* Linux 5.2; musl's headers may lack it */
#endif
/* A child of spawn_shared runs in this process's memory until it execs, and never returns:
 * its functions keep no AddressSanitizer redzones (they would outlive it there), and under
 * ThreadSanitizer, whose interceptors (sigaction's) keep their state in that memory, every
 * child is made by fork instead. */
#define CHILD_FN __attribute__((no_sanitize_address))
#if defined(__SANITIZE_THREAD__)
#define SHARED_CLONE 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SHARED_CLONE 0
#endif
#endif
#ifndef SHARED_CLONE
#define SHARED_CLONE 1
#endif
#define CHILD_STACK (64 * 1024)

/* Everything the child needs, made before the clone: after it, the child makes only
 * async-signal-safe calls. */
struct spawn {
    char *path, **argv, **envp, *cwd;
    char *handoff_var;         /* "MMF_HANDOFF=" and room for "<pid>:<fd>:<table>:<inbox>" */
    int std_fds[3];            /* the child's 0, 1, 2 (STARTF_USESTDHANDLES); -1: as ours */
    struct mmf__handoff ho;
    int table[2];              /* the child's handle table and inbox (ob/remote.c) */
    int gate[2], err[2];       /* a forked child's: its gate, and the pipe exec's error
                                  comes back through */
    volatile int exec_err;     /* a shared child's exec error, written in place */
};

#define HANDOFF_VAR "MMF_HANDOFF="
#define HANDOFF_ROOM 48

static void spawn_free(struct spawn *sp)
{
    free(sp->path);
    mmf__argv_free(sp->argv);
    if (sp->envp)
        for (char **e = sp->envp; *e; e++)
            free(*e);
    free(sp->envp);
    free(sp->cwd);
    for (int i = 0; i < 3; i++)
        if (sp->std_fds[i] >= 0)
            mmf__sys.close(sp->std_fds[i]);
    mmf__handoff_close(&sp->ho);
    for (int i = 0; i < 2; i++) {
        if (sp->table[i] >= 0)
            mmf__sys.close(sp->table[i]);
        if (sp->gate[i] >= 0)
            mmf__sys.close(sp->gate[i]);
        if (sp->err[i] >= 0)
            mmf__sys.close(sp->err[i]);
    }
}

/* Adds one NAME=value to the child's environment (Windows' "=C:=C:\\" entries have no
 * meaning here and are left out). */
static int env_add(char ***envp, size_t *n, const char *entry, size_t len)
{
    if (len == 0 || entry[0] == '=' ||
        (len >= sizeof HANDOFF_VAR - 1 && !memcmp(entry, HANDOFF_VAR, sizeof HANDOFF_VAR - 1)))
        return 0;
    char **more = realloc(*envp, (*n + 3) * sizeof **envp);
    if (!more)
        return -ENOMEM;
    *envp = more;
    if (!(more[*n] = strndup(entry, len)))
        return -ENOMEM;
    more[++*n] = NULL;
    return 0;
}

/* The child's environment: lpEnvironment's block (ANSI or, with
 * CREATE_UNICODE_ENVIRONMENT, UTF-16), or this process's; and the handoff's variable. */
static int build_env(struct spawn *sp, const void *block, bool unicode)
{
    extern char **environ;
    size_t n = 0;
    int st = 0;
    if (!block) {
        for (char **e = environ; st == 0 && e && *e; e++)
            st = env_add(&sp->envp, &n, *e, strlen(*e));
    } else if (unicode) {
        for (const WCHAR *w = block; st == 0 && *w; w += mmf__wcslen(w) + 1) {
            char *u;
            size_t len;
            if ((st = mmf__utf16_to_utf8(w, mmf__wcslen(w), &u, &len)) == 0)
                st = env_add(&sp->envp, &n, u, len);
            free(u);
        }
    } else {
        for (const char *a = block; st == 0 && *a; a += strlen(a) + 1)
            st = env_add(&sp->envp, &n, a, strlen(a));
    }
    char **more = st == 0 ? realloc(sp->envp, (n + 2) * sizeof *more) : NULL;
    if (!more)
        return st < 0 ? st : -ENOMEM;
    sp->envp = more;
    if (!(more[n] = calloc(1, sizeof HANDOFF_VAR + HANDOFF_ROOM)))
        return -ENOMEM;
    memcpy(more[n], HANDOFF_VAR, sizeof HANDOFF_VAR - 1);
    sp->handoff_var = more[n];
    more[n + 1] = NULL;
    return 0;
}

/* What exec can run: ELF, or a script. A directory or a file this user may not execute:
 * ERROR_ACCESS_DENIED; anything else (a PE file among them): ERROR_BAD_EXE_FORMAT. */
static int check_program(const char *path)
{
    char magic[4] = {0};
    if (access(path, X_OK) < 0)
        return MMF__W(ERROR_ACCESS_DENIED);
    int fd = mmf__sys.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = mmf__sys.read(fd, magic, sizeof magic);
    mmf__sys.close(fd);
    if ((n == 4 && !memcmp(magic, "\x7f" "ELF", 4)) || (n >= 2 && !memcmp(magic, "#!", 2)))
        return 0;
    return MMF__W(ERROR_BAD_EXE_FORMAT);
}

static int check_directory(const WCHAR *w, char **out)
{
    struct stat sb;
    size_t n;
    int st = mmf__utf16_to_utf8(w, mmf__wcslen(w), out, &n);
    for (size_t i = 0; st == 0 && i < n; i++)
        if ((*out)[i] == '\\')
            (*out)[i] = '/';
    if (st == 0 && (mmf__sys.stat(*out, &sb) < 0 || !S_ISDIR(sb.st_mode)))
        st = MMF__W(ERROR_DIRECTORY);
    return st;
}

/* STARTF_USESTDHANDLES: each file handle's descriptor becomes the child's 0, 1 or 2; what
 * is not a file (NULL, INVALID_HANDLE_VALUE, another kind) becomes /dev/null. */
static int std_fd(HANDLE h, int *out)
{
    struct mmf__file *f;
    int fd = -1;
    if (h && mmf__file_get(h, 0, &f) == 0) {
        fd = mmf__dup_high(f->fd);
        mmf__unref(&f->obj);
    }
    if (fd < 0)
        fd = (int)mmf__sysret(mmf__sys.open("/dev/null", O_RDWR | O_CLOEXEC));
    *out = fd;
    return fd < 0 ? fd : 0;
}

CHILD_FN static void put_decimal(char *p, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 24);
    while (n)
        *p++ = tmp[--n];
    *p = 0;
}

/* The child's first step, whichever way it was made: it resets every signal's disposition,
 * then its mask (a Windows child inherits neither). All were blocked in the parent across
 * the clone, so no handler of the parent's ran in the child. */
CHILD_FN static void child_signals(void)
{
    sigset_t none;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The child's last steps: its directory, standard descriptors and handoff (its own pid,
 * from the kernel: a shared child has the parent's libc state), then the program; exec's
 * failure goes back in place (shared) or through the err pipe. */
CHILD_FN static _Noreturn void child_become(struct spawn *sp)
{
    int err = 0;
    if (sp->cwd && chdir(sp->cwd) < 0)
        err = errno;
    for (int i = 0; !err && i < 3; i++)
        if (sp->std_fds[i] >= 0 && dup2(sp->std_fds[i], i) < 0)
            err = errno;
    for (size_t i = 0; !err && i < sp->ho.nfds; i++)
        fcntl(sp->ho.fds[i], F_SETFD, 0);
    if (!err) {
        unsigned long vals[4] = {(unsigned long)syscall(SYS_getpid), (unsigned long)sp->ho.fd,
                                 (unsigned long)sp->table[0], (unsigned long)sp->table[1]};
        char *v = sp->handoff_var + sizeof HANDOFF_VAR - 1;
        for (int i = 0; i < 4; i++) {
            if (i)
                *v++ = ':', fcntl((int)vals[i], F_SETFD, 0);
            put_decimal(v, vals[i]);
            v += strlen(v);
        }
        execve(sp->path, sp->argv, sp->envp);
        err = errno;
    }
    sp->exec_err = err; /* seen by the parent of a shared child, which this one's end wakes */
    while (sp->err[1] >= 0 && write(sp->err[1], &err, sizeof err) < 0 && errno == EINTR)
        ;
    _exit(127);
}

/* A child made by fork: waits for the gate, then becomes the program. */
static _Noreturn void child_at_gate(struct spawn *sp)
{
    child_signals();
    char c;
    ssize_t r;
    while ((r = read(sp->gate[0], &c, 1)) < 0 && errno == EINTR)
        ;
    if (r != 1)
        _exit(127); /* the parent went before it let this child run */
    child_become(sp);
}

/* A child that shares the parent's memory until it execs (spawn_shared): it writes there
 * only the handoff variable made for it, the calling thread's errno (not read after the
 * clone) and, with musl, the lock of SIGABRT's disposition, which sigaction takes and
 * gives back. */
CHILD_FN static int child_shared(void *arg)
{
    child_signals();
    child_become(arg);
}

struct create_args {
    const WCHAR *app, *cmd, *cwd;
    BOOL inherit;
    DWORD flags;
    const void *env;
    DWORD si_flags;
    HANDLE std[3];
    DWORD process_flags, thread_flags; /* the new handles' attributes */
};

static int prepare(const struct create_args *a, struct spawn *sp)
{
    int argc, st = mmf__program_find(a->app, a->cmd, &sp->path);
    if (st == 0)
        st = check_program(sp->path);
    if (st == 0)
        st = mmf__cmdline_split(a->cmd, &sp->argv, &argc);
    if (st == 0 && a->cwd)
        st = check_directory(a->cwd, &sp->cwd);
    if (st == 0)
        st = build_env(sp, a->env, a->flags & CREATE_UNICODE_ENVIRONMENT);
    for (int i = 0; st == 0 && (a->si_flags & STARTF_USESTDHANDLES) && i < 3; i++)
        st = std_fd(a->std[i], &sp->std_fds[i]);
    HANDLE stdh[3] = {NULL, NULL, NULL};
    if (a->si_flags & STARTF_USESTDHANDLES)
        memcpy(stdh, a->std, sizeof stdh);
    if (st == 0)
        st = mmf__handoff_for_child(a->inherit, stdh, a->cmd, mmf__wcslen(a->cmd) * sizeof(WCHAR),
                                    &sp->ho);
    if (st == 0)
        st = mmf__remote_table_for_child(&sp->table[0], &sp->table[1]);
    return st;
}

/* Exec's failure in the child (an errno) as CreateProcess reports it; 0: it has exec'd. */
static int exec_status(int err)
{
    return err == ENOENT    ? MMF__W(ERROR_FILE_NOT_FOUND)
           : err == ENOEXEC ? MMF__W(ERROR_BAD_EXE_FORMAT)
                            : -err;
}

/* A forked child's exec error, from the err pipe (closed by its exec; a shared child's
 * parent need not wait for that, which comes after its own wake-up in the exec). */
static int exec_status_piped(struct spawn *sp)
{
    int err = 0;
    ssize_t r;
    mmf__sys.close(sp->err[1]);
    sp->err[1] = -1;
    while ((r = read(sp->err[0], &err, sizeof err)) < 0 && errno == EINTR)
        ;
    return exec_status(r == (ssize_t)sizeof err ? err : 0);
}

/* The process object (on pidfd if the clone gave one: the object's from now on) and its
 * main thread's, watched only once complete; the child's handle table goes to it, so that
 * handles can be given to the child before it runs. A suspended child's gate (*gate >= 0)
 * goes to the thread object once that is made (*gate is then -1), whatever happens
 * after. Failing, it kills and reaps the child. */
static int track(pid_t pid, int pidfd, int *gate, struct spawn *sp, struct mmf__process **out)
{
    struct mmf__process *p = NULL;
    int st = pidfd < 0 ? process_by_pid(pid, &p) : (p = process_new(pid, pidfd)) ? 0 : -ENOMEM;
    if (st < 0 && pidfd >= 0)
        mmf__sys.close(pidfd);
    if (st == 0 && (p->main = mmf__thread_remote((DWORD)pid, *gate)))
        *gate = -1;
    if (st == 0 && (st = p->main ? watch(p, true) : -ENOMEM) < 0)
        process_destroy(&p->sync.obj); /* its pidfd too */
    if (st < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return st;
    }
    p->table_fd = sp->table[0];
    sp->table[0] = -1;
    *out = p;
    return 0;
}

/* A child made by fork, which waits at the gate before it execs: it is tracked there (its
 * pidfd taken before anything could reap it, and killed there if that fails: nothing ran),
 * then the gate opens, or with CREATE_SUSPENDED stays shut until ResumeThread. The gate
 * is a socket pair: opening it for a child killed meanwhile is an error (MSG_NOSIGNAL),
 * never a SIGPIPE. */
static int spawn_at_gate(bool suspended, struct spawn *sp, struct mmf__process **out)
{
    sigset_t all, old;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp->gate) < 0 ||
        (!suspended && pipe2(sp->err, O_CLOEXEC) < 0))
        return -errno;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0)
        child_at_gate(sp);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        return -err;
    mmf__sys.close(sp->gate[0]);
    sp->gate[0] = -1;
    struct mmf__process *p;
    int resume_gate = suspended ? sp->gate[1] : -1;
    int st = track(pid, -1, &resume_gate, sp, &p);
    if (suspended && resume_gate < 0)
        sp->gate[1] = -1; /* the thread object's (ResumeThread's) from now on */
    if (st < 0)
        return st;
    if (!suspended && send(sp->gate[1], "", 1, MSG_NOSIGNAL) != 1) {
        st = -errno;
        send_kill(p);
    } else if (!suspended) {
        st = exec_status_piped(sp);
    }
    if (st < 0) {
        process_destroy(&p->sync.obj); /* the watcher reaps the child */
        return st;
    }
    *out = p;
    return 0;
}

/* The pidfd a clone gave, as the process object keeps it; -1 where a tool passed
 * CLONE_PIDFD on but refuses the pidfd calls (valgrind 3.19: ENOSYS): the process is then
 * known by its pid, as where the system has no pidfds. */
static int usable_pidfd(int pidfd)
{
    if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ENOSYS) {
        mmf__sys.close(pidfd);
        return -1;
    }
    return above_std(pidfd);
}

/* A child that shares this process's memory until it execs, as posix_spawn makes them
 * (clone with CLONE_VM and CLONE_VFORK: this thread waits meanwhile): no copy of the
 * address space to make, nor to tear down at the exec. Its pidfd comes with it
 * (CLONE_PIDFD), so nothing can reap it before that is held, and it needs no gate: it
 * execs at once, so a failure to track it kills a program that has started. -ENOSYS where
 * the kernel (or a tool: seccomp, valgrind) refuses such a clone. */
static int spawn_shared(struct spawn *sp, struct mmf__process **out)
{
    if (!SHARED_CLONE)
        return -ENOSYS;
    char *stack = mmf__sys.mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -errno;
    int pidfd = -1; /* stays -1 where a tool drops CLONE_PIDFD: the pid is looked up */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(child_shared, stack + CHILD_STACK,
                      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, sp, &pidfd, NULL, NULL);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    mmf__sys.munmap(stack, CHILD_STACK); /* the child has exec'd, or ended */
    if (pid < 0)
        return err == EINVAL || err == ENOSYS || err == EPERM ? -ENOSYS : -err;
    struct mmf__process *p;
    int no_gate = -1;
    int st = track(pid, usable_pidfd(pidfd), &no_gate, sp, &p);
    if (st < 0)
        return st;
    if ((st = exec_status(sp->exec_err)) < 0) {
        process_destroy(&p->sync.obj); /* the watcher reaps the child */
        return st;
    }
    *out = p;
    return 0;
}

static int start(const struct create_args *a, struct spawn *sp, struct mmf__process **out)
{
    bool suspended = a->flags & CREATE_SUSPENDED;
    int st = suspended ? -ENOSYS : spawn_shared(sp, out);
    return st == -ENOSYS ? spawn_at_gate(suspended, sp, out) : st;
}

static int create_process(const struct create_args *a, LPPROCESS_INFORMATION pi)
{
    struct spawn sp = {.std_fds = {-1, -1, -1}, .ho = {.fd = -1}, .table = {-1, -1},
                       .gate = {-1, -1},
                       .err = {-1, -1}};
    struct mmf__process *p = NULL;
    HANDLE hp, ht;
    int st = prepare(a, &sp);
    if (st == 0)
        st = start(a, &sp, &p);
    spawn_free(&sp);
    if (st < 0)
        return st;
    pid_t pid = p->pid;
    struct mmf__thread *main = p->main;
    mmf__ref((struct mmf__object *)main); /* the thread handle's */
    if ((st = mmf__handle_new(&p->sync.obj, PROCESS_ALL_ACCESS, a->process_flags, &hp)) < 0) {
        mmf__unref((struct mmf__object *)main);
        return st;
    }
    if ((st = mmf__handle_new((struct mmf__object *)main, THREAD_ALL_ACCESS, a->thread_flags,
                              &ht)) < 0) {
        CloseHandle(hp);
        return st;
    }
    *pi = (PROCESS_INFORMATION){hp, ht, (DWORD)pid, (DWORD)pid};
    return 0;
}

BOOL WINAPI CreateProcessW(LPCWSTR app, LPWSTR cmd, LPSECURITY_ATTRIBUTES psa,
                           LPSECURITY_ATTRIBUTES tsa, BOOL inherit, DWORD flags, LPVOID env,
                           LPCWSTR cwd, LPSTARTUPINFOW si, LPPROCESS_INFORMATION pi)
{
    int st = !si || !pi ? MMF__W(ERROR_NOACCESS)
             : !app && !cmd ? MMF__W(ERROR_INVALID_PARAMETER) : 0;
    if (st == 0) {
        /* No command line: the application name is the whole of it. */
        struct create_args a = {app, cmd ? cmd : app, cwd, inherit, flags, env, si->dwFlags,
                                {si->hStdInput, si->hStdOutput, si->hStdError},
                                mmf__sa_handle_flags(psa), mmf__sa_handle_flags(tsa)};
        st = create_process(&a, pi);
    }
    if (st < 0)
        return mmf__fail(st), FALSE;
    return TRUE;
}

static int to_w(const char *s, WCHAR **out)
{
    size_t n;
    *out = NULL;
    return s ? mmf__utf8_to_utf16(s, strlen(s), out, &n) : 0;
}

/* The environment block stays as it is (ANSI, or UTF-16 with CREATE_UNICODE_ENVIRONMENT). */
BOOL WINAPI CreateProcessA(LPCSTR app, LPSTR cmd, LPSECURITY_ATTRIBUTES psa,
                           LPSECURITY_ATTRIBUTES tsa, BOOL inherit, DWORD flags, LPVOID env,
                           LPCSTR cwd, LPSTARTUPINFOA si, LPPROCESS_INFORMATION pi)
{
    WCHAR *wapp, *wcmd = NULL, *wcwd = NULL;
    int st = to_w(app, &wapp);
    if (st == 0)
        st = to_w(cmd, &wcmd);
    if (st == 0)
        st = to_w(cwd, &wcwd);
    BOOL ok = FALSE;
    if (st < 0) {
        mmf__fail(st);
    } else {
        STARTUPINFOW siw;
        if (si) {
            memset(&siw, 0, sizeof siw);
            siw.cb = sizeof siw;
            siw.dwFlags = si->dwFlags;
            siw.hStdInput = si->hStdInput;
            siw.hStdOutput = si->hStdOutput;
            siw.hStdError = si->hStdError;
        }
        ok = CreateProcessW(wapp, wcmd, psa, tsa, inherit, flags, env, wcwd, si ? &siw : NULL,
                            pi);
    }
    free(wapp);
    free(wcmd);
    free(wcwd);
    return ok;
}
