#include <catch2/catch.hpp>

#include <string>

#include "rpcspy/packet.hpp"
#include "tests/unit/rpcspy/packet_builder.hpp"

using namespace rpcspy;
using namespace testpkt;

namespace {

constexpr int kNull = 0, kEthernet = 1, kRaw = 12, kLinktypeRaw = 101, kLoop = 108, kSll = 113, kIpv4 = 228,
              kIpv6 = 229, kSll2 = 276;

const std::array<std::uint8_t, 4> A{192, 0, 2, 1}, B{192, 0, 2, 2};

Bytes udp4(const Bytes& payload = text("hello")) { return ipv4(A, B, 17, udp(1000, 2049, payload)); }
Bytes tcp4(const Bytes& payload = text("data")) {
    return ipv4(A, B, 6, tcp(800, 2049, 123456, 654321, tcp_flags::Ack, payload));
}

std::string endpoint_text(const Endpoint& e) {
    char buf[64];
    return std::string(buf, format_endpoint(e, buf));
}
std::string payload_text(const Packet& p) {
    return std::string(reinterpret_cast<const char*>(p.payload), p.payload_len);
}

// Decodes a copy of `f` kept until the next call, so that out.payload stays valid.
PacketStatus decode(int dlt, const Bytes& f, Packet& out, std::size_t caplen = SIZE_MAX) {
    static Bytes frame;
    frame = f;
    return decode_frame(dlt, frame.data(), std::min(caplen, frame.size()), out);
}

}  // namespace

TEST_CASE("packet: Ethernet, IPv4, UDP") {
    Packet p;
    REQUIRE(decode(kEthernet, ether(0x0800, udp4()), p) == PacketStatus::Ok);
    CHECK(p.transport == Transport::Udp);
    CHECK(endpoint_text(p.src) == "192.0.2.1.1000");
    CHECK(endpoint_text(p.dst) == "192.0.2.2.2049");
    CHECK(payload_text(p) == "hello");
    CHECK(p.payload_wire == 5);
}

TEST_CASE("packet: Ethernet, IPv4, TCP with options") {
    Packet p;
    Bytes f = ether(0x0800, ipv4(A, B, 6, tcp(800, 2049, 7, 9, tcp_flags::Ack | tcp_flags::Fin, text("xyz"), 12)));
    REQUIRE(decode(kEthernet, f, p) == PacketStatus::Ok);
    CHECK(p.transport == Transport::Tcp);
    CHECK(p.seq == 7);
    CHECK(p.ack == 9);
    CHECK(p.flags == (tcp_flags::Ack | tcp_flags::Fin));
    CHECK(payload_text(p) == "xyz");
    CHECK(p.src.port == 800);
}

