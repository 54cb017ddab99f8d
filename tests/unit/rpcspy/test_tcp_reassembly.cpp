#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rpcspy/tcp_reassembly.hpp"
#include "tests/unit/rpcspy/packet_builder.hpp"

using namespace rpcspy;
using testpkt::Bytes;
using testpkt::cat;
using testpkt::record;
using testpkt::slice;
using testpkt::text;

namespace {

struct Msg {
    std::string kept;
    std::size_t length = 0;
    bool incomplete = false;
    std::int64_t first_ms = 0, last_ms = 0;
    bool to_server = true;
    bool operator==(const Msg&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Msg& m) {
    return os << "{\"" << m.kept << "\" len=" << m.length << (m.incomplete ? " incomplete" : "") << " t=" << m.first_ms
              << ".." << m.last_ms << (m.to_server ? "" : " reply") << "}";
}

std::int64_t ms_of(const Timestamp& t) { return t.sec * 1000 + t.nsec / 1'000'000; }

// Keeps `keep` bytes of each message; a record is plausible when its body starts
// with 'M' (a call or reply in these tests).
struct Sink : TcpSink {
    std::size_t keep = 1u << 30;
    std::vector<Msg> msgs;
    rpcspy::Endpoint server;
    std::size_t keep_limit(const Packet&, std::span<const std::uint8_t>) override { return keep; }
    bool plausible_record(const Packet&, std::span<const std::uint8_t> b) override {
        return b.size() >= 5 && b[4] == 'M' && b[0] == 0x80 && b[1] == 0;
    }
    void on_message(const Packet& pkt, const TcpMessage& m) override {
        msgs.push_back({std::string(m.kept.begin(), m.kept.end()), m.length, m.incomplete, ms_of(m.first_ts),
                        ms_of(m.last_ts), pkt.dst == server});
    }
};

struct Harness {
    Sink sink;
    TcpReassembler r;
    Endpoint client = testpkt::endpoint(1, 800), server = testpkt::endpoint(2, 2049);
    explicit Harness(TcpLimits l = {}) : r(sink, l) { sink.server = server; }

