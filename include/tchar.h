/* Generic-text mappings: _T() and the _tcs* basics. With _UNICODE the strings are UTF-16
 * (WCHAR) and map to the lstr*W functions; without it they are the C library's char ones. */
#ifndef MMF_TCHAR_H
#define MMF_TCHAR_H

#include <string.h>
#include <windows.h>

#ifdef _UNICODE
typedef WCHAR _TCHAR;
#define _T(s) u##s
#define _TEXT(s) u##s
#define _tcslen(s) ((size_t)lstrlenW(s))
#define _tcscpy lstrcpyW
#define _tcscat lstrcatW
#define _tcscmp lstrcmpW
#define _tcsicmp _wcsicmp
#define _tcsnicmp _wcsnicmp
#define _tcsdup _wcsdup
#define _tcsrev _wcsrev
#define _tcslwr _wcslwr
#define _tcsupr _wcsupr
#else
typedef char _TCHAR;
#define _T(s) s
#define _TEXT(s) s
#define _tcslen strlen
#define _tcscpy strcpy
#define _tcsncpy strncpy
#define _tcscat strcat
#define _tcscmp strcmp
#define _tcsncmp strncmp
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcsdup strdup
#define _tcsicmp _stricmp
#define _tcsnicmp _strnicmp
#define _tcsrev _strrev
#define _tcslwr _strlwr
#define _tcsupr _strupr
#define _tprintf printf
#define _ftprintf fprintf
#define _stprintf sprintf
#define _tmain main
#define _tfopen fopen
#define _tstoi atoi
#endif

#endif
