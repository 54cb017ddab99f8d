// Portmap version 2 (RFC 1833 section 3): NULL, SET, UNSET, GETPORT, DUMP, CALLIT;
// rpcbind versions 3 and 4 (RFC 1833 section 2), which share its SET, UNSET,
// DUMP-like lists and CALLIT, with transport-independent addresses.
//
// The program number is printed as `program` (not `prog`, which is the record's
// fixed field), with `version`, `protocol` (tcp, udp or the number) and `port`;
// rpcbind adds `netid`, `addr` (a universal address, bytes) and `owner`.
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

// ---------------------------------------------------------------------------
// rpcbind versions 3 and 4 (RFC 1833 section 2).

// Bounds of the strings of struct rpcb (unbounded in the RFC): network ids are
// short words ("tcp", "udp6", "local"), universal addresses at most a socket
// path, owners a user name or number.
constexpr std::uint32_t kMaxNetid = 128;
constexpr std::uint32_t kMaxUaddr = 1024;
constexpr std::uint32_t kMaxOwner = 255;
// netbuf (TADDR2UADDR, UADDR2TADDR): a struct sockaddr at most.
constexpr std::uint32_t kMaxNetbuf = 1024;

// The port of a universal address ("h1.h2.h3.h4.p1.p2", "fe80::1.8.1"): the
// last two dot-separated numbers, each below 256, after a non-empty host part;
// -1 when `uaddr` is not of that form (a local socket path).
long uaddr_port(std::span<const std::uint8_t> uaddr) {
    std::size_t i = uaddr.size();
    std::uint32_t part[2] = {0, 0};
    for (int k = 1; k >= 0; --k) {
        std::size_t digits = 0;
        std::uint32_t v = 0, scale = 1;
        while (i > 0 && uaddr[i - 1] >= '0' && uaddr[i - 1] <= '9' && digits < 3) {
            v += static_cast<std::uint32_t>(uaddr[i - 1] - '0') * scale;
            scale *= 10;
            --i;
            ++digits;
        }
        if (digits == 0 || v > 255 || i < 2 || uaddr[i - 1] != '.') return -1;
        --i;
        part[k] = v;
    }
    return static_cast<long>(part[0] * 256 + part[1]);
}

// A universal address printed as `addr` (bytes), followed by its `port` when
// it has one and `with_port` is set.
void put_uaddr(XdrCursor& in, Fields* out, bool with_port) {
    auto a = in.opaque_var(kMaxUaddr);
    if (!out || !in.ok()) return;
    out->bytes("addr", a);
    long port = with_port ? uaddr_port(a) : -1;
    if (port >= 0) out->number("port", static_cast<std::uint64_t>(port));
}

// struct rpcb (2.1): program version netid, then addr and owner when not
// empty (SET's address is the one registered; UNSET ignores it).
void put_rpcb(XdrCursor& in, Fields* out) {
    put_u32(in, out, "program");
    put_u32(in, out, "version");
    put_bytes(in, out, "netid", kMaxNetid);
    auto addr = in.opaque_var(kMaxUaddr);
    if (out && in.ok() && !addr.empty()) out->bytes("addr", addr);
    auto owner = in.opaque_var(kMaxOwner);
    if (out && in.ok() && !owner.empty()) out->bytes("owner", owner);
}
// SET, UNSET: the whole rpcb.
void rpcb_call(XdrCursor& in, Fields& out) { put_rpcb(in, &out); }
// GETADDR, GETVERSADDR, GETADDRLIST: program version netid; the address (a
// hint of the caller's) and the owner are read, not printed, so that `addr`
// is the reply's.
void rpcb_query_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "program");
    put_u32(in, &out, "version");
    put_bytes(in, &out, "netid", kMaxNetid);
    in.opaque_var(kMaxUaddr);
    in.opaque_var(kMaxOwner);
}

