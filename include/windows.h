/* mmf's <windows.h>: the Win32 memory-mapped-file subsystem, named shared memory and
 * named synchronization objects for Linux. Include it before or after the C and POSIX
 * headers; it defines no lowercase macros unless asked (min/max need MMF_WANT_MINMAX). */
#ifndef MMF_WINDOWS_H
#define MMF_WINDOWS_H

#include <stdarg.h>
#include <mmf/wintypes.h>
#include <mmf/winconst.h>
#include <mmf/winerror.h>
#include <mmf/winbase.h>
#include <mmf/interlocked.h>

#if defined(MMF_WANT_MINMAX) && !defined(NOMINMAX)
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

#endif
