/* The thread's last error, and the one errno -> Win32 table.
 *
 * Every Win32 code mmf can produce appears once in `errors`, with Windows' message text
 * and the errno values that map to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct error_row {
    DWORD code;
    int errnos[4]; /* zero-terminated */
    const char *message;
};

static const struct error_row errors[] = {
    {ERROR_SUCCESS, {0}, "The operation completed successfully."},
    {ERROR_INVALID_FUNCTION, {0}, "Incorrect function."},
    {ERROR_FILE_NOT_FOUND, {ENOENT, ENXIO}, "The system cannot find the file specified."},
    {ERROR_PATH_NOT_FOUND, {ENOTDIR}, "The system cannot find the path specified."},
    {ERROR_TOO_MANY_OPEN_FILES, {EMFILE, ENFILE}, "The system cannot open the file."},
    {ERROR_ACCESS_DENIED, {EACCES, EPERM, EISDIR}, "Access is denied."},
    {ERROR_INVALID_HANDLE, {EBADF}, "The handle is invalid."},
    {ERROR_NOT_ENOUGH_MEMORY, {ENOMEM},
     "Not enough memory resources are available to process this command."},
    {ERROR_INVALID_ACCESS, {0}, "The access code is invalid."},
    {ERROR_INVALID_DATA, {0}, "The data is invalid."},
    {ERROR_OUTOFMEMORY, {0},
     "Not enough memory resources are available to complete this operation."},
    {ERROR_CURRENT_DIRECTORY, {0}, "The directory cannot be removed."},
    {ERROR_NO_MORE_FILES, {0}, "There are no more files."},
    {ERROR_NOT_SAME_DEVICE, {EXDEV}, "The system cannot move the file to a different disk drive."},
    {ERROR_WRITE_PROTECT, {EROFS}, "The media is write protected."},
    {ERROR_BAD_LENGTH, {0}, "The program issued a command but the command length is incorrect."},
    {ERROR_SEEK, {0}, "The drive cannot locate a specific area or track on the disk."},
    {ERROR_GEN_FAILURE, {0}, "A device attached to the system is not functioning."},
    {ERROR_SHARING_VIOLATION, {ETXTBSY},
     "The process cannot access the file because it is being used by another process."},
    {ERROR_LOCK_VIOLATION, {EAGAIN},
     "The process cannot access the file because another process has locked a portion of the "
     "file."},
    {ERROR_HANDLE_EOF, {0}, "Reached the end of the file."},
    {ERROR_NOT_SUPPORTED, {EOPNOTSUPP, ENODEV}, "The request is not supported."},
    {ERROR_DEV_NOT_EXIST, {0}, "The specified network resource or device is no longer available."},
    {ERROR_NETNAME_DELETED, {ESTALE}, "The specified network name is no longer available."},
    {ERROR_FILE_EXISTS, {EEXIST}, "The file exists."},
    {ERROR_INVALID_PARAMETER, {EINVAL}, "The parameter is incorrect."},
    {ERROR_BROKEN_PIPE, {EPIPE}, "The pipe has been ended."},
    {ERROR_BUFFER_OVERFLOW, {0}, "The file name is too long."},
    {ERROR_DISK_FULL, {ENOSPC, EDQUOT}, "There is not enough space on the disk."},
    {ERROR_CALL_NOT_IMPLEMENTED, {ENOSYS}, "This function is not supported on this system."},
    {ERROR_SEM_TIMEOUT, {0}, "The semaphore timeout period has expired."},
    {ERROR_INSUFFICIENT_BUFFER, {0}, "The data area passed to a system call is too small."},
    {ERROR_INVALID_NAME, {0}, "The filename, directory name, or volume label syntax is incorrect."},
    {ERROR_MOD_NOT_FOUND, {0}, "The specified module could not be found."},
    {ERROR_PROC_NOT_FOUND, {0}, "The specified procedure could not be found."},
    {ERROR_NEGATIVE_SEEK, {0},
     "An attempt was made to move the file pointer before the beginning of the file."},
    {ERROR_SEEK_ON_DEVICE, {ESPIPE}, "The file pointer cannot be set on the specified device or file."},
    {ERROR_DIR_NOT_EMPTY, {ENOTEMPTY}, "The directory is not empty."},
    {ERROR_NOT_LOCKED, {0}, "The segment is already unlocked."},
    {ERROR_BAD_PATHNAME, {0}, "The specified path is invalid."},
    {ERROR_BUSY, {EBUSY}, "The requested resource is in use."},
    {ERROR_ALREADY_EXISTS, {0}, "Cannot create a file when that file already exists."},
    {ERROR_BAD_EXE_FORMAT, {ENOEXEC}, "%1 is not a valid Win32 application."},
    {ERROR_FILENAME_EXCED_RANGE, {ENAMETOOLONG}, "The filename or extension is too long."},
    {ERROR_FILE_TOO_LARGE, {EFBIG}, "The file size exceeds the limit allowed and cannot be saved."},
    {ERROR_WAIT_TIMEOUT, {0}, "The wait operation timed out."},
    {ERROR_NO_MORE_ITEMS, {0}, "No more data is available."},
    {ERROR_DIRECTORY, {0}, "The directory name is invalid."},
    {ERROR_NOT_OWNER, {0}, "Attempt to release mutex not owned by caller."},
    {ERROR_TOO_MANY_POSTS, {0}, "Too many posts were made to a semaphore."},
    {ERROR_MR_MID_NOT_FOUND, {0},
     "The system cannot find message text for message number 0x%1 in the message file for %2."},
    {ERROR_INVALID_ADDRESS, {0}, "Attempt to access invalid address."},
    {ERROR_ARITHMETIC_OVERFLOW, {EOVERFLOW}, "Arithmetic result exceeded 32 bits."},
    {ERROR_IO_INCOMPLETE, {0}, "Overlapped I/O event is not in a signaled state."},
    {ERROR_NOACCESS, {EFAULT}, "Invalid access to memory location."},
    {ERROR_INVALID_FLAGS, {0}, "Invalid flags."},
    {ERROR_FILE_INVALID, {0},
     "The volume for a file has been externally altered so that the opened file is no longer "
     "valid."},
    {ERROR_IO_DEVICE, {EIO}, "The request could not be performed because of an I/O device error."},
    {ERROR_MAPPED_ALIGNMENT, {0},
     "The base address or the file offset specified does not have the proper alignment."},
    {ERROR_TOO_MANY_LINKS, {EMLINK},
     "An attempt was made to create more links on a file than the file system supports."},
    {ERROR_NETWORK_UNREACHABLE, {ENETUNREACH, EHOSTUNREACH},
     "The network location cannot be reached. For information about network troubleshooting, "
     "see Windows Help."},
    {ERROR_USER_MAPPED_FILE, {0},
     "The requested operation cannot be performed on a file with a user-mapped section open."},
    {ERROR_UNKNOWN_REVISION, {0}, "The revision level is unknown."},
    {ERROR_REVISION_MISMATCH, {0}, "Indicates two revision levels are incompatible."},
    {ERROR_PRIVILEGE_NOT_HELD, {0}, "A required privilege is not held by the client."},
    {ERROR_INTERNAL_ERROR, {0}, "An internal error occurred."},
    {ERROR_FILE_CORRUPT, {0}, "The file or directory is corrupted and unreadable."},
    {ERROR_NO_SYSTEM_RESOURCES, {0},
     "Insufficient system resources exist to complete the requested service."},
    {ERROR_COMMITMENT_LIMIT, {0}, "The paging file is too small for this operation to complete."},
    {ERROR_TIMEOUT, {ETIMEDOUT}, "This operation returned because the timeout period expired."},
    {ERROR_INVALID_USER_BUFFER, {0},
     "The supplied user buffer is not valid for the requested operation."},
    {ERROR_RESOURCE_LANG_NOT_FOUND, {0},
     "The specified resource language ID cannot be found in the image file."},
    {ERROR_CANT_RESOLVE_FILENAME, {ELOOP}, "The name of the file cannot be resolved by the system."},
};

static _Thread_local DWORD last_error;

DWORD WINAPI GetLastError(void)
{
    return last_error;
}

void WINAPI SetLastError(DWORD code)
{
    last_error = code;
}

DWORD mmf__win32_error(int status)
{
    if (status >= 0)
        return ERROR_SUCCESS;
    if (status <= -MMF__W_BASE)
        return (DWORD)(-status - MMF__W_BASE);
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        for (const int *e = errors[i].errnos; *e; e++)
            if (*e == -status)
                return errors[i].code;
    return ERROR_GEN_FAILURE;
}

void mmf__fail(int status)
{
    last_error = mmf__win32_error(status);
}

const char *mmf__error_message(DWORD code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return errors[i].message;
    return NULL;
}

void mmf__assert_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "mmf: %s:%d: invariant broken: %s\n", file, line, what);
    abort();
}
