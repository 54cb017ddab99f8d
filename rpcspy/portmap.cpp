// Portmap version 2 (RFC 1833 section 3): NULL, SET, UNSET, GETPORT, DUMP, CALLIT.
//
// The program number is printed as `program` (not `prog`, which is the record's
// fixed field), with `version`, `protocol` (tcp, udp or the number) and `port`.
#include <array>
#include <charconv>
#include <cstring>

#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// CALLIT arguments and results: opaque<>; bounded (a UDP datagram at most).
constexpr std::uint32_t kMaxCallitArgs = 65536;

void put_protocol(XdrCursor& in, Fields* out) {
    std::uint32_t proto = in.u32();
    if (!out || !in.ok()) return;
    if (const char* name = ip_protocol_name(proto))
        out->word("protocol", name);
    else
        out->number("protocol", proto);
}

// SET: struct mapping {prog, vers, prot, port}.
void set_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "program");
    put_u32(in, &out, "version");
    put_protocol(in, &out);
    put_u32(in, &out, "port");
}
// UNSET: a mapping whose prot and port are ignored.
void unset_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "program");
    put_u32(in, &out, "version");
    in.u32();
    in.u32();
}
// GETPORT: a mapping whose port is ignored.
void getport_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "program");
    put_u32(in, &out, "version");
    put_protocol(in, &out);
    in.u32();
}

// SET, UNSET: bool, printed as result=0|1.
std::string_view bool_reply(XdrCursor& in, Fields& out) {
    put_bool(in, &out, "result");
    return "ok";
}
// GETPORT: unsigned int port (0: not registered).
std::string_view getport_reply(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "port");
    return "ok";
}

// DUMP: pmaplist, a linked list of mappings, printed as one
// map=<prog>.<vers>.<proto>.<port> word per mapping.
std::string_view dump_reply(XdrCursor& in, Fields& out) {
    std::array<char, 4 * 11> buf;
    while (in.boolean()) {
        std::uint32_t v[4];
        for (auto& x : v) x = in.u32();
        if (!in.ok()) break;
        char* p = buf.data();
        char* end = buf.data() + buf.size();
        for (int i = 0; i < 4; ++i) {
            if (i) *p++ = '.';
            const char* name = i == 2 ? ip_protocol_name(v[i]) : nullptr;
            if (name) {
                std::size_t n = std::strlen(name);
                std::memcpy(p, name, n);
                p += n;
            } else {
                p = std::to_chars(p, end, v[i]).ptr;
            }
        }
        out.word("map", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
    return "ok";
}

// CALLIT: struct call_args {prog, vers, proc, opaque args<>}; the arguments are
// printed as their length.
void callit_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "program");
    put_u32(in, &out, "version");
    put_u32(in, &out, "procedure");
    std::uint32_t n = in.bulk(kMaxCallitArgs);
    if (in.ok()) out.number("arglen", n);
}
// CALLIT result: struct call_result {port; opaque res<>}.
std::string_view callit_reply(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "port");
    std::uint32_t n = in.bulk(kMaxCallitArgs);
    if (in.ok()) out.number("reslen", n);
    return "ok";
}

// Indexed by procedure number (RFC 1833 3.2).
constexpr Procedure kPortmap2[] = {
    {"null", nullptr, nullptr},
    {"set", set_call, bool_reply},
    {"unset", unset_call, bool_reply},
    {"getport", getport_call, getport_reply},
    {"dump", nullptr, dump_reply},
    {"callit", callit_call, callit_reply},
};

}  // namespace

std::span<const Procedure> portmap2_procedures() { return kPortmap2; }

}  // namespace rpcspy
