// CRC-32C (Castagnoli), as used by iSCSI and ext4: hardware instruction when the CPU has
// SSE4.2, a slicing-by-8 table otherwise. Check value: crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flightrec {

// Continues a CRC: pass the previous result as `crc` (0 to start).
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t len) noexcept;

// Copies `len` bytes from `src` to `dst` (not overlapping) and continues `crc` over them,
// in one pass over the bytes. Same result as memcpy followed by crc32c.
std::uint32_t crc32c_copy(std::uint32_t crc, void* dst, const void* src, std::size_t len) noexcept;

// CRC-32C (from 0) of the 24 bytes w0, w1, w2 (each little-endian) followed by `len`
// bytes of `src`, which are copied to `dst` in the same pass. For a record header whose
// fields are in registers: no store to memory and load back before the checksum.
std::uint32_t crc32c_words_copy(std::uint64_t w0, std::uint64_t w1, std::uint64_t w2, void* dst,
                                const void* src, std::size_t len) noexcept;

// The table-driven version, whatever the CPU: for tests that compare the two.
std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t len) noexcept;

}  // namespace flightrec
