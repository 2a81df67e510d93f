/* The C runtime's bridges between its file descriptors and Win32 handles (<io.h>). On
 * Linux a CRT descriptor is a plain file descriptor. */
#ifndef MMF_IO_H_PUBLIC
#define MMF_IO_H_PUBLIC

#include <stdint.h>
#include <unistd.h>
#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The handle for descriptor fd (the standard handle for 0, 1 and 2; for another, a file
 * handle made once over it), or -1 with errno EBADF. */
MMF_API intptr_t _get_osfhandle(int fd);
/* A descriptor for a file handle, which _get_osfhandle gives back the handle for; -1 with
 * errno EBADF for a handle that is not a file. Closing the descriptor leaves the handle
 * open (docs/processes.md). `flags` (_O_RDONLY, _O_APPEND, _O_TEXT…) are ignored. */
MMF_API int _open_osfhandle(intptr_t osfhandle, int flags);

#ifdef __cplusplus
}
#endif

#endif
