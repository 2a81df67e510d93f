/* The namespace as Linux sees it: mmf's listing API, reclaiming what killed processes
 * left, forced removal, permissions between users, and what a hostile namespace
 * directory cannot make mmf do. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmf/mmf.h>

#include "../test.h"
#include "ob/ob.h"
#include "native.h"

/* Native exit codes are 8 bits: what a child returning a Win32 error code exits with. */
#define EXIT_OF(code) ((int)((code) & 0xFF))

void local_dir(char *buf)
{
    sprintf(buf, "%s/mmf-%u", getenv("MMF_ROOT"), (unsigned)geteuid());
}

static volatile sig_atomic_t hold_ends;

static void end_hold(int sig)
{
    (void)sig;
    hold_ends = 1;
}

/* Child: creates (arg "+name") or opens the name and holds it until killed, or until
 * SIGUSR1 (end_holder): then closes it and exits. */
CHILD(native_hold)
{
    BOOL create = arg[0] == '+';
    const char *name = create ? arg + 1 : arg;
    signal(SIGUSR1, end_hold);
    HANDLE m = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 8192,
                                           name)
                      : OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    if (!m)
        return 10;
    while (!hold_ends)
        Sleep(1);
    return CloseHandle(m) ? 0 : 11;
}

void end_holder(struct child *c)
{
    ASSERT(kill((pid_t)GetProcessId(c->process), SIGUSR1) == 0);
    ASSERT_EQ(wait_child(c, 10000), 0);
}

/* Starts a holder of name (start_holder), then opens and closes the name here: while the
 * child holds it, this process keeps its file (namespace.c's kept names). */
void start_kept(struct child *c, const char *name, char *path)
{
    start_holder(c, name, path);
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(m != NULL);
    CloseHandle(m);
}

void start_holder(struct child *c, const char *name, char *path)
{
    char arg[80];
    snprintf(arg, sizeof arg, "+%s", name);
    local_dir(path);
    strcat(path, "/");
    strcat(path, name);
    start_child(c, "native_hold", arg);
    for (int i = 0; access(path, F_OK) != 0; i++) {
        ASSERT(i < 5000);
        Sleep(1);
    }
}

static int find_name(const struct mmf_object_info *info, void *ctx)
{
    struct seen *s = ctx;
    if (strcmp(info->name, s->name) == 0) {
        s->found++;
        s->info = *info;
        for (size_t i = 0; i < info->nholders && i < 8; i++)
            s->holders[i] = info->holders[i];
    }
    return 0;
}

struct seen look(const char *name, unsigned flags)
{
    struct seen s = {.name = name};
    ASSERT_EQ(mmf_list(flags, find_name, &s), 0);
    return s;
}

static bool holds(const struct seen *s, uint32_t pid)
{
    for (size_t i = 0; i < s->info.nholders && i < 8; i++)
        if (s->holders[i] == pid)
            return true;
    return false;
}

static void wait_listed_with(const char *name, size_t holders)
{
    DWORD start = GetTickCount();
    while (look(name, 0).info.nholders != holders) {
        ASSERT(GetTickCount() - start < 20000);
        Sleep(5);
    }
}

TEST(list_shows_live_objects_and_holders)
{
    char name[64], global[80];
    test_name(name, "list");
    sprintf(global, "Global\\%s", name);
    HANDLE g = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 12345, global);
    HANDLE l = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, name);
    ASSERT(g && l);
    struct seen s = look(name, 0);
    ASSERT_EQ(s.found, 1); /* Local only without MMF_LIST_GLOBAL */
    s = look(name, MMF_LIST_GLOBAL);
    ASSERT_EQ(s.found, 2);
    struct child c;
    start_child(&c, "native_hold", name);
    wait_listed_with(name, 2);
    s = look(name, 0);
    ASSERT_EQ(s.info.scope, MMF_SCOPE_LOCAL);
    ASSERT_EQ(s.info.type, MMF_TYPE_SECTION);
    ASSERT_EQ(s.info.size, 65536);
    ASSERT_EQ(s.info.protect, PAGE_READWRITE);
    ASSERT_EQ(s.info.creator_pid, GetCurrentProcessId());
    ASSERT_EQ(s.info.owner_uid, geteuid());
    ASSERT_EQ(s.info.mode, 0600);
    ASSERT(s.info.file == NULL);
    ASSERT(holds(&s, GetCurrentProcessId()));
    ASSERT(holds(&s, (uint32_t)GetProcessId(c.process)));
    kill_child(&c);
    s = look(name, 0);
    ASSERT_EQ(s.info.nholders, 1);
    /* A view without a handle is memory, not a holder. */
    void *v = MapViewOfFile(l, FILE_MAP_READ, 0, 0, 0);
    ASSERT(v != NULL);
    ASSERT(CloseHandle(l));
    ASSERT_EQ(look(name, 0).found, 0);
    UnmapViewOfFile(v);
    CloseHandle(g);
}

static size_t files_in(const char *dir)
{
    char cmd[600];
    size_t n = 0;
    snprintf(cmd, sizeof cmd, "find %s -maxdepth 1 -type f | wc -l", dir);
    FILE *p = popen(cmd, "r");
    ASSERT(p != NULL);
    ASSERT(fscanf(p, "%zu", &n) == 1);
    pclose(p);
    return n;
}

TEST(gc_reclaims_what_killed_processes_left)
{
    char name[64], arg[80], dir[300];
    test_name(name, "gc");
    sprintf(arg, "+%s", name);
    struct child c;
    start_child(&c, "native_hold", arg);
    wait_listed_with(name, 1);
    kill_child(&c);
    local_dir(dir);
    ASSERT_EQ(files_in(dir), 1);        /* the file is still there, */
    ASSERT_EQ(look(name, 0).found, 0);  /* but it is never listed, */
    uint64_t objects = 0, bytes = 0;
    ASSERT_EQ(mmf_gc(0, &objects, &bytes), 0);
    ASSERT_EQ(objects, 1);              /* and gc removes it */
    ASSERT(bytes >= 8192);
    ASSERT_EQ(files_in(dir), 0);
    ASSERT_EQ(mmf_gc(0, &objects, NULL), 0);
    ASSERT_EQ(objects, 0);
}

/* Child: opens the section, counts itself in (word 1), spins until word 0 says go (20 s
 * at most), then unmaps its view and closes its handle at once: the two children leave
 * within a moment of each other, with nothing else keeping the file open. */
