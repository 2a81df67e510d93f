/* <process.h>: the C runtime's thread start and end over CreateThread and ExitThread. */
#ifndef MMF_PROCESS_H
#define MMF_PROCESS_H

#include <stdint.h>
#include <unistd.h>
#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

MMF_API uintptr_t _beginthreadex(void *security, unsigned stack_size,
                                 unsigned(__stdcall *start)(void *), void *arg,
                                 unsigned initflag, unsigned *thrdaddr);
MMF_API void _endthreadex(unsigned retval) __attribute__((noreturn));
#define _getpid getpid

#ifdef __cplusplus
}
#endif

#endif
