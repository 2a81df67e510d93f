/* Win32 entry points implemented by mmf. Each has Windows' last-error behaviour. */
#ifndef MMF_WINBASE_H
#define MMF_WINBASE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Errors and messages */
MMF_API DWORD WINAPI GetLastError(void);
MMF_API void WINAPI SetLastError(DWORD dwErrCode);
MMF_API DWORD WINAPI FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                                    DWORD dwLanguageId, LPSTR lpBuffer, DWORD nSize,
                                    va_list *Arguments);
MMF_API DWORD WINAPI FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                                    DWORD dwLanguageId, LPWSTR lpBuffer, DWORD nSize,
                                    va_list *Arguments);
MMF_API HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes);
MMF_API HLOCAL WINAPI LocalFree(HLOCAL hMem);

/* Handles */
MMF_API BOOL WINAPI CloseHandle(HANDLE hObject);
MMF_API HANDLE WINAPI GetCurrentProcess(void);
MMF_API BOOL WINAPI DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
                                    HANDLE hTargetProcessHandle, LPHANDLE lpTargetHandle,
                                    DWORD dwDesiredAccess, BOOL bInheritHandle,
                                    DWORD dwOptions);
MMF_API BOOL WINAPI GetHandleInformation(HANDLE hObject, LPDWORD lpdwFlags);
MMF_API BOOL WINAPI SetHandleInformation(HANDLE hObject, DWORD dwMask, DWORD dwFlags);

/* Security descriptors: a NULL DACL opens an object to every user. */
MMF_API BOOL WINAPI InitializeSecurityDescriptor(PSECURITY_DESCRIPTOR pSecurityDescriptor,
                                                 DWORD dwRevision);
MMF_API BOOL WINAPI SetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR pSecurityDescriptor,
                                              BOOL bDaclPresent, PACL pDacl,
                                              BOOL bDaclDefaulted);

/* Events, mutexes, semaphores */
MMF_API HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                                   BOOL bInitialState, LPCSTR lpName);
MMF_API HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                                   BOOL bInitialState, LPCWSTR lpName);
MMF_API HANDLE WINAPI OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
MMF_API HANDLE WINAPI OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
MMF_API BOOL WINAPI SetEvent(HANDLE hEvent);
MMF_API BOOL WINAPI ResetEvent(HANDLE hEvent);
MMF_API BOOL WINAPI PulseEvent(HANDLE hEvent);
MMF_API HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner,
                                   LPCSTR lpName);
MMF_API HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES lpMutexAttributes, BOOL bInitialOwner,
                                   LPCWSTR lpName);
MMF_API HANDLE WINAPI OpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
MMF_API HANDLE WINAPI OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
MMF_API BOOL WINAPI ReleaseMutex(HANDLE hMutex);
MMF_API HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
                                       LONG lInitialCount, LONG lMaximumCount, LPCSTR lpName);
MMF_API HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES lpSemaphoreAttributes,
                                       LONG lInitialCount, LONG lMaximumCount, LPCWSTR lpName);
MMF_API HANDLE WINAPI OpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
MMF_API HANDLE WINAPI OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
MMF_API BOOL WINAPI ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount,
                                     LPLONG lpPreviousCount);

/* Waits */
MMF_API DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
MMF_API DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds,
                                           BOOL bAlertable);
MMF_API DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles,
                                              BOOL bWaitAll, DWORD dwMilliseconds,
                                              BOOL bAlertable);
MMF_API DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles,
                                            BOOL bWaitAll, DWORD dwMilliseconds);
MMF_API DWORD WINAPI SignalObjectAndWait(HANDLE hObjectToSignal, HANDLE hObjectToWaitOn,
                                         DWORD dwMilliseconds, BOOL bAlertable);

/* Threads */
MMF_API HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                                   LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                                   DWORD dwCreationFlags, LPDWORD lpThreadId);
MMF_API void WINAPI ExitThread(DWORD dwExitCode) __attribute__((noreturn));
MMF_API BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);
MMF_API DWORD WINAPI GetCurrentThreadId(void);
MMF_API HANDLE WINAPI GetCurrentThread(void);

