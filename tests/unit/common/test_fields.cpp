#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "common/fields.hpp"

using common::Fields;
using common::OutBuffer;

namespace {
std::string text(const Fields& f) {
    OutBuffer out;
    f.render_text(out);
    return std::string(out.view());
}
std::string json(const Fields& f) {
    OutBuffer out;
    f.render_json(out);
    return std::string(out.view());
}
}  // namespace

TEST_CASE("fields: each kind renders as text and JSON", "[fields]") {
    Fields f;
    std::vector<std::uint8_t> fh = {0x01, 0xab, 0xff};
    f.hex("fh", fh);
    f.number("offset", 4096);
    f.signed_number("delta", -5);
    f.octal("mode", 0644);
    f.time("mtime", 1700000000, 5, 9);
    f.word("stable", "unstable");
    f.bytes("name", std::string_view("my file"));
    CHECK(text(f) ==
          " fh=01abff offset=4096 delta=-5 mode=0644 mtime=1700000000.000000005 stable=unstable name=my%20file");
    CHECK(json(f) ==
          ",\"fh\":\"01abff\",\"offset\":4096,\"delta\":-5,\"mode\":\"0644\",\"mtime\":1700000000.000000005,"
          "\"stable\":\"unstable\",\"name\":\"my file\"");
}

TEST_CASE("fields: consecutive repeated keys become a JSON array", "[fields]") {
    Fields f;
    f.bytes("entry", std::string_view("a"));
    f.bytes("entry", std::string_view("b c"));
    f.number("entries", 2);
    CHECK(text(f) == " entry=a entry=b%20c entries=2");
    CHECK(json(f) == ",\"entry\":[\"a\",\"b c\"],\"entries\":2");
}

TEST_CASE("fields: clear reuses storage, append copies, find looks up", "[fields]") {
    Fields a, b;
    a.number("count", 1);
    b.word("x", "y");
    b.append(a);
    CHECK(text(b) == " x=y count=1");
    REQUIRE(b.find("count") != nullptr);
    CHECK(b.value(*b.find("count")) == "1");
    CHECK(b.find("nope") == nullptr);
    b.clear();
    CHECK(b.empty());
    CHECK(text(b).empty());
}

TEST_CASE("fields: groups are flat in text and an array of objects in JSON", "[fields]") {
    Fields f;
    f.word("tag", "t");
    f.begin_group("ops");
    f.word("op", "putfh");
    f.hex("fh", std::vector<std::uint8_t>{0x01});
    f.end_group();
    f.begin_group("ops");
    f.word("op", "read");
    f.number("count", 10);
    f.end_group();
    f.number("after", 1);
    CHECK(text(f) == " tag=t op=putfh fh=01 op=read count=10 after=1");
    CHECK(json(f) == ",\"tag\":\"t\",\"ops\":[{\"op\":\"putfh\",\"fh\":\"01\"},{\"op\":\"read\",\"count\":10}],\"after\":1");

    Fields g;  // a group first, then an empty group
    g.begin_group("ops");
    g.end_group();
    CHECK(json(g) == ",\"ops\":[{}]");
}

TEST_CASE("fields: values stay intact while the storage grows") {
    common::Fields f;
    std::string expect;
    for (std::uint64_t i = 0; i < 2000; ++i) {
        f.number("n", i * 1'000'003);
        f.time("t", i, i % 1000, 6);
        f.hex32("x", static_cast<std::uint32_t>(i));
        f.octal("m", static_cast<std::uint32_t>(i));
        f.signed_number("s", -static_cast<std::int64_t>(i));
    }
    for (std::uint64_t i = 0; i < 2000; ++i) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(i * 1'000'003));
        REQUIRE(f.value(f[5 * i]) == buf);
        std::snprintf(buf, sizeof buf, "%llu.%06llu", static_cast<unsigned long long>(i),
                      static_cast<unsigned long long>(i % 1000));
        REQUIRE(f.value(f[5 * i + 1]) == buf);
        std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(i));
        REQUIRE(f.value(f[5 * i + 2]) == buf);
        std::snprintf(buf, sizeof buf, "0%o", static_cast<unsigned>(i));
        REQUIRE(f.value(f[5 * i + 3]) == buf);
        std::snprintf(buf, sizeof buf, "-%llu", static_cast<unsigned long long>(i));
        REQUIRE(f.value(f[5 * i + 4]) == (i == 0 ? "0" : buf));
    }
}

TEST_CASE("fields: time pads the fraction, and a zero width prints the digits") {
    common::Fields f;
    f.time("a", 5, 7, 9);
    f.time("b", 5, 0, 0);
    f.time("c", 5, 1234567, 6);  // more digits than the width: all of them
    f.time("d", 0, 0, 6);
    CHECK(f.value(f[0]) == "5.000000007");
    CHECK(f.value(f[1]) == "5.0");
    CHECK(f.value(f[2]) == "5.1234567");
    CHECK(f.value(f[3]) == "0.000000");
}

TEST_CASE("out buffer: padded numbers like printf %0*llu") {
    std::uint64_t x = 88172645463325252ULL;
    for (int n = 0; n < 20000; ++n) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
        std::uint64_t v = n % 4 == 0 ? x : x % (std::uint64_t{1} << (n % 64));
        int width = n % 22;
        OutBuffer out;
        out.put_padded(v, width);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(v));
        INFO(v << " width " << width);
        REQUIRE(out.view() == buf);
    }
}

TEST_CASE("out buffer: pieces of every length from 0 to 40 bytes are copied exactly") {
    std::string all;
    for (int i = 0; i < 64; ++i) all += static_cast<char>('A' + i % 26);
    OutBuffer out;
    std::string expect;
    for (std::size_t n = 0; n <= 40; ++n)
        for (std::size_t at = 0; at < 8; ++at) {
            std::string_view piece = std::string_view(all).substr(at, n);
            out.put(piece);
            out.put_token(piece, piece);
            expect += piece;
            expect += ' ';
            expect += piece;
            expect += '=';
            expect += piece;
        }
    CHECK(out.view() == expect);
}

TEST_CASE("fields: Text style writes the same text as Structured, and append and reset keep it", "[fields]") {
    auto fill = [](Fields& f) {
        std::vector<std::uint8_t> fh = {0x01, 0xab, 0xff, 0x00, 0x10, 0x20, 0x30, 0x40,
                                        0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0};
        f.hex("fh", fh);
        f.number("offset", 4096);
        f.signed_number("delta", -5);
        f.octal("mode", 0644);
        f.time("mtime", 1700000000, 5, 9);
        f.hex32("verf", 0xdeadbeef);
        f.begin_group("op");
        f.word("stable", "unstable");
        f.end_group();
        f.decimal("ratio", "1.5");
        f.bytes("name", std::string_view("my file=%\n"));
        f.bytes("empty", std::string_view(""));
    };
    Fields structured, styled;
    fill(structured);
    styled.reset(common::FieldStyle::Text);
    fill(styled);
    CHECK(styled.style() == common::FieldStyle::Text);
    CHECK(text(styled) == text(structured));
    CHECK(styled.size() == 0);
    CHECK(!styled.empty());

    Fields both;
    both.reset(common::FieldStyle::Text);
    both.append(styled);
    both.append(styled);
    CHECK(text(both) == text(structured) + text(structured));

    styled.clear();  // keeps the style
    CHECK(styled.empty());
    styled.number("n", 7);
    CHECK(text(styled) == " n=7");
    CHECK(styled.style() == common::FieldStyle::Text);
    styled.reset(common::FieldStyle::Structured);
    styled.number("n", 7);
    CHECK(json(styled) == ",\"n\":7");
}
