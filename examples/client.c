/* client: opens the server's named section and events (waiting for the server to make
 * them), and prints each line it is handed. A plain Win32 program. */
#include <stdio.h>
#include <windows.h>

#include "shared.h"

int main(void)
{
    /* Waits (up to ten seconds) for the server to make its section and events. */
    HANDLE map = NULL, ready = NULL, done = NULL;
    for (int tries = 0; !map || !ready || !done; tries++) {
        if (!ready)
            ready = OpenEventA(SYNCHRONIZE, FALSE, READY_NAME);
        if (!done)
            done = OpenEventA(EVENT_MODIFY_STATE, FALSE, DONE_NAME);
        if (!map)
            map = OpenFileMappingA(FILE_MAP_READ, FALSE, SECTION_NAME);
        if (map && ready && done)
            break;
        if (GetLastError() != ERROR_FILE_NOT_FOUND || tries > 1000) {
            fprintf(stderr, "client: no server (error %lu)\n", (unsigned long)GetLastError());
            return 1;
        }
        Sleep(10);
    }
    const struct line_box *box = MapViewOfFile(map, FILE_MAP_READ, 0, 0, 0);
    if (!box) {
        fprintf(stderr, "client: cannot open the events or the view (error %lu)\n",
                (unsigned long)GetLastError());
        return 1;
    }
    printf("client: connected to %s\n", SECTION_NAME);
    fflush(stdout);
    for (int n = 1;; n++) {
        if (WaitForSingleObject(ready, INFINITE) != WAIT_OBJECT_0)
            return 1;
        LONG length = box->length;
        if (length < 0) {
            printf("client: the server is done after %d lines\n", n - 1);
            SetEvent(done);
            break;
        }
        printf("client: line %d: \"%.*s\"\n", n, (int)length, box->text);
        fflush(stdout);
        SetEvent(done);
    }
    UnmapViewOfFile(box);
    CloseHandle(map);
    CloseHandle(ready);
    CloseHandle(done);
    return 0;
}
