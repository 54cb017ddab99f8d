#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "rpcspy/ip_fragments.hpp"
#include "tests/unit/rpcspy/packet_builder.hpp"

using namespace rpcspy;
using namespace testpkt;

namespace {

constexpr int kRaw = 12;
const std::array<std::uint8_t, 4> A{10, 0, 0, 1}, B{10, 0, 0, 2};

// A UDP datagram's bytes (header + payload) with a recognisable payload.
Bytes datagram(std::size_t payload, char seed = 'a') {
    Bytes p(payload);
    for (std::size_t i = 0; i < payload; ++i) p[i] = static_cast<std::uint8_t>(seed + i % 23);
    return udp(900, 2049, p);
}

struct Frag {
    std::size_t offset, len;
    bool more;
};

// IPv4 fragments of `d` cut at `cuts` (offsets, multiples of 8).
std::vector<Bytes> v4_fragments(const Bytes& d, const std::vector<std::size_t>& cuts, std::uint16_t id = 7,
                                std::array<std::uint8_t, 4> src = A, std::uint8_t proto = 17) {
    std::vector<Bytes> out;
    std::vector<std::size_t> at = cuts;
    at.insert(at.begin(), 0);
    at.push_back(d.size());
    for (std::size_t i = 0; i + 1 < at.size(); ++i) {
        V4Frag f;
        f.id = id;
        f.offset = at[i];
        f.more = i + 2 < at.size();
        out.push_back(ipv4(src, B, proto, slice(d, at[i], at[i + 1] - at[i]), f));
    }
    return out;
}

Bytes v6_fragment(const Bytes& part, std::size_t offset, bool more, std::uint32_t id = 99, std::uint8_t next = 17) {
    return ipv6(v6(1), v6(2), 0, cat({ext6(44), frag6(next, offset, more, id), part}));
}

struct Harness {
    IpReassembler r;
    Packet pkt;
    int completed = 0;
    explicit Harness(IpFragmentLimits l = {}) : r(l) {}
    // Feeds one frame; returns the status after reassembly.
    PacketStatus feed(const Bytes& frame, std::int64_t sec = 0, std::size_t caplen = SIZE_MAX) {
        pkt = Packet{};
        pkt.ts = Timestamp{sec, 0};
        PacketStatus st = decode_frame(kRaw, frame.data(), std::min(caplen, frame.size()), pkt);
        if (st != PacketStatus::IpFragment) return st;
        st = r.on_fragment(pkt);
        if (st == PacketStatus::Ok) ++completed;
        return st;
    }
    Bytes payload() const { return Bytes(pkt.payload, pkt.payload + pkt.payload_len); }
};

Bytes udp_payload(const Bytes& d) { return slice(d, 8, d.size() - 8); }

}  // namespace

TEST_CASE("ipfrag: IPv4 datagram in three fragments, in order") {
    Harness h;
    Bytes d = datagram(3000);
    auto frags = v4_fragments(d, {1480, 2960});
    CHECK(h.feed(frags[0]) == PacketStatus::IpFragment);
    CHECK(h.feed(frags[1]) == PacketStatus::IpFragment);
    CHECK(h.r.in_progress() == 1);
    REQUIRE(h.feed(frags[2]) == PacketStatus::Ok);
    CHECK(h.pkt.transport == Transport::Udp);
    CHECK(h.pkt.src.port == 900);
    CHECK(h.pkt.dst.port == 2049);
    CHECK(h.pkt.payload_wire == 3000);
    CHECK(h.payload() == udp_payload(d));
    CHECK(h.r.in_progress() == 0);
    CHECK(h.r.stats().fragments == 3);
    CHECK(h.r.stats().reassembled == 1);
}

