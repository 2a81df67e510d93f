/* The SEC_RESERVE fault handler resolves only pages committed elsewhere: a touch of an
 * uncommitted page, or a write to a read-only one, still kills the process as Linux would. */
#include <signal.h>

#include "../test.h"

CHILD(touch_reserved)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
                                  65536, NULL);
    unsigned char *v = m ? MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0) : NULL;
    if (!v || !VirtualAlloc(v, 4096, MEM_COMMIT, PAGE_READONLY))
        return 10;
    volatile unsigned char *p = v;
    if (arg[0] == 'r')
        return p[8192]; /* uncommitted */
    p[0] = 1;           /* committed read-only */
    return 11;
}

/* Under a sanitizer the fault reaches its handler (chained to), which reports and exits. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FAULT_EXIT(code) ((code) != 0 && (code) != 10 && (code) != 11)
#else
/* A process killed by SIGSEGV ends with Windows' STATUS_ACCESS_VIOLATION. */
#define FAULT_EXIT(code) ((DWORD)(code) == 0xC0000005u)
#endif

TEST(reserve_handler_leaves_real_faults_alone)
{
    struct child c;
    start_child(&c, "touch_reserved", "read-uncommitted");
    int code = wait_child(&c, 20000);
    ASSERT(FAULT_EXIT(code));
    start_child(&c, "touch_reserved", "write-readonly");
    code = wait_child(&c, 20000);
    ASSERT(FAULT_EXIT(code));
}
