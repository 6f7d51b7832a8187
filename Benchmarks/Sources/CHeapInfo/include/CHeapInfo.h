// glibc's heap statistics, which Swift's Glibc module does not import (it leaves out malloc.h).
#ifndef CHEAPINFO_H
#define CHEAPINFO_H
#include <stddef.h>

/// Bytes the allocator has handed out and not had back: `mallinfo2()`'s `uordblks + hblkhd` on glibc
/// (2.33 or later), 0 elsewhere.
size_t cheapinfo_heap_in_use(void);

#endif
