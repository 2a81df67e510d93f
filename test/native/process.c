/* Processes from inside: CreateProcess's failures leak no descriptor (fault injection
 * through mmf__sys included), and a hostile inbox message is refused. */
#include <fcntl.h>
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

static BOOL start_role(const char *role, BOOL inherit, const char *dir, PROCESS_INFORMATION *pi)
{
    char exe[MAX_PATH], cmd[2 * MAX_PATH];
    STARTUPINFOA si = {.cb = sizeof si};
    ASSERT(GetModuleFileNameA(NULL, exe, MAX_PATH) > 0);
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s x", exe, role);
    return CreateProcessA(NULL, cmd, NULL, NULL, inherit, 0, NULL, dir, &si, pi);
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
    ASSERT(start_role("native_exit7", FALSE, NULL, &pi)); /* the watcher's own descriptors */
    finish_role(&pi, 7);
    int fds = count_fds();
    char nodir[MAX_PATH];
    temp_path(nodir, "absent-dir");
    ASSERT_ERR(!start_role("native_exit7", FALSE, nodir, &pi), ERROR_DIRECTORY);
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
    ASSERT_ERR(!start_role("native_exit7", TRUE, NULL, &pi), ERROR_TOO_MANY_OPEN_FILES);
    mmf__sys.memfd_create = real_memfd;
    ASSERT_EQ(count_fds(), fds);
    /* And a child that inherits, once ended and closed, leaves none either. */
    ASSERT(start_role("native_exit7", TRUE, NULL, &pi));
    finish_role(&pi, 7);
    ASSERT_EQ(count_fds(), fds);
    ASSERT(CloseHandle(sec));
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
