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

// The table-driven version, whatever the CPU: for tests that compare the two.
std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t len) noexcept;

}  // namespace flightrec
