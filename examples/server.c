/* server: reads lines from stdin and hands each to the client through a named section,
 * taking turns with it through two named events. A plain Win32 program. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "shared.h"

static int fail(const char *what)
{
    fprintf(stderr, "server: %s failed (error %lu)\n", what, (unsigned long)GetLastError());
    return 1;
}

int main(void)
{
    /* The events first: a client that finds the section finds them too. */
    HANDLE ready = CreateEventA(NULL, FALSE, FALSE, READY_NAME);
    HANDLE done = CreateEventA(NULL, FALSE, FALSE, DONE_NAME);
    if (!ready || !done)
        return fail("CreateEvent");
    HANDLE map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                    sizeof(struct line_box), SECTION_NAME);
    if (!map)
        return fail("CreateFileMapping");
    struct line_box *box = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0);
    if (!box)
        return fail("MapViewOfFile");
    printf("server: created %s and its events; waiting for lines on stdin\n", SECTION_NAME);
    fflush(stdout);
    char line[sizeof box->text];
    for (;;) {
        BOOL more = fgets(line, sizeof line, stdin) != NULL;
        if (more) {
            line[strcspn(line, "\n")] = 0;
            box->length = (LONG)strlen(line);
            memcpy(box->text, line, (size_t)box->length + 1);
            printf("server: sent \"%s\"\n", line);
        } else {
            box->length = -1;
            printf("server: end of input, telling the client\n");
        }
        fflush(stdout);
        SetEvent(ready);
        if (WaitForSingleObject(done, 10000) != WAIT_OBJECT_0) {
            fprintf(stderr, "server: the client did not answer\n");
            return 1;
        }
        if (!more)
            break;
    }
    UnmapViewOfFile(box);
    CloseHandle(map);
    CloseHandle(ready);
    CloseHandle(done);
    return 0;
}
