// WriteBehind (opens written on a second thread) against an OpenWriter alone on
// the same opens: the same bytes, whatever the batching, with hosts interned
// while opens are being written.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/out_buffer.hpp"
#include "nfstrace/output.hpp"
#include "nfstrace/write_behind.hpp"

using nfstrace::HostTable;
using nfstrace::OpenRecord;

namespace {

// Open i of a run of opens by ever more clients (a new host every 7 opens),
// with a long handle now and then and paths that need escaping.
OpenRecord open_number(int i, HostTable& hosts) {
    OpenRecord r;
    r.open = 1'700'000'000'000'000'000 + i * 1'000'000LL;
    r.close = r.open + 5'000'000;
    r.seq = static_cast<std::uint64_t>(i);
    r.client = hosts.intern("10.0.0." + std::to_string(i / 7));
    r.server = hosts.intern("10.9.9.9");
    r.uid = static_cast<std::uint32_t>(1000 + i % 3);
    r.gid = 100;
    r.rbytes = static_cast<std::uint64_t>(i) * 4096;
    r.read = true;
    r.write = i % 5 == 0;
    r.ops = 2;
    r.have_path = i % 4 != 0;
    r.path = "/export/dir " + std::to_string(i % 11) + "/file%" + std::to_string(i);
    r.fh.assign(std::string(i % 13 == 0 ? 140 : 40, static_cast<char>('a' + i % 6)));
    return r;
}

std::string written(bool behind, int opens, const nfstrace::Config& cfg) {
    common::OutBuffer out(-1);
    HostTable hosts;
    if (behind) {
        nfstrace::WriteBehind w(out, cfg, hosts);
        w.set_time_digits(9);
        w.header();
        for (int i = 0; i < opens; ++i) w.emit(open_number(i, hosts));
        w.finish();
    } else {
        nfstrace::OpenWriter w(out, cfg, hosts);
        w.set_time_digits(9);
        w.header();
        for (int i = 0; i < opens; ++i) w.emit(open_number(i, hosts));
    }
    return std::string(out.view());
}

}  // namespace

TEST_CASE("write behind: the bytes an OpenWriter writes, across many batches and new hosts") {
    nfstrace::Config cfg;
    constexpr int k = static_cast<int>(nfstrace::WriteBehind::kRecords);
    for (int opens : {0, 1, k - 1, k, k + 1, 5 * k + 3}) {
        std::string alone = written(false, opens, cfg);
        CHECK(written(true, opens, cfg) == alone);
        CHECK(std::count(alone.begin(), alone.end(), '\n') == opens + 1);
    }
    cfg.json = true;
    CHECK(written(true, 3000, cfg) == written(false, 3000, cfg));
}

TEST_CASE("write behind: destroyed without finish(), it still writes every open") {
    nfstrace::Config cfg;
    common::OutBuffer out(-1);
    HostTable hosts;
    {
        nfstrace::WriteBehind w(out, cfg, hosts);
        for (int i = 0; i < 1000; ++i) w.emit(open_number(i, hosts));
    }
    std::string text(out.view());
    CHECK(std::count(text.begin(), text.end(), '\n') == 1000);
}