CHILD(close_on_go)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_WRITE, FALSE, arg);
    volatile LONG *w = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!w)
        return 10;
    __atomic_add_fetch(&w[1], 1, __ATOMIC_SEQ_CST);
    for (DWORD start = GetTickCount(); !w[0];)
        if (GetTickCount() - start > 20000)
            return 12;
    UnmapViewOfFile((void *)w);
    return CloseHandle(m) ? 0 : 11;
}

/* Two last holders that close at the same moment leave no name behind (each must not
 * take the other's lease, about to go, for a holder that stays). */
TEST(last_holders_closing_at_once_leave_no_name)
{
    char dir[300];
    local_dir(dir);
    for (int round = 0; round < 100; round++) {
        char name[64], path[400];
        test_name(name, "pair");
        sprintf(name + strlen(name), "-%d", round);
        HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
        volatile LONG *w = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
        ASSERT(w != NULL);
        struct child a, b;
        start_child(&a, "close_on_go", name);
        start_child(&b, "close_on_go", name);
        for (int i = 0; w[1] < 2; i++) {
            ASSERT(i < 20000);
            Sleep(1);
        }
        ASSERT(CloseHandle(m)); /* the view is no holder: only the children hold it now */
        w[0] = 1;
        ASSERT_EQ(wait_child(&a, 20000), 0);
        ASSERT_EQ(wait_child(&b, 20000), 0);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (access(path, F_OK) == 0)
            test_fail(__FILE__, __LINE__, "round %d: the name outlived its holders", round);
        UnmapViewOfFile((void *)w);
    }
}

TEST(remove_forces_a_name_out)
{
    char name[64];
    WCHAR wname[64];
    test_name(name, "rm");
    MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, 64);
    HANDLE old = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    ASSERT(old != NULL);
    unsigned char *v = MapViewOfFile(old, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    v[0] = 9;
    ASSERT_EQ(mmf_remove(wname), 0);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(v[0], 9); /* holders keep their memory */
    SetLastError(0xdeadbeef);
    HANDLE fresh = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    ASSERT(fresh != NULL);
    ASSERT_EQ(GetLastError(), 0);
    ASSERT(CloseHandle(old)); /* must not take the new object's name with it */
    HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(o != NULL);
    CloseHandle(o);
    CloseHandle(fresh);
    UnmapViewOfFile(v);
    ASSERT_EQ(mmf_remove(wname), ERROR_FILE_NOT_FOUND);
}

/* Child: becomes user nobody and opens the name; its exit code is the Win32 error. */
CHILD(open_as_nobody)
{
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 99;
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, arg);
    return m ? 0 : (int)GetLastError();
}

TEST(permissions_between_users)
{
    if (geteuid() != 0) {
        printf("# skipped permissions_between_users: needs root to act as a second user\n");
        return;
    }
    char name[64], owner_only[80], all[80], local[80];
    test_name(name, "perm");
    sprintf(owner_only, "Global\\%s-owner", name);
    sprintf(all, "Global\\%s-all", name);
    sprintf(local, "%s-local", name);
    HANDLE a = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, owner_only);
    HANDLE b = CreateFileMappingA(INVALID_HANDLE_VALUE, everyone(), PAGE_READWRITE, 0, 4096, all);
    HANDLE l = CreateFileMappingA(INVALID_HANDLE_VALUE, everyone(), PAGE_READWRITE, 0, 4096, local);
    ASSERT(a && b && l);
    struct child c;
    start_child(&c, "open_as_nobody", owner_only);
    ASSERT_EQ(wait_child(&c, 20000), ERROR_ACCESS_DENIED);
    start_child(&c, "open_as_nobody", all);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    /* Local\ is per user: another user has a namespace of its own. */
    start_child(&c, "open_as_nobody", local);
    ASSERT_EQ(wait_child(&c, 20000), ERROR_FILE_NOT_FOUND);
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(l);
}

TEST(planted_links_are_never_followed)
{
    char dir[300], path[400], target[MAX_PATH];
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "warmup");
    ASSERT(m != NULL); /* makes the Local\ directory */
    local_dir(dir);
    snprintf(target, sizeof target, "%s/victim", getenv("MMF_ROOT")); /* same file system */
    HANDLE f = CreateFileA(target, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD n;
    ASSERT(f != INVALID_HANDLE_VALUE && WriteFile(f, target, 100, &n, NULL));
    CloseHandle(f);
    snprintf(path, sizeof path, "%s/planted-symlink", dir);
    ASSERT(symlink(target, path) == 0);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                   "planted-symlink"),
               ERROR_ACCESS_DENIED);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "planted-symlink"), ERROR_ACCESS_DENIED);
    /* A hard link at a name is a file nobody holds: reclaimed like any stale one (the link
     * goes, the file it led to stays as it was), and the name made anew. */
    snprintf(path, sizeof path, "%s/planted-hardlink", dir);
    ASSERT(link(target, path) == 0);
    HANDLE h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                  "planted-hardlink");
    ASSERT(h != NULL);
    ASSERT_EQ(GetLastError(), 0);
    CloseHandle(h);
    /* A plain file that is not an object carrying this name is not taken for one. */
    snprintf(path, sizeof path, "%s/planted-file", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    ASSERT(fd >= 0 && write(fd, "not an object", 13) == 13);
    close(fd);
    SetLastError(0);
    ASSERT(!OpenFileMappingA(FILE_MAP_READ, FALSE, "planted-file"));
    ASSERT(GetLastError() != 0);
    struct stat sb;
    ASSERT(stat(target, &sb) == 0 && sb.st_size == 100); /* the target is untouched */
    snprintf(path, sizeof path, "%s/planted-symlink", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/planted-file", dir);
    unlink(path);
    DeleteFileA(target);
    CloseHandle(m);
}

TEST(hostile_namespace_directory_is_refused)
{
    char dir[300], elsewhere[320];
    local_dir(dir);
    rmdir(dir); /* empty: every object of earlier tests is gone */
    snprintf(elsewhere, sizeof elsewhere, "%s-elsewhere", dir);
    ASSERT(mkdir(elsewhere, 0700) == 0);
    ASSERT(symlink(elsewhere, dir) == 0); /* Local\ directory replaced by a link */
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "x"),
               ERROR_ACCESS_DENIED);
    ASSERT(unlink(dir) == 0);
    ASSERT(mkdir(dir, 0755) == 0); /* readable by others: not ours to trust */
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "y"),
               ERROR_ACCESS_DENIED);
    rmdir(dir);
    rmdir(elsewhere);
    /* Once it is gone, mmf makes a proper one again. */
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "z");
    ASSERT(m != NULL);
    CloseHandle(m);
}

