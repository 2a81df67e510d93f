/* The object model from inside: the type table's contracts, the invariant checks of the
 * checking builds, and system calls that joined the replaceable table. Linked with the
 * static library and src/. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../test.h"
#include "admin/admin.h"
#include "native.h"

/* Every kind's row is complete, and each named kind's id is its mmf.h type. */
TEST(every_kind_has_a_complete_row)
{
    for (uint32_t k = MMF__KIND_FILE; k < MMF__KIND_COUNT; k++) {
        const struct mmf__type *t = mmf__type_of(k);
        if (!t)
            test_fail(__FILE__, __LINE__, "kind %u has no row", (unsigned)k);
        ASSERT_EQ(t->kind, k);
        ASSERT(t->name && t->destroy && t->valid);
        /* GENERIC_ALL is all the kind's rights, and every generic right is among them. */
        ASSERT_EQ(t->generic.all & ~t->valid, 0);
        DWORD g = t->generic.read | t->generic.write | t->generic.execute;
        ASSERT_EQ(g & ~(t->valid | STANDARD_RIGHTS_ALL), 0);
        ASSERT_EQ(mmf__access_map(t, GENERIC_ALL), t->generic.all);
        ASSERT_EQ(mmf__access_map(t, MAXIMUM_ALLOWED), t->generic.all);
        /* Waitable kinds can be taken and given back; named ones can be built. */
        ASSERT(!t->wait || (t->wait->take && t->wait->untake));
        bool named = k == MMF__KIND_SECTION || k == MMF__KIND_EVENT || k == MMF__KIND_MUTEX ||
                     k == MMF__KIND_SEMAPHORE;
        ASSERT_EQ(t->build_named != NULL, named);
    }
    /* The table a static program links every kind by names each row once. */
    size_t n = 0;
    while (mmf__kinds[n])
        n++;
    ASSERT_EQ(n, (size_t)MMF__KIND_COUNT - 1);
    for (size_t i = 0; i < n; i++)
        ASSERT(mmf__type_of((uint32_t)mmf__kinds[i]->kind) == mmf__kinds[i]);
    ASSERT(mmf__type_of(0) == NULL);
    ASSERT(mmf__type_of(MMF__KIND_COUNT) == NULL);
    ASSERT(mmf__type_of(0xFFFFFFFFu) == NULL);
}

static void keep(struct mmf__object *obj)
{
    (void)obj; /* a static object: nothing to free */
}

static const struct mmf__type test_type = {.name = "Test", .valid = 1, .destroy = keep};

/* Runs fn in a child; its end: the signal that killed it, or 0 for a normal exit. */
static int died_of(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status;
    ASSERT(waitpid(pid, &status, 0) == pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void unref_past_zero(void)
{
    static struct mmf__object o;
    mmf__object_init(&o, &test_type);
    mmf__unref(&o); /* the last reference: destroy */
    mmf__unref(&o); /* one too many */
}

static void unpin_twice(void)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    struct mmf__object *obj;
    void *pin;
    if (mmf__handle_pin(e, &obj, NULL, &pin) != 0)
        _exit(3);
    mmf__handle_unpin(pin);
    mmf__handle_unpin(pin); /* not pinned any more */
}

/* In the checking builds (the sanitizer ones) a broken count stops the process at once;
 * elsewhere the checks are compiled out and cost nothing. */
TEST(invariant_checks_stop_a_broken_count)
{
#ifdef MMF_CHECKS
    ASSERT_EQ(died_of(unref_past_zero), SIGABRT);
    ASSERT_EQ(died_of(unpin_twice), SIGABRT);
#else
    ASSERT_EQ(died_of(unref_past_zero), 0);
    ASSERT_EQ(died_of(unpin_twice), 0);
#endif
}

static int failing_errno;
static ssize_t (*real_readlink)(const char *, char *, size_t);
static ssize_t fake_readlink(const char *path, char *buf, size_t n)
{
    (void)path, (void)buf, (void)n;
    errno = failing_errno;
    return -1;
}

/* A named file-backed section records its file's path: when it cannot be had, the create
 * fails with that reason and leaves no name. */
TEST(fault_backing_path_unresolvable)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "fault-path", 4096, GENERIC_READ | GENERIC_WRITE);
    HANDLE warm = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "warm");
    ASSERT(warm != NULL);
    real_readlink = mmf__sys.readlink;
    mmf__sys.readlink = fake_readlink;
    int fds = count_fds();
    failing_errno = ENAMETOOLONG;
    ASSERT_ERR(!CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, "backed"),
               ERROR_FILENAME_EXCED_RANGE);
    failing_errno = EACCES;
    ASSERT_ERR(!CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, "backed"), ERROR_ACCESS_DENIED);
    ASSERT_EQ(count_fds(), fds);
    mmf__sys.readlink = real_readlink;
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "backed"), ERROR_FILE_NOT_FOUND);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, "backed");
    ASSERT(m != NULL);
    CloseHandle(m);
    CloseHandle(warm);
    drop_file(f, path);
}
