// Open/close inference heuristics, each with hand-written rpcspy records and the
// exact opens expected.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>

#include "helpers.hpp"

using nft::lines_of;
using nft::Rec;
using nft::trace;
using nfstrace::Config;
using nfstrace::kSecond;

namespace {
Rec mnt(const char* t, const char* path, const char* fh) {
    Rec r{t, "mnt", std::string("path=") + path + " fh=" + fh};
    r.prog = "mount";
    r.server = "10.0.0.1.20048";
    r.uid = "0";
    return r;
}
}  // namespace

TEST_CASE("inference: a read run starts at the ACCESS before it and ends at EOF") {
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=f fh=cc ftype=reg mode=0644 size=8192"},
        {"100.200000", "access", "fh=cc ftype=reg size=8192"},
        {"100.201000", "read", "fh=cc offset=0 count=4096 rcount=4096 eof=false ftype=reg size=8192"},
        {"100.202000", "read", "fh=cc offset=4096 count=4096 rcount=4096 eof=true ftype=reg size=8192"},
    }));
    REQUIRE(res.ok);
    CHECK(res.header == "#nfstrace-opens 1 open close dir server fh client uid rbytes wbytes size [key=value...]");
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.200000 100.203000 R 10.0.0.1 cc 10.0.0.2 1000 8192 0 8192 ops=2 end=eof vers=3 "
                             "gid=100 ftype=reg mode=0644 path=/export/f"});
    CHECK(res.err.empty());
}

TEST_CASE("inference: an idle gap ends a run") {
    Config cfg;
    cfg.idle = 5 * kSecond;
    auto recs = lines_of({
        {"100.000000", "read", "fh=cc offset=0 count=4096 rcount=4096"},
        {"104.000000", "read", "fh=cc offset=4096 count=4096 rcount=4096"},
        {"110.000000", "read", "fh=cc offset=8192 count=4096 rcount=100"},
    });
    auto res = trace(recs, cfg);
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 104.001000 R 10.0.0.1 cc 10.0.0.2 1000 8192 0 - ops=2 end=idle vers=3 "
                             "gid=100 ftype=reg path=?",
                             "110.000000 110.001000 R 10.0.0.1 cc 10.0.0.2 1000 100 0 - ops=1 end=input vers=3 "
                             "gid=100 ftype=reg path=?"});
    // With the default idle time (30 s) it is one open.
    auto res2 = trace(recs);
    REQUIRE(res2.opens.size() == 1);
    CHECK(nft::field(res2.opens[0], 7) == "8292");
}

TEST_CASE("inference: reads restarting at offset 0 after EOF are a new open") {
    auto res = trace(lines_of({
        {"100.000000", "read", "fh=cc offset=0 count=65536 rcount=65536 eof=false"},
        {"100.001000", "read", "fh=cc offset=65536 count=65536 rcount=34464 eof=true size=100000"},
        {"103.000000", "read", "fh=cc offset=0 count=65536 rcount=65536 eof=false"},
        {"103.001000", "read", "fh=cc offset=65536 count=65536 rcount=34464 eof=true size=100000"},
    }));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 100.002000 R 10.0.0.1 cc 10.0.0.2 1000 100000 0 100000 ops=2 end=eof "
                             "vers=3 gid=100 ftype=reg path=?",
                             "103.000000 103.002000 R 10.0.0.1 cc 10.0.0.2 1000 100000 0 100000 ops=2 end=eof "
                             "vers=3 gid=100 ftype=reg path=?"});
}

TEST_CASE("inference: EOF known from the file size when the reply has no eof flag (NFSv2)") {
    Rec a{"100.000000", "read", "fh=cc offset=0 count=8192 rcount=5000 size=5000"};
    Rec b{"101.000000", "read", "fh=cc offset=0 count=8192 rcount=5000 size=5000"};
    a.vers = b.vers = "2";
    auto res = trace(lines_of({a, b}));
    REQUIRE(res.opens.size() == 2);
    CHECK(nft::token(res.opens[0], "end") == "eof");
    CHECK(nft::token(res.opens[0], "vers") == "2");
}

