#include "crc32c.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
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

TEST_CASE("crc32c: the RFC 3720 (iSCSI) vectors, both implementations", "[crc32c]") {
  std::vector<unsigned char> zeros(32, 0), ones(32, 0xFF), up(32), down(32);
  for (std::size_t i = 0; i < 32; ++i) {
    up[i] = static_cast<unsigned char>(i);
    down[i] = static_cast<unsigned char>(31 - i);
  }
  for (auto f : {&flightrec::crc32c, &flightrec::crc32c_portable}) {
    CHECK(f(0, zeros.data(), 32) == 0x8A9136AAu);
    CHECK(f(0, ones.data(), 32) == 0x62A8AB43u);
    CHECK(f(0, up.data(), 32) == 0x46DD794Eu);
    CHECK(f(0, down.data(), 32) == 0x113FDB5Cu);
    CHECK(f(0, "123456789", 9) == 0xE3069283u);
  }
}

TEST_CASE("crc32c: the hardware path and the table agree at every short length", "[crc32c]") {
  std::vector<unsigned char> buf(200);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<unsigned char>(i * 37 + 11);
  for (std::size_t off = 0; off < 8; ++off)
    for (std::size_t n = 0; n + off <= 150; ++n) {
      const std::uint32_t seed = static_cast<std::uint32_t>(n * 2654435761u);
      REQUIRE(flightrec::crc32c(seed, buf.data() + off, n) ==
              flightrec::crc32c_portable(seed, buf.data() + off, n));
    }
}

TEST_CASE("crc32c_copy copies and gives the crc32c of what it copied", "[crc32c]") {
  std::vector<unsigned char> src(200), dst(220);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i * 91 + 3);
  for (std::size_t off = 0; off < 8; ++off)
    for (std::size_t n = 0; n + off <= 150; ++n) {
      std::fill(dst.begin(), dst.end(), 0xA5);
      const auto c = flightrec::crc32c_copy(0x1234u, dst.data() + off, src.data() + off, n);
      REQUIRE(c == flightrec::crc32c(0x1234u, src.data() + off, n));
      REQUIRE(std::equal(src.begin() + off, src.begin() + off + n, dst.begin() + off));
      REQUIRE(dst[off + n] == 0xA5);  // not a byte more
    }
}

TEST_CASE("crc32c_words_copy is the crc32c of the words' bytes, then of the copy", "[crc32c]") {
  const std::uint64_t w[3] = {0x0102030405060708u, 0xF0E0D0C0B0A09080u, 0x1122334455667788u};
  unsigned char bytes[24 + 40];
  for (std::size_t i = 0; i < 24; ++i) bytes[i] = static_cast<unsigned char>(w[i / 8] >> (8 * (i % 8)));
  for (std::size_t i = 0; i < 40; ++i) bytes[24 + i] = static_cast<unsigned char>(i * 7 + 1);
  for (std::size_t n = 0; n <= 40; ++n) {
    unsigned char dst[41] = {};
    const auto c = flightrec::crc32c_words_copy(w[0], w[1], w[2], dst, bytes + 24, n);
    REQUIRE(c == flightrec::crc32c_portable(0, bytes, 24 + n));
    REQUIRE(std::equal(bytes + 24, bytes + 24 + n, dst));
  }
}
