// Bad input lines: message with file and line, counted, --strict fatal; unknown
// record format version: a clear fatal error.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using nft::Rec;
using nft::trace;

TEST_CASE("bad input: a bad line is reported with file and line, counted, skipped") {
    std::vector<std::string> lines{
        nft::kHeader,
        Rec{"100.000000", "read", "fh=cc offset=0 count=1 rcount=1"}.line(),
        "this is not a record",
        "100.5 0.001 10.0.0.2.800 10.0.0.1.2049 tcp XYZ 1000 100 nfs 3 read ok fh=cc",
        Rec{"101.000000", "read", "fh=cc offset=1 count=1 rcount=1"}.line(),
    };
    auto res = trace(lines);
    REQUIRE(res.ok);
    CHECK(res.in.bad_lines == 2);
    CHECK(res.opens.size() == 1);
    CHECK(res.err.find("nfstrace: test.txt:3: bad record: fewer than 12 fixed fields\n") != std::string::npos);
    CHECK(res.err.find("nfstrace: test.txt:4:44: bad record: xid is not 8 lower-case hex digits\n") !=
          std::string::npos);
    CHECK(res.err.find("2 bad lines skipped") != std::string::npos);
}

TEST_CASE("bad input: a malformed value nfstrace needs is a bad line") {
    auto res = trace({nft::kHeader, Rec{"100.000000", "lookup", "dir=aa name=%ZZ fh=cc"}.line(),
                      Rec{"100.000000", "read", "fh=xyz offset=0"}.line(),
                      Rec{"100.000000", "readdirplus", "fh=aa entry=12"}.line()});
    CHECK(res.in.bad_lines == 3);
    CHECK(res.err.find("test.txt:2: bad record: malformed") != std::string::npos);
}

TEST_CASE("bad input: --strict makes a bad line fatal") {
    nfstrace::Config cfg;
    cfg.strict = true;
    auto res = trace({nft::kHeader, "garbage", Rec{"100.000000", "read", "fh=cc offset=0"}.line()}, cfg);
    CHECK_FALSE(res.ok);
    CHECK(res.in.bad_lines == 1);
    CHECK(res.err.find("test.txt:2:") != std::string::npos);
}

TEST_CASE("bad input: an unknown record format version is a fatal error") {
    auto res = trace({"#rpcspy-records 2 time dur client server proto xid uid gid prog vers proc status",
                      Rec{"100.000000", "read", "fh=cc offset=0"}.line()});
    CHECK_FALSE(res.ok);
    CHECK(res.err ==
          "nfstrace: test.txt:1: rpcspy record format version 2 is not supported (this nfstrace reads "
          "version 1)\n");
}

TEST_CASE("bad input: JSON records get a clear message") {
    auto res = trace({"{\"ts\":100.0,\"dur\":0.001}"});
    CHECK(res.in.bad_lines == 1);
    CHECK(res.err.find("JSON record") != std::string::npos);
}

TEST_CASE("bad input: comments and blank lines are fine; input without a header is read") {
    auto res = trace({"# a comment", "", Rec{"100.000000", "read", "fh=cc offset=0 count=1 rcount=1"}.line()});
    CHECK(res.in.bad_lines == 0);
    CHECK(res.opens.size() == 1);
    CHECK(res.err.empty());
}

TEST_CASE("bad input: after 20 messages, bad lines are only counted") {
    std::vector<std::string> lines{nft::kHeader};
    for (int i = 0; i < 50; ++i) lines.push_back("bad");
    auto res = trace(lines);
    CHECK(res.in.bad_lines == 50);
    std::size_t n = 0;
    for (std::size_t p = 0; (p = res.err.find("bad record", p)) != std::string::npos; ++p) ++n;
    CHECK(n == 20);
    CHECK(res.err.find("50 bad lines skipped") != std::string::npos);
}