TEST_CASE("inference: a COMMIT after the last WRITE ends a write open") {
    auto res = trace(lines_of({
        {"100.000000", "write", "fh=cc offset=0 count=4096 stable=unstable rcount=4096 size=4096"},
        {"100.100000", "write", "fh=cc offset=4096 count=4096 stable=unstable rcount=4096 size=8192"},
        {"100.200000", "commit", "fh=cc offset=0 count=0 size=8192"},
        {"101.000000", "write", "fh=cc offset=8192 count=100 stable=file_sync rcount=100 size=8292"},
    }));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 100.201000 W 10.0.0.1 cc 10.0.0.2 1000 0 8192 8192 ops=2 end=commit "
                             "vers=3 gid=100 ftype=reg path=?",
                             "101.000000 101.001000 W 10.0.0.1 cc 10.0.0.2 1000 0 100 8292 ops=1 end=input "
                             "vers=3 gid=100 ftype=reg path=?"});
}

TEST_CASE("inference: a WRITE sent while a COMMIT is outstanding continues the open") {
    Rec commit{"100.100000", "commit", "fh=cc offset=0 count=0"};
    commit.dur = "0.050000";
    auto res = trace(lines_of({
        {"100.000000", "write", "fh=cc offset=0 count=4096 rcount=4096"},
        commit,
        {"100.120000", "write", "fh=cc offset=4096 count=4096 rcount=4096"},
        {"100.200000", "commit", "fh=cc offset=0 count=0"},
    }));
    REQUIRE(res.opens.size() == 1);
    CHECK(nft::field(res.opens[0], 1) == "100.201000");
    CHECK(nft::field(res.opens[0], 8) == "8192");
    CHECK(nft::token(res.opens[0], "end") == "commit");
}

TEST_CASE("inference: reading a file after its writer committed is a new open") {
    auto res = trace(lines_of({
        {"100.000000", "write", "fh=cc offset=0 count=4096 rcount=4096 size=4096"},
        {"100.100000", "commit", "fh=cc size=4096"},
        {"100.500000", "read", "fh=cc offset=0 count=4096 rcount=4096 eof=true size=4096"},
    }));
    REQUIRE(res.opens.size() == 2);
    CHECK(nft::field(res.opens[0], 2) == "W");
    CHECK(nft::field(res.opens[1], 2) == "R");
}

TEST_CASE("inference: reads and writes in one run are a read-write open") {
    auto res = trace(lines_of({
        {"100.000000", "read", "fh=cc offset=0 count=4096 rcount=4096 size=10000"},
        {"100.010000", "write", "fh=cc offset=0 count=100 rcount=100 size=10000"},
        {"100.020000", "read", "fh=cc offset=4096 count=4096 rcount=4096 size=10000"},
    }));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 100.021000 RW 10.0.0.1 cc 10.0.0.2 1000 8192 100 10000 ops=3 end=input "
                             "vers=3 gid=100 ftype=reg path=?"});
}

TEST_CASE("inference: a check with no I/O is a cache hit: 0 bytes") {
    auto recs = lines_of({
        {"100.000000", "getattr", "fh=cc ftype=reg mode=0600 size=5000"},
        {"100.000500", "access", "fh=cc ftype=reg mode=0600 size=5000"},
        {"100.100000", "getattr", "fh=dd ftype=dir mode=0755 size=4096"},
        {"110.000000", "getattr", "fh=ee ftype=reg size=1"},
    });
    auto res = trace(recs);
    REQUIRE(res.opens.size() == 2);
    CHECK(res.opens[0] ==
          "100.000000 100.001500 R 10.0.0.1 cc 10.0.0.2 1000 0 0 5000 ops=0 end=idle vers=3 gid=100 ftype=reg "
          "mode=0600 path=?");
    CHECK(nft::field(res.opens[1], 4) == "ee");
    CHECK(res.tracker.cache_hits == 2);
    Config cfg;
    cfg.cache_hits = false;
    CHECK(trace(recs, cfg).opens.empty());
}