    Packet packet(bool to_server, std::uint32_t seq, const Bytes& data, std::int64_t ms, std::uint8_t flags,
                  std::uint32_t ack) {
        Packet p;
        p.ts = Timestamp{ms / 1000, static_cast<std::uint32_t>(ms % 1000 * 1'000'000)};
        p.src = to_server ? client : server;
        p.dst = to_server ? server : client;
        p.transport = Transport::Tcp;
        p.seq = seq;
        p.ack = ack;
        p.flags = flags;
        p.payload = data.data();
        p.payload_len = data.size();
        p.payload_wire = data.size();
        return p;
    }
    // Client to server: `data` at sequence number `seq`.
    void c(std::uint32_t seq, const Bytes& data, std::int64_t ms = 0, std::uint8_t flags = tcp_flags::Ack) {
        r.on_segment(packet(true, seq, data, ms, flags, 1));
    }
    // Server to client (its data or a bare ACK of the client's bytes up to `ack`).
    void s(std::uint32_t seq, const Bytes& data, std::uint32_t ack, std::int64_t ms = 0) {
        r.on_segment(packet(false, seq, data, ms, tcp_flags::Ack, ack));
    }
    void syn(std::uint32_t isn = 1000) { r.on_segment(packet(true, isn, {}, 0, tcp_flags::Syn, 0)); }
    // A segment whose capture was cut: `captured` of `wire` bytes.
    void cut(std::uint32_t seq, const Bytes& data, std::size_t wire, std::int64_t ms = 0) {
        Packet p = packet(true, seq, data, ms, tcp_flags::Ack, 1);
        p.payload_wire = wire;
        r.on_segment(p);
    }
    const std::vector<Msg>& msgs() const { return sink.msgs; }
    const TcpStats& st() const { return r.stats(); }
};

Msg msg(std::string_view kept, std::size_t length, std::int64_t first = 0, std::int64_t last = 0,
        bool incomplete = false) {
    return {std::string(kept), length, incomplete, first, last, true};
}

// A record with body "M<tag>" padded with '.' to `len` bytes.
Bytes body(std::string_view tag, std::size_t len) {
    std::string s = "M";
    s += tag;
    s.resize(len, '.');
    return text(s);
}
std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("tcp: in-order records, several in one segment, one over many segments") {
    Harness h;
    h.syn();
    Bytes a = record(text("Mone")), b = record(text("Mtwo!")), c = record(body("three", 40));
    h.c(1001, cat({a, b}), 1);  // two records in one segment
    std::uint32_t seq = 1001 + static_cast<std::uint32_t>(a.size() + b.size());
    // One record over one-byte segments (the mark itself is split).
    for (std::size_t i = 0; i < c.size(); ++i) h.c(seq + static_cast<std::uint32_t>(i), slice(c, i, 1), 10 + static_cast<std::int64_t>(i));
    REQUIRE(h.msgs().size() == 3);
    CHECK(h.msgs()[0] == msg("Mone", 4, 1, 1));
    CHECK(h.msgs()[1] == msg("Mtwo!", 5, 1, 1));
    CHECK(h.msgs()[2] == msg(str(body("three", 40)), 40, 13, 53));  // mark complete .. last byte
    CHECK(h.st().bytes_lost == 0);
    CHECK(h.st().held == 0);
}

TEST_CASE("tcp: a record in several fragments is one message") {
    Harness h;
    h.syn();
    Bytes r = cat({record(text("Mfirst-"), false), record(text("second-"), false), record(text("third"), true)});
    h.c(1001, slice(r, 0, 9), 1);
    h.c(1010, slice(r, 9, r.size() - 9), 2);
    REQUIRE(h.msgs().size() == 1);
    CHECK(h.msgs()[0] == msg("Mfirst-second-third", 19, 1, 2));
}

TEST_CASE("tcp: the keep limit cuts the kept prefix, the length stays whole") {
    Harness h;
    h.sink.keep = 6;
    h.syn();
    Bytes r = record(body("big", 3000));
    h.c(1001, slice(r, 0, 1500), 1);
    h.c(2501, slice(r, 1500, r.size() - 1500), 2);
    REQUIRE(h.msgs().size() == 1);
    CHECK(h.msgs()[0] == msg("Mbig..", 3000, 1, 2));
}

TEST_CASE("tcp: out-of-order segments are held and put in order") {
    Harness h;
    h.syn();
    Bytes a = record(text("Malpha")), b = record(text("Mbeta")), c = record(text("Mgamma"));
    Bytes all = cat({a, b, c});
    // b's first half arrives first, then c with b's second half, then a.
    std::size_t a_end = a.size(), b_mid = a.size() + 5;
    h.c(1001 + static_cast<std::uint32_t>(a_end), slice(all, a_end, 5), 5);
    h.c(1001 + static_cast<std::uint32_t>(b_mid), slice(all, b_mid, all.size() - b_mid), 6);
    CHECK(h.msgs().empty());
    CHECK(h.st().held == 2);
    CHECK(h.r.held_segments() == 2);
    h.c(1001, a, 7);  // the late one
    REQUIRE(h.msgs().size() == 3);
    CHECK(h.msgs()[0] == msg("Malpha", 6, 7, 7));
    CHECK(h.msgs()[1] == msg("Mbeta", 5, 5, 6));
    CHECK(h.msgs()[2] == msg("Mgamma", 6, 6, 6));
    CHECK(h.st().reordered == 1);
    CHECK(h.st().bytes_lost == 0);
    CHECK(h.st().desyncs == 0);
    CHECK(h.r.held_segments() == 0);
    CHECK(h.r.held_bytes() == 0);
}

TEST_CASE("tcp: many segments in reverse order") {
    Harness h;
    h.syn();
    Bytes all;
    for (int i = 0; i < 20; ++i) all = cat({all, record(body(std::to_string(i), 13))});
    for (std::size_t off = all.size(); off > 0;) {
        std::size_t n = std::min<std::size_t>(7, off);
        off -= n;
        h.c(1001 + static_cast<std::uint32_t>(off), slice(all, off, n), 1);
    }
    REQUIRE(h.msgs().size() == 20);
    for (int i = 0; i < 20; ++i) CHECK(h.msgs()[static_cast<std::size_t>(i)].kept == str(body(std::to_string(i), 13)));
    CHECK(h.st().bytes_lost == 0);
}

TEST_CASE("tcp: duplicates and partial retransmissions") {
    Harness h;
    h.syn();
    Bytes all = cat({record(text("Mone")), record(text("Mtwo")), record(text("Mthree"))});
    h.c(1001, slice(all, 0, 6), 1);
    h.c(1001, slice(all, 0, 6), 2);    // duplicate
    h.c(1001, slice(all, 0, 10), 3);   // overlaps the start, adds 4 bytes
    h.c(1007, slice(all, 6, 2), 4);    // wholly seen
    SECTION("in order") { h.c(1005, slice(all, 4, all.size() - 4), 5); }
    SECTION("overlapping held segments, first copy wins") {
        Bytes bad = slice(all, 14, all.size() - 14);
        bad[bad.size() - 1] = 'X';  // a later copy that disagrees is ignored
        h.c(1001 + 14, slice(all, 14, all.size() - 14), 5);
        h.c(1001 + 14, bad, 5);
        h.c(1001 + 12, slice(all, 12, 5), 5);  // overlaps the held piece on both sides
        h.c(1001 + 12, slice(all, 12, 5), 5);
        CHECK(h.r.held_bytes() == all.size() - 12);
        h.c(1001 + 10, slice(all, 10, 3), 5);
    }
    REQUIRE(h.msgs().size() == 3);
    CHECK(h.msgs()[0].kept == "Mone");
    CHECK(h.msgs()[1].kept == "Mtwo");
    CHECK(h.msgs()[2] == msg("Mthree", 6, 5, 5));
    CHECK(h.st().retransmitted == 2);
    CHECK(h.st().bytes_lost == 0);
    CHECK(h.st().desyncs == 0);
}

TEST_CASE("tcp: a hole inside a payload, acknowledged by the peer, keeps sync") {
    Harness h;
    h.sink.keep = 10;
    h.syn();
    Bytes big = record(body("write", 100)), next = record(text("Mnext"));
    h.c(1001, slice(big, 0, 30), 1);
    h.c(1001 + 50, slice(big, 50, 54), 2);  // bytes 30..49 are missing
    CHECK(h.msgs().empty());
    SECTION("the peer acknowledges the missing bytes") {
        h.s(5000, {}, 1001 + 104, 3);  // the peer got it all: the capture lost 20 bytes
        CHECK(h.st().gaps_acked == 1);
    }
    SECTION("the hold times out") {
        h.c(1001 + 104 + 9, {}, 1500);  // a bare segment does not end the wait
        h.r.expire_holds(Timestamp{2, 0});
        CHECK(h.st().gaps_timeout == 1);
    }
    SECTION("end of input") { h.r.flush(); }
    REQUIRE(h.msgs().size() == 1);
    CHECK(h.msgs()[0] == msg(str(slice(big, 4, 26)), 100, 1, 2, true));  // kept stops at the hole
    CHECK(h.st().bytes_lost == 20);
    CHECK(h.st().desyncs == 0);
    h.c(1001 + 104, next, 4000);
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[1] == msg("Mnext", 5, 4000, 4000));
}

TEST_CASE("tcp: an ACK must cover the hole and some held bytes to declare it") {
    Harness h;
    h.syn();
    Bytes all = cat({record(text("Mone")), record(text("Mtwo")), record(text("Mthree"))});
    h.c(1001 + 8, slice(all, 8, 8), 1);
    h.c(1001 + 20, slice(all, 20, 6), 1);  // two holes: [0, 8) and [16, 20)
    h.s(5000, {}, 1001, 2);      // acknowledges nothing new
    h.s(5000, {}, 1001 + 4, 2);  // part of the first hole
    h.s(5000, {}, 1001 + 8, 2);  // the first hole alone (merged captures can do that)
    CHECK(h.st().gaps_acked == 0);
    CHECK(h.st().bytes_lost == 0);
    h.s(5000, {}, 1001 + 9, 3);  // the hole and a held byte: the hole was lost
    CHECK(h.st().gaps_acked == 1);
    CHECK(h.st().bytes_lost == 8);
    CHECK(h.r.held_segments() == 1);  // still waiting for [16, 20)
    h.c(1001 + 16, slice(all, 16, 4), 4);
    // The lost bytes held a record mark: the stream resynchronises on "Mtwo".
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[0] == msg("Mtwo", 4, 1, 1));
    CHECK(h.msgs()[1] == msg("Mthree", 6, 4, 1));
    CHECK(h.st().desyncs == 1);
    CHECK(h.st().reordered == 1);
}

