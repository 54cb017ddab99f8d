// TCP stream reassembly and RPC record marking (RFC 5531 section 11).
//
// Each direction of a connection is a byte stream of records; a record is one or
// more fragments, each led by a 4-byte mark (last-fragment bit + 31-bit length).
// The reassembler follows sequence numbers, cuts the stream into RPC messages and
// hands each to a sink. Of each message it keeps only a prefix: the sink chooses
// how much once it has seen the header, so READ and WRITE payloads are skipped,
// never copied. Bytes missing from the capture inside a message's payload do not
// lose sync; a gap elsewhere makes the stream resynchronise on the next segment
// that starts with a plausible record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "rpcspy/packet.hpp"

namespace rpcspy {

struct TcpMessage {
    Timestamp first_ts;  // time of the segment holding the message's first byte
    Timestamp last_ts;   // time of the segment holding its last byte
    std::span<const std::uint8_t> kept;  // the first bytes of the message
    std::size_t length = 0;              // the message's full length
    bool incomplete = false;  // bytes missing from the capture inside the message
};

class TcpSink {
public:
    virtual ~TcpSink() = default;
    // How many leading bytes of the message to keep, given its first bytes
    // (`head`, at least min(length so far, kDecideAt) bytes).
    virtual std::size_t keep_limit(const Packet& pkt, std::span<const std::uint8_t> head) = 0;
    // Whether `bytes` (starting with a record mark) plausibly start an RPC record
    // on this flow: used to resynchronise after a gap or mid-connection start.
    virtual bool plausible_record(const Packet& pkt, std::span<const std::uint8_t> bytes) = 0;
    virtual void on_message(const Packet& pkt, const TcpMessage& msg) = 0;
};

struct TcpStats {
    std::uint64_t segments = 0;
    std::uint64_t bytes_lost = 0;        // sequence gaps and snaplen cuts
    std::uint64_t bytes_skipped = 0;     // unsynchronised bytes thrown away
    std::uint64_t retransmitted = 0;     // segments wholly seen before
    std::uint64_t resyncs = 0;           // streams (re)synchronised on a record mark
    std::uint64_t desyncs = 0;           // losses that broke the record structure
    std::uint64_t oversized = 0;         // record marks above the size limit
    std::uint64_t streams_evicted = 0;   // idle or over the stream limit
};

struct TcpLimits {
    std::size_t max_message = 64u << 20;  // a record larger than this is bad data
    std::size_t max_streams = 65536;
    std::int64_t idle_seconds = 600;      // a direction idle this long is forgotten
};

class TcpReassembler {
public:
    static constexpr std::size_t kDecideAt = 1024;

    TcpReassembler(TcpSink& sink, TcpLimits limits = {}) : sink_(sink), limits_(limits) {}
    void on_segment(const Packet& pkt);
    // Forgets directions idle since before `now - idle_seconds`.
    void expire(const Timestamp& now);
    const TcpStats& stats() const { return stats_; }
    std::size_t streams() const { return streams_.size(); }

private:
    struct FlowKey {
        Endpoint src, dst;
        bool operator==(const FlowKey&) const = default;
    };
    struct FlowHash {
        std::size_t operator()(const FlowKey& k) const;
    };
    struct Stream {
        bool synced = false;       // positioned at a known place in the record stream
        bool have_seq = false;
        std::uint32_t next_seq = 0;
        bool in_body = false;      // false: reading a record mark
        std::uint8_t mark[4]{};
        std::size_t mark_have = 0;
        std::size_t frag_left = 0;
        bool last_frag = false;
        bool in_message = false;
        std::vector<std::uint8_t> kept;
        std::size_t keep = 0;      // 0: not decided yet
        bool hole = false;         // kept stops at a hole
        std::size_t length = 0;
        bool incomplete = false;
        Timestamp first_ts, last_seen;
    };

    void consume(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n);
    void skip_lost(Stream& s, std::size_t n, const Packet& pkt);
    void try_resync(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n);
    void finish_message(Stream& s, const Packet& pkt);
    // Drops the record structure; with a packet, first reports a message cut short.
    void desync(Stream& s, const Packet* pkt = nullptr);

    TcpSink& sink_;
    TcpLimits limits_;
    TcpStats stats_;
    std::unordered_map<FlowKey, Stream, FlowHash> streams_;
};

}  // namespace rpcspy
