// Fuzz target: TCP stream reassembly and RPC record marking (TcpReassembler) over
// a sequence of segments on up to four connections, both directions, with small
// limits so that holds, caps, evictions and timeouts are reached.
//
// Input: byte 0 sets options (bit 0: the sink keeps whole messages; bit 1: the
// sink finds every record plausible; bit 2: default limits), then segments, each:
//   byte  flags: bits 0-1 connection, bit 2 direction (server to client),
//         bit 3 SYN, bit 4 FIN, bit 5 RST, bit 6 ACK (of all the peer sent),
//         bit 7 snaplen cut (the segment was longer on the wire)
//   byte  bits 0-3 clock step (see kStepNs), bit 4 expire(), bit 5 expire_holds(),
//         bit 6 the ACK lags 100 bytes behind, bit 7 a missing "wire" of 1000 bytes
//   2 bytes  signed offset of the segment's sequence number from the next
//            expected one (0: in order; < 0: retransmission/overlap; > 0: a gap)
//   2 bytes  payload length, then the payload.
// Sequence numbers start just below 2^32 so that they wrap.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_input.hpp"
#include "rpcspy/rpc_message.hpp"
#include "rpcspy/tcp_reassembly.hpp"

namespace {

class Sink : public rpcspy::TcpSink {
public:
    bool keep_all = false;
    bool all_plausible = false;
    std::size_t messages = 0;

    std::size_t keep_limit(const rpcspy::Packet&, std::span<const std::uint8_t> head) override {
        touch_ = fuzz::touch(head);
        if (keep_all || head.empty()) return SIZE_MAX;
        return 8 + std::size_t{head[0]} * 8;  // some prefix, chosen by the message's bytes
    }
    bool plausible_record(const rpcspy::Packet&, std::span<const std::uint8_t> bytes) override {
        touch_ = fuzz::touch(bytes);
        if (all_plausible) return bytes.size() >= 4;
        if (bytes.size() < 4) return false;
        rpcspy::RpcCall call;
        rpcspy::RpcReply reply;
        const auto r = rpcspy::parse_rpc(bytes.subspan(4), call, reply);
        return r == rpcspy::RpcParse::Call || r == rpcspy::RpcParse::Reply;
    }
    void on_message(const rpcspy::Packet&, const rpcspy::TcpMessage& msg) override {
        ++messages;
        FUZZ_CHECK(msg.kept.size() <= msg.length);
        touch_ = fuzz::touch(msg.kept);
        rpcspy::RpcCall call;
        rpcspy::RpcReply reply;
        (void)rpcspy::parse_rpc(msg.kept, call, reply);
    }

private:
    volatile std::uint8_t touch_ = 0;
};

constexpr std::int64_t kStepNs[16] = {0,           1'000,         1'000'000,      10'000'000,
                                      100'000'000, 500'000'000,   999'000'000,    1'001'000'000,
                                      2'000'000'000, 5'000'000'000, 30'000'000'000, 61'000'000'000,
                                      601'000'000'000, 0, 0, -2'000'000'000};

void advance(rpcspy::Timestamp& ts, unsigned code) {
    std::int64_t ns = static_cast<std::int64_t>(ts.nsec) + kStepNs[code & 15];
    ts.sec += ns / 1'000'000'000;
    ns %= 1'000'000'000;
    if (ns < 0) {
        ns += 1'000'000'000;
        ts.sec -= 1;
    }
    ts.nsec = static_cast<std::uint32_t>(ns);
}

rpcspy::Endpoint endpoint(std::uint8_t host, std::uint16_t port) {
    rpcspy::Endpoint e;
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = host;
    e.port = port;
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint8_t opts = in.u8();
    Sink sink;
    sink.keep_all = opts & 1;
    sink.all_plausible = opts & 2;
    rpcspy::TcpLimits limits;
    if (!(opts & 4)) {
        limits.max_message = 1 << 16;
        limits.max_streams = 5;
        limits.idle_seconds = 60;
        limits.max_held_bytes = 3000;
        limits.max_held_segments = 8;
        limits.max_held_total = 5000;
        limits.hold_ms = 1000;
    }
    rpcspy::TcpReassembler tcp(sink, limits);

    // Next sequence number per connection and direction.
    std::uint32_t next[4][2];
    for (unsigned c = 0; c < 4; ++c)
        for (unsigned d = 0; d < 2; ++d) next[c][d] = 0xffffff00u - 0x1000u * (2 * c + d);

    rpcspy::Timestamp ts{1'700'000'000, 0};
    while (!in.empty()) {
        const std::uint8_t f = in.u8();
        const std::uint8_t g = in.u8();
        const auto offset = static_cast<std::int16_t>(in.u16());
        const std::size_t len = in.u16();
        const auto bytes = in.take(len);
        const std::vector<std::uint8_t> payload(bytes.begin(), bytes.end());  // exact size

        const unsigned conn = f & 3, dir = (f >> 2) & 1;
        advance(ts, g & 15);
        rpcspy::Packet pkt;
        pkt.ts = ts;
        pkt.transport = rpcspy::Transport::Tcp;
        const auto client = endpoint(1, static_cast<std::uint16_t>(700 + conn));
        const auto server = endpoint(2, 2049);
        pkt.src = dir ? server : client;
        pkt.dst = dir ? client : server;
        pkt.seq = next[conn][dir] + static_cast<std::uint32_t>(static_cast<std::int32_t>(offset));
        pkt.flags = 0;
        if (f & 8) pkt.flags |= rpcspy::tcp_flags::Syn;
        if (f & 16) pkt.flags |= rpcspy::tcp_flags::Fin;
        if (f & 32) pkt.flags |= rpcspy::tcp_flags::Rst;
        if (f & 64) {
            pkt.flags |= rpcspy::tcp_flags::Ack;
            pkt.ack = next[conn][dir ^ 1] - ((g & 64) ? 100u : 0u);
        }
        pkt.payload = payload.data();
        pkt.payload_len = payload.size();
        pkt.payload_wire = payload.size() + ((f & 128) ? 1 + (g & 15) * 100u : 0u) + ((g & 128) ? 1000u : 0u);

        tcp.on_segment(pkt);

        const std::uint32_t end = pkt.seq + static_cast<std::uint32_t>(pkt.payload_wire) +
                                  ((pkt.flags & rpcspy::tcp_flags::Syn) ? 1u : 0u);
        if (static_cast<std::int32_t>(end - next[conn][dir]) > 0) next[conn][dir] = end;

        if (g & 16) tcp.expire(ts);
        if (g & 32) tcp.expire_holds(ts);
        FUZZ_CHECK(tcp.streams() <= limits.max_streams);
        FUZZ_CHECK(tcp.held_bytes() <= limits.max_held_total);
    }
    tcp.flush();
    FUZZ_CHECK(tcp.held_bytes() == 0);
    return 0;
}
