/* ps: processes and threads: CreateProcess and process objects, CreateThread and thread
 * objects, command lines and the program's own module. */
#ifndef MMF_PS_H
#define MMF_PS_H

#include "sync/sync.h"

extern const struct mmf__type mmf__thread_type, mmf__process_type;

/* thread.c */
struct mmf__thread;
/* The waits of threads and processes: signaled once ended. */
extern const struct mmf__wait_ops mmf__ended_wait_ops;
/* A thread object for another process's main thread (its id), referenced; gate >= 0:
 * created suspended, ResumeThread writes to gate (then closes it). */
struct mmf__thread *mmf__thread_remote(DWORD tid, int gate);
/* Signals a thread object as ended with `code`. */
void mmf__thread_end(struct mmf__thread *th, DWORD code);

/* cmdline.c */
/* Splits a command line by CommandLineToArgvW's rules into UTF-8 arguments (malloc'd
 * vector and strings, NULL-terminated). */
int mmf__cmdline_split(const WCHAR *cmd, char ***argv, int *argc);
void mmf__argv_free(char **argv);
/* The program a command line (or an application name) names, found as CreateProcess
 * finds it: a malloc'd Linux path, or ERROR_FILE_NOT_FOUND. */
int mmf__program_find(const WCHAR *app, const WCHAR *cmd, char **path);

#endif
