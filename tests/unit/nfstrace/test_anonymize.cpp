// SipHash-2-4 against its published test vectors; anonymization is stable
// under one key, different under another, per path component.
#include <catch2/catch.hpp>

#include <array>
#include <regex>

#include "helpers.hpp"
#include "nfstrace/anonymize.hpp"
#include "nfstrace/siphash.hpp"

using nft::lines_of;
using nft::Rec;
using nft::token;
using nft::trace;
using nfstrace::SipKey;

namespace {
SipKey reference_key() {
    std::array<std::uint8_t, 16> k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
    return nfstrace::sip_key_from_bytes(k);
}
}  // namespace

TEST_CASE("siphash: published test vectors (key 00..0f, message 00..len-1)") {
    // From the reference implementation's vectors.h (first eight and the paper's example).
    const std::uint64_t expected[] = {
        0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
        0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    };
    SipKey key = reference_key();
    std::uint8_t msg[64];
    for (std::size_t i = 0; i < sizeof msg; ++i) msg[i] = static_cast<std::uint8_t>(i);
    for (std::size_t len = 0; len < 8; ++len) {
        INFO("length " << len);
        CHECK(nfstrace::siphash24(key, std::span<const std::uint8_t>(msg, len)) == expected[len]);
    }
    // The paper's example: a 15-byte message.
    CHECK(nfstrace::siphash24(key, std::span<const std::uint8_t>(msg, 15)) == 0xa129ca6149be45e5ULL);
}

namespace {
std::vector<std::string> sample() {
    Rec m{"100.000000", "mnt", "path=/export fh=aa"};
    m.prog = "mount";
    return lines_of({
        m,
        {"100.100000", "lookup", "dir=aa name=alice fh=bb ftype=dir"},
        {"100.200000", "lookup", "dir=bb name=secret.txt fh=cc ftype=reg"},
        {"100.300000", "lookup", "dir=ff name=alice fh=dd ftype=reg"},
        {"101.000000", "read", "fh=cc offset=0 count=1 rcount=1 eof=true"},
        {"102.000000", "read", "fh=dd offset=0 count=1 rcount=1 eof=true"},
    });
}
nfstrace::Config anon(std::string_view keybytes, bool numbers = false) {
    nfstrace::Config cfg;
    cfg.anonymize = true;
    cfg.anonymize_numbers = numbers;
    cfg.key = nfstrace::derive_key(keybytes);
    return cfg;
}
}  // namespace

TEST_CASE("anonymize: path components become keyed hashes, structure kept") {
    auto res = trace(sample(), anon("0123456789abcdef-key-one"));
    REQUIRE(res.opens.size() == 2);
    std::string p1 = token(res.opens[0], "path");
    std::string p2 = token(res.opens[1], "path");
    CHECK(std::regex_match(p1, std::regex("/[0-9a-f]{16}/[0-9a-f]{16}/[0-9a-f]{16}")));
    CHECK(std::regex_match(p2, std::regex("\\?/[0-9a-f]{16}")));
    // The same component gives the same hash wherever it is.
    CHECK(p1.substr(18, 16) == p2.substr(2));
    for (const std::string& l : res.opens) {
        CHECK(l.find("alice") == std::string::npos);
        CHECK(l.find("secret") == std::string::npos);
        CHECK(l.find("export") == std::string::npos);
        // File handles are hashed too.
        CHECK(std::regex_match(nft::field(l, 4), std::regex("[0-9a-f]{16}")));
    }
    // Numbers are kept unless asked.
    CHECK(nft::field(res.opens[0], 5) == "10.0.0.2");
    CHECK(nft::field(res.opens[0], 6) == "1000");
}

TEST_CASE("anonymize: stable under one key, different under another") {
    auto a = trace(sample(), anon("0123456789abcdef-key-one"));
    auto b = trace(sample(), anon("0123456789abcdef-key-one"));
    auto c = trace(sample(), anon("0123456789abcdef-key-two"));
    CHECK(a.opens == b.opens);
    REQUIRE(c.opens.size() == a.opens.size());
    CHECK(token(a.opens[0], "path") != token(c.opens[0], "path"));
    CHECK(nft::field(a.opens[0], 4) != nft::field(c.opens[0], 4));
}

TEST_CASE("anonymize: numbers (uid, gid, addresses) on request") {
    auto a = trace(sample(), anon("0123456789abcdef-key-one", true));
    auto b = trace(sample(), anon("0123456789abcdef-key-two", true));
    REQUIRE(a.opens.size() == 2);
    const std::string& l = a.opens[0];
    CHECK(nft::field(l, 3) != "10.0.0.1");
    CHECK(nft::field(l, 5) != "10.0.0.2");
    CHECK(nft::field(l, 3) != nft::field(l, 5));
    CHECK(nft::field(l, 6) != "1000");
    CHECK(token(l, "gid") != "100");
    CHECK(nft::field(l, 6) == nft::field(a.opens[1], 6));  // same user, same number
    CHECK(nft::field(l, 6) != nft::field(b.opens[0], 6));
}

TEST_CASE("anonymize: short file ids without a key are stable") {
    nfstrace::Config cfg;
    cfg.short_fh = true;
    auto a = trace(sample(), cfg);
    auto b = trace(sample(), cfg);
    REQUIRE(a.opens.size() == 2);
    CHECK(std::regex_match(nft::field(a.opens[0], 4), std::regex("[0-9a-f]{16}")));
    CHECK(a.opens == b.opens);
    CHECK(token(a.opens[0], "path") == "/export/alice/secret.txt");
}

TEST_CASE("anonymize: key files need at least 16 bytes") {
    SipKey k;
    std::string err;
    CHECK_FALSE(nfstrace::load_key_file("/nonexistent/key", k, err));
    CHECK(err.find("/nonexistent/key") != std::string::npos);
}