TEST_CASE("tcp: a hole over a record mark resynchronises on the next plausible record") {
    Harness h;
    h.syn();
    Bytes a = record(body("a", 20)), b = record(body("b", 20)), c = record(body("c", 20)), d = record(text("Md"));
    Bytes all = cat({a, b, c, d});
    h.c(1001, slice(all, 0, 10), 1);        // a's start
    h.c(1001 + 30, slice(all, 30, 18), 2);  // the rest of b, without its mark and first 2 bytes
    h.c(1001 + 48, slice(all, 48, all.size() - 48), 3);  // c and d
    h.s(5000, {}, 1001 + static_cast<std::uint32_t>(all.size()), 4);
    // a is reported cut short, b's rest is not a record start, c and d are found.
    REQUIRE(h.msgs().size() == 3);
    CHECK(h.msgs()[0] == msg(str(slice(a, 4, 6)), 6, 1, 2, true));
    CHECK(h.msgs()[1] == msg(str(body("c", 20)), 20, 3, 3));
    CHECK(h.msgs()[2] == msg("Md", 2, 3, 3));
    CHECK(h.st().bytes_skipped == 18);
    CHECK(h.st().desyncs == 1);
    CHECK(h.st().resyncs == 1);
    CHECK(h.st().bytes_lost == 20);
}