/* Processes. A child built with mmf gets the parent's inheritable handles under the same
 * values (docs/processes.md); any child gets STARTF_USESTDHANDLES' files as fds 0-2. */
MMF_API BOOL WINAPI CreateProcessA(LPCSTR lpApplicationName, LPSTR lpCommandLine,
                                   LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                   LPSECURITY_ATTRIBUTES lpThreadAttributes,
                                   BOOL bInheritHandles, DWORD dwCreationFlags,
                                   LPVOID lpEnvironment, LPCSTR lpCurrentDirectory,
                                   LPSTARTUPINFOA lpStartupInfo,
                                   LPPROCESS_INFORMATION lpProcessInformation);
MMF_API BOOL WINAPI CreateProcessW(LPCWSTR lpApplicationName, LPWSTR lpCommandLine,
                                   LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                   LPSECURITY_ATTRIBUTES lpThreadAttributes,
                                   BOOL bInheritHandles, DWORD dwCreationFlags,
                                   LPVOID lpEnvironment, LPCWSTR lpCurrentDirectory,
                                   LPSTARTUPINFOW lpStartupInfo,
                                   LPPROCESS_INFORMATION lpProcessInformation);
MMF_API HANDLE WINAPI OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle,
                                  DWORD dwProcessId);
MMF_API BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode);
MMF_API BOOL WINAPI TerminateProcess(HANDLE hProcess, UINT uExitCode);
MMF_API void WINAPI ExitProcess(UINT uExitCode) __attribute__((noreturn));
MMF_API DWORD WINAPI GetProcessId(HANDLE Process);
MMF_API DWORD WINAPI ResumeThread(HANDLE hThread);
MMF_API LPSTR WINAPI GetCommandLineA(void);
MMF_API LPWSTR WINAPI GetCommandLineW(void);
MMF_API HANDLE WINAPI GetStdHandle(DWORD nStdHandle);
MMF_API BOOL WINAPI SetStdHandle(DWORD nStdHandle, HANDLE hHandle);
MMF_API DWORD WINAPI GetModuleFileNameA(HMODULE hModule, LPSTR lpFilename, DWORD nSize);
MMF_API DWORD WINAPI GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize);
MMF_API HMODULE WINAPI GetModuleHandleA(LPCSTR lpModuleName);
MMF_API HMODULE WINAPI GetModuleHandleW(LPCWSTR lpModuleName);

/* Thread local storage, critical sections */
MMF_API DWORD WINAPI TlsAlloc(void);
MMF_API BOOL WINAPI TlsFree(DWORD dwTlsIndex);
MMF_API LPVOID WINAPI TlsGetValue(DWORD dwTlsIndex);
MMF_API BOOL WINAPI TlsSetValue(DWORD dwTlsIndex, LPVOID lpTlsValue);
MMF_API void WINAPI InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
MMF_API BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection,
                                                          DWORD dwSpinCount);
MMF_API BOOL WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection,
                                                DWORD dwSpinCount, DWORD Flags);
MMF_API DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION lpCriticalSection,
                                                 DWORD dwSpinCount);
MMF_API void WINAPI EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
MMF_API BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
MMF_API void WINAPI LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
MMF_API void WINAPI DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection);

/* Heaps */
MMF_API HANDLE WINAPI GetProcessHeap(void);
MMF_API HANDLE WINAPI HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize);
MMF_API BOOL WINAPI HeapDestroy(HANDLE hHeap);
MMF_API LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes);
MMF_API LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes);
MMF_API BOOL WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem);
MMF_API SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);
MMF_API BOOL WINAPI HeapValidate(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem);
MMF_API SIZE_T WINAPI HeapCompact(HANDLE hHeap, DWORD dwFlags);

