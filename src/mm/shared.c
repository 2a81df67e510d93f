/* MMF_SHARED (include/mmf/shared.h): a module's "mmf_shared" section made one set of
 * pages for every running instance of the same binary file and user.
 *
 * The set is a named paging-file section of the user's Local\ namespace, named after the
 * binary (its file name, device and inode, as /proc/self/maps shows the mapping that holds
 * the section), made with the section's bytes as the binary gives them and mapped over
 * the section in place: the variables keep their addresses. Its lifetime is a named
 * object's: while any instance holds it (kill -9 included, through the namespace's
 * lease), and the next first instance starts from the binary's values again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mm.h"

/* The sections attached, each holding its set (a reference and a counted handle, as
 * mmf__ns_create gives them) until its module goes. */
struct attached {
    struct attached *next;
    uintptr_t start;
    struct mmf__section *set;
};
static struct attached *attached;
static pthread_mutex_t attach_lock = PTHREAD_MUTEX_INITIALIZER;

/* The set's name: Local\mmf-shared-<file name>-<dev>-<inode>, the file name cut to the
 * characters a name may hold; its characters in *w (malloc'd; *name points into it). */
static int set_name(const struct mmf__sysmap *m, WCHAR **w, struct mmf__name *name)
{
    const char *base = strrchr(m->path, '/');
    base = base ? base + 1 : m->path;
    char a[160];
    int n = snprintf(a, sizeof a, "Local\\mmf-shared-");
    for (const char *p = base; *p && n < 80; p++)
        a[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                         (*p >= '0' && *p <= '9') || *p == '.' || *p == '_'
                     ? *p
                     : '_';
    snprintf(a + n, sizeof a - (size_t)n, "-%x.%x-%lx", m->dev_major, m->dev_minor, m->inode);
    size_t units;
    int st = mmf__name_from_a(a, w, &units);
    return st < 0 ? st : mmf__name_parse(*w, units, name);
}

/* Maps the instances' set over [start, start + len). */
static int attach(uintptr_t start, size_t len, struct mmf__section **out)
{
    struct mmf__sysmap m;
    bool found;
    struct mmf__name name;
    WCHAR *w = NULL;
    int st = mmf__sysmap_find(start, &m, &found);
    if (st == 0 && (!found || !m.inode || start + len > m.end))
        st = MMF__W(ERROR_BAD_EXE_FORMAT); /* not a section of a mapped binary file */
    if (st == 0)
        st = set_name(&m, &w, &name);
    struct mmf__section *s = NULL;
    if (st == 0)
        st = mmf__section_shared(&name, (const void *)start, len, &s);
    free(w);
    int fd = st == 0 ? mmf__section_fd(s) : -1;
    if (st == 0 && fd < 0)
        st = fd;
    if (st == 0 && mmf__sys.mmap((void *)start, len, PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_FIXED, fd, (off_t)s->data_off) == MAP_FAILED)
        st = -errno;
    if (st < 0 && s)
        mmf__handle_drop(&s->obj);
    if (st == 0)
        *out = s;
    return st;
}

void mmf_shared_attach(void *start, void *stop)
{
    uintptr_t a = (uintptr_t)start, b = (uintptr_t)stop;
    int st = 0;
    /* mmf's linker script gives the section whole pages of its own; without it, other
     * data would share them. */
    if (a % mmf__page_size || b % mmf__page_size || b <= a)
        st = MMF__W(ERROR_MAPPED_ALIGNMENT);
    pthread_mutex_lock(&attach_lock);
    struct attached *e = attached;
    while (e && e->start != a)
        e = e->next;
    if (st == 0 && !e) {
        e = calloc(1, sizeof *e);
        st = e ? attach(a, b - a, &e->set) : -ENOMEM;
        if (st == 0) {
            e->start = a;
            e->next = attached;
            attached = e;
        } else {
            free(e);
        }
    }
    pthread_mutex_unlock(&attach_lock);
    /* Called before main, with no caller to tell: the variables stay this instance's own,
     * and the program's user is told why. */
    if (st < 0)
        fprintf(stderr,
                "mmf: MMF_SHARED variables at %p are not shared (error %lu)%s\n", start,
                (unsigned long)mmf__win32_error(st),
                st == MMF__W(ERROR_MAPPED_ALIGNMENT)
                    ? ": link with mmf's linker script (pkg-config --libs mmf)"
                    : "");
}

void mmf_shared_detach(void *start)
{
    pthread_mutex_lock(&attach_lock);
    struct attached **p = &attached;
    while (*p && (*p)->start != (uintptr_t)start)
        p = &(*p)->next;
    struct attached *e = *p;
    if (e)
        *p = e->next;
    pthread_mutex_unlock(&attach_lock);
    if (e) {
        mmf__handle_drop(&e->set->obj);
        free(e);
    }
}
