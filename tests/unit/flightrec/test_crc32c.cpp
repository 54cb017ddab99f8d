#include "crc32c.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

// Bit at a time, straight from the definition.
std::uint32_t reference(const unsigned char* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

}  // namespace

TEST_CASE("crc32c check value", "[crc32c]") {
  const std::string s = "123456789";
  CHECK(flightrec::crc32c(0, s.data(), s.size()) == 0xE3069283u);
  CHECK(flightrec::crc32c(0, "", 0) == 0u);
}

TEST_CASE("crc32c matches the bitwise definition at every length and alignment", "[crc32c]") {
  std::vector<unsigned char> buf(300);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<unsigned char>(i * 131 + 7);
  for (std::size_t off = 0; off < 8; ++off)
    for (std::size_t n = 0; n + off <= buf.size(); n += 13)
      REQUIRE(flightrec::crc32c(0, buf.data() + off, n) == reference(buf.data() + off, n));
}

TEST_CASE("crc32c continues across pieces", "[crc32c]") {
  const std::string s = "the quick brown fox jumps over the lazy dog";
  const auto whole = flightrec::crc32c(0, s.data(), s.size());
  for (std::size_t cut = 0; cut <= s.size(); ++cut) {
    const auto a = flightrec::crc32c(0, s.data(), cut);
    REQUIRE(flightrec::crc32c(a, s.data() + cut, s.size() - cut) == whole);
  }
}
