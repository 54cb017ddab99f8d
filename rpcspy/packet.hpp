// Link, IP and transport header decoding: from a captured frame to the UDP or TCP
// payload and its endpoints. No copying: the payload points into the frame.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rpcspy {

struct Timestamp {
    std::int64_t sec = 0;
    std::uint32_t nsec = 0;
    bool operator<(const Timestamp& o) const { return sec < o.sec || (sec == o.sec && nsec < o.nsec); }
};

// Nanoseconds from a to b (b later); negative if b is earlier.
inline std::int64_t nanos_between(const Timestamp& a, const Timestamp& b) {
    return (b.sec - a.sec) * 1'000'000'000 + (static_cast<std::int64_t>(b.nsec) - a.nsec);
}

struct Endpoint {
    std::array<std::uint8_t, 16> addr{};  // IPv4 in the first 4 bytes
    std::uint16_t port = 0;
    std::uint8_t family = 0;  // 4 or 6
    // Word-wise (the defaulted one called memcmp for the address: ~4% of rpcspy
    // on small records, where call and stream lookups compare endpoints).
    bool operator==(const Endpoint& o) const {
        std::uint64_t a[2], b[2];
        std::memcpy(a, addr.data(), 16);
        std::memcpy(b, o.addr.data(), 16);
        return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0 && port == o.port && family == o.family;
    }
};

// A 64-bit hash of an endpoint and `seed` (well mixed: any bits can index a
// table), for lookup tables whose iteration order does not matter.
inline std::uint64_t hash_endpoint(const Endpoint& e, std::uint64_t seed) {
    std::uint64_t lo, hi;
    std::memcpy(&lo, e.addr.data(), 8);
    std::memcpy(&hi, e.addr.data() + 8, 8);
    // Independent multiplies, then a final avalanche (murmur3's fmix64).
    std::uint64_t h = lo * 0x9e3779b97f4a7c15ULL ^ hi * 0xc2b2ae3d27d4eb4fULL ^
                      (seed + (std::uint64_t{e.port} << 8 | e.family)) * 0x165667b19e3779f9ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

enum class Transport : std::uint8_t { Udp, Tcp };

namespace tcp_flags {
constexpr std::uint8_t Fin = 0x01, Syn = 0x02, Rst = 0x04, Ack = 0x10;
}

// One IP fragment, as decode_frame hands it back with PacketStatus::IpFragment.
struct IpFragmentInfo {
    std::uint32_t id = 0;           // IPv4: 16 bits; IPv6: 32 bits
    std::uint32_t offset = 0;       // bytes into the datagram's payload
    bool more = false;              // more fragments follow
    std::uint8_t proto = 0;         // IPv4: protocol; IPv6: the fragment header's next header
    const std::uint8_t* data = nullptr;  // the fragment's bytes (points into the frame)
    std::size_t len = 0;            // captured
    std::size_t wire = 0;           // on the wire
};

struct Packet {
    Timestamp ts;
    Endpoint src, dst;
    Transport transport = Transport::Udp;
    std::uint32_t seq = 0;  // TCP only
    std::uint32_t ack = 0;  // TCP only (meaningful with tcp_flags::Ack)
    std::uint8_t flags = 0;  // TCP only
    const std::uint8_t* payload = nullptr;
    std::size_t payload_len = 0;   // bytes captured
    std::size_t payload_wire = 0;  // bytes on the wire (larger when the snaplen cut it)
    IpFragmentInfo frag;           // with PacketStatus::IpFragment (src, dst: addresses only)
};

// Why a frame yielded no UDP/TCP payload.
enum class PacketStatus : std::uint8_t {
    Ok,
    NotIp,           // ARP, other ethertypes, ...
    NotUdpTcp,       // ICMP, SCTP, ...
    IpFragment,      // part of a fragmented datagram: see Packet::frag
    Truncated,       // the capture ended inside a header
    Malformed,       // impossible header values
    UnsupportedLink, // a link type rpcspy does not decode
};

const char* packet_status_name(PacketStatus s);

// Link-layer types (pcap LINKTYPE_/DLT_ values) that decode_frame understands.
bool link_type_supported(int dlt);

// Decodes a frame of link type `dlt` (pcap_datalink()). On Ok, `out` holds the
// endpoints and the transport payload.
PacketStatus decode_frame(int dlt, const std::uint8_t* frame, std::size_t caplen, Packet& out);

// Decodes an IPv4 or IPv6 packet (version taken from the first nibble).
PacketStatus decode_ip(const std::uint8_t* p, std::size_t caplen, Packet& out);

// Decodes a reassembled datagram's payload (`len` of `wire` bytes captured) that
// starts with protocol `proto`; for IPv6 (family 6) extension headers are walked
// first. Sets the transport fields of `out`, whose addresses are already set.
PacketStatus decode_ip_payload(std::uint8_t family, std::uint8_t proto, const std::uint8_t* p, std::size_t len,
                               std::size_t wire, Packet& out);

// Writes "address.port" (tcpdump style; IPv6 compressed per RFC 5952) into buf,
// returns the length. buf must hold at least 48 bytes.
std::size_t format_endpoint(const Endpoint& e, char* buf);
// Address alone.
std::size_t format_address(const Endpoint& e, char* buf);

}  // namespace rpcspy
