// CRC-32C with the CPU's own instruction (SSE 4.2's crc32, 8 bytes a step) where there is one: the
// Spool module checksums every delivery it writes and every one it reads back, and its table-driven
// Swift loop costs about five instructions a byte. Header only: nothing to link.
#ifndef WINKHOOK_CCHECKSUM_SHIM_H
#define WINKHOOK_CCHECKSUM_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

// Whether this CPU has the crc32 instruction (CPUID leaf 1, ECX bit 20).
static inline int winkhook_crc32c_hardware(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & bit_SSE4_2) != 0;
}

// The CRC register after `bytes`, from `crc` (no inversion before or after, as the table-driven loop).
__attribute__((target("sse4.2"))) static inline uint32_t winkhook_crc32c_update(
    uint32_t crc, const uint8_t *bytes, size_t count) {
    uint64_t wide = crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *bytes);
        bytes += 1;
        count -= 1;
    }
    return narrow;
}
#else
// No instruction here: `winkhook_crc32c_hardware` says so, and Spool never calls the update below.
static inline int winkhook_crc32c_hardware(void) { return 0; }
static inline uint32_t winkhook_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;
}
#endif

#endif
