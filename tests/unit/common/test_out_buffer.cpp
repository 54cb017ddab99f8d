#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "common/out_buffer.hpp"

using common::OutBuffer;

namespace {

// Numbers of every digit count and around every power of ten, plus random ones.
std::vector<std::uint64_t> test_numbers() {
    std::vector<std::uint64_t> v = {0, 1, 9, 10, 99, 100, ~std::uint64_t{0}};
    for (std::uint64_t p = 1; p <= 1000000000000000000ULL; p *= 10) {
        v.push_back(p - 1);
        v.push_back(p);
        v.push_back(p + 1);
        v.push_back(p * 9);
    }
    v.push_back(10000000000000000000ULL);
    v.push_back(10000000000000000000ULL - 1);
    std::uint64_t x = 88172645463325252ULL;
    for (int n = 0; n < 5000; ++n) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
        v.push_back(x >> (n % 64));
    }
    return v;
}

}  // namespace

TEST_CASE("out buffer: decimal numbers like printf %llu and %lld") {
    for (std::uint64_t v : test_numbers()) {
        OutBuffer out;
        out.put_u64(v);
        out.put(' ');
        out.put_i64(static_cast<std::int64_t>(v));
        char buf[64];
        std::snprintf(buf, sizeof buf, "%llu %lld", static_cast<unsigned long long>(v), static_cast<long long>(v));
        INFO(v);
        REQUIRE(out.view() == buf);
        REQUIRE(OutBuffer::decimal_digits(v) == std::to_string(v).size());
    }
}

TEST_CASE("out buffer: 32-bit hex like printf %08x") {
    for (std::uint64_t v : test_numbers()) {
        auto x = static_cast<std::uint32_t>(v ^ v >> 32);
        OutBuffer out;
        out.put_hex32(x);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%08x", x);
        INFO(x);
        REQUIRE(out.view() == buf);
    }
}

TEST_CASE("out buffer: times are seconds, a dot and the padded fraction") {
    for (std::uint64_t v : test_numbers()) {
        for (int digits : {0, 6, 9}) {
            std::uint64_t frac = v % 1000000000;
            OutBuffer out;
            out.put_time(v, frac, digits);
            char buf[80];
            std::snprintf(buf, sizeof buf, "%llu.%0*llu", static_cast<unsigned long long>(v), digits,
                          static_cast<unsigned long long>(frac));
            INFO(v << " digits " << digits);
            REQUIRE(out.view() == buf);
        }
    }
}

TEST_CASE("out buffer: hex of every length from 0 to 70 bytes") {
    std::vector<std::uint8_t> bytes(70);
    for (int round = 0; round < 4; ++round) {
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + round * 70);
        for (std::size_t n = 0; n <= bytes.size(); ++n) {
            OutBuffer out;
            out.put('x');
            out.put_hex(std::span(bytes.data(), n));
            std::string expect = "x";
            for (std::size_t i = 0; i < n; ++i) {
                char two[3];
                std::snprintf(two, sizeof two, "%02x", bytes[i]);
                expect += two;
            }
            REQUIRE(out.view() == expect);
        }
    }
}
