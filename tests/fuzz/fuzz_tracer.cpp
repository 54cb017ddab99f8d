// Fuzz target: the whole rpcspy pipeline, Tracer::on_frame (link/IP decoding, IP
// fragment reassembly, UDP, TCP reassembly and record marking, RPC headers, call
// matching, every program decoder, record writing) over a sequence of frames.
//
// Input: byte 0 sets options (bit 0 brief, 1 numeric, 2 creds, 3 JSON output,
// 4 small limits so that the caps and evictions are reached, 5 nanosecond times);
// then frames, each: a byte whose low 4 bits pick the link type (link_types.hpp)
// and high 4 bits advance the capture clock (see advance()), a 2-byte big-endian
// length, and that many bytes of frame.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/out_buffer.hpp"
#include "fuzz_input.hpp"
#include "link_types.hpp"
#include "rpcspy/record_writer.hpp"
#include "rpcspy/tracer.hpp"

namespace {

// Clock steps from 0 up to beyond the TCP idle time, so that every timeout
// (call 5 s, TCP hold 1 s, IP fragments 30 s, TCP idle 600 s) can be reached.
void advance(rpcspy::Timestamp& ts, unsigned code) {
    static constexpr std::int64_t kStepNs[16] = {
        0,           1'000,        100'000,       1'000'000,     10'000'000,     100'000'000,
        500'000'000, 999'000'000,  1'100'000'000, 2'000'000'000, 5'100'000'000,  10'000'000'000,
        31'000'000'000, 61'000'000'000, 601'000'000'000, -1'000'000'000};  // last: time going back
    std::int64_t ns = static_cast<std::int64_t>(ts.nsec) + kStepNs[code & 15];
    ts.sec += ns / 1'000'000'000;
    ns %= 1'000'000'000;
    if (ns < 0) {
        ns += 1'000'000'000;
        ts.sec -= 1;
    }
    ts.nsec = static_cast<std::uint32_t>(ns);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint8_t opts = in.u8();

    common::OutBuffer out(-1);
    rpcspy::RecordWriter writer(out, (opts & 8) ? rpcspy::OutputFormat::Json : rpcspy::OutputFormat::Text,
                                (opts & 32) ? 9 : 6, false);
    rpcspy::TracerOptions o;
    o.brief = opts & 1;
    o.numeric = opts & 2;
    o.creds = opts & 4;
    // The default call table (2^19 buckets) costs more to set up under ASan than a
    // whole input takes to run; its size does not change what the code does.
    o.max_calls = 4096;
    if (opts & 16) {
        o.max_calls = 4;
        o.tcp.max_message = 4096;
        o.tcp.max_streams = 3;
        o.tcp.max_held_bytes = 2048;
        o.tcp.max_held_segments = 6;
        o.tcp.max_held_total = 4096;
        o.ip_fragments.max_datagrams = 2;
        o.ip_fragments.max_size = 4000;
        o.ip_fragments.max_fragments = 5;
    }
    if (opts & 64) o.max_records = 3;
    rpcspy::Tracer tracer(writer, o);
    if (!(opts & 8)) writer.header();

    rpcspy::Timestamp ts{1'700'000'000, 0};
    while (!in.empty() && !tracer.done()) {
        const std::uint8_t meta = in.u8();
        const std::size_t len = in.u16();
        const auto frame = in.take(len);
        advance(ts, meta >> 4);
        // A copy of exactly the frame's size, so that a read past its end is caught.
        const std::vector<std::uint8_t> copy(frame.begin(), frame.end());
        tracer.on_frame(fuzz::link_type(meta), ts, copy.data(), copy.size());
        out.clear();
    }
    tracer.finish();
    volatile std::size_t n = tracer.summary(-1, -1).size();
    (void)n;
    return 0;
}