TEST_CASE("ipfrag: fragments in any order") {
    Bytes d = datagram(100);
    auto frags = v4_fragments(d, {24, 48, 80});
    std::vector<std::size_t> order{0, 1, 2, 3};
    int perms = 0;
    do {
        Harness h;
        for (std::size_t i = 0; i < 4; ++i) {
            PacketStatus st = h.feed(frags[order[i]]);
            CHECK(st == (i == 3 ? PacketStatus::Ok : PacketStatus::IpFragment));
        }
        CHECK(h.payload() == udp_payload(d));
        ++perms;
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(perms == 24);
}

TEST_CASE("ipfrag: IPv6, with a destination-options header in the fragmentable part") {
    Harness h;
    Bytes d = datagram(200);
    Bytes whole = cat({ext6(17), d});  // destination options, then UDP
    CHECK(h.feed(v6_fragment(slice(whole, 104, whole.size() - 104), 104, false, 99, 60)) == PacketStatus::IpFragment);
    CHECK(h.feed(v6_fragment(slice(whole, 0, 56), 0, true, 99, 60)) == PacketStatus::IpFragment);
    // Same id, other addresses: another datagram.
    Bytes other = ipv6(v6(3), v6(2), 44, cat({frag6(17, 56, true, 99), slice(whole, 56, 48)}));
    CHECK(h.feed(other) == PacketStatus::IpFragment);
    CHECK(h.r.in_progress() == 2);
    REQUIRE(h.feed(v6_fragment(slice(whole, 56, 48), 56, true, 99, 60)) == PacketStatus::Ok);
    CHECK(h.payload() == udp_payload(d));
    CHECK(h.pkt.src.family == 6);
    CHECK(h.r.in_progress() == 1);
}

TEST_CASE("ipfrag: overlapping fragments, the first copy wins") {
    Harness h;
    Bytes d = datagram(92);  // 100 bytes
    V4Frag f;
    f.more = true;
    f.offset = 0;
    CHECK(h.feed(ipv4(A, B, 17, slice(d, 0, 48), f)) == PacketStatus::IpFragment);
    Bytes changed = slice(d, 40, 24);
    changed[0] ^= 0xff;  // differs from the first copy at offset 40
    f.offset = 40;
    CHECK(h.feed(ipv4(A, B, 17, changed, f)) == PacketStatus::IpFragment);
    CHECK(h.r.stats().overlaps == 1);
    CHECK(h.r.stats().conflicts == 1);
    f.offset = 8;
    CHECK(h.feed(ipv4(A, B, 17, slice(d, 8, 16), f)) == PacketStatus::IpFragment);  // a duplicate
    CHECK(h.r.stats().duplicates == 1);
    f.offset = 56;
    f.more = false;
    REQUIRE(h.feed(ipv4(A, B, 17, slice(d, 56, 44), f)) == PacketStatus::Ok);
    CHECK(h.payload() == udp_payload(d));
    CHECK(h.r.stats().conflicts == 1);
}

TEST_CASE("ipfrag: duplicated datagrams (retransmissions) reassemble each time") {
    Harness h;
    Bytes d = datagram(500);
    auto frags = v4_fragments(d, {256});
    CHECK(h.feed(frags[0]) == PacketStatus::IpFragment);
    CHECK(h.feed(frags[1]) == PacketStatus::Ok);
    const std::uint8_t* first = h.pkt.payload;
    CHECK(h.feed(frags[1]) == PacketStatus::IpFragment);
    CHECK(h.feed(frags[0]) == PacketStatus::Ok);
    CHECK(h.payload() == udp_payload(d));
    CHECK(h.pkt.payload == first);  // the same buffer, reused
    CHECK(h.r.stats().reassembled == 2);
}

TEST_CASE("ipfrag: timeout") {
    IpFragmentLimits l;
    l.timeout_seconds = 30;
    Harness h(l);
    Bytes d = datagram(100);
    auto frags = v4_fragments(d, {56});
    CHECK(h.feed(frags[0], 100) == PacketStatus::IpFragment);
    h.r.expire(Timestamp{130, 0});
    CHECK(h.r.in_progress() == 1);
    h.r.expire(Timestamp{131, 0});
    CHECK(h.r.in_progress() == 0);
    CHECK(h.r.stats().timed_out == 1);
    CHECK(h.feed(frags[1], 131) == PacketStatus::IpFragment);  // starts a new one
    CHECK(h.r.in_progress() == 1);
}

TEST_CASE("ipfrag: the cap on datagrams in progress gives up the oldest") {
    IpFragmentLimits l;
    l.max_datagrams = 2;
    Harness h(l);
    Bytes d = datagram(100);
    std::vector<std::vector<Bytes>> f;
    for (std::uint16_t id = 1; id <= 3; ++id) f.push_back(v4_fragments(d, {56}, id));
    CHECK(h.feed(f[0][0], 1) == PacketStatus::IpFragment);
    CHECK(h.feed(f[1][0], 2) == PacketStatus::IpFragment);
    CHECK(h.feed(f[2][0], 3) == PacketStatus::IpFragment);
    CHECK(h.r.stats().evicted == 1);
    CHECK(h.r.in_progress() == 2);
    CHECK(h.feed(f[1][1], 4) == PacketStatus::Ok);
    CHECK(h.feed(f[2][1], 4) == PacketStatus::Ok);
    CHECK(h.feed(f[0][1], 4) == PacketStatus::IpFragment);  // its start was given up
    CHECK(h.completed == 2);
}

TEST_CASE("ipfrag: size, count and consistency limits") {
    SECTION("past the maximum size") {
        Harness h;
        V4Frag f;
        f.offset = 65528;
        f.more = false;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(16), f)) == PacketStatus::IpFragment);
        CHECK(h.r.stats().too_big == 1);
        CHECK(h.r.in_progress() == 0);
    }
    SECTION("too many fragments") {
        IpFragmentLimits l;
        l.max_fragments = 3;
        Harness h(l);
        auto frags = v4_fragments(datagram(100), {8, 16, 24, 32});
        for (const Bytes& b : frags) CHECK(h.feed(b) == PacketStatus::IpFragment);
        CHECK(h.r.stats().too_many == 1);
        CHECK(h.completed == 0);
    }
    SECTION("two different ends") {
        Harness h;
        V4Frag f;
        f.offset = 64;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(16), f)) == PacketStatus::IpFragment);
        f.offset = 72;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(16), f)) == PacketStatus::IpFragment);
        CHECK(h.r.stats().inconsistent == 1);
        CHECK(h.r.in_progress() == 0);
    }
    SECTION("bytes past the end") {
        Harness h;
        V4Frag f;
        f.offset = 0;
        f.more = false;
        f.offset = 16;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(8), f)) == PacketStatus::IpFragment);  // ends at 24
        f.offset = 24;
        f.more = true;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(8), f)) == PacketStatus::IpFragment);
        CHECK(h.r.stats().inconsistent == 1);
    }
    SECTION("malformed fragments are ignored") {
        Harness h;
        V4Frag f;
        f.more = true;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(12), f)) == PacketStatus::IpFragment);  // not a multiple of 8
        f.offset = 8;
        CHECK(h.feed(ipv4(A, B, 17, Bytes(), f)) == PacketStatus::IpFragment);    // empty
        CHECK(h.r.stats().malformed == 2);
        CHECK(h.r.in_progress() == 0);
    }
}

