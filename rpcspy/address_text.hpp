// IPv4 and IPv6 addresses as text, without the C library's printf machinery
// (inet_ntop formats through vfprintf, a fifth of rpcspy's time on small
// records). The text is exactly inet_ntop's on glibc: dotted decimal for IPv4;
// for IPv6 the RFC 5952 form (lower-case hex without leading zeros, the longest
// run of two or more zero groups -- the first of equal runs -- written "::"),
// with the last 32 bits in dotted decimal for IPv4-mapped (::ffff:a.b.c.d) and
// IPv4-compatible (::a.b.c.d) addresses.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rpcspy {

// Longest texts, without a terminating NUL.
inline constexpr std::size_t kIpv4TextMax = 15;  // 255.255.255.255
// 8 groups of 4 digits; a dotted tail comes only after 5 zero groups
// ("::ffff:255.255.255.255", 22).
inline constexpr std::size_t kIpv6TextMax = 39;

// Writes the 4 bytes at `addr` from `out`; returns the end of the text.
char* put_ipv4_text(const std::uint8_t* addr, char* out);
// Writes the 16 bytes at `addr` from `out`; returns the end of the text.
char* put_ipv6_text(const std::uint8_t* addr, char* out);

}  // namespace rpcspy
