// Credentials through the tracer: AUTH_SYS details with --creds, RPCSEC_GSS
// tokens, control procedures, integrity-wrapped and privacy-protected bodies.
#include <catch2/catch.hpp>

#include <string>

#include "packet_builder.hpp"
#include "rpcspy/tracer.hpp"
#include "xdr_builder.hpp"

using namespace rpcspy;
using testxdr::Xdr;

namespace {

constexpr int kEthernet = 1;
const std::array<std::uint8_t, 4> kClient{10, 0, 0, 2}, kServer{10, 0, 0, 1};

testpkt::Bytes frame(bool to_server, const Xdr& rpc) {
    auto a = to_server ? kClient : kServer, b = to_server ? kServer : kClient;
    std::uint16_t sa = to_server ? 800 : 2049, sb = to_server ? 2049 : 800;
    return testpkt::ether(0x0800, testpkt::ipv4(a, b, 17, testpkt::udp(sa, sb, rpc.bytes())));
}

struct Harness {
    common::OutBuffer out;
    RecordWriter writer{out, OutputFormat::Text, 6, false};
    Tracer tracer;
    explicit Harness(TracerOptions o = {}) : tracer(writer, o) {}
    void send(std::int64_t sec, bool to_server, const Xdr& rpc) {
        auto f = frame(to_server, rpc);
        tracer.on_frame(kEthernet, Timestamp{sec, 0}, f.data(), f.size());
    }
    // The record's text after the fixed fields' "nfs 3 <proc> " prefix.
    std::string text() const { return std::string(out.view()); }
};

TracerOptions with_creds() {
    TracerOptions o;
    o.creds = true;
    return o;
}

// An NFSv3 call of `proc` with the given credential and arguments.
Xdr call(std::uint32_t xid, std::uint32_t proc, std::uint32_t flavor, const Xdr& cred_body, const Xdr& args) {
    Xdr x;
    x.u32(xid).u32(0).u32(2).u32(100003).u32(3).u32(proc).u32(flavor).opaque(cred_body.bytes()).u32(0).u32(0);
    return x.add(args);
}
Xdr reply(std::uint32_t xid, const Xdr& results) {
    Xdr x;
    x.u32(xid).u32(1).u32(0).u32(0).u32(0).u32(0);
    return x.add(results);
}
Xdr gss(std::uint32_t proc, std::uint32_t seq, std::uint32_t service) {
    return Xdr().u32(1).u32(proc).u32(seq).u32(service).opaque({0xc7, 0x01});
}
// rpc_gss_integ_data around `body` with sequence number `seq`.
Xdr integ(std::uint32_t seq, const Xdr& body) {
    Xdr data;
    data.u32(seq).add(body);
    return Xdr().opaque(data.bytes()).opaque({0xcc, 0xcc, 0xcc, 0xcc});
}
const Xdr kFhArg = Xdr().opaque({0xab, 0xcd});
const Xdr kNoent = Xdr().u32(2).boolean(false);  // GETATTR: NFS3ERR_NOENT

const std::string kHead = "100.000000 1.000000 10.0.0.2.800 10.0.0.1.2049 udp ";

}  // namespace

TEST_CASE("creds: AUTH_SYS machine and groups only with --creds", "[creds]") {
    Xdr sys = Xdr().u32(0).str("my host").u32(1000).u32(100).u32(3).u32(4).u32(24).u32(27);
    for (bool creds : {false, true}) {
        Harness h(creds ? with_creds() : TracerOptions{});
        h.send(100, true, call(1, 1, 1, sys, kFhArg));
        h.send(101, false, reply(1, kNoent));
        CHECK(h.text() == kHead + "00000001 1000 100 nfs 3 getattr noent " +
                              (creds ? "machine=my%20host gids=4,24,27 " : "") + "fh=abcd\n");
    }
    Harness h(with_creds());
    h.send(100, true, call(2, 1, 1, Xdr().u32(0).str("h").u32(0).u32(0).u32(0), kFhArg));
    h.send(101, false, reply(2, kNoent));
    CHECK(h.text() == kHead + "00000002 0 0 nfs 3 getattr noent machine=h gids= fh=abcd\n");
}

TEST_CASE("creds: AUTH_SHORT and AUTH_NONE", "[creds]") {
    Harness h(with_creds());
    h.send(100, true, call(3, 1, 2, Xdr().u32(0xdeadbeef), kFhArg));
    h.send(101, false, reply(3, kNoent));
    CHECK(h.text() == kHead + "00000003 - - nfs 3 getattr noent auth=short fh=abcd\n");
}

TEST_CASE("creds: RPCSEC_GSS with service none decodes in the clear", "[creds]") {
    Harness h;
    h.send(100, true, call(4, 1, 6, gss(0, 5, 1), kFhArg));
    h.send(101, false, reply(4, kNoent));
    CHECK(h.text() == kHead + "00000004 - - nfs 3 getattr noent auth=gss gss_proc=data gss_seq=5 gss_service=none fh=abcd\n");
    Harness c(with_creds());
    c.send(100, true, call(4, 1, 6, gss(0, 5, 1), kFhArg));
    c.send(101, false, reply(4, kNoent));
    CHECK(c.text() == kHead + "00000004 - - nfs 3 getattr noent auth=gss gss_proc=data gss_seq=5 gss_service=none "
                              "gss_handle=c701 fh=abcd\n");
}

