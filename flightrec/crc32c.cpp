#include "crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace flightrec {
namespace {

constexpr std::uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

using Table = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Table make_table() {
  Table t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t i = 0; i < 256; ++i)
    for (std::size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
  return t;
}

constexpr Table kTable = make_table();

std::uint32_t crc32c_soft(std::uint32_t crc, const unsigned char* p, std::size_t n) noexcept {
  crc = ~crc;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= crc;
    crc = kTable[7][w & 0xFF] ^ kTable[6][(w >> 8) & 0xFF] ^ kTable[5][(w >> 16) & 0xFF] ^
          kTable[4][(w >> 24) & 0xFF] ^ kTable[3][(w >> 32) & 0xFF] ^
          kTable[2][(w >> 40) & 0xFF] ^ kTable[1][(w >> 48) & 0xFF] ^ kTable[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kTable[0][(crc ^ *p++) & 0xFFu];
  return ~crc;
}

// Kept out of line: its stack frame is not set up on the hardware path.
[[gnu::noinline]] std::uint32_t crc32c_words_copy_soft(std::uint64_t w0, std::uint64_t w1,
                                                       std::uint64_t w2, void* dst, const void* src,
                                                       std::size_t len) noexcept {
  unsigned char b[24];
  const std::uint64_t w[3] = {w0, w1, w2};
  for (std::size_t i = 0; i < 24; ++i) b[i] = static_cast<unsigned char>(w[i / 8] >> (8 * (i % 8)));
  const std::uint32_t crc = crc32c_soft(0, b, sizeof b);
  if (len > 0) std::memcpy(dst, src, len);
  return crc32c_soft(crc, static_cast<const unsigned char*>(dst), len);
}

#if defined(__x86_64__)
// The last n < 8 bytes in at most three instructions rather than one per byte; with
// kCopy, each word is also stored to `d` while in a register (a memcpy of a variable
// n < 8 is a byte loop).
template <bool kCopy>
__attribute__((target("sse4.2"))) inline std::uint32_t crc32c_hw_tail(std::uint32_t c,
                                                                     const unsigned char* p,
                                                                     std::size_t n,
                                                                     unsigned char* d = nullptr) noexcept {
  if (n & 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    if constexpr (kCopy) {
      std::memcpy(d, &w, 4);
      d += 4;
    }
    c = _mm_crc32_u32(c, w);
    p += 4;
  }
  if (n & 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    if constexpr (kCopy) {
      std::memcpy(d, &w, 2);
      d += 2;
    }
    c = _mm_crc32_u16(c, w);
    p += 2;
  }
  if (n & 1) {
    if constexpr (kCopy) *d = *p;
    c = _mm_crc32_u8(c, *p);
  }
  return c;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_hw(std::uint32_t crc,
                                                          const unsigned char* p,
                                                          std::size_t n) noexcept {
  std::uint64_t c = ~crc;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
  return ~crc32c_hw_tail<false>(static_cast<std::uint32_t>(c), p, n);
}

// One pass: each word is stored to `d` and folded into the CRC while it is in a register.
__attribute__((target("sse4.2"))) inline std::uint32_t crc32c_copy_hw(std::uint32_t crc, unsigned char* d,
                                                               const unsigned char* s,
                                                               std::size_t n) noexcept {
  std::uint64_t c = ~crc;
  // 32 bytes a turn: fewer loop instructions per word (a 100-byte line is three turns).
  while (n >= 32) {
    std::uint64_t w0, w1, w2, w3;
    std::memcpy(&w0, s, 8);
    std::memcpy(&w1, s + 8, 8);
    std::memcpy(&w2, s + 16, 8);
    std::memcpy(&w3, s + 24, 8);
    std::memcpy(d, &w0, 8);
    std::memcpy(d + 8, &w1, 8);
    std::memcpy(d + 16, &w2, 8);
    std::memcpy(d + 24, &w3, 8);
    c = _mm_crc32_u64(c, w0);
    c = _mm_crc32_u64(c, w1);
    c = _mm_crc32_u64(c, w2);
    c = _mm_crc32_u64(c, w3);
    s += 32;
    d += 32;
    n -= 32;
  }
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, s, 8);
    std::memcpy(d, &w, 8);
    c = _mm_crc32_u64(c, w);
    s += 8;
    d += 8;
    n -= 8;
  }
  return ~crc32c_hw_tail<true>(static_cast<std::uint32_t>(c), s, n, d);
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_words_copy_hw(
    std::uint64_t w0, std::uint64_t w1, std::uint64_t w2, unsigned char* d,
    const unsigned char* s, std::size_t n) noexcept {
  std::uint64_t c = 0xFFFFFFFFu;
  c = _mm_crc32_u64(c, w0);
  c = _mm_crc32_u64(c, w1);
  c = _mm_crc32_u64(c, w2);
  return crc32c_copy_hw(~static_cast<std::uint32_t>(c), d, s, n);
}

const bool kHaveSse42 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}();
#endif

}  // namespace

std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t len) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
#if defined(__x86_64__)
  if (kHaveSse42) return crc32c_hw(crc, p, len);
#endif
  return crc32c_soft(crc, p, len);
}

std::uint32_t crc32c_copy(std::uint32_t crc, void* dst, const void* src, std::size_t len) noexcept {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
#if defined(__x86_64__)
  if (kHaveSse42) return crc32c_copy_hw(crc, d, s, len);
#endif
  if (len > 0) std::memcpy(d, s, len);
  return crc32c_soft(crc, d, len);
}

std::uint32_t crc32c_words_copy(std::uint64_t w0, std::uint64_t w1, std::uint64_t w2, void* dst,
                                const void* src, std::size_t len) noexcept {
#if defined(__x86_64__)
  if (kHaveSse42)
    return crc32c_words_copy_hw(w0, w1, w2, static_cast<unsigned char*>(dst),
                                static_cast<const unsigned char*>(src), len);
#endif
  return crc32c_words_copy_soft(w0, w1, w2, dst, src, len);
}

std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t len) noexcept {
  return crc32c_soft(crc, static_cast<const unsigned char*>(data), len);
}

}  // namespace flightrec