TEST(full_namespace_fails_at_create)
{
    struct statvfs fs;
    ASSERT(statvfs(getenv("MMF_ROOT"), &fs) == 0);
    unsigned long long too_big = (unsigned long long)fs.f_bavail * fs.f_frsize + (1ULL << 30);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT,
                                   (DWORD)(too_big >> 32), (DWORD)too_big, "too-big"),
               ERROR_DISK_FULL);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "too-big"), ERROR_FILE_NOT_FOUND);
    /* Reserving costs nothing until pages are committed. */
    HANDLE r = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE,
                                  (DWORD)(too_big >> 32), (DWORD)too_big, "reserved");
    ASSERT(r != NULL);
    CloseHandle(r);
}

TEST(other_version_objects_are_refused)
{
    char dir[300], path[400];
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "versioned");
    ASSERT(m != NULL);
    local_dir(dir);
    snprintf(path, sizeof path, "%s/versioned", dir);
    int fd = open(path, O_RDWR);
    ASSERT(fd >= 0);
    uint32_t version = 99, ours;
    ASSERT(pread(fd, &ours, 4, 4) == 4);
    ASSERT(pwrite(fd, &version, 4, 4) == 4); /* as a future mmf would write it */
    /* A new handle in this process reuses the object it holds; another process reads the
     * header afresh and refuses it. */
    struct child c;
    start_child(&c, "open_status", "versioned");
    ASSERT_EQ(wait_child(&c, 20000), EXIT_OF(ERROR_REVISION_MISMATCH));
    ASSERT(pwrite(fd, &ours, 4, 4) == 4);
    close(fd);
    CloseHandle(m);
    /* Nobody holds this one by our rules, but another version keeps its own: it is not
     * taken for stale, neither by an open nor by mmf_gc. */
    uint32_t foreign[2] = {0x4F464D4Du, 99}; /* "MMFO", version 99 */
    snprintf(path, sizeof path, "%s/foreign", dir);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    ASSERT(fd >= 0 && write(fd, foreign, sizeof foreign) == sizeof foreign);
    close(fd);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "foreign"), ERROR_REVISION_MISMATCH);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "foreign"),
               ERROR_REVISION_MISMATCH);
    ASSERT_EQ(mmf_gc(0, NULL, NULL), 0);
    ASSERT(access(path, F_OK) == 0);
    unlink(path);
}

/* Child: opens the name; its exit code is the Win32 error (0: opened). */
CHILD(open_status)
{
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, arg);
    return m ? 0 : (int)GetLastError();
}

TEST(a_name_of_another_type_is_invalid_handle)
{
    char dir[300], path[400];
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "typed");
    ASSERT(m != NULL);
    local_dir(dir);
    snprintf(path, sizeof path, "%s/typed", dir);
    int fd = open(path, O_RDWR);
    ASSERT(fd >= 0);
    uint32_t event = MMF_TYPE_EVENT, section = MMF_TYPE_SECTION;
    ASSERT(pwrite(fd, &event, 4, 8) == 4); /* the name now belongs to an event */
    struct child c;
    start_child(&c, "open_status", "typed");
    ASSERT_EQ(wait_child(&c, 20000), ERROR_INVALID_HANDLE);
    start_child(&c, "create_status", "typed");
    ASSERT_EQ(wait_child(&c, 20000), ERROR_INVALID_HANDLE);
    ASSERT(pwrite(fd, &section, 4, 8) == 4);
    close(fd);
    CloseHandle(m);
}

/* Child: creates the name; its exit code is the Win32 error (0: created or opened). */
CHILD(create_status)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, arg);
    return m ? 0 : (int)GetLastError();
}

/* Child: as user nobody, plants a stale world-writable file under the Global\ name. */
CHILD(plant_global_as_nobody)
{
    char path[400];
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 99;
    snprintf(path, sizeof path, "%s/mmf-global/%s", getenv("MMF_ROOT"), arg);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0666);
    if (fd < 0)
        return 98;
    fchmod(fd, 0666);
    close(fd);
    return 0;
}

TEST(an_unremovable_stale_name_is_refused_not_spun_on)
{
    if (geteuid() != 0) {
        printf("# skipped an_unremovable_stale_name_is_refused_not_spun_on: needs root\n");
        return;
    }
    HANDLE warm = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                     "Global\\warm");
    ASSERT(warm != NULL); /* makes the Global\ directory */
    CloseHandle(warm);
    struct child c;
    start_child(&c, "plant_global_as_nobody", "planted");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    /* Root may unlink anything, so drop to another user that is not the file's owner. */
    start_child(&c, "create_global_as_daemon", "Global\\planted");
    ASSERT_EQ(wait_child(&c, 20000), ERROR_ACCESS_DENIED);
    char path[400];
    snprintf(path, sizeof path, "%s/mmf-global/planted", getenv("MMF_ROOT"));
    ASSERT(unlink(path) == 0);
}

/* Child: as user daemon (1), creates the name; exit code: the Win32 error. */
CHILD(create_global_as_daemon)
{
    if (setgid(1) != 0 || setuid(1) != 0)
        return 99;
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, arg);
    return m ? 0 : (int)GetLastError();
}

/* Hard links to a live object, made elsewhere on its file system or inside its directory
 * under another name (any user who may write a 0666 object may link it), neither hide it
 * from its holders nor outlive its name. */
TEST(links_to_a_live_object_do_not_hide_it)
{
    char dir[300], path[400], elsewhere[400], alias[400];
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "linked");
    ASSERT(m != NULL);
    local_dir(dir);
    snprintf(path, sizeof path, "%s/linked", dir);
    snprintf(elsewhere, sizeof elsewhere, "%s/linked-elsewhere", getenv("MMF_ROOT"));
    snprintf(alias, sizeof alias, "%s/alias", dir);
    ASSERT(link(path, elsewhere) == 0);
    ASSERT(link(path, alias) == 0);
    /* Another process opens it, and it is listed once, under its own name. */
    struct child c;
    start_child(&c, "open_status", "linked");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT_EQ(look("linked", 0).found, 1);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "alias"), ERROR_ACCESS_DENIED);
    /* The name goes with the last handle; the links are plain files left to their maker. */
    CloseHandle(m);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "linked"), ERROR_FILE_NOT_FOUND);
    ASSERT_EQ(look("linked", 0).found, 0);
    struct stat sb;
    ASSERT(stat(path, &sb) < 0 && errno == ENOENT);
    ASSERT(unlink(elsewhere) == 0);
    ASSERT(unlink(alias) == 0);
}