TEST_CASE("inference: a check after EOF starts the next open (close-to-open)") {
    auto res = trace(lines_of({
        {"100.000000", "getattr", "fh=cc ftype=reg size=5000"},
        {"100.001000", "read", "fh=cc offset=0 count=8192 rcount=5000 eof=true size=5000"},
        {"104.000000", "getattr", "fh=cc ftype=reg size=5000"},  // second open, data cached
        {"110.000000", "getattr", "fh=cc ftype=reg size=5000"},  // third open
        {"110.200000", "read", "fh=cc offset=0 count=8192 rcount=5000 eof=true size=5000"},
    }));
    REQUIRE(res.opens.size() == 3);
    CHECK(nft::field(res.opens[0], 0) == "100.000000");
    CHECK(nft::field(res.opens[0], 7) == "5000");
    CHECK(nft::token(res.opens[0], "end") == "eof");
    CHECK(nft::field(res.opens[1], 0) == "104.000000");
    CHECK(nft::field(res.opens[1], 7) == "0");
    CHECK(nft::token(res.opens[1], "ops") == "0");
    CHECK(nft::field(res.opens[2], 0) == "110.000000");
    CHECK(nft::field(res.opens[2], 1) == "110.201000");
    CHECK(nft::field(res.opens[2], 7) == "5000");
}

TEST_CASE("inference: a GETATTR inside an open does not split it") {
    auto res = trace(lines_of({
        {"100.000000", "read", "fh=cc offset=0 count=4096 rcount=4096 size=100000"},
        {"101.000000", "getattr", "fh=cc ftype=reg size=100000"},
        {"102.000000", "read", "fh=cc offset=4096 count=4096 rcount=4096 size=100000"},
    }));
    REQUIRE(res.opens.size() == 1);
    CHECK(nft::field(res.opens[0], 0) == "100.000000");
    CHECK(nft::field(res.opens[0], 1) == "102.001000");
}

TEST_CASE("inference: REMOVE and RENAME of the file end its open") {
    auto res = trace(lines_of({
        mnt("99.000000", "/export", "aa"),
        {"99.100000", "lookup", "dir=aa name=f fh=cc ftype=reg"},
        {"99.100000", "lookup", "dir=aa name=g fh=dd ftype=reg"},
        {"100.000000", "read", "fh=cc offset=0 count=4096 rcount=4096"},
        {"100.000000", "write", "fh=dd offset=0 count=10 rcount=10"},
        {"101.000000", "rename", "dir=aa name=f todir=aa toname=f2"},
        {"101.500000", "remove", "dir=aa name=g"},
        {"102.000000", "read", "fh=cc offset=4096 count=4096 rcount=4096"},
        {"103.000000", "write", "fh=dd offset=10 count=10 rcount=10"},
    }));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 100.001000 R 10.0.0.1 cc 10.0.0.2 1000 4096 0 - ops=1 end=rename vers=3 "
                             "gid=100 ftype=reg path=/export/f",
                             "100.000000 100.001000 W 10.0.0.1 dd 10.0.0.2 1000 0 10 - ops=1 end=remove vers=3 "
                             "gid=100 ftype=reg path=/export/g",
                             "102.000000 102.001000 R 10.0.0.1 cc 10.0.0.2 1000 4096 0 - ops=1 end=input vers=3 "
                             "gid=100 ftype=reg path=/export/f2",
                             "103.000000 103.001000 W 10.0.0.1 dd 10.0.0.2 1000 0 10 - ops=1 end=input vers=3 "
                             "gid=100 ftype=reg path=?"});
}

TEST_CASE("inference: failed REMOVE or RENAME changes nothing") {
    Rec rm{"101.000000", "remove", "dir=aa name=f"};
    rm.status = "acces";
    auto res = trace(lines_of({
        mnt("99.000000", "/export", "aa"),
        {"99.100000", "lookup", "dir=aa name=f fh=cc ftype=reg"},
        {"100.000000", "read", "fh=cc offset=0 count=4096 rcount=4096"},
        rm,
        {"102.000000", "read", "fh=cc offset=4096 count=4096 rcount=4096"},
    }));
    REQUIRE(res.opens.size() == 1);
    CHECK(nft::token(res.opens[0], "path") == "/export/f");
}

