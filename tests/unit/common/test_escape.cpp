#include <catch2/catch.hpp>

#include <string>

#include "common/escape.hpp"

using common::as_bytes;
using common::OutBuffer;

namespace {
std::string token(std::string_view raw) {
    OutBuffer out;
    common::escape_token(out, as_bytes(raw));
    return std::string(out.view());
}
std::string json(std::string_view raw) {
    OutBuffer out;
    common::escape_json(out, as_bytes(raw));
    return std::string(out.view());
}
}  // namespace

TEST_CASE("escape: printable ASCII stands for itself", "[escape]") {
    CHECK(token("report-2026_v1.txt") == "report-2026_v1.txt");
    CHECK(token("a=b\"c\\d") == "a=b\"c\\d");
}

TEST_CASE("escape: space, control, percent and high bytes are %XX", "[escape]") {
    CHECK(token("a b") == "a%20b");
    CHECK(token("100%") == "100%25");
    CHECK(token("tab\there\nnl") == "tab%09here%0Anl");
    CHECK(token("caf\xc3\xa9") == "caf%C3%A9");
    CHECK(token(std::string_view("\0x", 2)) == "%00x");
    CHECK(token("\x7f") == "%7F");
    CHECK(token("").empty());
}

TEST_CASE("escape: tokens round-trip for every byte value", "[escape]") {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    std::string t = token(all);
    CHECK(t.find(' ') == std::string::npos);
    CHECK(t.find('\n') == std::string::npos);
    std::string back;
    REQUIRE(common::unescape_token(t, back));
    CHECK(back == all);
}

TEST_CASE("escape: bad tokens are rejected", "[escape]") {
    std::string out;
    CHECK_FALSE(common::unescape_token("abc%", out));
    CHECK_FALSE(common::unescape_token("abc%2", out));
    CHECK_FALSE(common::unescape_token("abc%zz", out));
    CHECK_FALSE(common::unescape_token("a b", out));
    CHECK(common::unescape_token("a%2fb", out));
    CHECK(out == "a/b");
}

TEST_CASE("escape: JSON strings keep every byte recoverable", "[escape]") {
    CHECK(json("plain") == "\"plain\"");
    CHECK(json("q\"b\\") == "\"q\\\"b\\\\\"");
    CHECK(json("nl\n") == "\"nl\\u000A\"");
    CHECK(json("\xff") == "\"\\u00FF\"");
}