/* Child: as user nobody, plants a live file-backed section object under Global\<name>,
 * forged by hand: its header names the file arg says, its own file has the mode arg says.
 * arg: "<mode in octal>:<name>:<path>". Holds the lease until killed. */
CHILD(plant_forged_section)
{
    char name[64], path[300], obj[400];
    unsigned mode;
    if (sscanf(arg, "%o:%63[^:]:%299s", &mode, name, path) != 3)
        return 97;
    struct stat target;
    if (stat(path, &target) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        return 99;
    size_t units = strlen(name), plen = strlen(path);
    static unsigned char page[4096];
    struct mmf__objhdr *h = (struct mmf__objhdr *)page;
    *h = (struct mmf__objhdr){.magic = MMF__OBJ_MAGIC, .version = MMF__OBJ_VERSION,
                              .kind = MMF__KIND_SECTION, .header_len = 4096,
                              .data_offset = 4096, .size = 4096, .protect = PAGE_READWRITE,
                              .attrs = SEC_COMMIT, .name_units = (uint32_t)units,
                              .path_len = (uint32_t)plen, .file_dev = target.st_dev,
                              .file_ino = target.st_ino};
    WCHAR *w = (WCHAR *)(h + 1);
    for (size_t i = 0; i < units; i++)
        w[i] = (WCHAR)name[i];
    memcpy(w + units, path, plen);
    snprintf(obj, sizeof obj, "%s/mmf-global/%s", getenv("MMF_ROOT"), name);
    int fd = open(obj, O_CREAT | O_EXCL | O_RDWR, mode);
    if (fd < 0 || fchmod(fd, mode) != 0 || write(fd, page, sizeof page) != sizeof page ||
        ftruncate(fd, 8192) != 0 || flock(fd, LOCK_SH) != 0)
        return 98;
    for (;;)
        pause();
}

/* Waits until someone holds a lease on the object file at path. */
static void wait_for_lease(const char *path)
{
    for (int i = 0; i < 2000; i++) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            bool held = flock(fd, LOCK_EX | LOCK_NB) != 0;
            close(fd);
            if (held)
                return;
        }
        Sleep(5);
    }
    ASSERT(!"no lease appeared");
}

static void write_file(const char *path, const char *text, mode_t mode, uid_t owner)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
    ASSERT(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    ASSERT(fchmod(fd, mode) == 0 && fchown(fd, owner, owner) == 0);
    close(fd);
}

/* A file-backed section forged by another user — its header naming a file only the opener
 * may open, or its object file writable by others — is refused, never mapped. */
TEST(forged_file_backed_sections_are_refused)
{
    if (geteuid() != 0) {
        printf("# skipped forged_file_backed_sections_are_refused: needs root\n");
        return;
    }
    char secret[MAX_PATH], own[MAX_PATH], arg[700], obj[400];
    HANDLE warm = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                     "Global\\warm");
    ASSERT(warm != NULL); /* makes the Global\ directory */
    temp_path(secret, "secret");
    write_file(secret, "SECRET", 0600, 0);
    temp_path(own, "nobodys");
    write_file(own, "NOBODY", 0600, 65534);
    /* 1: a header that names root's file, in a file only its planter may write. */
    struct child a, b;
    snprintf(arg, sizeof arg, "644:forged:%s", secret);
    start_child(&a, "plant_forged_section", arg);
    snprintf(obj, sizeof obj, "%s/mmf-global/forged", getenv("MMF_ROOT"));
    wait_for_lease(obj);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, "Global\\forged"),
               ERROR_ACCESS_DENIED);
    ASSERT_ERR(!CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                   "Global\\forged"),
               ERROR_ACCESS_DENIED);
    /* 2: a header naming the planter's own file, in a file anyone may rewrite. */
    snprintf(arg, sizeof arg, "666:rewritable:%s", own);
    start_child(&b, "plant_forged_section", arg);
    snprintf(obj, sizeof obj, "%s/mmf-global/rewritable", getenv("MMF_ROOT"));
    wait_for_lease(obj);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, "Global\\rewritable"),
               ERROR_ACCESS_DENIED);
    kill_child(&a);
    kill_child(&b);
    char buf[16] = {0};
    int fd = open(secret, O_RDONLY);
    ASSERT(fd >= 0 && read(fd, buf, sizeof buf) == 6 && memcmp(buf, "SECRET", 6) == 0);
    close(fd);
    unlink(secret);
    unlink(own);
    ASSERT_EQ(mmf_gc(MMF_LIST_GLOBAL, NULL, NULL), 0); /* the planters' stale objects */
    CloseHandle(warm);
}

/* Child: as user nobody, opens a named section for reading; exit code: 0 with the bytes
 * arg says after the ':', else the Win32 error (or 100 for other bytes). */
CHILD(read_as_nobody)
{
    char name[64], want[64];
    if (sscanf(arg, "%63[^:]:%63s", name, want) != 2 || setgid(65534) != 0 ||
        setuid(65534) != 0)
        return 99;
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    char *v = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : NULL;
    if (!v)
        return (int)GetLastError();
    return memcmp(v, want, strlen(want)) == 0 ? 0 : 100;
}

/* The legitimate case: root's NULL-DACL file-backed section over root's readable file is
 * open to every user; its object file can be read by them, never rewritten. */
TEST(file_backed_sections_across_users)
{
    if (geteuid() != 0) {
        printf("# skipped file_backed_sections_across_users: needs root\n");
        return;
    }
    char path[MAX_PATH], obj[400];
    temp_path(path, "public");
    write_file(path, "PUBLIC", 0644, 0);
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL,
                           OPEN_EXISTING, 0, NULL);
    ASSERT(f != INVALID_HANDLE_VALUE);
    HANDLE m = CreateFileMappingA(f, everyone(), PAGE_READWRITE, 0, 0, "Global\\public");
    ASSERT(m != NULL);
    snprintf(obj, sizeof obj, "%s/mmf-global/public", getenv("MMF_ROOT"));
    struct stat sb;
    ASSERT(stat(obj, &sb) == 0);
    ASSERT_EQ(sb.st_mode & 0777, 0644);
    struct child c;
    start_child(&c, "read_as_nobody", "Global\\public:PUBLIC");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    CloseHandle(m);
    CloseHandle(f);
    unlink(path);
}