TEST_CASE("inference: clients and users open separately") {
    Rec a{"100.000000", "read", "fh=cc offset=0 count=4096 rcount=4096"};
    Rec b = a;
    b.uid = "2000";
    Rec c = a;
    c.client = "10.0.0.3.800";
    Rec d = a;  // same host, other port (e.g. nconnect): same client
    d.client = "10.0.0.2.801";
    d.time = "100.500000";
    d.tokens = "fh=cc offset=4096 count=4096 rcount=4096";
    auto res = trace(lines_of({a, b, c, d}));
    REQUIRE(res.opens.size() == 3);
    CHECK(nft::field(res.opens[0], 6) == "1000");
    CHECK(nft::field(res.opens[0], 7) == "8192");
    CHECK(nft::field(res.opens[1], 6) == "2000");
    CHECK(nft::field(res.opens[2], 5) == "10.0.0.3");
}

TEST_CASE("inference: output is sorted by open time, not by close time") {
    Config cfg;
    cfg.idle = 10 * kSecond;
    std::vector<Rec> recs;
    for (int i = 0; i <= 20; ++i)
        recs.push_back({std::to_string(100 + 5 * i) + ".000000", "read",
                        "fh=aa offset=" + std::to_string(i * 4096) + " count=4096 rcount=4096"});
    recs.push_back({"101.000000", "read", "fh=bb offset=0 count=1 rcount=1"});
    recs.push_back({"102.000000", "read", "fh=cc offset=0 count=1 rcount=1"});
    std::vector<std::string> lines{nft::kHeader};
    std::sort(recs.begin(), recs.end(), [](const Rec& x, const Rec& y) { return x.time < y.time; });
    for (const Rec& r : recs) lines.push_back(r.line());
    auto res = trace(lines, cfg);
    REQUIRE(res.opens.size() == 3);
    CHECK(nft::field(res.opens[0], 4) == "aa");
    CHECK(nft::field(res.opens[0], 1) == "200.001000");
    CHECK(nft::field(res.opens[1], 4) == "bb");
    CHECK(nft::field(res.opens[2], 4) == "cc");
}

TEST_CASE("inference: records out of order within the window are put in call order") {
    // rpcspy writes a record when the reply comes: a slow READ comes after a later call.
    Rec slow{"100.000000", "read", "fh=cc offset=0 count=65536 rcount=65536 eof=false"};
    slow.dur = "0.500000";
    auto res = trace(lines_of({
        {"100.001000", "read", "fh=cc offset=65536 count=65536 rcount=34464 eof=true"},
        slow,
        {"101.000000", "read", "fh=cc offset=0 count=65536 rcount=65536 eof=false"},
        {"100.800000", "read", "fh=cc offset=65536 count=65536 rcount=34464 eof=true"},
    }));
    // In call order: 0, 65536 (eof), 65536 again at 100.8 (same open), then 0 at 101: a new open.
    REQUIRE(res.opens.size() == 2);
    CHECK(nft::field(res.opens[0], 0) == "100.000000");
    CHECK(nft::field(res.opens[0], 1) == "100.801000");
    CHECK(nft::field(res.opens[0], 7) == "134464");
    CHECK(nft::field(res.opens[1], 0) == "101.000000");
    CHECK(res.tracker.late == 0);
}

