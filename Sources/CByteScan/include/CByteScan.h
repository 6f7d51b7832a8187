// What Swift cannot say by itself: compare sixteen bytes at once and get one bit for each.
#ifndef CBYTESCAN_H
#define CBYTESCAN_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The sixteen bytes at `bytes` as two masks, bit i for byte i: `stops`, the bytes that end a run
/// of a CSV field (a quote, CR, LF or `delimiter`), and `high`, the bytes of 0x80 and above (none
/// in ASCII text).
typedef struct {
    uint32_t stops;
    uint32_t high;
} cbytescan_masks;

/// The masks of the sixteen bytes at `bytes`, which must all be readable.
static inline cbytescan_masks cbytescan_masks16(const uint8_t *bytes, uint8_t delimiter) {
    cbytescan_masks masks;
#if defined(__SSE2__)
    __m128i block = _mm_loadu_si128((const __m128i *)bytes);
    __m128i found = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')), _mm_cmpeq_epi8(block, _mm_set1_epi8('\r'))),
        _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(block, _mm_set1_epi8((char)delimiter))));
    masks.stops = (uint32_t)_mm_movemask_epi8(found);
    masks.high = (uint32_t)_mm_movemask_epi8(block);
#else
    uint32_t stops = 0, high = 0;
    for (int index = 0; index < 16; index++) {
        uint8_t byte = bytes[index];
        if (byte == '"' || byte == '\r' || byte == '\n' || byte == delimiter) stops |= 1u << index;
        if (byte >= 0x80) high |= 1u << index;
    }
    masks.stops = stops;
    masks.high = high;
#endif
    return masks;
}

#endif