/* Child: opens a named section and checks one byte. arg: "<name>:<offset>:<value>";
 * exit code 0, the Win32 error, or 100 for another value. */
CHILD(expect_byte)
{
    char name[64];
    unsigned off, value;
    if (sscanf(arg, "%63[^:]:%u:%u", name, &off, &value) != 3)
        return 97;
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    unsigned char *v = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : NULL;
    if (!v)
        return (int)GetLastError();
    return v[off] == value ? 0 : 100;
}

/* Child, as nobody: the Global\ object arg (NULL DACL) lets it write its data file, and
 * cuts that to nothing, but never its object file (kind, size, protection: the
 * creator's alone). */
CHILD(cut_as_nobody)
{
    char path[400], data[420];
    snprintf(path, sizeof path, "%s/mmf-global/%s", getenv("MMF_ROOT"), arg);
    snprintf(data, sizeof data, "%s%%data", path);
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 99;
    if (open(path, O_WRONLY) >= 0 || errno != EACCES || truncate(path, 0) == 0)
        return 97;
    return truncate(data, 0) == 0 ? 0 : 98;
}

/* Whoever may write a 0666 data file may also cut it short, and Linux cannot forbid it:
 * no holder dies of it. A holder that touches a page past the cut grows the file back;
 * the bytes read as zeros, as if overwritten, and every holder shares the pages again.
 * (An object only its owner may open keeps its data in its own file: the owner's cut.) */
TEST(an_object_file_cut_short_kills_no_holder)
{
    char dir[300], path[400];
    local_dir(dir);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 65536, "cut");
    ASSERT(m != NULL);
    volatile unsigned char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    memset((void *)v, 7, 65536);
    snprintf(path, sizeof path, "%s/cut", dir);
    ASSERT(truncate(path, 0) == 0);
    ASSERT_EQ(v[100], 0); /* a SIGBUS here would end the test */
    v[65535] = 5;
    struct child c;
    start_child(&c, "expect_byte", "cut:65535:5");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    UnmapViewOfFile((void *)v);
    CloseHandle(m);
    /* An event's state words live in its file too. */
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, "cutev");
    ASSERT(e != NULL);
    snprintf(path, sizeof path, "%s/cutev", dir);
    ASSERT(truncate(path, 0) == 0);
    ASSERT(SetEvent(e));
    ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
    CloseHandle(e);
    if (geteuid() != 0) {
        printf("# skipped the other-user half of an_object_file_cut_short_kills_no_holder: "
               "needs root\n");
        return;
    }
    /* The same done by another user to a Global\ object everyone may write. */
    m = CreateFileMappingA(INVALID_HANDLE_VALUE, everyone(), PAGE_READWRITE, 0, 65536,
                           "Global\\cut");
    ASSERT(m != NULL);
    v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v != NULL);
    memset((void *)v, 9, 65536);
    start_child(&c, "cut_as_nobody", "cut");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT_EQ(v[4096], 0);
    v[1] = 3;
    ASSERT_EQ(v[1], 3);
    start_child(&c, "expect_byte", "Global\\cut:1:3"); /* and a new opener maps it */
    ASSERT_EQ(wait_child(&c, 20000), 0);
    UnmapViewOfFile((void *)v);
    CloseHandle(m);
    e = CreateEventA(everyone(), TRUE, FALSE, "Global\\cutev");
    ASSERT(e != NULL);
    start_child(&c, "cut_as_nobody", "cutev");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    ASSERT(SetEvent(e));
    ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
    CloseHandle(e);
}

/* A file-backed section's file cut below the section by a program not using mmf (Windows
 * forbids the cut): a new opener is refused with ERROR_FILE_INVALID rather than handed
 * views that fault past the file's end. */
TEST(an_opener_refuses_a_file_shorter_than_its_section)
{
    char path[MAX_PATH];
    HANDLE f = make_file(path, "shortened", 65536, GENERIC_READ | GENERIC_WRITE);
    HANDLE m = CreateFileMappingA(f, NULL, PAGE_READWRITE, 0, 0, "shortened");
    ASSERT(m != NULL);
    ASSERT(truncate(path, 100) == 0);
    struct child c;
    start_child(&c, "open_status", "shortened");
    ASSERT_EQ(wait_child(&c, 20000), EXIT_OF(ERROR_FILE_INVALID));
    ASSERT(truncate(path, 65536) == 0); /* as long as the section again: opens */
    start_child(&c, "open_status", "shortened");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    CloseHandle(m);
    drop_file(f, path);
}

/* Child: creates the named event arg and holds it until killed. */
CHILD(hold_event)
{
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, arg);
    if (!e)
        return (int)GetLastError();
    for (;;)
        Sleep(1000);
}

static DWORD WINAPI wait_a_moment(LPVOID e)
{
    return WaitForSingleObject(e, 300);
}

/* A wait that outlives this process's last handle to its object still has the object's
 * state words mapped: a cut of the file under it is repaired too, not a SIGBUS. */
TEST(a_cut_under_a_wait_that_outlived_its_handle_is_repaired)
{
    char dir[300], path[400];
    struct child c;
    start_child(&c, "hold_event", "cutwait"); /* keeps the name when this process lets go */
    HANDLE e = NULL;
    for (int i = 0; i < 2000 && !(e = OpenEventA(SYNCHRONIZE, FALSE, "cutwait")); i++)
        Sleep(5);
    ASSERT(e != NULL);
    HANDLE t = CreateThread(NULL, 0, wait_a_moment, e, 0, NULL);
    ASSERT(t != NULL);
    Sleep(100); /* the wait sleeps, holding the object */
    ASSERT(CloseHandle(e));
    local_dir(dir);
    snprintf(path, sizeof path, "%s/cutwait", dir);
    ASSERT(truncate(path, 0) == 0);
    /* The wait times out and leaves: it touches the state words past the cut. */
    ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    DWORD code;
    ASSERT(GetExitCodeThread(t, &code));
    ASSERT_EQ(code, WAIT_TIMEOUT);
    CloseHandle(t);
    kill_child(&c);
    ASSERT_EQ(mmf_gc(0, NULL, NULL), 0);
}

/* Child: opens the event arg and reports: 0 signaled, 100 not, else the open's error. */
CHILD(open_event_status)
{
    HANDLE e = OpenEventA(SYNCHRONIZE, FALSE, arg);
    if (!e)
        return (int)GetLastError();
    return WaitForSingleObject(e, 0) == WAIT_OBJECT_0 ? 0 : 100;
}

