// IPv4 and IPv6 fragment reassembly (RFC 791, RFC 8200 section 4.5), bounded:
// a cap on datagrams in progress (the oldest is given up), on a datagram's size
// and fragment count, and a timeout in capture time. Every datagram given up is
// counted. Overlapping fragments: the first copy of each byte wins; overlaps
// whose bytes differ are counted as conflicts.
//
// Buffers are kept with their slots and reused, so a steady flow of fragmented
// datagrams does not allocate.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rpcspy/packet.hpp"

namespace rpcspy {

struct IpFragmentStats {
    std::uint64_t fragments = 0;     // fragments taken in
    std::uint64_t reassembled = 0;   // datagrams completed
    std::uint64_t undecoded = 0;     // completed datagrams that are not UDP/TCP or are malformed
    std::uint64_t timed_out = 0;     // datagrams given up incomplete after the timeout
    std::uint64_t evicted = 0;       // datagrams given up: too many in progress
    std::uint64_t too_big = 0;       // datagrams given up: a fragment ends past max_size
    std::uint64_t too_many = 0;      // datagrams given up: more than max_fragments fragments
    std::uint64_t inconsistent = 0;  // datagrams given up: two different ends, or bytes past the end
    std::uint64_t malformed = 0;     // fragments ignored: empty, or not a multiple of 8 bytes with more to come
    std::uint64_t duplicates = 0;    // fragments wholly received before
    std::uint64_t overlaps = 0;      // fragments partly overlapping received bytes (first copy kept)
    std::uint64_t conflicts = 0;     // overlapping fragments whose bytes differ from the first copy
};

struct IpFragmentLimits {
    std::size_t max_datagrams = 512;     // in progress at once
    std::size_t max_size = 65535;        // bytes of a reassembled datagram's payload
    std::size_t max_fragments = 2048;    // fragments of one datagram
    std::int64_t timeout_seconds = 30;   // capture time from its first fragment
};

class IpReassembler {
public:
    explicit IpReassembler(IpFragmentLimits limits = {});

    // Takes a fragment: pkt.frag, the addresses in pkt.src/pkt.dst and pkt.ts as
    // decode_frame left them. When it completes a datagram, decodes the datagram
    // into pkt's transport fields and returns that status (on Ok, pkt.payload
    // points into a buffer valid until the next call). Otherwise IpFragment.
    PacketStatus on_fragment(Packet& pkt);
    // Gives up datagrams whose first fragment is older than the timeout.
    void expire(const Timestamp& now);

    const IpFragmentStats& stats() const { return stats_; }
    std::size_t in_progress() const { return active_.size(); }

private:
    struct Key {
        std::array<std::uint8_t, 16> src{}, dst{};
        std::uint32_t id = 0;
        std::uint8_t family = 0;
        std::uint8_t proto = 0;  // IPv4 only (IPv6 takes it from the first fragment)
        bool operator==(const Key&) const = default;
    };
    struct Range {
        std::size_t lo, hi;
    };
    struct Datagram {
        Key key;
        Timestamp first_seen;
        std::vector<std::uint8_t> buf;
        std::vector<Range> ranges;   // received, sorted, merged
        std::size_t total = 0;       // payload length, once the last fragment is in
        bool have_last = false;
        std::uint8_t first_proto = 0;
        std::size_t captured_end = 0;  // bytes before this were all captured
        std::size_t fragments = 0;
    };

    void release(std::size_t active_pos);

    IpFragmentLimits limits_;
    IpFragmentStats stats_;
    std::vector<Datagram> slots_;
    std::vector<std::uint32_t> active_;  // slots in use
    std::vector<std::uint32_t> free_;    // slots to reuse
};

}  // namespace rpcspy
