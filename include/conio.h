/* <conio.h>: a key from the console, without waiting for Enter (on a terminal). */
#ifndef MMF_CONIO_H
#define MMF_CONIO_H

#include <mmf/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

MMF_API int _getch(void);
MMF_API int _getche(void);
MMF_API int _kbhit(void);

#ifdef __cplusplus
}
#endif

#endif