TEST_CASE("inference: records with the same call time are taken in input order, late ones too") {
    // A READ that reaches the end, then one at offset 0 called at the same
    // time: in input order the second starts a new open (in the other order
    // they would be one). With the later call on another file first, both are
    // placed late in the window, among each other.
    for (bool later_first : {false, true}) {
        std::vector<std::string> lines{nft::kHeader};
        if (later_first) lines.push_back(Rec{"100.500000", "read", "fh=dd offset=0 count=1 rcount=1"}.line());
        lines.push_back(Rec{"100.000000", "read", "fh=cc offset=65536 count=65536 rcount=100 eof=true"}.line());
        lines.push_back(Rec{"100.000000", "read", "fh=cc offset=0 count=65536 rcount=65536 eof=false"}.line());
        auto res = trace(lines);
        INFO("later call first: " << later_first);
        REQUIRE(res.opens.size() == (later_first ? 3u : 2u));
        CHECK(nft::field(res.opens[0], 4) == "cc");
        CHECK(nft::token(res.opens[0], "end") == "eof");
        CHECK(nft::field(res.opens[0], 7) == "100");
        CHECK(nft::field(res.opens[1], 4) == "cc");
        CHECK(nft::field(res.opens[1], 7) == "65536");
        CHECK(res.tracker.late == 0);
    }
}

TEST_CASE("inference: records shuffled within the window are all put back in call order") {
    // 300 opens of one file, each a READ at offset 0 and one at offset 1 that
    // reaches the end, 1 ms apart: only in call order are they 300 opens of
    // two READs each (a READ at 0 after the end starts the next open). The
    // lines are shuffled in runs of up to 100, so records come up to 99
    // places late, at every distance.
    std::vector<std::string> records;
    for (int i = 0; i < 600; ++i) {
        char t[32];
        std::snprintf(t, sizeof t, "100.%06d", i * 1000);
        records.push_back(i % 2 == 0 ? Rec{t, "read", "fh=cc offset=0 count=1 rcount=1 eof=false"}.line()
                                     : Rec{t, "read", "fh=cc offset=1 count=1 rcount=1 eof=true"}.line());
    }
    std::uint32_t seed = 12345;
    auto next = [&seed] { return seed = seed * 1103515245u + 12345u; };
    for (std::size_t at = 0; at < records.size();) {
        std::size_t len = std::min<std::size_t>(1 + next() % 100, records.size() - at);
        for (std::size_t i = len - 1; i > 0; --i) std::swap(records[at + i], records[at + next() % (i + 1)]);
        at += len;
    }
    std::vector<std::string> lines{nft::kHeader};
    lines.insert(lines.end(), records.begin(), records.end());
    auto res = trace(lines);
    REQUIRE(res.opens.size() == 300);
    for (const std::string& open : res.opens) {
        CHECK(nft::token(open, "ops") == "2");
        CHECK(nft::field(open, 7) == "2");
    }
    CHECK(res.tracker.late == 0);
}

TEST_CASE("inference: a record older than the window is taken late, counted") {
    Rec old{"90.000000", "read", "fh=dd offset=0 count=1 rcount=1"};
    auto res = trace(lines_of({
        {"100.000000", "read", "fh=cc offset=0 count=1 rcount=1"},
        {"103.000000", "read", "fh=cc offset=1 count=1 rcount=1"},
        old,
    }));
    CHECK(res.tracker.late == 1);
    REQUIRE(res.opens.size() == 2);
    // Taken as of the time it was processed, so the output stays sorted.
    CHECK(nft::field(res.opens[0], 4) == "cc");
    CHECK(nft::field(res.opens[1], 4) == "dd");
}

TEST_CASE("inference: unanswered and failed I/O moves no bytes") {
    Rec t{"100.000000", "read", "fh=cc offset=0 count=4096"};
    t.dur = "-";
    t.status = "timeout";
    Rec e{"100.100000", "write", "fh=cc offset=0 count=4096"};
    e.status = "nospc";
    auto res = trace(lines_of({t, e}));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 100.101000 RW 10.0.0.1 cc 10.0.0.2 1000 0 0 - ops=2 end=input vers=3 "
                             "gid=100 ftype=reg path=?"});
}

