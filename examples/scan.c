/* scan: reads a file of any size (past 4 GiB) through sliding 64 MiB views: bytes, lines
 * and an FNV-1a checksum. On a terminal it shows a progress bar on stderr.
 * Usage: scan FILE   A plain Win32 program. */
#include <stdio.h>
#include <windows.h>
#ifdef _WIN32
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <unistd.h>
#endif

#define WINDOW (64ull << 20) /* a multiple of the 64 KiB granularity */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: scan FILE\n");
        return 2;
    }
    HANDLE file = CreateFileA(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0,
                              NULL);
    LARGE_INTEGER size;
    if (file == INVALID_HANDLE_VALUE || !GetFileSizeEx(file, &size)) {
        fprintf(stderr, "scan: cannot open %s (error %lu)\n", argv[1],
                (unsigned long)GetLastError());
        return 1;
    }
    ULONGLONG total = (ULONGLONG)size.QuadPart, lines = 0, hash = 0xCBF29CE484222325ull;
    HANDLE map = total ? CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL) : NULL;
    if (total && !map) {
        fprintf(stderr, "scan: cannot map %s (error %lu)\n", argv[1],
                (unsigned long)GetLastError());
        return 1;
    }
    int bar = isatty(fileno(stderr));
    for (ULONGLONG off = 0; off < total; off += WINDOW) {
        SIZE_T len = (SIZE_T)(total - off < WINDOW ? total - off : WINDOW);
        const unsigned char *p =
            MapViewOfFile(map, FILE_MAP_READ, (DWORD)(off >> 32), (DWORD)off, len);
        if (!p) {
            fprintf(stderr, "scan: cannot view at %llu (error %lu)\n", off,
                    (unsigned long)GetLastError());
            return 1;
        }
        for (SIZE_T i = 0; i < len; i++) {
            lines += p[i] == '\n';
            hash = (hash ^ p[i]) * 0x100000001B3ull;
        }
        UnmapViewOfFile(p);
        if (bar) {
            int done = (int)((off + len) * 40 / total);
            fprintf(stderr, "\r[%-40.*s] %3d%%", done, "########################################",
                    (int)((off + len) * 100 / total));
        }
    }
    if (bar && total)
        fputc('\n', stderr);
    printf("%s: %llu bytes, %llu lines, fnv1a %016llx\n", argv[1], total, lines, hash);
    if (map)
        CloseHandle(map);
    CloseHandle(file);
    return 0;
}
