#include "CHeapInfo.h"
#if defined(__linux__)
#include <malloc.h>  // includes features.h, which defines __GLIBC__ on glibc
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
size_t cheapinfo_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    // uordblks: bytes in use in the main arena's heap; hblkhd: bytes in blocks malloc took
    // straight from mmap (large dictionary and array buffers land there).
    return info.uordblks + info.hblkhd;
}
#else
size_t cheapinfo_heap_in_use(void) { return 0; }
#endif