static void ns_path(char *buf, size_t cap, const char *fname)
{
    char dir[300];
    local_dir(dir);
    snprintf(buf, cap, "%s/%s", dir, fname);
}

static struct stat stat_of(const char *fname)
{
    char path[400];
    struct stat sb;
    ns_path(path, sizeof path, fname);
    ASSERT(stat(path, &sb) == 0);
    return sb;
}

static bool exists(const char *fname)
{
    char path[400];
    ns_path(path, sizeof path, fname);
    return access(path, F_OK) == 0;
}

/* A process opening a name again may use the header it read before (namespace.c), but
 * only while the file is the one it read: a header written since is read afresh. */
TEST(a_header_written_since_the_last_open_is_read_again)
{
    char name[64], path[400];
    test_name(name, "reread");
    struct child c;
    char arg[80];
    snprintf(arg, sizeof arg, "+%s", name);
    start_child(&c, "native_hold", arg);
    HANDLE m;
    for (int i = 0; !(m = OpenFileMappingA(FILE_MAP_READ, FALSE, name)); i++) {
        ASSERT(i < 20000);
        Sleep(1);
    }
    CloseHandle(m); /* the header is remembered; only the child holds the name */
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, name), ERROR_INVALID_HANDLE);
    m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(m != NULL);
    CloseHandle(m);
    ns_path(path, sizeof path, name);
    int fd = open(path, O_RDWR);
    ASSERT(fd >= 0);
    uint32_t event = MMF_TYPE_EVENT, section = MMF_TYPE_SECTION;
    ASSERT(pwrite(fd, &event, 4, 8) == 4); /* the name now belongs to an event */
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_INVALID_HANDLE);
    ASSERT(pwrite(fd, &section, 4, 8) == 4);
    m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    ASSERT(m != NULL);
    CloseHandle(m);
    close(fd);
    kill_child(&c);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND); /* stale */
}

/* An object everyone may open (a NULL DACL) keeps what others share in a data file they
 * may write, and its header in an object file only its creator may: another user can
 * change its bytes, never its kind, size or protection. An owner-only object is one file. */
TEST(objects_open_to_all_keep_their_header_to_their_creator)
{
    HANDLE e = CreateEventA(everyone(), TRUE, TRUE, "all-ev");
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, everyone(), PAGE_READWRITE | SEC_RESERVE,
                                  0, 65536, "all-sec");
    HANDLE x = CreateMutexA(NULL, FALSE, "own-mx");
    ASSERT(e && m && x);
    struct stat sb = stat_of("all-ev");
    ASSERT_EQ(sb.st_mode & 07777, 0644);
    ASSERT_EQ(sb.st_uid, geteuid());
    ASSERT_EQ(stat_of("all-ev%data").st_mode & 07777, 0666);
    ASSERT_EQ(stat_of("all-sec").st_mode & 07777, 0644);
    ASSERT_EQ(stat_of("all-sec%data").st_mode & 07777, 0666);
    ASSERT_EQ(stat_of("own-mx").st_mode & 07777, 0600);
    ASSERT(!exists("own-mx%data"));
    /* Listed once, as everyone's, its state read from the data file. */
    struct seen s = look("all-ev", 0);
    ASSERT_EQ(s.found, 1);
    ASSERT_EQ(s.info.mode, 0666);
    ASSERT_EQ(s.info.signaled, 1);
    ASSERT_EQ(look("all-ev%data", 0).found, 0);
    /* A commit through one holder is seen by a new one. */
    char *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    ASSERT(v && VirtualAlloc(v + 8192, 4096, MEM_COMMIT, PAGE_READWRITE));
    v[8192] = 42;
    struct child c;
    start_child(&c, "expect_byte", "all-sec:8192:42");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    UnmapViewOfFile(v);
    CloseHandle(e);
    CloseHandle(m);
    CloseHandle(x);
    ASSERT(!exists("all-ev") && !exists("all-ev%data") && !exists("all-sec%data"));
}

/* A name this process holds is found among hundreds it holds (the lookup grows its table
 * of held names as they come): a Create of it takes no second descriptor. */
TEST(a_held_name_is_found_among_hundreds)
{
    static HANDLE h[600];
    char name[64];
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof name, "found-%d", i);
        ASSERT((h[i] = CreateEventA(NULL, FALSE, FALSE, name)) != NULL);
    }
    int fds = count_fds();
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof name, "found-%d", i);
        HANDLE again = CreateEventA(NULL, FALSE, FALSE, name);
        ASSERT(again != NULL && GetLastError() == ERROR_ALREADY_EXISTS);
        ASSERT_EQ(count_fds(), fds);
        CloseHandle(again);
    }
    for (int i = 0; i < 600; i++)
        CloseHandle(h[i]);
}

/* A umask takes nothing from an object's permission bits (a creator fchmods a new file
 * only when the umask took some): 0277 would leave even the owner without write. */
TEST(a_umask_takes_nothing_from_an_objects_permissions)
{
    umask(0277);
    HANDLE e = CreateEventA(everyone(), FALSE, FALSE, "um-ev");
    HANDLE x = CreateMutexA(NULL, FALSE, "um-mx");
    ASSERT(e && x);
    ASSERT_EQ(stat_of("um-ev").st_mode & 07777, 0644);
    ASSERT_EQ(stat_of("um-ev%data").st_mode & 07777, 0666);
    ASSERT_EQ(stat_of("um-mx").st_mode & 07777, 0600);
    HANDLE e2 = OpenEventA(EVENT_ALL_ACCESS, FALSE, "um-ev"); /* opened for writing again */
    ASSERT(e2 && SetEvent(e2));
    ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
    umask(022); /* the usual one takes nothing from these: no fchmod, the same bits */
    HANDLE s = CreateSemaphoreA(everyone(), 1, 1, "um-sem");
    ASSERT(s);
    ASSERT_EQ(stat_of("um-sem").st_mode & 07777, 0644);
    ASSERT_EQ(stat_of("um-sem%data").st_mode & 07777, 0666);
    CloseHandle(s);
    CloseHandle(e2);
    CloseHandle(e);
    CloseHandle(x);
}

/* An opener that finds an object before its data file (its creator links the object's
 * name first) waits for it; a data file that never comes is ERROR_FILE_CORRUPT, not a
 * hang. */
