/* Reversing a 512 MiB file in place through one view (the classic FileRev), and the
 * first-touch page faults of a fresh 1 GiB paging-file view. */
#include "bench.h"

#define FILE_SIZE (512ull << 20)
#define FAULT_SIZE (1ull << 30)

int main(void)
{
    char path[MAX_PATH];
    GetTempPathA(MAX_PATH, path);
    snprintf(path + strlen(path), 64, "mmf-bench-rev-%lu", (unsigned long)GetCurrentProcessId());
    HANDLE f = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_FLAG_DELETE_ON_CLOSE, NULL);
    HANDLE m = f != INVALID_HANDLE_VALUE
                   ? CreateFileMappingA(f, NULL, PAGE_READWRITE, (DWORD)(FILE_SIZE >> 32),
                                        (DWORD)FILE_SIZE, NULL)
                   : NULL;
    unsigned char *p = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!p)
        die("file view");
    for (size_t i = 0; i < FILE_SIZE; i += 4096)
        p[i] = (unsigned char)i; /* the file's pages exist before the timed reverse */
    double t0 = now_ns();
    for (unsigned char *a = p, *b = p + FILE_SIZE - 1; a < b; a++, b--) {
        unsigned char t = *a;
        *a = *b;
        *b = t;
    }
    report("reverse_512mib_file", (now_ns() - t0) / 1e6, "ms");
    UnmapViewOfFile(p);
    CloseHandle(m);
    CloseHandle(f);

    m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT,
                           (DWORD)(FAULT_SIZE >> 32), (DWORD)FAULT_SIZE, NULL);
    volatile char *q = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!q)
        die("fault view");
    t0 = now_ns();
    for (size_t i = 0; i < FAULT_SIZE; i += 4096)
        q[i] = 1;
    report("first_touch_faults", (FAULT_SIZE / 4096) / ((now_ns() - t0) / 1e9) / 1e6,
           "Mfaults/s");
    return 0;
}
