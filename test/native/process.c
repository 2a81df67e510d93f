/* Processes from inside: CreateProcess's failures leak no descriptor (fault injection
 * through mmf__sys included), a child starts with no signal of its parent's, and a hostile
 * inbox message is refused. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../test.h"
#include "base/base.h"
#include "native.h"
#include "ob/ob.h"

CHILD(native_exit7)
{
    (void)arg;
    return 7;
}

static BOOL start_role(const char *role, BOOL inherit, DWORD flags, const char *dir,
                       PROCESS_INFORMATION *pi)
{
    char exe[MAX_PATH], cmd[2 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s x", exe, role);
    return CreateProcessA(NULL, cmd, NULL, NULL, inherit, flags, NULL, dir, &si, pi);
}

static void finish_role(PROCESS_INFORMATION *pi, DWORD want)
{
    DWORD code;
    ASSERT_EQ(WaitForSingleObject(pi->hProcess, 20000), WAIT_OBJECT_0);
    ASSERT(GetExitCodeProcess(pi->hProcess, &code));
    ASSERT_EQ(code, want);
    ASSERT(CloseHandle(pi->hThread) && CloseHandle(pi->hProcess));
}

/* A program file exec cannot run: ERROR_BAD_EXE_FORMAT; one this user may not run:
 * ERROR_ACCESS_DENIED. */
