// The heart of rpcspy: takes decoded packets, follows UDP datagrams and TCP
// record streams, matches replies to calls and writes one record per pair.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/fields.hpp"
#include "rpcspy/call_table.hpp"
#include "rpcspy/ip_fragments.hpp"
#include "rpcspy/packet.hpp"
#include "rpcspy/record_writer.hpp"
#include "rpcspy/rpc_message.hpp"
#include "rpcspy/tcp_reassembly.hpp"

namespace rpcspy {

struct TracerOptions {
    double timeout_seconds = 60.0;    // a call unanswered this long is written as a time-out
    std::size_t max_calls = 262144;   // outstanding calls kept at most
    bool brief = false;               // omit arguments and results
    bool numeric = false;             // program and procedure numbers, not names
    bool creds = false;               // AUTH_SYS machine and groups, RPCSEC_GSS handle
    std::vector<std::string> programs;    // write only these programs (names or numbers)
    std::vector<std::string> procedures;  // write only these procedures
    std::uint64_t max_records = 0;    // stop after this many records (0: no limit)
    TcpLimits tcp;
    IpFragmentLimits ip_fragments;
};

struct TracerStats {
    std::uint64_t packets = 0;
    std::uint64_t by_status[7] = {};  // indexed by PacketStatus
    std::uint64_t rpc_messages = 0;
    std::uint64_t not_rpc = 0;        // UDP datagrams / TCP records that are not RPC
    std::uint64_t rpc_truncated = 0;  // RPC header cut by the capture
    std::uint64_t calls = 0;
    std::uint64_t replies = 0;
    std::uint64_t pairs = 0;
    std::uint64_t duplicate_calls = 0;
    std::uint64_t orphan_replies = 0;  // replies whose call was not seen
    std::uint64_t duplicate_replies = 0;  // replies to a call answered recently
    std::uint64_t timeouts = 0;        // calls without a reply
    std::uint64_t evicted = 0;         // calls dropped because the table was full
    std::uint64_t call_truncated = 0, call_malformed = 0;
    std::uint64_t reply_truncated = 0, reply_malformed = 0;
    std::uint64_t undecoded_programs = 0;  // pairs of programs printed generically
};

class Tracer : public TcpSink {
public:
    Tracer(RecordWriter& writer, TracerOptions options);

    // One captured frame of link type `dlt`.
    void on_frame(int dlt, const Timestamp& ts, const std::uint8_t* frame, std::size_t caplen);
    // End of input: every pending call is written as a time-out.
    void finish();
    // True once max_records records were written.
    bool done() const { return options_.max_records && writer_.written() >= options_.max_records; }

    const TracerStats& stats() const { return stats_; }
    const TcpStats& tcp_stats() const { return tcp_.stats(); }
    const IpFragmentStats& ip_fragment_stats() const { return frags_.stats(); }
    // The summary for --stats, one "name value" per line (kernel_drops < 0: unknown).
    std::string summary(std::int64_t kernel_drops, std::int64_t kernel_received) const;
    // The same with every counter summed over several tracers (--workers).
    static std::string summary(std::span<const Tracer* const> tracers, std::int64_t kernel_drops,
                               std::int64_t kernel_received);

    // TcpSink
    std::size_t keep_limit(const Packet& pkt, std::span<const std::uint8_t> head) override;
    bool plausible_record(const Packet& pkt, std::span<const std::uint8_t> bytes) override;
    void on_message(const Packet& pkt, const TcpMessage& msg) override;

private:
    void on_rpc(const Packet& pkt, const Timestamp& call_ts, const Timestamp& reply_ts,
                std::span<const std::uint8_t> msg, bool incomplete);
    void on_call(const Packet& pkt, const Timestamp& ts, const RpcCall& call, std::span<const std::uint8_t> msg);
    void on_reply(const Packet& pkt, const Timestamp& ts, const RpcReply& reply, std::span<const std::uint8_t> msg);
    void emit(PendingCall& call, bool replied, const Timestamp& reply_ts, std::string_view status,
              const common::Fields& results);
    void expire_calls(const Timestamp& now);
    bool wanted(const PendingCall& call) const;

    RecordWriter& writer_;
    TracerOptions options_;
    TracerStats stats_;
    CallTable calls_;
    TcpReassembler tcp_;
    IpReassembler frags_;
    common::Fields results_;
    Packet pkt_;
    RpcCall call_hdr_;
    RpcReply reply_hdr_;
    std::int64_t timeout_ns_;
    std::int64_t last_sweep_sec_ = 0;
    std::int64_t last_tcp_sweep_sec_ = 0;
    // Keys of the last calls answered, to tell a duplicate reply from one whose
    // call was never seen (a bounded ring: older duplicates count as the latter).
    std::array<std::uint64_t, 4096> answered_{};
    std::size_t answered_next_ = 0;
};

}  // namespace rpcspy
