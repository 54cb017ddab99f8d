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
//
// Segments that arrive ahead of missing bytes are held (bounded per direction and
// overall) and put in order when the missing bytes come. The missing bytes are
// declared lost when the peer acknowledges them (they were sent and received, the
// capture missed them), when the hold times out, when a cap is hit, or when the
// connection ends. Held bytes that the message's keep limit would drop are not
// stored, only their sequence range.
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
    // Out-of-order segments.
    std::uint64_t held = 0;              // segments held ahead of missing bytes
    std::uint64_t reordered = 0;         // late segments that filled a hole in front of held data
    std::uint64_t gaps_acked = 0;        // holes declared lost because the peer acknowledged them
    std::uint64_t gaps_timeout = 0;      // holes declared lost after the hold time
    std::uint64_t gaps_cap = 0;          // holes declared lost early because a hold cap was hit
    std::uint64_t held_bytes_evicted = 0;  // held bytes pushed out by a cap (their hole declared lost)
    std::uint64_t held_bytes_elided = 0;   // held bytes past the keep limit: range kept, bytes not stored
};

struct TcpLimits {
    std::size_t max_message = 64u << 20;  // a record larger than this is bad data
    std::size_t max_streams = 65536;
    std::int64_t idle_seconds = 600;      // a direction idle this long is forgotten
    // Out-of-order segments held per direction: stored bytes and segments, and
    // stored bytes over all directions; a hole is waited for this long.
    std::size_t max_held_bytes = 4u << 20;
    std::size_t max_held_segments = 1024;  // held pieces (a segment is 1 to 4)
    std::size_t max_held_total = 64u << 20;
    std::int64_t hold_ms = 1000;
};

class TcpReassembler {
public:
    static constexpr std::size_t kDecideAt = 1024;

    TcpReassembler(TcpSink& sink, TcpLimits limits = {}) : sink_(sink), limits_(limits) {}
    void on_segment(const Packet& pkt);
    // Forgets directions idle since before `now - idle_seconds`.
    void expire(const Timestamp& now);
    // Declares lost the holes that held segments have waited on for longer than
    // hold_ms, and delivers what follows them. Cheap when nothing is held.
    void expire_holds(const Timestamp& now);
    // End of input: declares every hole lost and delivers all held data.
    void flush();
    const TcpStats& stats() const { return stats_; }
    std::size_t streams() const { return streams_.size(); }
    std::size_t held_bytes() const { return held_total_; }
    std::size_t held_segments() const { return held_pieces_; }

private:
    struct FlowKey {
        Endpoint src, dst;
        bool operator==(const FlowKey&) const = default;
    };
    struct FlowHash {
        std::size_t operator()(const FlowKey& k) const;
    };
    // A held range of sequence space after a hole.
    struct Piece {
        enum Kind : std::uint8_t { Data, Elided, Lost };
        std::uint32_t seq = 0;
        std::uint32_t len = 0;
        Kind kind = Data;
        Timestamp ts;
        std::vector<std::uint8_t> bytes;  // Data: the len bytes
    };
    struct Stream {
        bool synced = false;       // positioned at a known place in the record stream
        bool was_synced = false;   // has been in sync: after a loss, search whole segments
        std::uint32_t unsynced_segments = 0;  // segments seen before the first sync
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
        std::vector<Piece> held;   // sorted by seq, disjoint, all after next_seq
        std::size_t held_bytes = 0;
        Timestamp hold_since;      // arrival of the oldest held piece
    };
    using StreamMap = std::unordered_map<FlowKey, Stream, FlowHash>;

    void consume(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n);
    void skip_lost(Stream& s, std::size_t n, const Packet& pkt);
    void try_resync(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n);
    // Hands the message over: its first bytes are s.kept unless given.
    void finish_message(Stream& s, const Packet& pkt) { finish_message(s, pkt, s.kept); }
    void finish_message(Stream& s, const Packet& pkt, std::span<const std::uint8_t> kept);
    // Drops the record structure; with a packet, first reports a message cut short.
    void desync(Stream& s, const Packet* pkt = nullptr);
    // Bytes at s.next_seq: captured `n` of `wire`.
    void deliver(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n, std::size_t wire);
    // Holds a segment that starts `ahead` bytes after next_seq; false if it cannot.
    bool hold(Stream& s, const FlowKey& key, const Packet& pkt, std::size_t ahead);
    void add_piece(Stream& s, std::uint32_t seq, std::uint32_t len, Piece::Kind kind, const Timestamp& ts,
                   const std::uint8_t* bytes);
    // Delivers the held pieces that have become contiguous.
    void drain(Stream& s, const FlowKey& key);
    // Declares lost the holes followed by held bytes before sequence `upto` (all
    // holes if !limited; at most max_holes) and delivers what follows; returns
    // the holes declared.
    std::uint64_t declare_gaps(Stream& s, const FlowKey& key, bool limited, std::uint32_t upto,
                               std::size_t max_holes = SIZE_MAX);
    void erase_stream(StreamMap::iterator it);
    // The stream of a direction, or nullptr. The last two directions found (a
    // conversation's calls and replies alternate) are found again without
    // hashing; erasing any stream forgets them.
    StreamMap::value_type* find_stream(const FlowKey& key);
    void remember(StreamMap::value_type* entry);
    void forget_recent() { recent_[0] = recent_[1] = nullptr; }
    static Packet make_packet(const FlowKey& key, const Timestamp& ts, std::uint32_t seq);

    TcpSink& sink_;
    TcpLimits limits_;
    TcpStats stats_;
    StreamMap streams_;
    StreamMap::value_type* recent_[2] = {nullptr, nullptr};
    std::size_t held_total_ = 0;   // stored bytes held over all streams
    std::size_t held_pieces_ = 0;  // pieces held over all streams
    std::vector<std::vector<std::uint8_t>> spare_;  // byte buffers for reuse
};

}  // namespace rpcspy