/* Modules */
MMF_API HMODULE WINAPI LoadLibraryA(LPCSTR lpLibFileName);
MMF_API HMODULE WINAPI LoadLibraryW(LPCWSTR lpLibFileName);
MMF_API HMODULE WINAPI LoadLibraryExA(LPCSTR lpLibFileName, HANDLE hFile, DWORD dwFlags);
MMF_API HMODULE WINAPI LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags);
MMF_API BOOL WINAPI FreeLibrary(HMODULE hLibModule);
MMF_API FARPROC WINAPI GetProcAddress(HMODULE hModule, LPCSTR lpProcName);

/* Versions, time, debugging output */
MMF_API DWORD WINAPI GetVersion(void);
MMF_API BOOL WINAPI GetVersionExA(LPOSVERSIONINFOA lpVersionInformation);
MMF_API BOOL WINAPI GetVersionExW(LPOSVERSIONINFOW lpVersionInformation);
MMF_API void WINAPI GetSystemTime(LPSYSTEMTIME lpSystemTime);
MMF_API void WINAPI GetLocalTime(LPSYSTEMTIME lpSystemTime);
MMF_API void WINAPI GetSystemTimeAsFileTime(LPFILETIME lpSystemTimeAsFileTime);
MMF_API void WINAPI GetSystemTimePreciseAsFileTime(LPFILETIME lpSystemTimeAsFileTime);
MMF_API BOOL WINAPI SystemTimeToFileTime(const SYSTEMTIME *lpSystemTime, LPFILETIME lpFileTime);
MMF_API BOOL WINAPI FileTimeToSystemTime(const FILETIME *lpFileTime, LPSYSTEMTIME lpSystemTime);
MMF_API BOOL WINAPI FileTimeToLocalFileTime(const FILETIME *lpFileTime,
                                            LPFILETIME lpLocalFileTime);
MMF_API BOOL WINAPI LocalFileTimeToFileTime(const FILETIME *lpLocalFileTime,
                                            LPFILETIME lpFileTime);
MMF_API LONG WINAPI CompareFileTime(const FILETIME *lpFileTime1, const FILETIME *lpFileTime2);
MMF_API void WINAPI OutputDebugStringA(LPCSTR lpOutputString);
MMF_API void WINAPI OutputDebugStringW(LPCWSTR lpOutputString);

/* Strings */
MMF_API int WINAPI lstrcmpA(LPCSTR lpString1, LPCSTR lpString2);
MMF_API int WINAPI lstrcmpiA(LPCSTR lpString1, LPCSTR lpString2);
MMF_API int WINAPI lstrcmpiW(LPCWSTR lpString1, LPCWSTR lpString2);
MMF_API LPSTR WINAPI lstrcpyA(LPSTR lpString1, LPCSTR lpString2);
MMF_API LPSTR WINAPI lstrcatA(LPSTR lpString1, LPCSTR lpString2);
MMF_API LPSTR WINAPI lstrcpynA(LPSTR lpString1, LPCSTR lpString2, int iMaxLength);
MMF_API LPWSTR WINAPI lstrcpynW(LPWSTR lpString1, LPCWSTR lpString2, int iMaxLength);
MMF_API LPSTR WINAPI CharLowerA(LPSTR lpsz);
MMF_API LPWSTR WINAPI CharLowerW(LPWSTR lpsz);
MMF_API LPSTR WINAPI CharUpperA(LPSTR lpsz);
MMF_API LPWSTR WINAPI CharUpperW(LPWSTR lpsz);
MMF_API BOOL WINAPI IsTextUnicode(const VOID *lpv, int iSize, LPINT lpiResult);

/* Files */
MMF_API HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                                  LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                  DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
                                  HANDLE hTemplateFile);
MMF_API HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                                  LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                  DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
                                  HANDLE hTemplateFile);
