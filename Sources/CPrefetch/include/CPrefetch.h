// A hint Swift cannot give by itself: fetch this memory into the caches ahead of its use.
#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the processor to bring the cache line holding `address` in for reading, without waiting
/// for it; a hint only, which never faults, whatever the address.
static inline void cprefetch_read(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#else
    (void)address;
#endif
}

#endif
