// CRC-32C (Castagnoli), as used by iSCSI and ext4: hardware instruction when the CPU has
// SSE4.2, a slicing-by-8 table otherwise. Check value: crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flightrec {

// Continues a CRC: pass the previous result as `crc` (0 to start).
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t len) noexcept;

}  // namespace flightrec