// GETADDR, GETVERSADDR result: the universal address (empty: not registered)
// and its port.
std::string_view uaddr_reply(XdrCursor& in, Fields& out) {
    put_uaddr(in, &out, true);
    return "ok";
}

// Appends `v` to a composite value, with a separator before it unless first.
char* append(char* p, std::span<const std::uint8_t> v, bool first = false) {
    if (!first) *p++ = ',';
    for (std::uint8_t b : v) *p++ = static_cast<char>(b);
    return p;
}
char* append_number(char* p, std::uint32_t v, bool first = false) {
    if (!first) *p++ = ',';
    return std::to_chars(p, p + 10, v).ptr;
}

// DUMP result (2.2 rpcblist_ptr): a linked list of rpcb, printed as one
// map=<program>,<version>,<netid>,<owner>,<addr> token (bytes) per mapping;
// the address comes last since it alone may hold commas (a socket path).
std::string_view rpcb_dump_reply(XdrCursor& in, Fields& out) {
    std::array<char, 2 * 11 + 3 + kMaxNetid + kMaxOwner + kMaxUaddr> buf;
    while (in.boolean()) {
        std::uint32_t prog = in.u32();
        std::uint32_t vers = in.u32();
        auto netid = in.opaque_var(kMaxNetid);
        auto addr = in.opaque_var(kMaxUaddr);
        auto owner = in.opaque_var(kMaxOwner);
        if (!in.ok()) break;
        char* p = append_number(buf.data(), prog, true);
        p = append_number(p, vers);
        p = append(p, netid);
        p = append(p, owner);
        p = append(p, addr);
        out.bytes("map", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
    return "ok";
}

// CALLIT (v3), BCAST and INDIRECT (v4) result: rpcb_rmtcallres {string addr;
// opaque results<>}.
std::string_view rmtcall_reply(XdrCursor& in, Fields& out) {
    put_uaddr(in, &out, true);
    std::uint32_t n = in.bulk(kMaxCallitArgs);
    if (in.ok()) out.number("reslen", n);
    return "ok";
}

// GETTIME result: the server's time in seconds since 1970.
std::string_view gettime_reply(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "server_time");
    return "ok";
}

// struct netbuf (2.1) {unsigned maxlen; opaque buf<>}: the buffer printed in
// hexadecimal as `taddr`.
void put_netbuf(XdrCursor& in, Fields* out) {
    in.u32();  // maxlen
    auto buf = in.opaque_var(kMaxNetbuf);
    if (out && in.ok()) out->hex("taddr", buf);
}
// UADDR2TADDR: string uaddr -> netbuf.
void uaddr_call(XdrCursor& in, Fields& out) { put_uaddr(in, &out, false); }
std::string_view netbuf_reply(XdrCursor& in, Fields& out) {
    put_netbuf(in, &out);
    return "ok";
}
// TADDR2UADDR: netbuf -> string uaddr.
void netbuf_call(XdrCursor& in, Fields& out) { put_netbuf(in, &out); }
std::string_view uaddr_only_reply(XdrCursor& in, Fields& out) {
    put_uaddr(in, &out, false);
    return "ok";
}

// GETADDRLIST result (2.2 rpcb_entry_list_ptr): a linked list of rpcb_entry
// {string r_maddr; string r_nc_netid; unsigned r_nc_semantics; string
// r_nc_protofmly; string r_nc_proto}, printed as one
// entry=<netid>,<semantics>,<protofmly>,<proto>,<addr> token (bytes) each.
std::string_view addrlist_reply(XdrCursor& in, Fields& out) {
    std::array<char, 11 + 4 + 3 * kMaxNetid + kMaxUaddr> buf;
    while (in.boolean()) {
        auto maddr = in.opaque_var(kMaxUaddr);
        auto netid = in.opaque_var(kMaxNetid);
        std::uint32_t semantics = in.u32();
        auto family = in.opaque_var(kMaxNetid);
        auto proto = in.opaque_var(kMaxNetid);
        if (!in.ok()) break;
        char* p = append(buf.data(), netid, true);
        p = append_number(p, semantics);
        p = append(p, family);
        p = append(p, proto);
        p = append(p, maddr);
        out.bytes("entry", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
    return "ok";
}

// GETSTAT result (2.2 rpcb_stat_byvers): rpcb_stat[3], one per version 2 to 4,
// each {int info[13]; int setinfo; int unsetinfo; rpcbs_addrlist_ptr;
// rpcbs_rmtcalllist_ptr}; printed as one stat=<version>:<set>:<unset>:<getaddr
// entries>:<rmtcall entries> word per version.
std::string_view getstat_reply(XdrCursor& in, Fields& out) {
    constexpr std::uint32_t kHighProc = 13;  // RPCBSTAT_HIGHPROC
    std::array<char, 5 * 11> buf;
    for (std::uint32_t vers = 2; vers <= 4 && in.ok(); ++vers) {
        for (std::uint32_t i = 0; i < kHighProc; ++i) in.u32();
        std::uint32_t set = in.u32();
        std::uint32_t unset = in.u32();
        std::uint32_t addrs = 0, rmts = 0;
        while (in.boolean()) {  // rpcbs_addrlist {prog, vers, success, failure, netid}
            for (int i = 0; i < 4; ++i) in.u32();
            in.opaque_var(kMaxNetid);
            ++addrs;
        }
        while (in.boolean()) {  // rpcbs_rmtcalllist {prog, vers, proc, success, failure, indirect, netid}
            for (int i = 0; i < 6; ++i) in.u32();
            in.opaque_var(kMaxNetid);
            ++rmts;
        }
        if (!in.ok()) break;
        char* p = buf.data();
        std::uint32_t parts[5] = {vers, set, unset, addrs, rmts};
        for (int i = 0; i < 5; ++i) {
            if (i) *p++ = ':';
            p = std::to_chars(p, buf.data() + buf.size(), parts[i]).ptr;
        }
        out.word("stat", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
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

// Indexed by procedure number (RFC 1833 2.2, RPCBVERS 3).
constexpr Procedure kRpcbind3[] = {
    {"null", nullptr, nullptr},
    {"set", rpcb_call, bool_reply},
    {"unset", rpcb_call, bool_reply},
    {"getaddr", rpcb_query_call, uaddr_reply},
    {"dump", nullptr, rpcb_dump_reply},
    {"callit", callit_call, rmtcall_reply},
    {"gettime", nullptr, gettime_reply},
    {"uaddr2taddr", uaddr_call, netbuf_reply},
    {"taddr2uaddr", netbuf_call, uaddr_only_reply},
};

// Indexed by procedure number (RFC 1833 2.2, RPCBVERS4): procedure 5 is BCAST,
// with CALLIT's arguments and results.
constexpr Procedure kRpcbind4[] = {
    {"null", nullptr, nullptr},
    {"set", rpcb_call, bool_reply},
    {"unset", rpcb_call, bool_reply},
    {"getaddr", rpcb_query_call, uaddr_reply},
    {"dump", nullptr, rpcb_dump_reply},
    {"bcast", callit_call, rmtcall_reply},
    {"gettime", nullptr, gettime_reply},
    {"uaddr2taddr", uaddr_call, netbuf_reply},
    {"taddr2uaddr", netbuf_call, uaddr_only_reply},
    {"getversaddr", rpcb_query_call, uaddr_reply},
    {"indirect", callit_call, rmtcall_reply},
    {"getaddrlist", rpcb_query_call, addrlist_reply},
    {"getstat", nullptr, getstat_reply},
};

}  // namespace

std::span<const Procedure> portmap2_procedures() { return kPortmap2; }
std::span<const Procedure> rpcbind3_procedures() { return kRpcbind3; }
std::span<const Procedure> rpcbind4_procedures() { return kRpcbind4; }

}  // namespace rpcspy