TEST_CASE("tcp: a full hold declares its hole and counts the eviction") {
    TcpLimits l;
    l.max_held_bytes = 16;
    Harness h(l);
    h.syn();
    Bytes all;
    for (int i = 0; i < 6; ++i) all = cat({all, record(body(std::to_string(i), 4))});  // 8 bytes each
    h.c(1001 + 16, slice(all, 16, 8), 1);
    h.c(1001 + 24, slice(all, 24, 8), 2);  // 16 bytes held
    CHECK(h.st().held == 2);
    h.c(1001 + 32, slice(all, 32, 8), 3);  // over the cap: records 0 and 1 are given up
    CHECK(h.st().gaps_cap == 1);
    CHECK(h.st().held_bytes_evicted == 16);
    CHECK(h.st().bytes_lost == 16);
    h.c(1001 + 40, slice(all, 40, 8), 4);
    h.c(1001, slice(all, 0, 16), 5);  // too late: a retransmission now
    REQUIRE(h.msgs().size() == 4);
    CHECK(h.msgs()[0].kept == "M2..");
    CHECK(h.msgs()[3].kept == "M5..");
    CHECK(h.st().retransmitted == 1);
    CHECK(h.r.held_bytes() == 0);
}

TEST_CASE("tcp: the segment-count cap and the global cap") {
    TcpLimits l;
    SECTION("segments") { l.max_held_segments = 2; }
    SECTION("global") { l.max_held_total = 16; }
    Harness h(l);
    h.syn();
    Bytes all;
    for (int i = 0; i < 4; ++i) all = cat({all, record(body(std::to_string(i), 4))});
    h.c(1001 + 8, slice(all, 8, 8), 1);
    h.c(1001 + 24, slice(all, 24, 8), 2);  // two holes
    h.c(1001 + 16, slice(all, 16, 8), 3);  // fills the second, hits a cap
    CHECK(h.st().gaps_cap >= 1);
    h.r.flush();
    REQUIRE(h.msgs().size() == 3);
    CHECK(h.msgs()[0].kept == "M1..");
    CHECK(h.msgs()[2].kept == "M3..");
    CHECK(h.st().bytes_lost == 8);
}

