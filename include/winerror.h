#include <mmf/wintypes.h>
#include <mmf/winerror.h>
