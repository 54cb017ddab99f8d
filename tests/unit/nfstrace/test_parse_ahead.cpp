// ParseAhead (lines read and parsed on a second thread) and Tracer::feed, which
// uses it: through real pipes written in small pieces, against the same lines
// taken one at a time by Tracer::line.
#include <catch2/catch.hpp>

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "../test_support.hpp"
#include "helpers.hpp"
#include "nfstrace/handles.hpp"
#include "nfstrace/parse_ahead.hpp"

using nfstrace::HandleTable;
using nfstrace::ParseAhead;
using nfstrace::ParsedBlock;
using unit_test::PipeWriter;

namespace {

// A workload of many files: LOOKUP, ACCESS, READs to EOF, WRITEs and COMMIT,
// with a bad line and a comment among them.
std::vector<std::string> workload(int files) {
    std::vector<std::string> v{nft::kHeader};
    nft::Rec mnt{"100.000000", "mnt", "path=/export fh=aa"};
    mnt.prog = "mount";
    mnt.server = "10.0.0.1.20048";
    v.push_back(mnt.line());
    double t = 100.1;
    for (int f = 0; f < files; ++f) {
        std::string fh = "f" + std::to_string(1000 + f);
        std::string name = "file" + std::to_string(f);
        auto at = [&t] {
            t += 0.001;
            return std::to_string(t);
        };
        nft::Rec r{at(), "lookup", "dir=aa name=" + name + " fh=" + fh + " ftype=reg mode=0644 size=8192"};
        r.client = "10.0.0." + std::to_string(2 + f % 5) + ".800";
        v.push_back(r.line());
        r = {at(), "access", "fh=" + fh + " ftype=reg size=8192"};
        v.push_back(r.line());
        if (f % 3 == 0) {
            for (int off = 0; off < 8192; off += 4096) {
                r = {at(), "write", "fh=" + fh + " offset=" + std::to_string(off) + " count=4096 rcount=4096"};
                v.push_back(r.line());
            }
            r = {at(), "commit", "fh=" + fh};
            v.push_back(r.line());
        } else {
            r = {at(), "read", "fh=" + fh + " offset=0 count=8192 rcount=8192 eof=true ftype=reg size=8192"};
            v.push_back(r.line());
        }
        if (f == files / 2) {
            v.emplace_back("this line is not a record");
            v.emplace_back("# a comment");
        }
    }
    return v;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const std::string& l : lines) s += l + "\n";
    return s;
}

}  // namespace

TEST_CASE("parse ahead: every line once, in order, numbered, parsed, with its handle's hash") {
    std::vector<std::string> lines = workload(400);
    PipeWriter writer(joined(lines));
    nfstrace::HostTable tracer_hosts;
    tracer_hosts.intern("192.0.2.9");  // known before: ids continue after it
    ParseAhead input(writer.fd(), tracer_hosts, 512);  // small reads: many blocks through the ring, and waits
    std::size_t n = 0;
    std::size_t blocks = 0;
    common::RecordLine want;
    for (;;) {
        const ParsedBlock& b = input.next();
        if (b.last) {
            CHECK(b.read_error == 0);
            break;
        }
        ++blocks;
        REQUIRE(b.count > 0);
        CHECK(b.first_line == n + 1);
        for (const std::string& h : b.new_hosts) tracer_hosts.intern(h);  // as the tracer does
        for (std::size_t i = 0; i < b.count; ++i, ++n) {
            REQUIRE(n < lines.size());
            const nfstrace::ParsedLine& p = b.lines[i];
            CHECK(p.kind == want.parse(lines[n]));
            if (p.kind != common::LineKind::Record) continue;
            CHECK(p.rec.proc() == want.proc());
            CHECK(tracer_hosts.name(p.client) == nfstrace::host_part(want.client()));
            CHECK(tracer_hosts.name(p.server) == nfstrace::host_part(want.server()));
            CHECK(p.rec.time_ns() == want.time_ns());
            REQUIRE(p.rec.tokens().size() == want.tokens().size());
            const common::RecordToken* fh = want.find("dir") ? want.find("dir") : want.find("fh");
            REQUIRE(fh);  // every record of the workload has one
            CHECK(p.has_handle);
            CHECK(p.handle_hash() == HandleTable::key_hash(fh->value));
        }
        input.done();
    }
    CHECK(n == lines.size());
    CHECK(blocks > 8);  // more blocks than the ring holds
    CHECK(tracer_hosts.size() == 7);  // the one known, the server and five clients
}

TEST_CASE("parse ahead: feed through a pipe gives what the same lines give one at a time") {
    std::vector<std::string> lines = workload(3000);
    nft::Result one = nft::trace(lines);
    REQUIRE(one.opens.size() == 3000);

    common::OutBuffer out(-1);
    common::OutBuffer err(-1);
    nfstrace::Config cfg;
    nfstrace::Tracer tracer(cfg, out, err);
    {
        PipeWriter writer(joined(lines));
        CHECK(tracer.feed(writer.fd(), "pipe"));
    }
    tracer.finish();
    CHECK(tracer.input_stats().lines == lines.size());
    CHECK(tracer.input_stats().bad_lines == 1);
    std::string want_out;
    want_out += one.header + "\n";
    for (const std::string& o : one.opens) want_out += o + "\n";
    CHECK(out.view() == want_out);
    // The bad line's number is the same as line() was given.
    CHECK(std::string(err.view()) == one.err.substr(0, one.err.find("test.txt")) + "pipe" +
                                         one.err.substr(one.err.find("test.txt") + 8));
}

TEST_CASE("parse ahead: a fatal line stops the reader even while its input stays open and silent") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string text = std::string(nft::kHeader) + "\nnot a record\n";
    REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    common::OutBuffer out(-1);
    common::OutBuffer err(-1);
    nfstrace::Config cfg;
    cfg.strict = true;
    {
        nfstrace::Tracer tracer(cfg, out, err);
        // Returns (rather than waiting for ever for more input) because the
        // reading thread gives up its wait once told to stop.
        CHECK_FALSE(tracer.feed(fds[0], "pipe"));
    }
    CHECK(std::string(err.view()) == "nfstrace: pipe:2: bad record: fewer than 12 fixed fields\n");
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST_CASE("parse ahead: a read error ends the input with its errno") {
    int fd = ::open(".", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    {
        nfstrace::HostTable hosts;
        ParseAhead input(fd, hosts);
        const ParsedBlock& b = input.next();
        CHECK(b.last);
        CHECK(b.count == 0);
        CHECK(b.read_error == EISDIR);
    }
    common::OutBuffer out(-1);
    common::OutBuffer err(-1);
    nfstrace::Config cfg;
    nfstrace::Tracer tracer(cfg, out, err);
    CHECK_FALSE(tracer.feed(fd, "dir"));
    CHECK(std::string(err.view()) == std::string("nfstrace: dir: ") + std::strerror(EISDIR) + "\n");
    ::close(fd);
}
