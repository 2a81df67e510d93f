/* <malloc.h>: the C library's, and the Microsoft runtime's aligned blocks. */
#ifndef MMF_MALLOC_H
#define MMF_MALLOC_H

#include_next <malloc.h>
#include <mmf/crt.h>

#endif
