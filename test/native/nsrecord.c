/* An ordinary user whose namespace name another user took first: its processes agree on
 * another directory through the record in its home (src/ob/nsrecord.c), whatever the
 * squatter does meanwhile. Root plays the machine's administrator; uid 65534 (nobody,
 * given a home through MMF_HOME) is the victim and uid 65533 the squatter. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mmf/mmf.h>

#include "../test.h"
#include "ob/ob.h"

#define VICTIM 65534
#define SQUATTER 65533
#define EXIT_OF(code) ((int)((code) & 0xFF))

static bool need_root(const char *test)
{
    if (geteuid() == 0)
        return true;
    printf("# skipped %s: needs root to act as two other users\n", test);
    return false;
}

static void become(unsigned uid)
{
    if (setgid(uid) != 0 || setuid(uid) != 0)
        exit(99);
}

static void path_in(char *buf, size_t cap, const char *dir, const char *entry)
{
    snprintf(buf, cap, "%s/%s", getenv(dir), entry);
}

/* A home of the victim's own (MMF_HOME), empty. */
static void make_home(void)
{
    static char home[] = "/tmp/mmf-home-XXXXXX";
    ASSERT(mkdtemp(home) != NULL);
    ASSERT(chown(home, VICTIM, VICTIM) == 0 && chmod(home, 0700) == 0);
    setenv("MMF_HOME", home, 1);
}

/* A root (01777, or 0777 for a test that needs the victim to remove another's entry)
 * and a home of the victim's own (MMF_HOME), both empty: other tests' users have their
 * directories in the runner's root. */
static void make_root_and_home(const char *sub, mode_t mode)
{
    char root[600];
    snprintf(root, sizeof root, "%s/%s", getenv("MMF_ROOT"), sub);
    ASSERT(mkdir(root, mode) == 0 && chmod(root, mode) == 0);
    setenv("MMF_ROOT", root, 1);
    make_home();
}

static void remove_root_and_home(void)
{
    ASSERT(rmdir(getenv("MMF_HOME")) == 0 && rmdir(getenv("MMF_ROOT")) == 0);
}

static void run(const char *fmt, const char *a, const char *b)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    ASSERT(system(cmd) == 0);
}

/* Takes away the holders' marks and the release. */
static void clear_marks(void)
{
    run("rm -f %s/ready.* %s/release", getenv("MMF_HOME"), getenv("MMF_HOME"));
}

/* Empties the root and the home (each round starts from nothing). */
static void clear(void)
{
    run("rm -rf %s/mmf-* %s/.mmf-ns-*", getenv("MMF_ROOT"), getenv("MMF_HOME"));
    clear_marks();
}

/* How many entries of the home start with prefix; the path of the last one in path
 * ("" if none). */
static int in_home(const char *prefix, char *path, size_t cap)
{
    int n = 0;
    path[0] = 0;
    DIR *d = opendir(getenv("MMF_HOME"));
    ASSERT(d != NULL);
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            path_in(path, cap, "MMF_HOME", e->d_name);
            n++;
        }
    closedir(d);
    return n;
}

/* Makes an empty file in the home (a holder's mark, the release). */
static bool mark(const char *entry)
{
    char path[600];
    path_in(path, sizeof path, "MMF_HOME", entry);
    FILE *f = fopen(path, "w");
    return f && fclose(f) == 0;
}

/* The record's text ("" if none). */
static void record(char *buf, size_t cap)
{
    char path[600];
    buf[0] = 0;
    if (!in_home(".mmf-ns-", path, sizeof path))
        return;
    FILE *f = fopen(path, "r");
    ASSERT(f != NULL);
    buf[fread(buf, 1, cap - 1, f)] = 0;
    fclose(f);
}

/* The directory the record names (its last line), "" if none. */
static void recorded_dir(char *buf, size_t cap)
{
    char text[5000];
    record(text, sizeof text);
    size_t n = strlen(text);
    if (n)
        text[--n] = 0;
    char *last = strrchr(text, '\n');
    snprintf(buf, cap, "%s", last ? last + 1 : "");
}

/* Child, as the squatter: makes the root's entry arg, as a directory anyone may write. */
CHILD(take_entry)
{
    char path[600];
    become(SQUATTER);
    path_in(path, sizeof path, "MMF_ROOT", arg);
    return mkdir(path, 0777) == 0 && chmod(path, 0777) == 0 ? 0 : 98;
}

/* Child, as the squatter: takes mmf-<victim> whenever it is free, and leaves it again,
 * until the victim takes it; ends by itself after 20 s (should the test fail first). */
CHILD(come_and_go)
{
    char path[600], name[32];
    (void)arg;
    become(SQUATTER);
    snprintf(name, sizeof name, "mmf-%u", VICTIM);
    path_in(path, sizeof path, "MMF_ROOT", name);
    for (time_t end = time(NULL) + 20; time(NULL) < end;)
        if (mkdir(path, 0777) == 0)
            rmdir(path);
    return 0;
}

