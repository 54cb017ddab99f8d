#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "packet_builder.hpp"
#include "rpcspy/capture.hpp"
#include "rpcspy/tracer.hpp"
#include "xdr_builder.hpp"

// Counts heap allocations, to check that the steady state allocates nothing.
// Sanitizer builds keep their own allocator (and skip that check).
#if defined(__SANITIZE_ADDRESS__)
#define TOOLKIT_COUNT_ALLOCATIONS 0
#else
#define TOOLKIT_COUNT_ALLOCATIONS 1
#endif
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}
#if TOOLKIT_COUNT_ALLOCATIONS
// (GCC cannot see that the replacement new and delete below are a pair.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

using namespace rpcspy;
using testxdr::Xdr;

namespace {

constexpr int kEthernet = 1;
const std::array<std::uint8_t, 4> kClient{10, 0, 0, 2}, kServer{10, 0, 0, 1}, kServer2{10, 0, 0, 9};

testpkt::Bytes udp_frame(std::array<std::uint8_t, 4> src, std::uint16_t sport, std::array<std::uint8_t, 4> dst,
                         std::uint16_t dport, const Xdr& rpc) {
    return testpkt::ether(0x0800, testpkt::ipv4(src, dst, 17, testpkt::udp(sport, dport, rpc.bytes())));
}

// An NFSv3 GETATTR call with AUTH_SYS uid 1000 gid 100.
Xdr getattr_call(std::uint32_t xid) {
    Xdr cred;
    cred.u32(0).str("host").u32(1000).u32(100).u32(0);
    Xdr x;
    x.u32(xid).u32(0).u32(2).u32(100003).u32(3).u32(1).u32(1).opaque(cred.bytes()).u32(0).u32(0);
    x.opaque({0xab, 0xcd});
    return x;
}
// A GETATTR reply: NFS3ERR_NOENT (no attributes follow).
Xdr getattr_noent(std::uint32_t xid) {
    Xdr x;
    x.u32(xid).u32(1).u32(0).u32(0).u32(0).u32(0).u32(2);
    return x;
}

struct Harness {
    common::OutBuffer out;
    RecordWriter writer{out, OutputFormat::Text, 6, false};
    Tracer tracer;
    explicit Harness(TracerOptions o = {}) : tracer(writer, o) {}
    void frame(std::int64_t sec, const testpkt::Bytes& f) {
        tracer.on_frame(kEthernet, Timestamp{sec, 0}, f.data(), f.size());
    }
    std::string text() const { return std::string(out.view()); }
};

}  // namespace

TEST_CASE("tracer: a UDP call and its reply make one record", "[tracer]") {
    Harness h;
    h.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
    h.frame(101, udp_frame(kServer, 2049, kClient, 800, getattr_noent(7)));
    CHECK(h.text() == "100.000000 1.000000 10.0.0.2.800 10.0.0.1.2049 udp 00000007 1000 100 nfs 3 getattr noent fh=abcd\n");
    CHECK(h.tracer.stats().pairs == 1);
}

TEST_CASE("tracer: a UDP reply from another server address still matches", "[tracer]") {
    Harness h;
    h.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
    h.frame(100, udp_frame(kServer2, 2049, kClient, 800, getattr_noent(7)));
    CHECK(h.tracer.stats().pairs == 1);
}

TEST_CASE("tracer: retransmitted calls are counted, not printed again", "[tracer]") {
    Harness h;
    h.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
    h.frame(101, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
    h.frame(102, udp_frame(kServer, 2049, kClient, 800, getattr_noent(7)));
    h.frame(103, udp_frame(kServer, 2049, kClient, 800, getattr_noent(7)));  // duplicate reply
    CHECK(h.text() ==
          "100.000000 2.000000 10.0.0.2.800 10.0.0.1.2049 udp 00000007 1000 100 nfs 3 getattr noent fh=abcd dup=2\n");
    CHECK(h.tracer.stats().duplicate_calls == 1);
    CHECK(h.tracer.stats().duplicate_replies == 1);
    CHECK(h.tracer.stats().orphan_replies == 0);
}

TEST_CASE("tracer: XID reuse after a reply is a new call", "[tracer]") {
    Harness h;
    for (int i = 0; i < 2; ++i) {
        h.frame(100 + i, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
        h.frame(100 + i, udp_frame(kServer, 2049, kClient, 800, getattr_noent(7)));
    }
    CHECK(h.tracer.stats().pairs == 2);
    CHECK(h.tracer.stats().duplicate_calls == 0);
}

TEST_CASE("tracer: unanswered calls time out, then the rest at the end", "[tracer]") {
    TracerOptions o;
    o.timeout_seconds = 5;
    Harness h(o);
    h.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(1)));
    h.frame(103, udp_frame(kClient, 800, kServer, 2049, getattr_call(2)));
    h.frame(106, udp_frame(kClient, 801, kServer, 2049, getattr_call(3)));  // call 1 is now 6 s old
    CHECK(h.text() == "100.000000 - 10.0.0.2.800 10.0.0.1.2049 udp 00000001 1000 100 nfs 3 getattr timeout fh=abcd\n");
    h.tracer.finish();
    CHECK(h.tracer.stats().timeouts == 3);
    CHECK(h.tracer.stats().pairs == 0);
}