/* WinCE: CreateFile for the purpose of mapping; same arguments minus the template. */
MMF_API HANDLE WINAPI CreateFileForMappingA(LPCSTR lpFileName, DWORD dwDesiredAccess,
                                            DWORD dwShareMode,
                                            LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                            DWORD dwCreationDisposition,
                                            DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
MMF_API HANDLE WINAPI CreateFileForMappingW(LPCWSTR lpFileName, DWORD dwDesiredAccess,
                                            DWORD dwShareMode,
                                            LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                            DWORD dwCreationDisposition,
                                            DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
MMF_API BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                             LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped);
MMF_API BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                              LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped);
MMF_API DWORD WINAPI SetFilePointer(HANDLE hFile, LONG lDistanceToMove,
                                    PLONG lpDistanceToMoveHigh, DWORD dwMoveMethod);
MMF_API BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove,
                                     PLARGE_INTEGER lpNewFilePointer, DWORD dwMoveMethod);
MMF_API BOOL WINAPI SetEndOfFile(HANDLE hFile);
MMF_API DWORD WINAPI GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh);
MMF_API BOOL WINAPI GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize);
MMF_API BOOL WINAPI FlushFileBuffers(HANDLE hFile);
MMF_API BOOL WINAPI LockFile(HANDLE hFile, DWORD dwFileOffsetLow, DWORD dwFileOffsetHigh,
                             DWORD nNumberOfBytesToLockLow, DWORD nNumberOfBytesToLockHigh);
MMF_API BOOL WINAPI LockFileEx(HANDLE hFile, DWORD dwFlags, DWORD dwReserved,
                               DWORD nNumberOfBytesToLockLow, DWORD nNumberOfBytesToLockHigh,
                               LPOVERLAPPED lpOverlapped);
MMF_API BOOL WINAPI UnlockFile(HANDLE hFile, DWORD dwFileOffsetLow, DWORD dwFileOffsetHigh,
                               DWORD nNumberOfBytesToUnlockLow, DWORD nNumberOfBytesToUnlockHigh);
MMF_API BOOL WINAPI UnlockFileEx(HANDLE hFile, DWORD dwReserved, DWORD nNumberOfBytesToUnlockLow,
                                 DWORD nNumberOfBytesToUnlockHigh, LPOVERLAPPED lpOverlapped);
MMF_API BOOL WINAPI DeleteFileA(LPCSTR lpFileName);
MMF_API BOOL WINAPI DeleteFileW(LPCWSTR lpFileName);
MMF_API DWORD WINAPI GetFileAttributesA(LPCSTR lpFileName);
MMF_API DWORD WINAPI GetFileAttributesW(LPCWSTR lpFileName);
MMF_API BOOL WINAPI GetFileAttributesExA(LPCSTR lpFileName, GET_FILEEX_INFO_LEVELS fInfoLevelId,
                                         LPVOID lpFileInformation);
MMF_API BOOL WINAPI GetFileAttributesExW(LPCWSTR lpFileName, GET_FILEEX_INFO_LEVELS fInfoLevelId,
                                         LPVOID lpFileInformation);
MMF_API BOOL WINAPI SetFileAttributesA(LPCSTR lpFileName, DWORD dwFileAttributes);
MMF_API BOOL WINAPI SetFileAttributesW(LPCWSTR lpFileName, DWORD dwFileAttributes);
MMF_API DWORD WINAPI GetFullPathNameA(LPCSTR lpFileName, DWORD nBufferLength, LPSTR lpBuffer,
                                      LPSTR *lpFilePart);
MMF_API DWORD WINAPI GetFullPathNameW(LPCWSTR lpFileName, DWORD nBufferLength, LPWSTR lpBuffer,
                                      LPWSTR *lpFilePart);
MMF_API BOOL WINAPI GetDiskFreeSpaceA(LPCSTR lpRootPathName, LPDWORD lpSectorsPerCluster,
                                      LPDWORD lpBytesPerSector, LPDWORD lpNumberOfFreeClusters,
                                      LPDWORD lpTotalNumberOfClusters);