TEST_CASE("tcp: held bytes past the keep limit are not stored") {
    Harness h;
    h.sink.keep = 8;
    h.syn();
    Bytes w = record(body("write", 4000)), n = record(text("Mnext"));
    Bytes all = cat({w, n});
    h.c(1001, slice(all, 0, 1100), 1);                          // keep limit decided
    h.c(1001 + 2000, slice(all, 2000, all.size() - 2000), 3);  // ahead: payload, then next
    h.c(1001 + 3000, slice(all, 3000, all.size() - 3000), 3);  // a partial duplicate
    CHECK(h.st().held_bytes_elided == 2004);
    CHECK(h.r.held_bytes() == n.size());
    h.c(1001 + 1100, slice(all, 1100, 900), 4);                // the late middle
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[0] == msg("Mwrite..", 4000, 1, 3));
    CHECK(h.msgs()[1] == msg("Mnext", 5, 3, 3));
    CHECK(h.st().bytes_lost == 0);
    CHECK(h.r.held_bytes() == 0);
}

TEST_CASE("tcp: a snaplen cut inside a held segment is a loss inside the payload") {
    Harness h;
    h.syn();
    Bytes all = cat({record(body("w", 60)), record(text("Mnext"))});
    h.cut(1001 + 20, slice(all, 20, 10), 44, 2);  // 34 bytes not captured
    h.c(1001 + 64, slice(all, 64, all.size() - 64), 3);
    h.c(1001, slice(all, 0, 20), 4);
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[0] == msg(str(slice(all, 4, 26)), 60, 4, 2, true));
    CHECK(h.msgs()[1] == msg("Mnext", 5, 3, 3));
    CHECK(h.st().bytes_lost == 34);
}

TEST_CASE("tcp: FIN delivers what is held") {
    Harness h;
    h.syn();
    Bytes all = cat({record(text("Mone")), record(text("Mtwo"))});
    h.c(1001 + 8, slice(all, 8, 8), 1);
    h.c(1001 + 16, {}, 2, tcp_flags::Fin | tcp_flags::Ack);
    REQUIRE(h.msgs().size() == 1);
    CHECK(h.msgs()[0].kept == "Mtwo");
    CHECK(h.r.streams() == 0);
    CHECK(h.r.held_segments() == 0);
}

TEST_CASE("tcp: a capture that starts mid-connection resynchronises") {
    Harness h;
    Bytes all = cat({record(body("x", 10)), record(text("Mone")), record(text("Mtwo"))});
    h.c(5000, slice(all, 6, 8), 1);  // the middle of a record
    h.c(5008, slice(all, 14, all.size() - 14), 2);
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[0].kept == "Mone");
    CHECK(h.msgs()[1].kept == "Mtwo");
    CHECK(h.st().bytes_skipped == 8);
}

TEST_CASE("tcp: sequence numbers wrap") {
    Harness h;
    h.syn(0xfffffff0u);
    Bytes all = cat({record(body("a", 20)), record(text("Mb"))});
    h.c(0xfffffff1u + 16, slice(all, 16, all.size() - 16), 1);  // past the wrap
    h.c(0xfffffff1u, slice(all, 0, 16), 2);
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[0] == msg(str(body("a", 20)), 20, 2, 1));
    CHECK(h.msgs()[1].kept == "Mb");
}