TEST_CASE("inference: a CREATE starts a write open; with no I/O it is an empty open") {
    auto res = trace(lines_of({
        mnt("99.000000", "/export", "aa"),
        {"100.000000", "create", "dir=aa name=new mode=0644 fh=cc ftype=reg mode=0644 size=0"},
        {"100.010000", "write", "fh=cc offset=0 count=8192 rcount=8192 size=8192"},
        {"100.020000", "commit", "fh=cc size=8192"},
        {"200.000000", "create", "dir=aa name=empty fh=dd ftype=reg mode=0600 size=0"},
    }));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.000000 100.021000 W 10.0.0.1 cc 10.0.0.2 1000 0 8192 8192 ops=1 end=commit "
                             "vers=3 gid=100 ftype=reg mode=0644 path=/export/new",
                             "200.000000 200.001000 W 10.0.0.1 dd 10.0.0.2 1000 0 0 0 ops=0 end=input vers=3 "
                             "gid=100 ftype=reg mode=0600 path=/export/empty"});
}

TEST_CASE("inference: records of other programs and procedures are ignored") {
    Rec pm{"100.000000", "getport", "prog=100003 vers=3 proto=tcp port=2049"};
    pm.prog = "portmap";
    pm.vers = "2";
    auto res = trace(lines_of({pm, {"100.100000", "null", ""}, {"100.200000", "fsinfo", "fh=aa"}}));
    CHECK(res.opens.empty());
    CHECK(res.in.ignored == 3);
}

TEST_CASE("inference: JSON Lines output") {
    Config cfg;
    cfg.json = true;
    auto res = trace(lines_of({
        mnt("99.000000", "/export", "aa"),
        {"99.100000", "lookup", "dir=aa name=a%22b%20c fh=cc ftype=reg mode=0644"},
        {"100.000000", "read", "fh=cc offset=0 count=4096 rcount=10 eof=true size=10"},
    }), cfg);
    CHECK(res.header.empty());
    REQUIRE(res.opens == std::vector<std::string>{
                             "{\"open\":100.000000,\"close\":100.001000,\"dir\":\"R\",\"server\":\"10.0.0.1\","
                             "\"fh\":\"cc\",\"client\":\"10.0.0.2\",\"uid\":1000,\"rbytes\":10,\"wbytes\":0,"
                             "\"size\":10,\"ops\":1,\"end\":\"eof\",\"vers\":3,\"gid\":100,\"ftype\":\"reg\","
                             "\"mode\":\"0644\",\"path\":\"/export/a\\\"b c\"}"});
}

TEST_CASE("inference: nanosecond time stamps are kept") {
    auto res = trace(lines_of({{"100.000000001", "read", "fh=cc offset=0 count=1 rcount=1"}}));
    REQUIRE(res.opens.size() == 1);
    CHECK(nft::field(res.opens[0], 0) == "100.000000001");
}

TEST_CASE("inference: state of idle handles expires, counted") {
    Config cfg;
    cfg.idle = 1 * kSecond;
    cfg.window = kSecond / 2;
    cfg.expire = 10 * kSecond;
    std::vector<Rec> recs;
    for (int i = 0; i < 100; ++i)
        recs.push_back({"100.000000", "read", "fh=" + std::to_string(1000 + i) + " offset=0 count=1 rcount=1"});
    recs.push_back({"200.000000", "read", "fh=ff offset=0 count=1 rcount=1"});
    recs.push_back({"300.000000", "read", "fh=ff offset=1 count=1 rcount=1"});
    std::vector<std::string> lines{nft::kHeader};
    for (const Rec& r : recs) lines.push_back(r.line());
    auto res = trace(lines, cfg);
    CHECK(res.opens.size() == 102);
    CHECK(res.tracker.handles_expired >= 100);
}

