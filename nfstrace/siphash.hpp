// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012):
// a keyed 64-bit hash, used by nfstrace for anonymization (a path component or a
// number maps to the same value under the same key, and reveals nothing without
// the key) and for short stable file ids.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace nfstrace {

struct SipKey {
    std::uint64_t k0 = 0;
    std::uint64_t k1 = 0;
};

// The key as 16 bytes k[0..15] (k0 = bytes 0..7 little-endian, k1 = 8..15).
SipKey sip_key_from_bytes(std::span<const std::uint8_t, 16> bytes);

std::uint64_t siphash24(const SipKey& key, std::span<const std::uint8_t> data);
std::uint64_t siphash24(const SipKey& key, std::string_view data);

}  // namespace nfstrace