TEST_CASE("tcp: idle streams are forgotten, their held data delivered first") {
    Harness h;
    h.syn();
    Bytes all = cat({record(text("Mone")), record(text("Mtwo"))});
    h.c(1001 + 8, slice(all, 8, 8), 1);
    h.r.expire(Timestamp{10'000, 0});
    CHECK(h.r.streams() == 0);
    REQUIRE(h.msgs().size() == 1);
    CHECK(h.msgs()[0].kept == "Mtwo");
}

TEST_CASE("tcp: after a loss, a record starting inside a segment is found") {
    Harness h;
    h.syn();
    // c looks like an RPC reply after its mark (XID "Mrpc", message type 1), which
    // is what the search inside a segment looks for.
    Bytes a = record(body("a", 20)), b = record(body("b", 20));
    Bytes c = record(cat({text("Mrpc"), Bytes{0, 0, 0, 1}, text("reply body")}));
    Bytes all = cat({a, b, c});
    h.c(1001, a, 1);
    // b's mark and first bytes are lost; one segment holds b's rest and then c.
    h.c(1001 + static_cast<std::uint32_t>(a.size()) + 6, slice(all, a.size() + 6, all.size() - a.size() - 6), 2);
    h.s(5000, {}, 1001 + static_cast<std::uint32_t>(all.size()), 3);
    REQUIRE(h.msgs().size() == 2);
    CHECK(h.msgs()[0] == msg(str(body("a", 20)), 20, 1, 1));
    CHECK(h.msgs()[1] == msg(str(slice(c, 4, c.size() - 4)), c.size() - 4, 2, 2));
    CHECK(h.st().bytes_lost == 6);
    CHECK(h.st().bytes_skipped == b.size() - 6);  // b's rest, before c's mark
    CHECK(h.st().resyncs == 1);
}

TEST_CASE("tcp: a new stream that never syncs is searched only in its first segments") {
    Harness h;
    // No SYN: joined mid-connection. 100 segments of non-RPC bytes, then one whose
    // middle holds an RPC-like record: past the first 64 segments only segment
    // starts are checked, so it is not found.
    std::uint32_t seq = 5000;
    Bytes junk(64, 'x');
    for (int i = 0; i < 100; ++i, seq += 64) h.c(seq, junk, i);
    Bytes c = record(cat({text("Mrpc"), Bytes{0, 0, 0, 1}, text("reply body")}));
    h.c(seq, cat({junk, c}), 200);
    CHECK(h.msgs().empty());
    CHECK(h.st().resyncs == 0);
}

TEST_CASE("tcp: after a loss, the search finds a record at every offset, past decoys") {
    // Zeros (which pass the cheap filter's first half everywhere) and decoys that
    // pass the whole filter but not the plausibility check come first; the record,
    // a call (type 0, RPC version 2) or a reply (type 1), is found at its offset.
    Bytes decoy = record(cat({text("Drpc"), Bytes{0, 0, 0, 0, 0, 0, 0, 2}}));
    for (int type = 0; type <= 1; ++type) {
        Bytes after_xid = type == 0 ? Bytes{0, 0, 0, 0, 0, 0, 0, 2} : Bytes{0, 0, 0, 1};
        Bytes c = record(cat({text("Mrpc"), after_xid, text("body")}));
        for (std::size_t skip = 1; skip <= 80; ++skip) {
            Harness h;
            h.syn();
            Bytes a = record(body("a", 20));
            Bytes junk(skip, 0);
            for (std::size_t i = 0; i + decoy.size() <= skip; i += decoy.size() + 3)
                std::copy(decoy.begin(), decoy.end(), junk.begin() + static_cast<std::ptrdiff_t>(i));
            h.c(1001, a, 1);
            // 8 bytes lost after a, then the junk and the record in one segment.
            auto seq = 1001 + static_cast<std::uint32_t>(a.size()) + 8;
            h.c(seq, cat({junk, c}), 2);
            h.s(5000, {}, seq + static_cast<std::uint32_t>(skip + c.size()), 3);
            INFO("type " << type << ", record at offset " << skip);
            REQUIRE(h.msgs().size() == 2);
            CHECK(h.msgs()[1].kept == str(slice(c, 4, c.size() - 4)));
            CHECK(h.st().resyncs == 1);
            CHECK(h.st().bytes_skipped == skip);
        }
    }
}
