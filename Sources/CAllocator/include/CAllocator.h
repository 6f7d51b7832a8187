// The one call Switchboard makes into the C allocator's settings.
#ifndef CALLOCATOR_H
#define CALLOCATOR_H

#include <stddef.h>

/// Makes every allocation of at least `bytes` a mapping of its own, with glibc's malloc; does
/// nothing with another C library.
void callocator_map_blocks_from(size_t bytes);

#endif
