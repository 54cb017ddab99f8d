// Test helpers: build link, IPv4/IPv6, UDP and TCP bytes by hand, and TCP
// segments as decoded Packets for the reassembler.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "rpcspy/packet.hpp"

namespace testpkt {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void put32(Bytes& b, std::size_t at, std::uint32_t v) {
    put16(b, at, v >> 16);
    put16(b, at + 2, v & 0xffff);
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
inline Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes slice(const Bytes& b, std::size_t from, std::size_t n) {
    return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(from + n));
}

// An RPC record fragment (RFC 5531 record marking).
inline Bytes record(const Bytes& body, bool last = true) {
    Bytes b(4);
    put32(b, 0, static_cast<std::uint32_t>(body.size()) | (last ? 0x80000000u : 0));
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
    Bytes b(8);
    put16(b, 0, sport);
    put16(b, 2, dport);
    put16(b, 4, static_cast<std::uint32_t>(8 + payload.size()));
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 const Bytes& payload, std::size_t options = 0) {
    Bytes b(20 + options);
    put16(b, 0, sport);
    put16(b, 2, dport);
    put32(b, 4, seq);
    put32(b, 8, ack);
    b[12] = static_cast<std::uint8_t>((20 + options) / 4 << 4);
    b[13] = flags;
    put16(b, 14, 65535);
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

struct V4Frag {
    std::uint16_t id = 1;
    std::size_t offset = 0;  // bytes, a multiple of 8
    bool more = false;
    bool dont_fragment = false;
};

// IPv4 header (no options unless `options` > 0) + payload; total_len 0: computed.
inline Bytes ipv4(std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, std::uint8_t proto,
                  const Bytes& payload, V4Frag frag = {}, std::size_t options = 0, std::size_t total_len = 0) {
    Bytes b(20 + options);
    b[0] = static_cast<std::uint8_t>(0x40 | (20 + options) / 4);
    put16(b, 2, static_cast<std::uint32_t>(total_len ? total_len : b.size() + payload.size()));
    put16(b, 4, frag.id);
    put16(b, 6,
          static_cast<std::uint32_t>((frag.dont_fragment ? 0x4000 : 0) | (frag.more ? 0x2000 : 0) | frag.offset / 8));
    b[8] = 64;
    b[9] = proto;
    for (std::size_t i = 0; i < 4; ++i) {
        b[12 + i] = src[i];
        b[16 + i] = dst[i];
    }
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

using V6Addr = std::array<std::uint8_t, 16>;
inline V6Addr v6(std::uint8_t last) {
    V6Addr a{};
    a[0] = 0xfd;
    a[15] = last;
    return a;
}

// An IPv6 extension header (hop-by-hop, routing, destination options): 8 bytes.
inline Bytes ext6(std::uint8_t next) {
    Bytes b(8);
    b[0] = next;
    b[1] = 0;
    return b;
}
// An IPv6 fragment header.
inline Bytes frag6(std::uint8_t next, std::size_t offset, bool more, std::uint32_t id) {
    Bytes b(8);
    b[0] = next;
    put16(b, 2, static_cast<std::uint32_t>(offset | (more ? 1 : 0)));
    put32(b, 4, id);
    return b;
}

// IPv6 header + payload (which holds any extension headers); `next`: first header.
inline Bytes ipv6(const V6Addr& src, const V6Addr& dst, std::uint8_t next, const Bytes& payload,
                  std::size_t payload_len = SIZE_MAX) {
    Bytes b(40);
    b[0] = 0x60;
    put16(b, 4, static_cast<std::uint32_t>(payload_len == SIZE_MAX ? payload.size() : payload_len));
    b[6] = next;
    b[7] = 64;
    for (std::size_t i = 0; i < 16; ++i) {
        b[8 + i] = src[i];
        b[24 + i] = dst[i];
    }
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

// Ethernet II with optional VLAN tags (each a TPID).
inline Bytes ether(std::uint16_t type, const Bytes& payload, std::initializer_list<std::uint16_t> tags = {}) {
    Bytes b(12, 0xaa);
    for (std::uint16_t tpid : tags) {
        b.push_back(static_cast<std::uint8_t>(tpid >> 8));
        b.push_back(static_cast<std::uint8_t>(tpid));
        b.push_back(0x00);
        b.push_back(0x05);  // VLAN 5
    }
    b.push_back(static_cast<std::uint8_t>(type >> 8));
    b.push_back(static_cast<std::uint8_t>(type));
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

inline Bytes sll(std::uint16_t type, const Bytes& payload) {
    Bytes b(16);
    put16(b, 14, type);
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

inline Bytes sll2(std::uint16_t type, const Bytes& payload) {
    Bytes b(20);
    put16(b, 0, type);
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

// DLT_NULL / DLT_LOOP: a 4-byte address family (host order on NULL).
inline Bytes null_link(std::uint32_t family, const Bytes& payload) {
    Bytes b(4);
    put32(b, 0, family);
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

// A decoded TCP segment for the reassembler; owns its payload.
struct Segment {
    rpcspy::Packet pkt;
    Bytes data;
};

inline rpcspy::Endpoint endpoint(std::uint8_t host, std::uint16_t port) {
    rpcspy::Endpoint e;
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = host;
    e.port = port;
    return e;
}

}  // namespace testpkt