/* Child, as the victim: arg "+name" creates an event and holds it until the test writes
 * "release" in the home, after writing "ready.<pid>"; exits with the error of the
 * create (0 or ERROR_ALREADY_EXISTS; a failure at once, marked too). Arg "name" opens
 * it and exits with the error. */
CHILD(victim_event)
{
    char path[600], ready[64];
    become(VICTIM);
    if (arg[0] != '+') {
        HANDLE e = OpenEventA(SYNCHRONIZE, FALSE, arg);
        return e ? 0 : EXIT_OF(GetLastError());
    }
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, arg + 1);
    DWORD err = GetLastError();
    snprintf(ready, sizeof ready, "ready.%d", (int)getpid());
    if (!mark(ready))
        return 97;
    if (!e)
        return EXIT_OF(err);
    path_in(path, sizeof path, "MMF_HOME", "release");
    for (int i = 0; i < 30000 && access(path, F_OK) != 0; i++)
        Sleep(1);
    return EXIT_OF(err);
}

/* Starts n victims creating `name` and holding it; waits until each has created. */
static void start_holders(struct child *c, int n, const char *name)
{
    char arg[80], last[600];
    snprintf(arg, sizeof arg, "+%s", name);
    for (int i = 0; i < n; i++)
        start_child(&c[i], "victim_event", arg);
    for (int waited = 0; in_home("ready.", last, sizeof last) < n; waited++) {
        ASSERT(waited < 20000);
        Sleep(1);
    }
}

/* Lets the holders go: how many of them created the object (the others opened it). */
static int release_holders(struct child *c, int n)
{
    int created = 0;
    ASSERT(mark("release"));
    for (int i = 0; i < n; i++) {
        int code = wait_child(&c[i], 40000);
        ASSERT(code == 0 || code == EXIT_OF(ERROR_ALREADY_EXISTS));
        created += code == 0;
    }
    return created;
}

static int count_theirs(const struct mmf_object_info *info, void *ctx)
{
    *(int *)ctx += strcmp(info->name, "theirs") == 0 && info->owner_uid == VICTIM;
    return 0;
}