MMF_API BOOL WINAPI GetDiskFreeSpaceW(LPCWSTR lpRootPathName, LPDWORD lpSectorsPerCluster,
                                      LPDWORD lpBytesPerSector, LPDWORD lpNumberOfFreeClusters,
                                      LPDWORD lpTotalNumberOfClusters);
MMF_API BOOL WINAPI GetDiskFreeSpaceExA(LPCSTR lpDirectoryName,
                                        PULARGE_INTEGER lpFreeBytesAvailableToCaller,
                                        PULARGE_INTEGER lpTotalNumberOfBytes,
                                        PULARGE_INTEGER lpTotalNumberOfFreeBytes);
MMF_API BOOL WINAPI GetDiskFreeSpaceExW(LPCWSTR lpDirectoryName,
                                        PULARGE_INTEGER lpFreeBytesAvailableToCaller,
                                        PULARGE_INTEGER lpTotalNumberOfBytes,
                                        PULARGE_INTEGER lpTotalNumberOfFreeBytes);
MMF_API BOOL WINAPI AreFileApisANSI(void);
MMF_API BOOL WINAPI CreateDirectoryA(LPCSTR lpPathName, LPSECURITY_ATTRIBUTES lpSecurityAttributes);
MMF_API BOOL WINAPI CreateDirectoryW(LPCWSTR lpPathName,
                                     LPSECURITY_ATTRIBUTES lpSecurityAttributes);
MMF_API BOOL WINAPI RemoveDirectoryA(LPCSTR lpPathName);
MMF_API BOOL WINAPI RemoveDirectoryW(LPCWSTR lpPathName);
MMF_API DWORD WINAPI GetCurrentDirectoryA(DWORD nBufferLength, LPSTR lpBuffer);
MMF_API DWORD WINAPI GetCurrentDirectoryW(DWORD nBufferLength, LPWSTR lpBuffer);
MMF_API BOOL WINAPI SetCurrentDirectoryA(LPCSTR lpPathName);
MMF_API BOOL WINAPI SetCurrentDirectoryW(LPCWSTR lpPathName);
MMF_API DWORD WINAPI GetTempPathA(DWORD nBufferLength, LPSTR lpBuffer);
MMF_API DWORD WINAPI GetTempPathW(DWORD nBufferLength, LPWSTR lpBuffer);
MMF_API UINT WINAPI GetTempFileNameA(LPCSTR lpPathName, LPCSTR lpPrefixString, UINT uUnique,
                                     LPSTR lpTempFileName);
MMF_API UINT WINAPI GetTempFileNameW(LPCWSTR lpPathName, LPCWSTR lpPrefixString, UINT uUnique,
                                     LPWSTR lpTempFileName);
MMF_API BOOL WINAPI GetFileTime(HANDLE hFile, LPFILETIME lpCreationTime,
                                LPFILETIME lpLastAccessTime, LPFILETIME lpLastWriteTime);
MMF_API BOOL WINAPI SetFileTime(HANDLE hFile, const FILETIME *lpCreationTime,
                                const FILETIME *lpLastAccessTime,
                                const FILETIME *lpLastWriteTime);
MMF_API BOOL WINAPI GetFileInformationByHandle(HANDLE hFile,
                                               LPBY_HANDLE_FILE_INFORMATION lpFileInformation);
MMF_API BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                        LPDWORD lpNumberOfBytesTransferred, BOOL bWait);

/* File mappings */
MMF_API HANDLE WINAPI CreateFileMappingA(HANDLE hFile, LPSECURITY_ATTRIBUTES lpAttributes,
                                         DWORD flProtect, DWORD dwMaximumSizeHigh,
                                         DWORD dwMaximumSizeLow, LPCSTR lpName);
MMF_API HANDLE WINAPI CreateFileMappingW(HANDLE hFile, LPSECURITY_ATTRIBUTES lpAttributes,
                                         DWORD flProtect, DWORD dwMaximumSizeHigh,
                                         DWORD dwMaximumSizeLow, LPCWSTR lpName);
