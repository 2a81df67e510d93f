/* filerev: reverse a file in place through one view, the classic Win32 mapping example.
 * A plain Win32 program: it builds against mmf's <windows.h> or a real one. */
#include <stdio.h>
#include <windows.h>

static int fail(const char *what, const char *name)
{
    char msg[256] = "";
    DWORD err = GetLastError();
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, msg,
                   sizeof msg, NULL);
    fprintf(stderr, "filerev: %s %s: error %lu: %s", what, name, (unsigned long)err, msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: filerev FILE\n");
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
    unsigned char *view = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0);
    if (!view)
        return fail("cannot view", argv[1]);
    for (unsigned char *a = view, *b = view + size.QuadPart - 1; a < b; a++, b--) {
        unsigned char t = *a;
        *a = *b;
        *b = t;
    }
    if (!FlushViewOfFile(view, 0))
        return fail("cannot flush", argv[1]);
    UnmapViewOfFile(view);
    CloseHandle(map);
    CloseHandle(file);
    printf("%s: reversed %lld bytes in place\n", argv[1], (long long)size.QuadPart);
    return 0;
}
