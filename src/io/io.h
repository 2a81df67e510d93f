/* io: files — CreateFile and the file operations, with Windows' share modes and the
 * mapped-file rule kept across processes as OFD lock records (lock.c). */
#ifndef MMF_IO_H
#define MMF_IO_H

#include "ob/ob.h"

/* file.c */
struct mmf__file {
    struct mmf__object obj;
    int fd;
    bool directory;    /* opened with FILE_FLAG_BACKUP_SEMANTICS */
    char *delete_path; /* FILE_FLAG_DELETE_ON_CLOSE */
    _Atomic(struct mmf__locks *) locks; /* byte-range locks taken through it (range.c) */
};
extern const struct mmf__type mmf__file_type;
/* A file object for an open descriptor, which it owns from then on. */
struct mmf__file *mmf__file_new(int fd, bool directory);
#define MMF__FILE_CAN_READ(a) (((a) & (FILE_READ_DATA | FILE_EXECUTE)) != 0)
#define MMF__FILE_CAN_WRITE(a) (((a) & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0)
/* The file a handle refers to, referenced, if the handle has one of the rights in need
 * (0: any): ERROR_INVALID_HANDLE, ERROR_ACCESS_DENIED otherwise. */
int mmf__file_get(HANDLE h, DWORD need, struct mmf__file **out);
/* A malloc'd Linux path for a Win32 one: backslashes become slashes, the \\?\ and \\.\
 * prefixes go, NUL is /dev/null. */
int mmf__linux_path(const char *path, char **out);
/* The status of a failed call on a path: ENOENT is ERROR_FILE_NOT_FOUND when the directory
 * is there, ERROR_PATH_NOT_FOUND when it is not (as is ENOTDIR); other errors as they are. */
int mmf__path_status(const char *path, int err);
/* info.c: the attributes Windows reports for a file Linux describes. */
DWORD mmf__file_attributes(const struct stat *sb);
/* Attributes, times and size (none for a directory) of what sb describes. */
void mmf__attribute_data(const struct stat *sb, WIN32_FILE_ATTRIBUTE_DATA *d);
/* An OVERLAPPED's Internal: the NTSTATUS of the I/O it describes (0: success). A failure
 * is recorded as Windows' NTSTATUS for it, read back by GetOverlappedResult; done also
 * sets its event. */
#define MMF__STATUS_PENDING 0x103u
void mmf__overlapped_done(OVERLAPPED *ov, int st, size_t bytes);
int mmf__overlapped_error(ULONG_PTR status);

/* lock.c: OFD byte-range locks far above any file data carry cross-process facts about a
 * file: which sections map it (and how far), and the share modes of its open handles. */
/* A section's record that it maps [0, size) of the file open as fd (its own description),
 * and, for a writable one, that every new handle of the file must share writing: held as
 * long as fd is open (the section lives). */
int mmf__lock_section(int fd, uint64_t size, bool writable);
/* Fails with ERROR_USER_MAPPED_FILE when a section of the file reaches past new_size (0:
 * when the file has any section at all). */
int mmf__file_check_truncate(int fd, uint64_t new_size);
/* Records a new handle's access and share mode on its description, or fails with
 * ERROR_SHARING_VIOLATION where Windows' share rules say it conflicts. */
int mmf__share_acquire(int fd, DWORD access, DWORD share);
/* ERROR_SHARING_VIOLATION if some handle of the file does not share delete. */
int mmf__share_check_delete(int fd);

/* range.c: Windows byte-range locks, per file object, recorded for other descriptions as
 * OFD locks below MMF__LOCK_LIMIT (lock.c's records are above it). lock: ERROR_LOCK_VIOLATION
 * when refused and not `wait`; unlock: ERROR_NOT_LOCKED unless exactly that range is locked.
 * free: at the object's end, its locks with it. */
#define MMF__LOCK_LIMIT 0x3FFFFFFFFFFF0000ULL
struct mmf__locks;
int mmf__range_lock(struct mmf__file *f, uint64_t off, uint64_t len, bool excl, bool wait);
int mmf__range_unlock(struct mmf__file *f, uint64_t off, uint64_t len);
void mmf__locks_free(struct mmf__locks *l);

#endif