TEST(an_opener_waits_for_a_data_file_not_yet_linked_in)
{
    char data[400], aside[400], obj[400];
    ns_path(data, sizeof data, "late%data");
    ns_path(aside, sizeof aside, ".aside");
    ns_path(obj, sizeof obj, "late");
    HANDLE e = CreateEventA(everyone(), TRUE, TRUE, "late");
    ASSERT(e != NULL);
    ASSERT(rename(data, aside) == 0);
    struct child c;
    start_child(&c, "open_event_status", "late");
    Sleep(200);
    ASSERT(rename(aside, data) == 0);
    ASSERT_EQ(wait_child(&c, 20000), 0);
    /* An object long past its creation: nobody is about to link its data file in. */
    uint64_t long_ago = 1;
    int fd = open(obj, O_WRONLY);
    ASSERT(fd >= 0);
    ASSERT(pwrite(fd, &long_ago, sizeof long_ago, offsetof(struct mmf__objhdr, created_ns)) == 8);
    close(fd);
    ASSERT(rename(data, aside) == 0);
    DWORD start = GetTickCount();
    start_child(&c, "open_event_status", "late");
    ASSERT_EQ(wait_child(&c, 20000), EXIT_OF(ERROR_FILE_CORRUPT));
    ASSERT(GetTickCount() - start < 1000);
    ASSERT(rename(aside, data) == 0);
    CloseHandle(e);
    ASSERT(!exists("late%data"));
}

/* Child: creates the event arg for everyone and holds it until killed. */
CHILD(hold_event_for_all)
{
    HANDLE e = CreateEventA(everyone(), TRUE, FALSE, arg);
    if (!e)
        return (int)GetLastError();
    for (;;)
        Sleep(1000);
}

/* A creator killed between its two links leaves an object without a data file and
 * without a holder: stale, it is reclaimed by the next open, as any other. */
TEST(a_creator_killed_before_its_data_file_leaves_no_name)
{
    char data[400];
    ns_path(data, sizeof data, "orphan%data");
    struct child c;
    start_child(&c, "hold_event_for_all", "orphan");
    for (int i = 0; i < 2000 && !exists("orphan%data"); i++)
        Sleep(5);
    kill_child(&c);
    ASSERT(unlink(data) == 0); /* as if it had died before linking it in */
    ASSERT_ERR(!OpenEventA(SYNCHRONIZE, FALSE, "orphan"), ERROR_FILE_NOT_FOUND);
    ASSERT(!exists("orphan"));
}

/* A data file left under a free name (by a forced removal killed halfway) gives way to
 * the next object of that name, which never takes its bytes. */
TEST(a_leftover_data_file_gives_way)
{
    char data[400];
    ns_path(data, sizeof data, "left%data");
    HANDLE warm = CreateEventA(NULL, FALSE, FALSE, "warm");
    ASSERT(warm != NULL); /* the namespace directory exists */
    int fd = open(data, O_CREAT | O_EXCL | O_WRONLY, 0666);
    ASSERT(fd >= 0);
    ASSERT(write(fd, "\1\1\1\1\1\1\1\1", 8) == 8);
    close(fd);
    HANDLE e = CreateEventA(everyone(), TRUE, FALSE, "left");
    ASSERT(e != NULL);
    ASSERT_EQ(GetLastError(), 0);
    struct child c;
    start_child(&c, "open_event_status", "left");
    ASSERT_EQ(wait_child(&c, 20000), 100); /* not signaled: its own words, not the junk */
    ASSERT(SetEvent(e));
    start_child(&c, "open_event_status", "left");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    CloseHandle(e);
    CloseHandle(warm);
    ASSERT(!exists("left%data"));
}

/* mmf_gc and mmf_remove take an object's data file with it, and count its bytes. */
TEST(gc_and_remove_take_the_data_file_along)
{
    static const WCHAR forced[] = {'f', 'o', 'r', 'c', 'e', 'd', 0};
    struct child c;
    ASSERT_EQ(mmf_gc(0, NULL, NULL), 0); /* what earlier tests' children left */
    start_child(&c, "hold_event_for_all", "gone");
    for (int i = 0; i < 2000 && !exists("gone%data"); i++)
        Sleep(5);
    kill_child(&c);
    uint64_t objects = 0, bytes = 0;
    ASSERT_EQ(mmf_gc(0, &objects, &bytes), 0);
    ASSERT_EQ(objects, 1);
    ASSERT(bytes >= 2 * 4096); /* the object file's page and the data file's */
    ASSERT(!exists("gone") && !exists("gone%data"));
    HANDLE e = CreateEventA(everyone(), TRUE, FALSE, "forced");
    ASSERT(e != NULL);
    ASSERT_EQ(mmf_remove(forced), 0);
    ASSERT(!exists("forced") && !exists("forced%data"));
    ASSERT(SetEvent(e)); /* its holders keep it */
    ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
    CloseHandle(e);
}

/* Child, as the user arg ("uid:what"): takes a namespace name first. what is "root" (a
 * directory with a file in it at mmf-0, a file at mmf-global) or "nobody" (mmf-65534). */
CHILD(squat)
{
    char path[400], what[16];
    unsigned uid;
    const char *root = getenv("MMF_ROOT");
    if (sscanf(arg, "%u:%15s", &uid, what) != 2 || setgid(uid) != 0 || setuid(uid) != 0)
        return 99;
    if (strcmp(what, "nobody") == 0) {
        snprintf(path, sizeof path, "%s/mmf-65534", root);
        return mkdir(path, 0777) == 0 ? 0 : 98;
    }
    snprintf(path, sizeof path, "%s/mmf-0", root);
    if (mkdir(path, 0777) != 0)
        return 97;
    snprintf(path, sizeof path, "%s/mmf-0/mine", root);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0666);
    if (fd < 0)
        return 96;
    close(fd);
    snprintf(path, sizeof path, "%s/mmf-global", root);
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0666);
    return fd >= 0 ? 0 : 95;
}

/* Child, as nobody: creates an event and reports the error. */
CHILD(create_event_as_nobody)
{
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 99;
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, arg);
    return e ? 0 : (int)GetLastError();
}

/* Another user who takes root's namespace names before root's first use (the root is
 * world-writable) does not deny root: root swaps a directory of its own in, and the
 * squatter's entry goes (or stays aside, hidden, if it holds anything). An ordinary user
 * without a home cannot go around a squatter (the root's sticky bit): refused, never
 * trusted (docs/namespace.md says how to provision the directories ahead). */
