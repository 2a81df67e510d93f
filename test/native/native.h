/* Helpers the native-only tests share. */
#ifndef MMF_TEST_NATIVE_H
#define MMF_TEST_NATIVE_H

#include <mmf/mmf.h>

/* Open descriptors of this process: a failed call must leave as many as it found. */
int count_fds(void);
/* The directory of this user's Local\ names under $MMF_ROOT (300 bytes are enough). */
void local_dir(char *buf);
/* Starts a child that creates the section `name` and holds it until killed (or ended),
 * and returns once the name is there; path (400 bytes) gets its file's path. */
struct child;
void start_holder(struct child *c, const char *name, char *path);
/* Has a holder close its handle and exit; returns once it has. */
void end_holder(struct child *c);
/* start_holder, then an open and a close of the name here: this process keeps its file. */
void start_kept(struct child *c, const char *name, char *path);

/* What mmf_list says of a name (found: how many times it was listed; its first eight
 * holders). */
struct seen {
    const char *name;
    int found;
    struct mmf_object_info info;
    uint32_t holders[8];
};
struct seen look(const char *name, unsigned flags);

#endif
