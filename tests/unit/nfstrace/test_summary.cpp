// --summary: latency percentiles and per-interval tables.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "nfstrace/summary.hpp"

using nfstrace::LatencyHistogram;
using nft::Rec;

TEST_CASE("summary: latency percentiles within a bucket's width, exact maximum") {
    LatencyHistogram h;
    CHECK(h.quantile(0.5) == 0);
    for (int i = 1; i <= 1000; ++i) h.add(i * 1000);  // 1 us .. 1 ms
    CHECK(h.count() == 1000);
    CHECK(h.max() == 1'000'000);
    auto near = [](nfstrace::Time got, double want) { return std::abs(static_cast<double>(got) - want) <= 0.13 * want; };
    CHECK(near(h.quantile(0.5), 500'000));
    CHECK(near(h.quantile(0.9), 900'000));
    CHECK(near(h.quantile(0.99), 990'000));
    CHECK(h.quantile(1.0) <= h.max());
    LatencyHistogram tiny;
    tiny.add(5);  // below 1 us: the first bucket, never above the maximum
    CHECK(tiny.quantile(0.5) == 5);
}

TEST_CASE("summary: per client, user, procedure and file, per interval") {
    nfstrace::Config cfg;
    cfg.summary = true;
    cfg.interval = 10 * nfstrace::kSecond;
    Rec w{"105.000000", "write", "fh=cc offset=0 count=100 rcount=100"};
    w.dur = "0.002000";
    Rec e{"106.000000", "read", "fh=cc offset=0 count=100"};
    e.status = "stale";
    Rec other{"107.000000", "read", "fh=dd offset=0 count=10 rcount=10"};
    other.uid = "2000";
    other.client = "10.0.0.3.700";
    auto res = nft::trace(nft::lines_of({
                              {"101.000000", "read", "fh=cc offset=0 count=4096 rcount=4096"},
                              w,
                              e,
                              other,
                              {"125.000000", "getattr", "fh=cc ftype=reg"},
                          }),
                          cfg);
    CHECK(res.header == "#nfstrace-summary 1 start end by key calls errors rbytes wbytes p50 p90 p99 max [path=...]");
    REQUIRE(res.opens.size() >= 2);
    CHECK(nft::field(res.opens[0], 2) == "client");
    CHECK(nft::field(res.opens[0], 3) == "10.0.0.2");
    CHECK(nft::field(res.opens[0], 4) == "3");   // calls
    CHECK(nft::field(res.opens[0], 5) == "1");   // errors
    CHECK(nft::field(res.opens[0], 6) == "4096");
    CHECK(nft::field(res.opens[0], 7) == "100");
    CHECK(nft::field(res.opens[0], 11) == "0.002000");  // max latency: exact
    std::size_t users = 0, procs = 0, files = 0, second = 0;
    for (const std::string& l : res.opens) {
        users += nft::field(l, 2) == "user";
        procs += nft::field(l, 2) == "proc";
        files += nft::field(l, 2) == "file";
        second += nft::field(l, 0) == "120.000000";
    }
    CHECK(users == 3);   // 1000, 2000 in the first interval; 1000 in the third
    CHECK(procs == 3);   // nfs3.read, nfs3.write; nfs3.getattr
    CHECK(files == 3);   // cc, dd; cc
    CHECK(second == 4);  // the interval of the GETATTR: one row per table
    CHECK(res.opens.back() ==
          "120.000000 130.000000 file 10.0.0.1:cc 1 0 0 0 0.000983 0.000983 0.000983 0.001000 path=?");
}
