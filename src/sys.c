/* The replaceable system-call table. Production code calls mmf__sys.fn(...); a fault
 * injection test swaps an entry to make, say, fallocate fail with ENOSPC. */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int sys_memfd_create(const char *name, unsigned flags)
{
    return memfd_create(name, flags);
}

struct mmf__sys mmf__sys = {
    .open = open,
    .close = close,
    .pread = pread,
    .pwrite = pwrite,
    .read = read,
    .write = write,
    .lseek = lseek,
    .ftruncate = ftruncate,
    .fallocate = fallocate,
    .fstat = fstat,
    .fsync = fsync,
    .fcntl = fcntl,
    .flock = flock,
    .unlink = unlink,
    .openat = openat,
    .fstatat = fstatat,
    .linkat = linkat,
    .unlinkat = unlinkat,
    .mkdir = mkdir,
    .fchmod = fchmod,
    .memfd_create = sys_memfd_create,
    .mmap = mmap,
    .munmap = munmap,
    .mprotect = mprotect,
    .msync = msync,
    .madvise = madvise,
};