TEST_CASE("creds: RPCSEC_GSS integrity: arguments and results unwrapped", "[creds]") {
    Harness h;
    h.send(100, true, call(5, 1, 6, gss(0, 9, 2), integ(9, kFhArg)));
    h.send(101, false, reply(5, integ(9, kNoent)));
    CHECK(h.text() == kHead + "00000005 - - nfs 3 getattr noent auth=gss gss_proc=data gss_seq=9 "
                              "gss_service=integrity fh=abcd\n");
    CHECK(h.tracer.stats().call_malformed == 0);
    CHECK(h.tracer.stats().reply_malformed == 0);

    SECTION("a body whose seq_num is not the credential's is malformed") {
        Harness m;
        m.send(100, true, call(6, 1, 6, gss(0, 9, 2), integ(8, kFhArg)));
        m.send(101, false, reply(6, integ(10, kNoent)));
        CHECK(m.text() == kHead + "00000006 - - nfs 3 getattr - auth=gss gss_proc=data gss_seq=9 "
                                  "gss_service=integrity call_error=malformed reply_error=malformed\n");
        CHECK(m.tracer.stats().call_malformed == 1);
        CHECK(m.tracer.stats().reply_malformed == 1);
    }
    SECTION("a cut wrapper is truncated") {
        Harness t;
        t.send(100, true, call(7, 1, 6, gss(0, 9, 2), Xdr().u32(100)));
        t.send(101, false, reply(7, Xdr().u32(100).u32(9)));
        CHECK(t.text() == kHead + "00000007 - - nfs 3 getattr - auth=gss gss_proc=data gss_seq=9 "
                                  "gss_service=integrity call_error=truncated reply_error=truncated\n");
    }
}

TEST_CASE("creds: RPCSEC_GSS privacy: bodies not decoded", "[creds]") {
    Harness h;
    h.send(100, true, call(8, 1, 6, gss(0, 3, 3), Xdr().opaque({1, 2, 3, 4, 5, 6, 7, 8})));
    h.send(101, false, reply(8, Xdr().opaque({9, 9, 9})));
    CHECK(h.text() == kHead + "00000008 - - nfs 3 getattr ok auth=gss gss_proc=data gss_seq=3 "
                              "gss_service=privacy body=privacy\n");
    TracerOptions brief;
    brief.brief = true;
    Harness b(brief);
    b.send(100, true, call(8, 1, 6, gss(0, 3, 3), Xdr().opaque({1, 2, 3, 4})));
    b.send(101, false, reply(8, Xdr().opaque({9})));
    CHECK(b.text() == kHead + "00000008 - - nfs 3 getattr ok auth=gss gss_proc=data gss_seq=3 gss_service=privacy\n");
}

TEST_CASE("creds: RPCSEC_GSS control procedures", "[creds]") {
    Harness h;
    h.send(100, true, call(9, 0, 6, gss(1, 0, 1), Xdr().opaque({0x60, 0x82})));
    h.send(101, false, reply(9, Xdr().opaque({1, 2, 3, 4}).u32(0).u32(0).u32(128).opaque({0x60})));
    CHECK(h.text() == kHead + "00000009 - - nfs 3 null ok auth=gss gss_proc=init gss_seq=0 gss_service=none "
                              "gss_major=0 gss_minor=0 gss_window=128\n");
    // A control message on a procedure with arguments is not decoded as the program's.
    Harness d;
    d.send(100, true, call(10, 1, 6, gss(3, 4, 2), Xdr().u32(0xffffffff)));
    d.send(101, false, reply(10, Xdr()));
    CHECK(d.text() == kHead + "0000000a - - nfs 3 getattr ok auth=gss gss_proc=destroy gss_seq=4 gss_service=integrity\n");
    CHECK(d.tracer.stats().call_malformed == 0);
    // A credential that does not decode: the flavor only, no decoding.
    Harness u;
    u.send(100, true, call(11, 1, 6, Xdr().u32(2).u32(0).u32(0).u32(1).u32(0), kFhArg));
    u.send(101, false, reply(11, kNoent));
    CHECK(u.text() == kHead + "0000000b - - nfs 3 getattr ok auth=gss\n");
}

TEST_CASE("creds: AUTH_ERROR reasons", "[creds]") {
    const std::pair<std::uint32_t, const char*> reasons[] = {
        {1, "badcred"},       {2, "rejectedcred"},           {3, "badverf"},
        {5, "tooweak"},       {7, "failed"},                 {9, "timeexpire"},
        {12, "net_addr"},     {13, "rpcsec_gss_credproblem"}, {14, "rpcsec_gss_ctxproblem"},
        {15, "15"},
    };
    for (auto [stat, name] : reasons) {
        Harness h;
        h.send(100, true, call(20, 0, 0, Xdr(), Xdr()));
        h.send(101, false, Xdr().u32(20).u32(1).u32(1).u32(1).u32(stat));  // MSG_DENIED, AUTH_ERROR
        CHECK(h.text() == kHead + "00000014 - - nfs 3 null auth_error auth=none why=" + name + "\n");
    }
}