TEST(root_takes_back_namespace_names_another_user_took)
{
    if (geteuid() != 0) {
        printf("# skipped root_takes_back_namespace_names_another_user_took: needs root\n");
        return;
    }
    char root[400], path[700];
    snprintf(root, sizeof root, "%s/squatted", getenv("MMF_ROOT"));
    ASSERT(mkdir(root, 01777) == 0 && chmod(root, 01777) == 0);
    setenv("MMF_ROOT", root, 1); /* nothing of this process's namespace is open yet */
    struct child c;
    start_child(&c, "squat", "65534:root");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    HANDLE l = CreateEventA(NULL, TRUE, FALSE, "mine");
    HANDLE g = CreateEventA(everyone(), TRUE, FALSE, "Global\\mine");
    ASSERT(l && g);
    struct stat sb;
    snprintf(path, sizeof path, "%s/mmf-0", root);
    ASSERT(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == 0);
    ASSERT_EQ(sb.st_mode & 07777, 0700);
    snprintf(path, sizeof path, "%s/mmf-global", root);
    ASSERT(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == 0);
    ASSERT_EQ(sb.st_mode & 07777, 01777);
    start_child(&c, "open_event_status", "mine"); /* another process finds root's object */
    ASSERT_EQ(wait_child(&c, 20000), 100);
    /* What the squatter left: its directory, aside (it held a file); its file, gone. */
    int aside = 0;
    DIR *d = opendir(root);
    ASSERT(d != NULL);
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, ".mmf-", 5) == 0) {
            snprintf(path, sizeof path, "%s/%s/mine", root, e->d_name);
            ASSERT(unlink(path) == 0);
            snprintf(path, sizeof path, "%s/%s", root, e->d_name);
            ASSERT(rmdir(path) == 0);
            aside++;
        }
    closedir(d);
    ASSERT_EQ(aside, 1);
    /* Between ordinary users, for one without a home (nobody's is /nonexistent): no
     * record to agree on another directory through (test/native/nsrecord.c has those),
     * so the limit docs/namespace.md states. */
    start_child(&c, "squat", "65533:nobody");
    ASSERT_EQ(wait_child(&c, 20000), 0);
    start_child(&c, "create_event_as_nobody", "theirs");
    ASSERT_EQ(wait_child(&c, 20000), ERROR_ACCESS_DENIED);
    CloseHandle(l);
    CloseHandle(g);
    static const char *dirs[] = {"mmf-0", "mmf-global", "mmf-65534", ""};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
        ASSERT(rmdir(path) == 0);
    }
}

/* A forked child has its parent's kept files (names closed while others held them), and
 * a lease on one would be its parent's too (one description, one lock): closing it would
 * drop the parent's. The child opens the name afresh instead. */
TEST(a_forked_child_leaves_its_parents_kept_files_alone)
{
    char name[64], path[400];
    test_name(name, "forked");
    struct child c;
    start_kept(&c, name, path);
    int ready[2], go[2];
    char b = 0;
    ASSERT(pipe(ready) == 0 && pipe(go) == 0);
    pid_t f = fork();
    ASSERT(f >= 0);
    if (f == 0) {
        HANDLE o = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
        if (write(ready[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
            _exit(2);
        _exit(o && CloseHandle(o) ? 0 : 1);
    }
    ASSERT(read(ready[0], &b, 1) == 1);
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, name); /* this process's kept file */
    ASSERT(m != NULL);
    ASSERT(write(go[1], &b, 1) == 1);
    int status;
    ASSERT(waitpid(f, &status, 0) == f);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    kill_child(&c);
    int fd = open(path, O_RDONLY); /* this process holds the name: no one may take it */
    ASSERT(fd >= 0);
    ASSERT(flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
    close(fd);
    CloseHandle(m);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    for (int i = 0; i < 2; i++) {
        close(ready[i]);
        close(go[i]);
    }
}

/* A name forced out (mmf rm) while another process holds it is gone for every opener,
 * this process included, though it kept the file: a removal sets the file's removal word
 * before the name goes, and a reopen reads it. */
TEST(a_name_removed_by_force_is_not_reopened_from_a_kept_file)
{
    char name[64], path[400];
    WCHAR wname[64];
    test_name(name, "forced-kept");
    MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, 64);
    struct child c;
    start_kept(&c, name, path);
    ASSERT_EQ(mmf_remove(wname), 0);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_NOT_FOUND);
    kill_child(&c);
}

/* A create of a name this process removed last links its new object in first, guessing
 * the name is still free; when another process made it again since, or left it stale,
 * the create opens that one, or reclaims it and makes its own, as any create does. */
TEST(a_name_this_process_removed_is_created_as_any_other)
{
    char name[64], path[400];
    test_name(name, "relinked");
    struct child c;
    for (int stale = 0; stale < 2; stale++) {
        HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
        ASSERT(m != NULL);
        CloseHandle(m); /* its last holder: the name goes with it */
        start_holder(&c, name, path); /* and another process makes it again (8 KiB) */
        if (stale)
            kill_child(&c);
        int fds = count_fds();
        SetLastError(0xdeadbeef);
        m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
        ASSERT(m != NULL);
        ASSERT_EQ(GetLastError(), stale ? 0 : ERROR_ALREADY_EXISTS);
        void *v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
        MEMORY_BASIC_INFORMATION mbi;
        ASSERT(v && VirtualQuery(v, &mbi, sizeof mbi) == sizeof mbi);
        ASSERT_EQ(mbi.RegionSize, stale ? 4096 : 8192); /* the other's, or a new one */
        UnmapViewOfFile(v);
        ASSERT_EQ(count_fds(), fds + 1);
        CloseHandle(m);
        if (!stale)
            kill_child(&c);
    }
}

/* A kept file cut to nothing (by its owner, while another process holds it): the reopen
 * faults where it reads the header, takes that for a removal rather than die of SIGBUS,
 * and looks the name up again, which refuses the file as any opener would. */
TEST(a_kept_file_cut_to_nothing_is_looked_up_again)
{
    char name[64], path[400];
    test_name(name, "cut-kept");
    struct child c;
    start_kept(&c, name, path);
    ASSERT(truncate(path, 0) == 0);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_CORRUPT);
    ASSERT_ERR(!OpenFileMappingA(FILE_MAP_READ, FALSE, name), ERROR_FILE_CORRUPT); /* afresh */
    kill_child(&c);
}
