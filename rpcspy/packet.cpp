#include "rpcspy/packet.hpp"

#include <charconv>
#include <cstring>

#include "rpcspy/address_text.hpp"

namespace rpcspy {

namespace {

// Link types, as numbered by libpcap's DLT_ and LINKTYPE_ values on Linux.
constexpr int kNull = 0, kEthernet = 1, kRaw = 12, kRawOpenBsd = 14, kLinktypeRaw = 101,
              kLoop = 108, kLinuxSll = 113, kIpv4 = 228, kIpv6 = 229, kLinuxSll2 = 276;

constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd, kEtherVlan = 0x8100,
                        kEtherQinQ = 0x88a8, kEtherVlan9100 = 0x9100;

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

PacketStatus decode_ethertype(std::uint16_t type, const std::uint8_t* p, std::size_t len, Packet& out) {
    if (type != kEtherIpv4 && type != kEtherIpv6) return PacketStatus::NotIp;
    return decode_ip(p, len, out);
}

PacketStatus decode_transport(std::uint8_t proto, const std::uint8_t* p, std::size_t caplen,
                              std::size_t wirelen, Packet& out) {
    if (proto == 17) {
        if (caplen < 8) return PacketStatus::Truncated;
        std::size_t ulen = be16(p + 4);
        if (ulen < 8 || ulen > wirelen) return PacketStatus::Malformed;
        out.transport = Transport::Udp;
        out.src.port = be16(p);
        out.dst.port = be16(p + 2);
        out.payload = p + 8;
        out.payload_wire = ulen - 8;
        out.payload_len = std::min(caplen - 8, out.payload_wire);
        return PacketStatus::Ok;
    }
    if (proto == 6) {
        if (caplen < 20) return PacketStatus::Truncated;
        std::size_t hlen = static_cast<std::size_t>(p[12] >> 4) * 4;
        if (hlen < 20 || hlen > wirelen) return PacketStatus::Malformed;
        if (caplen < hlen) return PacketStatus::Truncated;
        out.transport = Transport::Tcp;
        out.src.port = be16(p);
        out.dst.port = be16(p + 2);
        out.seq = be32(p + 4);
        out.ack = be32(p + 8);
        out.flags = p[13];
        out.payload = p + hlen;
        out.payload_wire = wirelen - hlen;
        out.payload_len = std::min(caplen - hlen, out.payload_wire);
        return PacketStatus::Ok;
    }
    return PacketStatus::NotUdpTcp;
}

PacketStatus decode_ipv4(const std::uint8_t* p, std::size_t caplen, Packet& out) {
    if (caplen < 20) return PacketStatus::Truncated;
    std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    std::size_t total = be16(p + 2);
    if (ihl < 20 || (total < ihl && total != 0)) return PacketStatus::Malformed;
    if (caplen < ihl) return PacketStatus::Truncated;
    std::uint16_t frag = be16(p + 6);
    out.src = Endpoint{};
    out.dst = Endpoint{};
    out.src.family = out.dst.family = 4;
    std::memcpy(out.src.addr.data(), p + 12, 4);
    std::memcpy(out.dst.addr.data(), p + 16, 4);
    // A zero total length occurs with TSO super-frames captured on the sender.
    std::size_t wire = total == 0 ? caplen : total;
    std::size_t cap = std::min(caplen, wire);
    if ((frag & 0x3fff) != 0) {  // MF set or offset != 0
        if (total == 0) return PacketStatus::Malformed;
        IpFragmentInfo& f = out.frag;
        f.id = be16(p + 4);
        f.offset = static_cast<std::uint32_t>(frag & 0x1fff) * 8;
        f.more = (frag & 0x2000) != 0;
        f.proto = p[9];
        f.data = p + ihl;
        f.len = cap - ihl;
        f.wire = wire - ihl;
        return PacketStatus::IpFragment;
    }
    return decode_transport(p[9], p + ihl, cap - ihl, wire - ihl, out);
}

// Walks IPv6 extension headers from `next` at p[off] (bounded: each is at least
// 8 bytes), then decodes the transport header. A fragment header (other than an
// atomic one) fills out.frag.
PacketStatus walk_ipv6(std::uint8_t next, const std::uint8_t* p, std::size_t off, std::size_t cap_end,
                       std::size_t wire_end, Packet& out) {
    for (int hops = 0; hops < 16; ++hops) {
        if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination
            if (cap_end < off + 8) return PacketStatus::Truncated;
            std::size_t len = (static_cast<std::size_t>(p[off + 1]) + 1) * 8;
            next = p[off];
            off += len;
            if (off > wire_end) return PacketStatus::Malformed;
            continue;
        }
        if (next == 44) {  // fragment
            if (wire_end < off + 8) return PacketStatus::Malformed;
            if (cap_end < off + 8) return PacketStatus::Truncated;
            std::uint16_t fo = be16(p + off + 2);
            next = p[off];
            off += 8;
            if ((fo & 0xfff9) == 0) continue;  // an atomic fragment (RFC 6946): the whole datagram
            IpFragmentInfo& f = out.frag;
            f.id = be32(p + off - 4);
            f.offset = fo & 0xfff8u;
            f.more = (fo & 1) != 0;
            f.proto = next;
            f.data = p + off;
            f.len = cap_end - off;
            f.wire = wire_end - off;
            return PacketStatus::IpFragment;
        }
        if (off > cap_end) return PacketStatus::Truncated;
        return decode_transport(next, p + off, cap_end - off, wire_end - off, out);
    }
    return PacketStatus::Malformed;
}

PacketStatus decode_ipv6(const std::uint8_t* p, std::size_t caplen, Packet& out) {
    if (caplen < 40) return PacketStatus::Truncated;
    std::size_t plen = be16(p + 4);
    out.src = Endpoint{};
    out.dst = Endpoint{};
    out.src.family = out.dst.family = 6;
    std::memcpy(out.src.addr.data(), p + 8, 16);
    std::memcpy(out.dst.addr.data(), p + 24, 16);
    std::size_t wire_end = plen == 0 ? caplen : 40 + plen;  // 0: jumbogram or TSO
    std::size_t cap_end = std::min(caplen, wire_end);
    return walk_ipv6(p[6], p, 40, cap_end, wire_end, out);
}

}  // namespace

