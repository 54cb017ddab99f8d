#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "rpcspy/address_text.hpp"

using namespace rpcspy;

namespace {

using Addr6 = std::array<std::uint8_t, 16>;

std::string ours6(const Addr6& a) {
    char buf[64];
    return std::string(buf, put_ipv6_text(a.data(), buf));
}
std::string libc6(const Addr6& a) {
    char buf[INET6_ADDRSTRLEN];
    REQUIRE(inet_ntop(AF_INET6, a.data(), buf, sizeof buf) != nullptr);
    return buf;
}
Addr6 from_groups(const std::array<std::uint16_t, 8>& g) {
    Addr6 a{};
    for (std::size_t i = 0; i < 8; ++i) {
        a[2 * i] = static_cast<std::uint8_t>(g[i] >> 8);
        a[2 * i + 1] = static_cast<std::uint8_t>(g[i]);
    }
    return a;
}

}  // namespace

TEST_CASE("address text: IPv4 like inet_ntop") {
    std::mt19937 rng(4);
    for (int n = 0; n < 20000; ++n) {
        auto v = static_cast<std::uint32_t>(rng());
        std::uint8_t a[4];
        for (int i = 0; i < 4; ++i) {
            a[i] = static_cast<std::uint8_t>(v >> (8 * i));
            if (n % 3 == 0) a[i] %= 12;  // more one- and two-digit bytes
        }
        if (n == 0) a[0] = a[1] = a[2] = a[3] = 0;
        if (n == 1) a[0] = a[1] = a[2] = a[3] = 255;
        char ours[32], libc[INET_ADDRSTRLEN];
        std::string text(ours, put_ipv4_text(a, ours));
        REQUIRE(inet_ntop(AF_INET, a, libc, sizeof libc) != nullptr);
        REQUIRE(text == libc);
        REQUIRE(text.size() <= kIpv4TextMax);
    }
}

TEST_CASE("address text: IPv6 examples (RFC 5952)") {
    CHECK(ours6(from_groups({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})) == "2001:db8::1");
    CHECK(ours6(from_groups({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1})) == "2001:db8::1:0:0:1");  // first of equal runs
    CHECK(ours6(from_groups({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1})) == "2001:db8:0:1:1:1:1:1");  // one zero group
    CHECK(ours6(from_groups({0x2001, 0, 0, 1, 0, 0, 0, 1})) == "2001:0:0:1::1");  // the longer run
    CHECK(ours6(from_groups({0xfe80, 0, 0, 0, 0xa00, 0x27ff, 0xfe76, 0xce2e})) == "fe80::a00:27ff:fe76:ce2e");
    CHECK(ours6(Addr6{}) == "::");
    CHECK(ours6(from_groups({0, 0, 0, 0, 0, 0, 0, 1})) == "::1");
    CHECK(ours6(from_groups({1, 0, 0, 0, 0, 0, 0, 0})) == "1::");
    CHECK(ours6(from_groups({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201})) == "::ffff:192.0.2.1");
    CHECK(ours6(from_groups({0, 0, 0, 0, 0, 0, 0xc000, 0x0201})) == "::192.0.2.1");
    CHECK(ours6(from_groups({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff})).size() ==
          kIpv6TextMax);
}

TEST_CASE("address text: IPv6 like inet_ntop") {
    std::mt19937 rng(6);
    // Groups drawn mostly from zero, small values (leading zeros) and 0xffff, so
    // that zero runs of every length and position, v4-mapped and v4-compatible
    // forms all occur.
    const std::uint16_t pool[] = {0, 0, 0, 0, 1, 0xa, 0xab, 0xabc, 0xffff, 0x100, 0x1000, 0xfe80};
    for (int n = 0; n < 200000; ++n) {
        std::array<std::uint16_t, 8> g{};
        for (auto& x : g) x = (rng() % 4 == 0) ? static_cast<std::uint16_t>(rng()) : pool[rng() % std::size(pool)];
        Addr6 a = from_groups(g);
        INFO(libc6(a));
        REQUIRE(ours6(a) == libc6(a));
    }
    // Every pattern of zero and non-zero groups, with both kinds of tail.
    for (unsigned mask = 0; mask < 256; ++mask)
        for (std::uint16_t nz : {std::uint16_t{1}, std::uint16_t{0xffff}, std::uint16_t{0x0a0b}}) {
            std::array<std::uint16_t, 8> g{};
            for (unsigned i = 0; i < 8; ++i) g[i] = (mask >> i & 1) ? nz : 0;
            Addr6 a = from_groups(g);
            INFO(libc6(a));
            REQUIRE(ours6(a) == libc6(a));
        }
}