TEST_CASE("ipfrag: protocol is part of the IPv4 key; reassembled non-UDP is reported") {
    Harness h;
    Bytes d = datagram(100);
    auto u = v4_fragments(d, {56}, 5, A, 17);
    auto icmp = v4_fragments(d, {56}, 5, A, 1);
    CHECK(h.feed(u[0]) == PacketStatus::IpFragment);
    CHECK(h.feed(icmp[0]) == PacketStatus::IpFragment);
    CHECK(h.r.in_progress() == 2);
    CHECK(h.feed(icmp[1]) == PacketStatus::NotUdpTcp);
    CHECK(h.r.stats().undecoded == 1);
    CHECK(h.feed(u[1]) == PacketStatus::Ok);
}

TEST_CASE("ipfrag: a fragment cut by the snapshot length") {
    Harness h;
    Bytes d = datagram(200);  // 208 bytes
    auto frags = v4_fragments(d, {104});
    CHECK(h.feed(frags[1]) == PacketStatus::IpFragment);
    CHECK(h.feed(frags[0], 0, 20 + 64) == PacketStatus::Ok);  // 64 of 104 bytes captured
    CHECK(h.pkt.payload_wire == 200);
    CHECK(h.pkt.payload_len == 56);
    CHECK(h.payload() == slice(d, 8, 56));
}

TEST_CASE("ipfrag: TCP over fragments") {
    Harness h;
    Bytes seg = tcp(800, 2049, 1, 2, tcp_flags::Ack, Bytes(100, 't'));
    auto frags = v4_fragments(seg, {64}, 9, A, 6);
    CHECK(h.feed(frags[0]) == PacketStatus::IpFragment);
    REQUIRE(h.feed(frags[1]) == PacketStatus::Ok);
    CHECK(h.pkt.transport == Transport::Tcp);
    CHECK(h.pkt.payload_len == 100);
}