MMF_API HANDLE WINAPI OpenFileMappingA(DWORD dwDesiredAccess, BOOL bInheritHandle,
                                       LPCSTR lpName);
MMF_API HANDLE WINAPI OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle,
                                       LPCWSTR lpName);
MMF_API LPVOID WINAPI MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
                                    DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
                                    SIZE_T dwNumberOfBytesToMap);
MMF_API LPVOID WINAPI MapViewOfFileEx(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
                                      DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow,
                                      SIZE_T dwNumberOfBytesToMap, LPVOID lpBaseAddress);
MMF_API BOOL WINAPI UnmapViewOfFile(LPCVOID lpBaseAddress);
MMF_API BOOL WINAPI FlushViewOfFile(LPCVOID lpBaseAddress, SIZE_T dwNumberOfBytesToFlush);

/* Virtual memory */
MMF_API SIZE_T WINAPI VirtualQuery(LPCVOID lpAddress, PMEMORY_BASIC_INFORMATION lpBuffer,
                                   SIZE_T dwLength);
MMF_API LPVOID WINAPI VirtualAlloc(LPVOID lpAddress, SIZE_T dwSize, DWORD flAllocationType,
                                   DWORD flProtect);
MMF_API BOOL WINAPI VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType);
MMF_API BOOL WINAPI VirtualProtect(LPVOID lpAddress, SIZE_T dwSize, DWORD flNewProtect,
                                   PDWORD lpflOldProtect);
/* The Ex forms, for the current process (GetCurrentProcess()). */
MMF_API SIZE_T WINAPI VirtualQueryEx(HANDLE hProcess, LPCVOID lpAddress,
                                     PMEMORY_BASIC_INFORMATION lpBuffer, SIZE_T dwLength);
MMF_API LPVOID WINAPI VirtualAllocEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                                     DWORD flAllocationType, DWORD flProtect);
MMF_API BOOL WINAPI VirtualFreeEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                                  DWORD dwFreeType);
MMF_API BOOL WINAPI VirtualProtectEx(HANDLE hProcess, LPVOID lpAddress, SIZE_T dwSize,
                                     DWORD flNewProtect, PDWORD lpflOldProtect);
MMF_API BOOL WINAPI IsBadReadPtr(const void *lp, UINT_PTR ucb);
MMF_API BOOL WINAPI IsBadWritePtr(LPVOID lp, UINT_PTR ucb);
MMF_API BOOL WINAPI IsBadCodePtr(void *lpfn);

/* System information and time */
MMF_API void WINAPI GetSystemInfo(LPSYSTEM_INFO lpSystemInfo);
MMF_API DWORD WINAPI GetCurrentProcessId(void);
MMF_API BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount);
MMF_API BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency);
MMF_API DWORD WINAPI GetTickCount(void);
MMF_API ULONGLONG WINAPI GetTickCount64(void);
MMF_API void WINAPI Sleep(DWORD dwMilliseconds);
MMF_API DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable);

/* Strings (UTF-16 helpers that Win32 programs and <tchar.h> use) */
MMF_API int WINAPI lstrlenA(LPCSTR lpString);
MMF_API int WINAPI lstrlenW(LPCWSTR lpString);
MMF_API int WINAPI lstrcmpW(LPCWSTR lpString1, LPCWSTR lpString2);
MMF_API LPWSTR WINAPI lstrcpyW(LPWSTR lpString1, LPCWSTR lpString2);
MMF_API LPWSTR WINAPI lstrcatW(LPWSTR lpString1, LPCWSTR lpString2);
MMF_API int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCSTR lpMultiByteStr,
                                       int cbMultiByte, LPWSTR lpWideCharStr, int cchWideChar);
MMF_API int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWSTR lpWideCharStr,
                                       int cchWideChar, LPSTR lpMultiByteStr, int cbMultiByte,
                                       LPCSTR lpDefaultChar, LPBOOL lpUsedDefaultChar);

