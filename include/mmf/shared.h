/* MMF_SHARED: a variable of a Linux program or shared library that is one variable for
 * every running instance of the same binary file, as a Windows program's shared section
 * (#pragma data_seg + /SECTION:name,RWS, or mingw-w64's section(".shared"), shared) is:
 *
 *     static volatile LONG instances MMF_SHARED = 0;
 *
 * The first instance starts from the value in the binary; later ones see the current
 * value; when the last instance ends (kill -9 included), the next first one starts from
 * the binary again. Instances of one user share; another user's have their own set. Such
 * variables live in their own pages (section "mmf_shared"), which mmf's linker script
 * lays out — link with `pkg-config --libs mmf`. A constructor in every file that includes
 * <windows.h> hands the module's section to mmf before main (or when dlopen loads it).
 * Pointers stored there mean nothing to another instance: each maps the binary where it
 * will (as on Windows). */
#ifndef MMF_SHARED_H
#define MMF_SHARED_H

#include <mmf/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMF_SHARED __attribute__((section("mmf_shared"), used))

/* Makes [start, stop) — a module's "mmf_shared" section, whole pages — the instances'
 * shared set, once per section; detach lets the set go as the module goes (its pages go
 * with it). The constructor and destructor below call them. */
MMF_API void mmf_shared_attach(void *start, void *stop);
MMF_API void mmf_shared_detach(void *start);

/* In programs and their libraries (not in mmf's own files): the module's own bounds
 * (hidden: each executable and library has its own; absent, it has no such variable). */
#ifndef MMF__LIBRARY
extern char __start_mmf_shared[] __attribute__((weak, visibility("hidden")));
extern char __stop_mmf_shared[] __attribute__((weak, visibility("hidden")));

/* Priority 101, the first a program may use: before other constructors read the values. */
__attribute__((constructor(101), used)) static void mmf__shared_module(void)
{
    if ((char *)__start_mmf_shared != (char *)__stop_mmf_shared)
        mmf_shared_attach(__start_mmf_shared, __stop_mmf_shared);
}

__attribute__((destructor(101), used)) static void mmf__shared_module_end(void)
{
    if ((char *)__start_mmf_shared != (char *)__stop_mmf_shared)
        mmf_shared_detach(__start_mmf_shared);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
