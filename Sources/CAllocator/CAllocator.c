#include "CAllocator.h"

// <stdlib.h> brings in the C library's own headers, which define __GLIBC__ on glibc.
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void callocator_map_blocks_from(size_t bytes) {
#if defined(__GLIBC__)
    // A fixed threshold also turns off glibc's raising of it each time a mapped block is freed.
    mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    (void)bytes;
#endif
}