static unsigned owner_of(const char *entry, mode_t *mode)
{
    char path[600];
    struct stat sb;
    path_in(path, sizeof path, "MMF_ROOT", entry);
    ASSERT(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
    *mode = sb.st_mode & 07777;
    return (unsigned)sb.st_uid;
}

TEST(a_user_whose_namespace_name_was_taken_agrees_on_another)
{
    if (!need_root("a_user_whose_namespace_name_was_taken_agrees_on_another"))
        return;
    char own[32], dir[64], again[64], text[5000], path[600];
    mode_t mode;
    struct child c, holder;
    snprintf(own, sizeof own, "mmf-%u", VICTIM);
    make_root_and_home("agree", 01777);
    start_child(&c, "take_entry", own);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    /* Its processes go elsewhere, all to the same place. */
    start_holders(&holder, 1, "theirs");
    recorded_dir(dir, sizeof dir);
    ASSERT(strncmp(dir, "mmf-65534.", 10) == 0 && strlen(dir) == 26);
    ASSERT_EQ(owner_of(dir, &mode), VICTIM);
    ASSERT_EQ(mode, 0700);
    record(text, sizeof text);
    ASSERT(strncmp(text, "mmf-namespace 1\n", 16) == 0);
    start_child(&c, "victim_event", "theirs");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    int listed = 0; /* root's listing of all users finds it there */
    ASSERT_EQ(mmf_list(MMF_LIST_ALL_USERS, count_theirs, &listed), 0);
    ASSERT_EQ(listed, 1);
    /* The squatter retreats: the record still decides, and nobody takes the name back
     * from under the processes that follow it. */
    run("rmdir %s/%s", getenv("MMF_ROOT"), own);
    start_child(&c, "victim_event", "theirs");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    path_in(path, sizeof path, "MMF_ROOT", own);
    ASSERT(access(path, F_OK) != 0);
    ASSERT_EQ(release_holders(&holder, 1), 1);
    /* After a restart (the root emptied, the home kept), a squatter who saw the directory's
     * name takes it first: a new decision, here the user's own name, free by now. */
    run("rm -rf %s/%s", getenv("MMF_ROOT"), dir);
    start_child(&c, "take_entry", dir);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    clear_marks();
    start_holders(&holder, 1, "again");
    recorded_dir(again, sizeof again);
    ASSERT(strcmp(again, own) == 0);
    ASSERT_EQ(owner_of(own, &mode), VICTIM);
    start_child(&c, "victim_event", "again");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT_EQ(release_holders(&holder, 1), 1);
    clear();
    remove_root_and_home();
}

/* Rounds of victims creating one name at once while the squatter takes and leaves the
 * user's name as fast as it can: exactly one creates, whichever directory they meet. */
TEST(racing_processes_agree_while_a_squatter_comes_and_goes)
{
    if (!need_root("racing_processes_agree_while_a_squatter_comes_and_goes"))
        return;
    enum { ROUNDS = 40, PROCS = 6 };
    struct child squatter, c[PROCS];
    char dir[64];
    int elsewhere = 0;
    make_root_and_home("race", 01777);
    for (int round = 0; round < ROUNDS; round++) {
        clear();
        start_child(&squatter, "come_and_go", "");
        Sleep(round % 3); /* sometimes before the squatter's first step */
        start_holders(c, PROCS, "one");
        kill_child(&squatter);
        ASSERT_EQ(release_holders(c, PROCS), 1);
        recorded_dir(dir, sizeof dir);
        elsewhere += strchr(dir, '.') != NULL;
    }
    printf("# %d of %d rounds went to a directory of another name\n", elsewhere, ROUNDS);
    clear();
    remove_root_and_home();
}

/* A record only trusted as far as the user alone could have written it; one of another
 * format version is refused, not rewritten. */
TEST(a_record_is_trusted_only_from_the_user_alone)
{
    if (!need_root("a_record_is_trusted_only_from_the_user_alone"))
        return;
    char own[32], path[600];
    struct child c;
    snprintf(own, sizeof own, "mmf-%u", VICTIM);
    make_root_and_home("trust", 01777);
    start_child(&c, "take_entry", own);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    /* A home others may write: no record, the squatter denies as before. */
    ASSERT(chmod(getenv("MMF_HOME"), 0777) == 0);
    start_child(&c, "victim_event", "+x");
    ASSERT_EQ(wait_child(&c, 20000), ERROR_ACCESS_DENIED);
    record(path, sizeof path);
    ASSERT(strcmp(path, "") == 0);
    ASSERT(chmod(getenv("MMF_HOME"), 0700) == 0);
    /* Another format version. */
    start_holders(&c, 1, "made");
    ASSERT_EQ(release_holders(&c, 1), 1);
    ASSERT_EQ(in_home(".mmf-ns-", path, sizeof path), 1);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fprintf(f, "mmf-namespace 2\nwhatever\n");
    fclose(f);
    ASSERT(chown(path, VICTIM, VICTIM) == 0);
    clear_marks();
    start_child(&c, "victim_event", "+y");
    ASSERT_EQ(wait_child(&c, 20000), EXIT_OF(ERROR_REVISION_MISMATCH));
    /* A record another user owns (root, here): not the user's; none. */
    ASSERT(chown(path, 0, 0) == 0);
    start_child(&c, "victim_event", "+z");
    ASSERT_EQ(wait_child(&c, 20000), ERROR_ACCESS_DENIED);
    clear();
    remove_root_and_home();
}

/* The interleaving the record's design rests on, made to happen: process B finds no
 * record; before it looks at mmf-<uid>, process A finds the name squatted and decides
 * on another directory; the squatter leaves, and B finds mmf-<uid> free. B must look at
 * the record again and follow A. Both run here, in one process (two opens of the record
 * lock apart), as the victim, in a root without the sticky bit, so that the victim may
 * remove the squatter's empty directory on its behalf. */
static int (*real_open)(const char *, int, ...);
static const char *record_prefix;
static int a_fd = -1;

static int interleaving_open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = va_arg(ap, int);
    va_end(ap);
    int fd = real_open(path, flags, mode), saved = errno;
    if (fd < 0 && record_prefix && strncmp(path, record_prefix, strlen(record_prefix)) == 0) {
        char own[600];
        record_prefix = NULL; /* once, and not for A's own opens */
        if (mmf__ns_own_local(true, &a_fd) != 0)
            exit(90);
        snprintf(own, sizeof own, "%s/mmf-%u", getenv("MMF_ROOT"), VICTIM);
        if (rmdir(own) != 0)
            exit(91);
    }
    errno = saved;
    return fd;
}

CHILD(interleaved)
{
    char prefix[600];
    int b_fd;
    struct stat a, b;
    (void)arg;
    become(VICTIM);
    snprintf(prefix, sizeof prefix, "%s/.mmf-ns-", getenv("MMF_HOME"));
    record_prefix = prefix;
    real_open = mmf__sys.open;
    mmf__sys.open = interleaving_open;
    if (mmf__ns_own_local(true, &b_fd) != 0)
        return 92;
    if (a_fd < 0 || fstat(a_fd, &a) != 0 || fstat(b_fd, &b) != 0)
        return 93;
    return a.st_ino == b.st_ino && a.st_dev == b.st_dev ? 0 : 94;
}

TEST(a_decision_made_between_a_processs_two_looks_is_followed)
{
    if (!need_root("a_decision_made_between_a_processs_two_looks_is_followed"))
        return;
    char own[32], dir[64];
    struct child c;
    make_root_and_home("unsticky", 0777);
    snprintf(own, sizeof own, "mmf-%u", VICTIM);
    start_child(&c, "take_entry", own);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    start_child(&c, "interleaved", "");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    recorded_dir(dir, sizeof dir);
    ASSERT(strchr(dir, '.') != NULL); /* A went elsewhere, and B with it */
    clear();
    remove_root_and_home();
}