const char* packet_status_name(PacketStatus s) {
    switch (s) {
        case PacketStatus::Ok: return "ok";
        case PacketStatus::NotIp: return "not_ip";
        case PacketStatus::NotUdpTcp: return "not_udp_tcp";
        case PacketStatus::IpFragment: return "ip_fragment";
        case PacketStatus::Truncated: return "truncated_header";
        case PacketStatus::Malformed: return "malformed_header";
        case PacketStatus::UnsupportedLink: return "unsupported_link";
    }
    return "?";
}

bool link_type_supported(int dlt) {
    switch (dlt) {
        case kNull: case kEthernet: case kRaw: case kRawOpenBsd: case kLinktypeRaw: case kLoop:
        case kLinuxSll: case kIpv4: case kIpv6: case kLinuxSll2: return true;
        default: return false;
    }
}

PacketStatus decode_ip(const std::uint8_t* p, std::size_t caplen, Packet& out) {
    if (caplen < 1) return PacketStatus::Truncated;
    switch (p[0] >> 4) {
        case 4: return decode_ipv4(p, caplen, out);
        case 6: return decode_ipv6(p, caplen, out);
        default: return PacketStatus::NotIp;
    }
}

PacketStatus decode_ip_payload(std::uint8_t family, std::uint8_t proto, const std::uint8_t* p, std::size_t len,
                               std::size_t wire, Packet& out) {
    if (family == 6) {
        PacketStatus st = walk_ipv6(proto, p, 0, std::min(len, wire), wire, out);
        // A fragment header inside a reassembled datagram is not followed further.
        return st == PacketStatus::IpFragment ? PacketStatus::Malformed : st;
    }
    return decode_transport(proto, p, std::min(len, wire), wire, out);
}

PacketStatus decode_frame(int dlt, const std::uint8_t* f, std::size_t caplen, Packet& out) {
    switch (dlt) {
        case kEthernet: {
            if (caplen < 14) return PacketStatus::Truncated;
            std::size_t off = 12;
            std::uint16_t type = be16(f + off);
            // Up to two VLAN tags (802.1Q, 802.1ad QinQ).
            for (int tags = 0; tags < 2 && (type == kEtherVlan || type == kEtherQinQ || type == kEtherVlan9100);
                 ++tags) {
                off += 4;
                if (caplen < off + 2) return PacketStatus::Truncated;
                type = be16(f + off);
            }
            off += 2;
            return decode_ethertype(type, f + off, caplen - off, out);
        }
        case kLinuxSll:
            if (caplen < 16) return PacketStatus::Truncated;
            return decode_ethertype(be16(f + 14), f + 16, caplen - 16, out);
        case kLinuxSll2:
            if (caplen < 20) return PacketStatus::Truncated;
            return decode_ethertype(be16(f), f + 20, caplen - 20, out);
        case kNull:
        case kLoop:
            // A 4-byte address family whose byte order and values vary by system;
            // the IP version nibble says what follows.
            if (caplen < 4) return PacketStatus::Truncated;
            return decode_ip(f + 4, caplen - 4, out);
        case kRaw:
        case kRawOpenBsd:
        case kLinktypeRaw:
        case kIpv4:
        case kIpv6: return decode_ip(f, caplen, out);
        default: return PacketStatus::UnsupportedLink;
    }
}

std::size_t format_address(const Endpoint& e, char* buf) {
    char* end = e.family == 4 ? put_ipv4_text(e.addr.data(), buf) : put_ipv6_text(e.addr.data(), buf);
    return static_cast<std::size_t>(end - buf);
}

std::size_t format_endpoint(const Endpoint& e, char* buf) {
    std::size_t n = format_address(e, buf);
    buf[n++] = '.';
    char* end = std::to_chars(buf + n, buf + n + 6, e.port).ptr;
    return static_cast<std::size_t>(end - buf);
}

}  // namespace rpcspy