#ifdef UNICODE
#define FormatMessage FormatMessageW
#define CreateProcess CreateProcessW
#define GetCommandLine GetCommandLineW
#define GetModuleFileName GetModuleFileNameW
#define GetModuleHandle GetModuleHandleW
#define CreateFile CreateFileW
#define CreateFileForMapping CreateFileForMappingW
#define DeleteFile DeleteFileW
#define GetTempPath GetTempPathW
#define GetTempFileName GetTempFileNameW
#define CreateFileMapping CreateFileMappingW
#define OpenFileMapping OpenFileMappingW
#define CreateEvent CreateEventW
#define OpenEvent OpenEventW
#define CreateMutex CreateMutexW
#define OpenMutex OpenMutexW
#define CreateSemaphore CreateSemaphoreW
#define OpenSemaphore OpenSemaphoreW
#define lstrlen lstrlenW
#define lstrcmp lstrcmpW
#define lstrcpy lstrcpyW
#define lstrcat lstrcatW
#define LoadLibrary LoadLibraryW
#define LoadLibraryEx LoadLibraryExW
#define GetVersionEx GetVersionExW
#define OutputDebugString OutputDebugStringW
#define lstrcmpi lstrcmpiW
#define lstrcpyn lstrcpynW
#define CharLower CharLowerW
#define CharUpper CharUpperW
#define GetFileAttributes GetFileAttributesW
#define GetFileAttributesEx GetFileAttributesExW
#define SetFileAttributes SetFileAttributesW
#define GetFullPathName GetFullPathNameW
#define GetDiskFreeSpace GetDiskFreeSpaceW
#define GetDiskFreeSpaceEx GetDiskFreeSpaceExW
#define CreateDirectory CreateDirectoryW
#define RemoveDirectory RemoveDirectoryW
#define GetCurrentDirectory GetCurrentDirectoryW
#define SetCurrentDirectory SetCurrentDirectoryW
#else
#define FormatMessage FormatMessageA
#define CreateProcess CreateProcessA
#define GetCommandLine GetCommandLineA
#define GetModuleFileName GetModuleFileNameA
#define GetModuleHandle GetModuleHandleA
#define CreateFile CreateFileA
#define CreateFileForMapping CreateFileForMappingA
#define DeleteFile DeleteFileA
#define GetTempPath GetTempPathA
#define GetTempFileName GetTempFileNameA
#define CreateFileMapping CreateFileMappingA
#define OpenFileMapping OpenFileMappingA
#define CreateEvent CreateEventA
#define OpenEvent OpenEventA
#define CreateMutex CreateMutexA
#define OpenMutex OpenMutexA
#define CreateSemaphore CreateSemaphoreA
#define OpenSemaphore OpenSemaphoreA
#define lstrlen lstrlenA
#define LoadLibrary LoadLibraryA
#define LoadLibraryEx LoadLibraryExA
#define GetVersionEx GetVersionExA
#define OutputDebugString OutputDebugStringA
#define lstrcmp lstrcmpA
#define lstrcmpi lstrcmpiA
#define lstrcpy lstrcpyA
#define lstrcpyn lstrcpynA
#define lstrcat lstrcatA
#define CharLower CharLowerA
#define CharUpper CharUpperA
#define GetFileAttributes GetFileAttributesA
#define GetFileAttributesEx GetFileAttributesExA
#define SetFileAttributes SetFileAttributesA
#define GetFullPathName GetFullPathNameA
#define GetDiskFreeSpace GetDiskFreeSpaceA
#define GetDiskFreeSpaceEx GetDiskFreeSpaceExA
#define CreateDirectory CreateDirectoryA
#define RemoveDirectory RemoveDirectoryA
#define GetCurrentDirectory GetCurrentDirectoryA
#define SetCurrentDirectory SetCurrentDirectoryA
#endif

#ifdef __cplusplus
}
#endif

#endif
