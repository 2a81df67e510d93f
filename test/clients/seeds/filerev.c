/* The core of seed 002's FileRev: map a copy of a file, terminate its text with a zero
 * past the end, decide with IsTextUnicode whether it is UTF-16, reverse it in place with
 * _strrev or _wcsrev (through _tcsrev's two forms), then cut the zero off again.
 * Usage: filerev FILE */
#include <windows.h>
#include <stdio.h>
#include <tchar.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 1;
    HANDLE hFile = CreateFileA(argv[1], GENERIC_WRITE | GENERIC_READ, 0, NULL, OPEN_EXISTING,
                               FILE_ATTRIBUTE_NORMAL, NULL);
    if (hFile == INVALID_HANDLE_VALUE)
        return 2;
    DWORD dwFileSize = GetFileSize(hFile, NULL);
    /* Room for a terminating zero of either width. */
    HANDLE hFileMap = CreateFileMapping(hFile, NULL, PAGE_READWRITE, 0,
                                        dwFileSize + sizeof(WCHAR), NULL);
    if (hFileMap == NULL)
        return 3;
    PVOID pvFile = MapViewOfFile(hFileMap, FILE_MAP_WRITE, 0, 0, 0);
    if (pvFile == NULL)
        return 4;
    int iUnicodeTestFlags = -1; /* every test */
    BOOL bIsTextUnicode = IsTextUnicode(pvFile, (int)dwFileSize, &iUnicodeTestFlags);
    if (!bIsTextUnicode) {
        PSTR pchANSI = (PSTR)pvFile;
        pchANSI[dwFileSize / sizeof(CHAR)] = 0;
        _strrev(pchANSI);
    } else {
        PWSTR pchUnicode = (PWSTR)pvFile;
        pchUnicode[dwFileSize / sizeof(WCHAR)] = 0;
        if ((iUnicodeTestFlags & IS_TEXT_UNICODE_SIGNATURE) != 0)
            pchUnicode++; /* the byte order mark stays first */
        _wcsrev(pchUnicode);
    }
    UnmapViewOfFile(pvFile);
    CloseHandle(hFileMap);
    /* Cut the terminating zero off. */
    SetFilePointer(hFile, (LONG)dwFileSize, NULL, FILE_BEGIN);
    SetEndOfFile(hFile);
    CloseHandle(hFile);
    printf("%s\n", bIsTextUnicode ? "unicode" : "ansi");
    return 0;
}