static void bad_program(const char *tag, mode_t mode, DWORD want)
{
    char path[MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    temp_path(path, tag);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT(fd >= 0 && write(fd, "MZ not an ELF file", 18) == 18 && close(fd) == 0);
    ASSERT_ERR(!CreateProcessA(path, NULL, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi), want);
    ASSERT(unlink(path) == 0);
}

static int (*real_memfd)(const char *, unsigned);
static int memfd_failures;
static int failing_memfd(const char *name, unsigned flags)
{
    if (memfd_failures > 0) {
        memfd_failures--;
        errno = EMFILE;
        return -1;
    }
    return real_memfd(name, flags);
}

TEST(create_process_failures_leak_nothing)
{
    PROCESS_INFORMATION pi;
    ASSERT(start_role("native_exit7", FALSE, 0, NULL, &pi)); /* the watcher's own descriptors */
    finish_role(&pi, 7);
    int fds = count_fds();
    char nodir[MAX_PATH];
    temp_path(nodir, "absent-dir");
    ASSERT_ERR(!start_role("native_exit7", FALSE, 0, nodir, &pi), ERROR_DIRECTORY);
    bad_program("not-elf", 0755, ERROR_BAD_EXE_FORMAT);
    bad_program("not-executable", 0644, ERROR_ACCESS_DENIED);
    ASSERT_EQ(count_fds(), fds);
    /* The handoff cannot be made: nothing started, nothing left. */
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE sec = CreateFileMappingA(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, NULL);
    ASSERT(sec != NULL);
    fds = count_fds();
    real_memfd = mmf__sys.memfd_create;
    mmf__sys.memfd_create = failing_memfd;
    memfd_failures = 1;
    ASSERT_ERR(!start_role("native_exit7", TRUE, 0, NULL, &pi), ERROR_TOO_MANY_OPEN_FILES);
    mmf__sys.memfd_create = real_memfd;
    ASSERT_EQ(count_fds(), fds);
    /* And a child that inherits, once ended and closed, leaves none either. */
    ASSERT(start_role("native_exit7", TRUE, 0, NULL, &pi));
    finish_role(&pi, 7);
    ASSERT_EQ(count_fds(), fds);
    ASSERT(CloseHandle(sec));
}


/* A program that passes CreateProcess's checks and fails at exec (a script whose
 * interpreter is missing): the failure comes back from the child, ERROR_FILE_NOT_FOUND;
 * a suspended child, which execs only once resumed, ends with 127 instead. */
TEST(exec_failures_come_back_from_the_child)
{
    char path[MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    temp_path(path, "no-interpreter");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    ASSERT(fd >= 0 && write(fd, "#!/nonexistent/sh\n", 18) == 18 && close(fd) == 0);
    ASSERT_ERR(!CreateProcessA(path, NULL, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
               ERROR_FILE_NOT_FOUND);
    ASSERT(CreateProcessA(path, NULL, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi));
    ASSERT_EQ(ResumeThread(pi.hThread), 1);
    finish_role(&pi, 127);
    ASSERT(unlink(path) == 0);
}

/* Child: exits 0 when it started as a Windows child does, with every signal's
 * disposition the default one and none blocked (its parent ignores SIGPIPE, catches
 * SIGUSR1 and blocks SIGUSR2). */
CHILD(native_signals_as_new)
{
    (void)arg;
    struct sigaction sa;
    sigset_t mask;
    int sigs[] = {SIGPIPE, SIGUSR1, SIGUSR2};
    for (int i = 0; i < 3; i++)
        if (sigaction(sigs[i], NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
            return 10 + i;
    if (sigprocmask(SIG_SETMASK, NULL, &mask) < 0 || sigismember(&mask, SIGUSR2))
        return 20;
    return 0;
}

static void caught(int sig)
{
    (void)sig;
}

/* Neither the parent's signal dispositions nor its mask reach a child, whichever way it
 * is made: shared until its exec, or (suspended) by fork and the gate. */
TEST(a_child_starts_with_default_signals)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, catch = {.sa_handler = caught}, old[2];
    sigset_t usr2, old_mask;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    ASSERT(sigaction(SIGPIPE, &ign, &old[0]) == 0 && sigaction(SIGUSR1, &catch, &old[1]) == 0);
    ASSERT(pthread_sigmask(SIG_BLOCK, &usr2, &old_mask) == 0);
    PROCESS_INFORMATION pi;
    ASSERT(start_role("native_signals_as_new", FALSE, 0, NULL, &pi));
    finish_role(&pi, 0);
    ASSERT(start_role("native_signals_as_new", FALSE, CREATE_SUSPENDED, NULL, &pi));
    ASSERT_EQ(ResumeThread(pi.hThread), 1);
    finish_role(&pi, 0);
    ASSERT(pthread_sigmask(SIG_SETMASK, &old_mask, NULL) == 0);
    ASSERT(sigaction(SIGPIPE, &old[0], NULL) == 0 && sigaction(SIGUSR1, &old[1], NULL) == 0);
}

/* A message on a process's inbox (ob/remote.c) is untrusted: a real one gives the same
 * object; any damage is refused, and its descriptors closed. */
TEST(inbox_messages_are_checked)
{
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct mmf__object *obj;
    DWORD access;
    ASSERT(ev && mmf__handle_get_any(ev, &obj, &access) == 0);
    HANDLE value = (HANDLE)(uintptr_t)((MMF__HANDLE_REMOTE + 5) * 4ull);
    unsigned char buf[MMF__REMOTE_MSG_MAX], bad[MMF__REMOTE_MSG_MAX];
    size_t len;
    int fds[2], nfds, fds_before = count_fds();
    struct mmf__held h;
    /* Damaged: a byte of the magic, the size, a value of this process's own range, a
     * descriptor index past those sent. */
    for (int damage = 0; damage < 4; damage++) {
        ASSERT(mmf__remote_message(obj, access, 0, value, buf, &len, fds, &nfds) == 0);
        ASSERT_EQ(nfds, 1);
        memcpy(bad, buf, len);
        size_t n = len;
        if (damage == 0)
            bad[0] ^= 1;
        else if (damage == 1)
            n--;
        else if (damage == 2)
            memcpy(bad + 8, &(uint64_t){4}, 8);
        else
            memcpy(bad + 28, &(int32_t){1}, 4); /* the export's first descriptor */
        ASSERT(mmf__remote_parse(bad, n, fds, nfds, &h) < 0);
        ASSERT_EQ(count_fds(), fds_before);
    }
    ASSERT(mmf__remote_message(obj, access, 0, value, buf, &len, fds, &nfds) == 0);
    ASSERT(mmf__remote_parse(buf, len, fds, nfds, &h) == 0);
    ASSERT(h.value == value && h.access == access && h.obj->type == obj->type);
    ASSERT(mmf__handle_put(h.value, h.obj, h.access, 0) == 0);
    ASSERT(SetEvent(value)); /* the same cell: the same event */
    ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    ASSERT(CloseHandle(value));
    mmf__unref(obj);
    ASSERT(CloseHandle(ev));
    ASSERT_EQ(count_fds(), fds_before);
}

/* A program that forks (a porting user's Linux code may) gets a child that knows its own
 * ids: mmf asks the kernel for them once and forgets them in a forked child. */
TEST(forked_children_know_their_own_ids)
{
    DWORD pid = GetCurrentProcessId(), tid = GetCurrentThreadId();
    ASSERT_EQ(pid, (DWORD)getpid());
    pid_t child = fork();
    ASSERT(child >= 0);
    if (child == 0)
        _exit(GetCurrentProcessId() == (DWORD)getpid() && GetCurrentProcessId() != pid &&
                      GetCurrentThreadId() == (DWORD)syscall(SYS_gettid) &&
                      GetCurrentThreadId() != tid
                  ? 0
                  : 1);
    int status;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
