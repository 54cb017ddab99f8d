// The link-layer types rpcspy decodes (pcap LINKTYPE_ values), indexed by a
// fuzz input byte.
#pragma once

#include <cstdint>

namespace fuzz {

// EN10MB, LINUX_SLL, LINUX_SLL2, RAW (101), NULL, LOOP, IPV4, IPV6, RAW (12), RAW (14).
inline constexpr int kLinkTypes[] = {1, 113, 276, 101, 0, 108, 228, 229, 12, 14};
inline constexpr unsigned kLinkTypeCount = sizeof kLinkTypes / sizeof kLinkTypes[0];

// Byte values below kLinkTypeCount pick that link type; others pick an index modulo
// 16 (the indices above the table are unsupported types, to cover that path too).
inline int link_type(std::uint8_t b) {
    const unsigned i = b & 0x0f;
    return i < kLinkTypeCount ? kLinkTypes[i] : 1000 + static_cast<int>(i);
}

}  // namespace fuzz
