/* filerev: reverses a file in place, the classic Win32 mapping example, through views that
 * slide over the file from both ends, so files larger than memory work too.
 * Usage: filerev FILE [--chunk N]   (N bytes per view, default 64 MiB)
 * A plain Win32 program: it builds against mmf's <windows.h> or a real one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#define GRANULARITY 65536

static int fail(const char *what, const char *name)
{
    char msg[256] = "";
    DWORD err = GetLastError();
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, msg,
                   sizeof msg, NULL);
    fprintf(stderr, "filerev: %s %s: error %lu: %s", what, name, (unsigned long)err, msg);
    return 1;
}

/* A writable view covering [off, end); returns the address of off, *view the view. */
static unsigned char *view_of(HANDLE map, ULONGLONG off, ULONGLONG end, void **view)
{
    ULONGLONG base = off & ~(ULONGLONG)(GRANULARITY - 1);
    *view = MapViewOfFile(map, FILE_MAP_WRITE, (DWORD)(base >> 32), (DWORD)base,
                          (SIZE_T)(end - base));
    return *view ? (unsigned char *)*view + (off - base) : NULL;
}

static void reverse(unsigned char *a, unsigned char *b, ULONGLONG n) /* a[i] <-> b[n-1-i] */
{
    for (ULONGLONG i = 0; i < n && a + i < b + n - 1 - i; i++) {
        unsigned char t = a[i];
        a[i] = b[n - 1 - i];
        b[n - 1 - i] = t;
    }
}

int main(int argc, char **argv)
{
    ULONGLONG chunk = 64ull << 20;
    if (argc == 4 && strcmp(argv[2], "--chunk") == 0)
        chunk = strtoull(argv[3], NULL, 0);
    if ((argc != 2 && argc != 4) || chunk == 0) {
        fprintf(stderr, "usage: filerev FILE [--chunk BYTES]\n");
        return 2;
    }
    HANDLE file = CreateFileA(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return fail("cannot open", argv[1]);
    LARGE_INTEGER size;
    if (!GetFileSizeEx(file, &size))
        return fail("cannot size", argv[1]);
    if (size.QuadPart < 2) {
        CloseHandle(file);
        printf("%s: %lld bytes, nothing to reverse\n", argv[1], (long long)size.QuadPart);
        return 0;
    }
    HANDLE map = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
    if (!map)
        return fail("cannot map", argv[1]);
    ULONGLONG lo = 0, hi = (ULONGLONG)size.QuadPart, views = 0;
    while (hi - lo > 1) {
        void *vf, *vb = NULL;
        if (hi - lo <= 2 * chunk) { /* the middle: one view */
            unsigned char *p = view_of(map, lo, hi, &vf);
            if (!p)
                return fail("cannot view", argv[1]);
            reverse(p, p, hi - lo);
            lo = hi;
        } else { /* a chunk from each end, swapped */
            unsigned char *front = view_of(map, lo, lo + chunk, &vf);
            unsigned char *back = front ? view_of(map, hi - chunk, hi, &vb) : NULL;
            if (!back)
                return fail("cannot view", argv[1]);
            for (ULONGLONG i = 0; i < chunk; i++) {
                unsigned char t = front[i];
                front[i] = back[chunk - 1 - i];
                back[chunk - 1 - i] = t;
            }
            lo += chunk, hi -= chunk;
        }
        FlushViewOfFile(vf, 0);
        UnmapViewOfFile(vf);
        if (vb) {
            FlushViewOfFile(vb, 0);
            UnmapViewOfFile(vb);
        }
        views++;
    }
    CloseHandle(map);
    CloseHandle(file);
    printf("%s: reversed %lld bytes in place (%llu view step%s)\n", argv[1],
           (long long)size.QuadPart, views, views == 1 ? "" : "s");
    return 0;
}
