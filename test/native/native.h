/* Helpers the native-only tests share. */
#ifndef MMF_TEST_NATIVE_H
#define MMF_TEST_NATIVE_H

/* Open descriptors of this process: a failed call must leave as many as it found. */
int count_fds(void);
/* The directory of this user's Local\ names under $MMF_ROOT (300 bytes are enough). */
void local_dir(char *buf);

#endif