TEST_CASE("inference: the output does not depend on when sweeps happen") {
    // A pseudo-random mix of I/O, checks, commits, renames and removes on a few
    // files by a few clients and users.
    std::vector<std::string> lines{nft::kHeader};
    std::uint64_t x = 12345;
    auto rnd = [&x](std::uint64_t n) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        return (x >> 33) % n;
    };
    lines.push_back(mnt("1.000000", "/export", "aa").line());
    for (int f = 0; f < 8; ++f)
        lines.push_back(Rec{"1.500000", "lookup", "dir=aa name=f" + std::to_string(f) + " fh=b" + std::to_string(f) +
                                                      " ftype=reg size=20000"}
                            .line());
    std::uint64_t t_us = 2'000'000;
    for (int i = 0; i < 3000; ++i) {
        t_us += rnd(3) == 0 ? rnd(40'000'000) : rnd(300'000);
        char ts[32];
        std::snprintf(ts, sizeof ts, "%llu.%06llu", static_cast<unsigned long long>(t_us / 1'000'000),
                      static_cast<unsigned long long>(t_us % 1'000'000));
        std::string f = std::to_string(rnd(8));
        std::string fh = "fh=b" + f;
        Rec r{ts, "read", fh};
        r.uid = rnd(4) == 0 ? "2000" : "1000";
        r.client = rnd(3) == 0 ? "10.0.0.3.800" : "10.0.0.2.800";
        switch (rnd(10)) {
            case 0: r.proc = "getattr"; r.tokens = fh + " ftype=reg size=20000"; break;
            case 1: r.proc = "commit"; break;
            case 2:
                r.proc = "write";
                r.tokens = fh + " offset=" + std::to_string(rnd(4) * 4096) + " count=4096 rcount=4096 size=20000";
                break;
            case 3:
                if (rnd(5) == 0) {
                    r.proc = "rename";
                    r.tokens = "dir=aa name=f" + f + " todir=aa toname=f" + f;
                    break;
                }
                [[fallthrough]];
            default: {
                std::uint64_t off = rnd(5) * 4096;
                r.tokens = fh + " offset=" + std::to_string(off) + " count=4096 rcount=4096" +
                           (off == 16384 ? " eof=true" : " eof=false") + " size=20000";
            }
        }
        lines.push_back(r.line());
    }
    Config often;
    often.sweep = kSecond / 1000;
    Config rarely;
    rarely.sweep = 100000 * kSecond;
    auto a = trace(lines, often);
    auto b = trace(lines, rarely);
    auto c = trace(lines);
    CHECK(a.opens.size() > 100);
    CHECK(a.opens == b.opens);
    CHECK(a.opens == c.opens);
}

TEST_CASE("inference: opens held back for sorting are bounded; forced out early, counted") {
    Config cfg;
    cfg.max_held = 5;
    std::vector<Rec> recs;
    // One file read every 10 s for 10 minutes (one long open) while 50 others are read once.
    for (int i = 0; i < 60; ++i)
        recs.push_back({std::to_string(100 + 10 * i) + ".000000", "read",
                        "fh=aa offset=" + std::to_string(i) + " count=1 rcount=1"});
    for (int i = 0; i < 50; ++i)
        recs.push_back({std::to_string(105 + 10 * i) + ".000000", "read", "fh=" + std::to_string(1000 + i) +
                                                                            " offset=0 count=1 rcount=1"});
    std::sort(recs.begin(), recs.end(), [](const Rec& x, const Rec& y) { return std::stod(x.time) < std::stod(y.time); });
    std::vector<std::string> lines{nft::kHeader};
    for (const Rec& r : recs) lines.push_back(r.line());
    auto res = trace(lines, cfg);
    CHECK(res.opens.size() == 51);
    CHECK(res.tracker.max_held <= 6);
    CHECK(res.tracker.forced_out > 0);
}

TEST_CASE("inference: the size at close from a READ that reached the end, not from one beyond it") {
    auto res = trace(lines_of({
        {"100.000000", "read", "fh=cc offset=0 count=8192 rcount=1000 eof=1"},
        {"100.100000", "read", "fh=cc offset=100000 count=4096 rcount=0 eof=1"},
        {"200.000000", "read", "fh=dd offset=100000 count=4096 rcount=0 eof=1"},
    }));
    REQUIRE(res.opens.size() == 2);
    CHECK(nft::field(res.opens[0], 9) == "1000");
    CHECK(nft::field(res.opens[1], 9) == "-");
}
