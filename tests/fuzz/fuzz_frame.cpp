// Fuzz target: link, IP, UDP and TCP header decoding (rpcspy/packet.hpp).
// Input: byte 0 picks the link type (low nibble, see link_types.hpp); the rest is
// one captured frame.
#include <cstddef>
#include <cstdint>

#include "rpcspy/packet.hpp"
#include "fuzz_input.hpp"
#include "link_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const int dlt = fuzz::link_type(in.u8());
    const auto frame = in.rest();

    rpcspy::Packet pkt;
    const auto st = rpcspy::decode_frame(dlt, frame.data(), frame.size(), pkt);
    FUZZ_CHECK(rpcspy::packet_status_name(st) != nullptr);
    volatile std::uint8_t sink = 0;
    char buf[64];
    if (st == rpcspy::PacketStatus::Ok) {
        // The payload lies inside the frame, and no more is captured than sent.
        FUZZ_CHECK(pkt.payload_len <= pkt.payload_wire);
        if (pkt.payload_len) {
            FUZZ_CHECK(pkt.payload >= frame.data() &&
                       pkt.payload + pkt.payload_len <= frame.data() + frame.size());
            sink = fuzz::touch(pkt.payload, pkt.payload_len);
        }
        FUZZ_CHECK(pkt.src.family == 4 || pkt.src.family == 6);
        FUZZ_CHECK(rpcspy::format_endpoint(pkt.src, buf) < sizeof buf);
        FUZZ_CHECK(rpcspy::format_endpoint(pkt.dst, buf) < sizeof buf);
        FUZZ_CHECK(rpcspy::format_address(pkt.src, buf) < sizeof buf);
    } else if (st == rpcspy::PacketStatus::IpFragment) {
        FUZZ_CHECK(pkt.frag.len <= pkt.frag.wire);
        if (pkt.frag.len) {
            FUZZ_CHECK(pkt.frag.data >= frame.data() &&
                       pkt.frag.data + pkt.frag.len <= frame.data() + frame.size());
            sink = fuzz::touch(pkt.frag.data, pkt.frag.len);
        }
        FUZZ_CHECK(rpcspy::format_address(pkt.dst, buf) < sizeof buf);
    }
    (void)sink;
    return 0;
}
