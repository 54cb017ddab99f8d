#include <catch2/catch.hpp>

#include <vector>

#include "common/xdr.hpp"

using common::XdrCursor;
using common::XdrError;

namespace {
std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}
}  // namespace

TEST_CASE("xdr: integers are big-endian", "[xdr]") {
    auto b = bytes({0, 0, 0, 7, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 1, 0, 0, 0, 2});
    XdrCursor c(b);
    CHECK(c.u32() == 7);
    CHECK(c.i32() == -2);
    CHECK(c.u64() == 0x0000000100000002ULL);
    CHECK(c.ok());
    CHECK(c.remaining() == 0);
    CHECK(c.offset() == 16);
}

TEST_CASE("xdr: reading past the end is truncated and sticky", "[xdr]") {
    auto b = bytes({0, 0, 0, 1, 0, 0});
    XdrCursor c(b);
    CHECK(c.u32() == 1);
    CHECK(c.u32() == 0);
    CHECK(c.error() == XdrError::Truncated);
    CHECK(c.u32() == 0);  // still failed, returns zero
    CHECK(c.error() == XdrError::Truncated);
    CHECK(c.remaining() == 0);
}

TEST_CASE("xdr: bool other than 0 or 1 is malformed", "[xdr]") {
    auto b = bytes({0, 0, 0, 1, 0, 0, 0, 2});
    XdrCursor c(b);
    CHECK(c.boolean());
    c.boolean();
    CHECK(c.error() == XdrError::Malformed);
}

TEST_CASE("xdr: enumeration above its limit is malformed", "[xdr]") {
    auto b = bytes({0, 0, 0, 3});
    XdrCursor c(b);
    c.enumeration(3);
    CHECK(c.error() == XdrError::Malformed);
}

TEST_CASE("xdr: variable opaque honours padding and its bound", "[xdr]") {
    auto b = bytes({0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 9});
    XdrCursor c(b);
    CHECK(c.string(16) == "abc");
    CHECK(c.offset() == 8);  // three bytes plus one of padding
    CHECK(c.u32() == 9);

    XdrCursor bounded(b);
    CHECK(bounded.string(2).empty());
    CHECK(bounded.error() == XdrError::Malformed);
}

TEST_CASE("xdr: opaque whose padding was not captured is truncated", "[xdr]") {
    auto b = bytes({0, 0, 0, 3, 'a', 'b', 'c'});
    XdrCursor c(b);
    c.string(16);
    CHECK(c.error() == XdrError::Truncated);
}

TEST_CASE("xdr: huge length is caught before any read", "[xdr]") {
    auto b = bytes({0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4});
    XdrCursor c(b);
    CHECK(c.opaque_var(0xffffffffu).empty());
    CHECK(c.error() == XdrError::Truncated);
}

TEST_CASE("xdr: bulk data need not be captured", "[xdr]") {
    auto b = bytes({0, 0, 0x10, 0, 1, 2, 3, 4});  // 4096 declared, 4 present
    XdrCursor c(b);
    CHECK(c.bulk(1u << 20) == 4096);
    CHECK(c.ok());
    CHECK(c.remaining() == 0);

    XdrCursor over(b);
    over.bulk(100);
    CHECK(over.error() == XdrError::Malformed);
}

TEST_CASE("xdr: the first failure reason wins", "[xdr]") {
    auto b = bytes({0, 0, 0, 5});
    XdrCursor c(b);
    c.boolean();
    c.u32();
    CHECK(c.error() == XdrError::Malformed);
}