TEST_CASE("tracer: a full call table evicts the oldest call", "[tracer]") {
    TracerOptions o;
    o.max_calls = 2;
    Harness h(o);
    for (std::uint32_t xid = 1; xid <= 3; ++xid) h.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(xid)));
    CHECK(h.tracer.stats().evicted == 1);
    h.frame(100, udp_frame(kServer, 2049, kClient, 800, getattr_noent(1)));  // its call is gone
    h.frame(100, udp_frame(kServer, 2049, kClient, 800, getattr_noent(3)));
    CHECK(h.tracer.stats().orphan_replies == 1);
    CHECK(h.tracer.stats().pairs == 1);
}

TEST_CASE("tracer: program and procedure filters, record limit", "[tracer]") {
    TracerOptions o;
    o.programs = {"mount"};
    Harness h(o);
    h.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
    h.frame(100, udp_frame(kServer, 2049, kClient, 800, getattr_noent(7)));
    CHECK(h.text().empty());
    CHECK(h.tracer.stats().pairs == 1);

    TracerOptions by_number;
    by_number.procedures = {"1"};
    by_number.max_records = 1;
    Harness n(by_number);
    for (std::uint32_t xid = 1; xid <= 2; ++xid) {
        n.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(xid)));
        n.frame(100, udp_frame(kServer, 2049, kClient, 800, getattr_noent(xid)));
    }
    CHECK(n.tracer.done());
    CHECK(n.writer.written() == 1);
}

TEST_CASE("tracer: the summary of several tracers (--workers) sums their counters", "[tracer]") {
    Harness a, b;
    a.frame(100, udp_frame(kClient, 800, kServer, 2049, getattr_call(7)));
    a.frame(101, udp_frame(kServer, 2049, kClient, 800, getattr_noent(7)));
    b.frame(100, udp_frame(kClient, 801, kServer, 2049, getattr_call(8)));
    b.frame(101, udp_frame(kClient, 801, kServer, 2049, getattr_call(8)));
    const Tracer* both[] = {&a.tracer, &b.tracer};
    std::string s = Tracer::summary(both, 3, 10);
    CHECK(s.find("packets 4\nkernel_received 10\nkernel_dropped 3\n") == 0);
    CHECK(s.find("\nrpc_calls 2\n") != std::string::npos);
    CHECK(s.find("\npairs 1\n") != std::string::npos);
    CHECK(s.find("\nduplicate_calls 1\n") != std::string::npos);
    CHECK(s.find("\nrecords_written 1\n") != std::string::npos);
    CHECK(a.tracer.summary(-1, -1) == Tracer::summary(std::span<const Tracer* const>(both, 1), -1, -1));
}

TEST_CASE("tracer: not-RPC datagrams are counted", "[tracer]") {
    Harness h;
    Xdr junk;
    junk.u32(1).u32(9).u32(9);
    h.frame(100, udp_frame(kClient, 53, kServer, 53, junk));
    CHECK(h.tracer.stats().not_rpc == 1);
    CHECK(h.text().empty());
}

TEST_CASE("tracer: how much of a TCP message is kept", "[tracer]") {
    Harness h;
    Packet pkt;
    pkt.transport = Transport::Tcp;
    pkt.src.port = 800;
    pkt.dst.port = 2049;
    const std::size_t whole = TracerOptions{}.tcp.max_message;
    // A call a decoder reads: all of it.
    const Xdr getattr = getattr_call(7);
    CHECK(h.tracer.keep_limit(pkt, getattr.bytes()) == whole);
    // A call of a program without a decoder: up to its arguments (here 8 bytes: an
    // opaque of 2), which nothing reads.
    std::vector<std::uint8_t> unknown = getattr_call(8).bytes();
    unknown[12] = 0x7f;  // program 100003 -> 0x7f0186a3
    CHECK(h.tracer.keep_limit(pkt, unknown) == unknown.size() - 8);
    // Not RPC (a record mark found in other traffic, e.g. SMB's length prefix):
    // the head only, however long the "message" goes on.
    Xdr junk;
    junk.u32(1).u32(9).u32(9).u32(9);
    CHECK(h.tracer.keep_limit(pkt, junk.bytes()) == junk.bytes().size());
}

TEST_CASE("tracer: steady state allocates nothing per packet", "[tracer][alloc]") {
    if (!TOOLKIT_COUNT_ALLOCATIONS) {
        WARN("skipped: allocations are not counted under a sanitizer (the optimised build checks this)");
        return;
    }
    // Two passes over a real capture; the second reuses call slots, field storage
    // and buffers, so it must not allocate at all.
    const std::string path = std::string(TOOLKIT_SOURCE_DIR) + "/tests/captures/lab/v3-udp.pcap";
    int devnull = ::open("/dev/null", O_WRONLY);
    REQUIRE(devnull >= 0);
    common::OutBuffer out(devnull);
    RecordWriter writer(out, OutputFormat::Text, 6, false);
    Tracer tracer(writer, TracerOptions{});
    std::uint64_t per_pass[2] = {};
    for (int pass = 0; pass < 2; ++pass) {
        Capture cap;
        REQUIRE(cap.open_file(path));
        const int dlt = cap.datalink();
        std::uint64_t during = 0;
        cap.run([&](const Timestamp& ts, const std::uint8_t* f, std::size_t n) {
            std::uint64_t before = g_allocations;
            tracer.on_frame(dlt, Timestamp{ts.sec + pass * 1000, ts.nsec}, f, n);
            during += g_allocations - before;
        });
        per_pass[pass] = during;
    }
    out.flush();
    ::close(devnull);
    CHECK(tracer.stats().pairs == 2 * 17);
    CHECK(per_pass[0] > 0);   // the first pass does grow the buffers
    CHECK(per_pass[1] == 0);  // the second allocates nothing
}