TEST_CASE("packet: VLAN tags") {
    Packet p;
    CHECK(decode(kEthernet, ether(0x0800, udp4(), {0x8100}), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "hello");
    CHECK(decode(kEthernet, ether(0x0800, udp4(), {0x88a8, 0x8100}), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "hello");
    CHECK(decode(kEthernet, ether(0x0800, udp4(), {0x9100}), p) == PacketStatus::Ok);
    // Three tags are more than decoded: the third tag's TPID is not an IP ethertype.
    CHECK(decode(kEthernet, ether(0x0800, udp4(), {0x8100, 0x8100, 0x8100}), p) == PacketStatus::NotIp);
    // A tag cut by the capture.
    Bytes f = ether(0x0800, udp4(), {0x8100});
    CHECK(decode(kEthernet, f, p, 15) == PacketStatus::Truncated);
}

TEST_CASE("packet: Linux cooked captures SLL and SLL2") {
    Packet p;
    CHECK(decode(kSll, sll(0x0800, udp4()), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "hello");
    CHECK(decode(kSll2, sll2(0x0800, tcp4()), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "data");
    CHECK(decode(kSll, sll(0x0806, Bytes(28)), p) == PacketStatus::NotIp);
    CHECK(decode(kSll, sll(0x0800, udp4()), p, 15) == PacketStatus::Truncated);
    CHECK(decode(kSll2, sll2(0x0800, udp4()), p, 19) == PacketStatus::Truncated);
}

TEST_CASE("packet: NULL and LOOP, raw IP link types") {
    Packet p;
    CHECK(decode(kNull, null_link(0x02000000, udp4()), p) == PacketStatus::Ok);  // AF_INET, little-endian host
    CHECK(payload_text(p) == "hello");
    Bytes six = ipv6(v6(1), v6(2), 17, udp(1, 2, text("six")));
    CHECK(decode(kLoop, null_link(30, six), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "six");
    CHECK(endpoint_text(p.src) == "fd00::1.1");
    CHECK(decode(kNull, Bytes{2, 0, 0}, p) == PacketStatus::Truncated);
    for (int dlt : {kRaw, kLinktypeRaw, kIpv4, kIpv6}) {
        CHECK(decode(dlt, udp4(), p) == PacketStatus::Ok);
        CHECK(decode(dlt, six, p) == PacketStatus::Ok);
    }
    CHECK(decode(kRaw, Bytes{0x50, 0, 0, 0}, p) == PacketStatus::NotIp);
    CHECK(decode(kRaw, Bytes{}, p) == PacketStatus::Truncated);
    CHECK(decode(147, udp4(), p) == PacketStatus::UnsupportedLink);
    CHECK(link_type_supported(kSll2));
    CHECK_FALSE(link_type_supported(147));
}

TEST_CASE("packet: IPv6 extension headers") {
    Packet p;
    // hop-by-hop, then destination options, then routing, then UDP.
    Bytes exts = cat({ext6(60), ext6(43), ext6(17), udp(5, 6, text("ext"))});
    REQUIRE(decode(kIpv6, ipv6(v6(1), v6(2), 0, exts), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "ext");
    CHECK(p.dst.port == 6);
    // A header longer than the packet.
    Bytes bad = ext6(17);
    bad[1] = 10;  // 88 bytes
    CHECK(decode(kIpv6, ipv6(v6(1), v6(2), 0, cat({bad, udp(5, 6, text("x"))})), p) == PacketStatus::Malformed);
    // A header cut by the capture.
    Bytes f = ipv6(v6(1), v6(2), 0, exts);
    CHECK(decode(kIpv6, f, p, 44) == PacketStatus::Truncated);
    // Too many headers.
    Bytes many;
    for (int i = 0; i < 17; ++i) many = cat({many, ext6(60)});
    CHECK(decode(kIpv6, ipv6(v6(1), v6(2), 60, many), p) == PacketStatus::Malformed);
    // Not UDP or TCP (ICMPv6).
    CHECK(decode(kIpv6, ipv6(v6(1), v6(2), 58, Bytes(8)), p) == PacketStatus::NotUdpTcp);
}

TEST_CASE("packet: fragments are handed back with what reassembly needs") {
    Packet p;
    Bytes data = udp(1000, 2049, Bytes(40, 'x'));
    V4Frag fr;
    fr.id = 0x1234;
    fr.offset = 16;
    fr.more = true;
    REQUIRE(decode(kRaw, ipv4(A, B, 17, slice(data, 16, 24), fr), p) == PacketStatus::IpFragment);
    CHECK(p.frag.id == 0x1234);
    CHECK(p.frag.offset == 16);
    CHECK(p.frag.more);
    CHECK(p.frag.proto == 17);
    CHECK(p.frag.len == 24);
    CHECK(p.frag.wire == 24);
    CHECK(endpoint_text(p.src) == "192.0.2.1.0");
    // Don't-fragment alone is not a fragment.
    V4Frag df;
    df.dont_fragment = true;
    CHECK(decode(kRaw, ipv4(A, B, 17, data, df), p) == PacketStatus::Ok);

    Bytes f6 = ipv6(v6(1), v6(2), 60, cat({ext6(44), frag6(17, 8, false, 0xdeadbeef), slice(data, 8, 40)}));
    REQUIRE(decode(kIpv6, f6, p) == PacketStatus::IpFragment);
    CHECK(p.frag.id == 0xdeadbeef);
    CHECK(p.frag.offset == 8);
    CHECK_FALSE(p.frag.more);
    CHECK(p.frag.proto == 17);
    CHECK(p.frag.wire == 40);
    CHECK(decode(kIpv6, f6, p, 60) == PacketStatus::IpFragment);
    CHECK(p.frag.len == 4);  // cut by the capture
    CHECK(decode(kIpv6, f6, p, 54) == PacketStatus::Truncated);
    // An atomic fragment (offset 0, no more) is the whole datagram (RFC 6946).
    Bytes atomic = ipv6(v6(1), v6(2), 44, cat({frag6(17, 0, false, 1), data}));
    REQUIRE(decode(kIpv6, atomic, p) == PacketStatus::Ok);
    CHECK(p.payload_len == 40);
}

TEST_CASE("packet: truncated and malformed IP and transport headers") {
    Packet p;
    Bytes u = udp4();
    CHECK(decode(kRaw, u, p, 19) == PacketStatus::Truncated);
    CHECK(decode(kRaw, u, p, 27) == PacketStatus::Truncated);  // UDP header cut
    Bytes bad_ihl = u;
    bad_ihl[0] = 0x44;
    CHECK(decode(kRaw, bad_ihl, p) == PacketStatus::Malformed);
    Bytes opts = ipv4(A, B, 17, udp(1, 2, text("o")), {}, 8);
    CHECK(decode(kRaw, opts, p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "o");
    CHECK(decode(kRaw, opts, p, 24) == PacketStatus::Truncated);  // options cut
    Bytes short_total = ipv4(A, B, 17, udp(1, 2, text("abc")), {}, 0, 10);
    CHECK(decode(kRaw, short_total, p) == PacketStatus::Malformed);
    Bytes bad_ulen = u;
    put16(bad_ulen, 24, 4);  // UDP length below its header
    CHECK(decode(kRaw, bad_ulen, p) == PacketStatus::Malformed);
    put16(bad_ulen, 24, 400);  // beyond the IP packet
    CHECK(decode(kRaw, bad_ulen, p) == PacketStatus::Malformed);
    Bytes t = tcp4();
    CHECK(decode(kRaw, t, p, 39) == PacketStatus::Truncated);
    Bytes bad_off = t;
    bad_off[32] = 0x40;  // data offset 16 bytes
    CHECK(decode(kRaw, bad_off, p) == PacketStatus::Malformed);
    Bytes t_opts = ipv4(A, B, 6, tcp(1, 2, 3, 4, 0, text("z"), 20));
    CHECK(decode(kRaw, t_opts, p, 50) == PacketStatus::Truncated);
    CHECK(decode(kRaw, ipv4(A, B, 1, Bytes(8)), p) == PacketStatus::NotUdpTcp);
    CHECK(decode(kIpv6, ipv6(v6(1), v6(2), 17, udp(1, 2, text("x"))), p, 39) == PacketStatus::Truncated);
}

TEST_CASE("packet: snaplen cuts and TSO lengths") {
    Packet p;
    Bytes u = udp4(text("0123456789"));
    REQUIRE(decode(kRaw, u, p, 33) == PacketStatus::Ok);
    CHECK(p.payload_len == 5);
    CHECK(p.payload_wire == 10);
    // Ethernet padding after a short packet is not payload.
    Bytes padded = ether(0x0800, udp4(text("ab")));
    padded.resize(60, 0);
    REQUIRE(decode(kEthernet, padded, p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "ab");
    // A TSO super-frame captured on the sender: IPv4 total length 0.
    Bytes tso = ipv4(A, B, 6, tcp(1, 2, 3, 4, tcp_flags::Ack, Bytes(3000, 'q')), {}, 0, 0);
    put16(tso, 2, 0);
    REQUIRE(decode(kRaw, tso, p) == PacketStatus::Ok);
    CHECK(p.payload_len == 3000);
    // IPv6 payload length 0 (jumbogram or TSO).
    Bytes j = ipv6(v6(1), v6(2), 6, tcp(1, 2, 3, 4, tcp_flags::Ack, Bytes(100, 'j')), 0);
    REQUIRE(decode(kIpv6, j, p) == PacketStatus::Ok);
    CHECK(p.payload_len == 100);
}

TEST_CASE("packet: decode_ip_payload walks IPv6 headers of a reassembled datagram") {
    Packet p;
    Bytes d = cat({ext6(17), udp(7, 8, text("whole"))});
    REQUIRE(decode_ip_payload(6, 60, d.data(), d.size(), d.size(), p) == PacketStatus::Ok);
    CHECK(payload_text(p) == "whole");
    Bytes nested = cat({frag6(17, 0, true, 3), udp(7, 8, text("x"))});
    CHECK(decode_ip_payload(6, 44, nested.data(), nested.size(), nested.size(), p) == PacketStatus::Malformed);
    Bytes u = udp(7, 8, text("abcdef"));
    REQUIRE(decode_ip_payload(4, 17, u.data(), 10, u.size(), p) == PacketStatus::Ok);
    CHECK(p.payload_len == 2);
    CHECK(p.payload_wire == 6);
}

TEST_CASE("packet: formatting endpoints") {
    Endpoint e;
    e.family = 6;
    e.addr = v6(0x10);
    e.port = 2049;
    CHECK(endpoint_text(e) == "fd00::10.2049");
    char buf[64];
    CHECK(std::string(buf, format_address(e, buf)) == "fd00::10");
}
