/* The client of seed 003's pair: opens the name, maps it, shows the message (printed,
 * where the sample's MessageBox would show it). */
#include <windows.h>
#include <stdio.h>
#include <conio.h>
#include <tchar.h>

#define BUF_SIZE 256
TCHAR szName[] = TEXT("Global\\MyFileMappingObject");

int _tmain(void)
{
    HANDLE hMapFile;
    LPCTSTR pBuf;

    hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName);
    if (hMapFile == NULL) {
        _tprintf(TEXT("Could not open file mapping object (%d).\n"), GetLastError());
        return 1;
    }
    pBuf = (LPTSTR)MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE);
    if (pBuf == NULL) {
        _tprintf(TEXT("Could not map view of file (%d).\n"), GetLastError());
        CloseHandle(hMapFile);
        return 1;
    }
    _tprintf(TEXT("%s\n"), pBuf);
    UnmapViewOfFile(pBuf);
    CloseHandle(hMapFile);
    return 0;
}
