/* mmf's <windows.h>: the Win32 memory-mapped-file subsystem, named shared memory and
 * named synchronization objects for Linux. Include it before or after the C and POSIX
 * headers; it defines no lowercase macros unless asked (min/max need MMF_WANT_MINMAX). */
#ifndef MMF_WINDOWS_H
#define MMF_WINDOWS_H

/* As Windows' own, it brings the C headers such programs take for granted. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <mmf/wintypes.h>
#include <mmf/winconst.h>
#include <mmf/winerror.h>
#include <mmf/winbase.h>
#include <mmf/winnt.h>
#include <mmf/shared.h>
#include <mmf/interlocked.h>
#include <mmf/crt.h>

/* Memory block macros (winnt.h). */
#define CopyMemory(d, s, n) memcpy((d), (s), (n))
#define MoveMemory(d, s, n) memmove((d), (s), (n))
#define FillMemory(d, n, v) memset((d), (v), (n))
#define ZeroMemory(d, n) memset((d), 0, (n))
#define RtlCopyMemory CopyMemory
#define RtlMoveMemory MoveMemory
#define RtlFillMemory FillMemory
#define RtlZeroMemory ZeroMemory
#define SecureZeroMemory(d, n) mmf_secure_zero((d), (n))
/* Zeroes through volatile stores, which the compiler may not drop as dead. */
static inline PVOID mmf_secure_zero(PVOID p, SIZE_T n)
{
    volatile BYTE *v = (volatile BYTE *)p;
    while (n--)
        *v++ = 0;
    return p;
}

#if defined(MMF_WANT_MINMAX) && !defined(NOMINMAX)
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

#endif
