#include <catch2/catch.hpp>

#include "rpcspy/rpc_message.hpp"
#include "xdr_builder.hpp"

using namespace rpcspy;
using testxdr::Xdr;

namespace {
Xdr auth_sys(std::uint32_t uid, std::uint32_t gid) {
    Xdr body;
    body.u32(12345).str("client").u32(uid).u32(gid).u32(2).u32(10).u32(20);
    Xdr a;
    a.u32(1).opaque(body.bytes());
    return a;
}
Xdr call_header(std::uint32_t xid, const Xdr& cred) {
    Xdr x;
    x.u32(xid).u32(0).u32(2).u32(100003).u32(3).u32(6).add(cred).u32(0).u32(0);
    return x;
}
}  // namespace

TEST_CASE("rpc: call header with AUTH_SYS", "[rpc]") {
    Xdr x = call_header(0xabcd, auth_sys(1000, 100));
    x.u32(77);  // first argument word
    RpcCall call;
    RpcReply reply;
    REQUIRE(parse_rpc(x.bytes(), call, reply) == RpcParse::Call);
    CHECK(call.xid == 0xabcd);
    CHECK(call.prog == 100003);
    CHECK(call.vers == 3);
    CHECK(call.proc == 6);
    CHECK(call.has_unix_cred);
    CHECK(call.uid == 1000);
    CHECK(call.gid == 100);
    CHECK(call.args_offset == x.size() - 4);
}

TEST_CASE("rpc: AUTH_NONE and RPCSEC_GSS calls have no uid", "[rpc]") {
    Xdr none;
    none.u32(0).u32(0);
    RpcCall call;
    RpcReply reply;
    REQUIRE(parse_rpc(call_header(1, none).bytes(), call, reply) == RpcParse::Call);
    CHECK_FALSE(call.has_unix_cred);
    CHECK(call.cred_flavor == 0);

    Xdr gss;
    gss.u32(6).opaque(std::vector<std::uint8_t>(40, 1));
    REQUIRE(parse_rpc(call_header(2, gss).bytes(), call, reply) == RpcParse::Call);
    CHECK_FALSE(call.has_unix_cred);
    CHECK(call.cred_flavor == 6);
}

TEST_CASE("rpc: implausible calls are not RPC", "[rpc]") {
    RpcCall call;
    RpcReply reply;
    Xdr v3;
    v3.u32(1).u32(0).u32(3).u32(100003).u32(3).u32(0).u32(0).u32(0).u32(0).u32(0);
    CHECK(parse_rpc(v3.bytes(), call, reply) == RpcParse::NotRpc);  // rpcvers 3
    Xdr huge;
    huge.u32(1).u32(0).u32(2).u32(100003).u32(3).u32(0).u32(1).u32(5000);
    CHECK(parse_rpc(huge.bytes(), call, reply) == RpcParse::NotRpc);  // credential > 400 bytes
    Xdr type;
    type.u32(1).u32(7);
    CHECK(parse_rpc(type.bytes(), call, reply) == RpcParse::NotRpc);  // message type 7
}

TEST_CASE("rpc: every cut of a call header is truncated", "[rpc]") {
    Xdr x = call_header(9, auth_sys(1, 2));
    RpcCall call;
    RpcReply reply;
    for (std::size_t n = 0; n < x.size(); ++n) {
        std::span<const std::uint8_t> cut(x.bytes().data(), n);
        INFO("prefix " << n);
        CHECK(parse_rpc(cut, call, reply) == RpcParse::Truncated);
    }
    CHECK(parse_rpc(x.bytes(), call, reply) == RpcParse::Call);
}

TEST_CASE("rpc: accepted replies", "[rpc]") {
    RpcCall call;
    RpcReply reply;
    Xdr ok;
    ok.u32(5).u32(1).u32(0).u32(0).u32(0).u32(0).u32(42);
    REQUIRE(parse_rpc(ok.bytes(), call, reply) == RpcParse::Reply);
    CHECK(reply.xid == 5);
    CHECK(reply.outcome == ReplyOutcome::Success);
    CHECK(reply.results_offset == 24);

    Xdr mismatch;
    mismatch.u32(6).u32(1).u32(0).u32(0).u32(0).u32(2).u32(2).u32(4);
    REQUIRE(parse_rpc(mismatch.bytes(), call, reply) == RpcParse::Reply);
    CHECK(reply.outcome == ReplyOutcome::ProgMismatch);
    CHECK(reply.low == 2);
    CHECK(reply.high == 4);
    CHECK(std::string(reply_outcome_name(reply.outcome)) == "prog_mismatch");

    for (std::uint32_t stat : {1u, 3u, 4u, 5u}) {
        Xdr x;
        x.u32(7).u32(1).u32(0).u32(0).u32(0).u32(stat);
        REQUIRE(parse_rpc(x.bytes(), call, reply) == RpcParse::Reply);
        CHECK(reply.outcome != ReplyOutcome::Success);
    }
}

TEST_CASE("rpc: denied replies", "[rpc]") {
    RpcCall call;
    RpcReply reply;
    Xdr rpc_mismatch;
    rpc_mismatch.u32(8).u32(1).u32(1).u32(0).u32(2).u32(2);
    REQUIRE(parse_rpc(rpc_mismatch.bytes(), call, reply) == RpcParse::Reply);
    CHECK(reply.outcome == ReplyOutcome::RpcMismatch);

    Xdr auth;
    auth.u32(9).u32(1).u32(1).u32(1).u32(5);
    REQUIRE(parse_rpc(auth.bytes(), call, reply) == RpcParse::Reply);
    CHECK(reply.outcome == ReplyOutcome::AuthError);
    CHECK(reply.auth_stat == 5);

    Xdr bad;
    bad.u32(9).u32(1).u32(2);
    CHECK(parse_rpc(bad.bytes(), call, reply) == RpcParse::NotRpc);
}

// ---- Credentials: AUTH_SYS details, RPCSEC_GSS (RFC 2203).

namespace {
Xdr gss_cred(std::uint32_t proc, std::uint32_t seq, std::uint32_t service, std::vector<std::uint8_t> handle,
             std::uint32_t version = 1) {
    Xdr body;
    body.u32(version).u32(proc).u32(seq).u32(service).opaque(handle);
    Xdr a;
    a.u32(6).opaque(body.bytes());
    return a;
}
}  // namespace

TEST_CASE("rpc: AUTH_SYS machine name and groups", "[rpc][creds]") {
    Xdr x = call_header(3, auth_sys(1000, 100));
    RpcCall call;
    RpcReply reply;
    REQUIRE(parse_rpc(x.bytes(), call, reply) == RpcParse::Call);
    auto body = credential(x.bytes(), call);
    CHECK(body.size() == call.cred_len);
    CHECK(call.cred_offset == 32);
    AuthSysParms p;
    REQUIRE(parse_auth_sys(body, p));
    CHECK(p.stamp == 12345);
    CHECK(std::string(p.machine.begin(), p.machine.end()) == "client");
    CHECK(p.uid == 1000);
    CHECK(p.gid == 100);
    REQUIRE(p.ngids == 2);
    CHECK(p.gids[0] == 10);
    CHECK(p.gids[1] == 20);

    // 16 groups at most; a machine name of 255 bytes at most.
    Xdr max;
    max.u32(0).str(std::string(255, 'm')).u32(0).u32(0).u32(16);
    for (std::uint32_t i = 0; i < 16; ++i) max.u32(i);
    CHECK(parse_auth_sys(max.bytes(), p));
    CHECK(p.ngids == 16);
    CHECK(p.gids[15] == 15);
    Xdr many;
    many.u32(0).str("m").u32(0).u32(0).u32(17);
    for (std::uint32_t i = 0; i < 17; ++i) many.u32(i);
    CHECK_FALSE(parse_auth_sys(many.bytes(), p));
    Xdr long_name;
    long_name.u32(0).str(std::string(256, 'm')).u32(0).u32(0).u32(0);
    CHECK_FALSE(parse_auth_sys(long_name.bytes(), p));
    // Every cut fails.
    for (std::size_t n = 0; n < body.size(); ++n) CHECK_FALSE(parse_auth_sys(body.first(n), p));
    // A credential beyond the message is empty.
    RpcCall bad = call;
    bad.cred_offset = x.size();
    bad.cred_len = 4;
    CHECK(credential(x.bytes(), bad).empty());
}

TEST_CASE("rpc: RPCSEC_GSS credential", "[rpc][creds]") {
    RpcCall call;
    RpcReply reply;
    REQUIRE(parse_rpc(call_header(4, gss_cred(0, 77, 2, {1, 2, 3, 4})).bytes(), call, reply) == RpcParse::Call);
    CHECK(call.cred_flavor == 6);
    CHECK_FALSE(call.has_unix_cred);
    REQUIRE(call.has_gss);
    CHECK(call.gss_proc == 0);
    CHECK(call.gss_seq == 77);
    CHECK(call.gss_service == 2);

    Xdr x = call_header(5, gss_cred(3, 9, 3, {0xaa, 0xbb}));
    REQUIRE(parse_rpc(x.bytes(), call, reply) == RpcParse::Call);
    CHECK(call.gss_proc == 3);
    CHECK(call.gss_service == 3);
    GssCred g;
    REQUIRE(parse_gss_cred(credential(x.bytes(), call), g));
    CHECK(g.handle.size() == 2);
    CHECK(g.handle[1] == 0xbb);

    // Another version, or values out of range: the call parses, without GSS details.
    for (const Xdr& cred : {gss_cred(0, 1, 1, {}, 2), gss_cred(4, 1, 1, {}), gss_cred(0, 1, 0, {}),
                            gss_cred(0, 1, 4, {})}) {
        REQUIRE(parse_rpc(call_header(6, cred).bytes(), call, reply) == RpcParse::Call);
        CHECK(call.cred_flavor == 6);
        CHECK_FALSE(call.has_gss);
    }
    Xdr short_cred;
    short_cred.u32(6).opaque({0, 0, 0, 1});
    REQUIRE(parse_rpc(call_header(7, short_cred).bytes(), call, reply) == RpcParse::Call);
    CHECK_FALSE(call.has_gss);

    CHECK(std::string(gss_proc_name(0)) == "data");
    CHECK(std::string(gss_proc_name(1)) == "init");
    CHECK(std::string(gss_proc_name(2)) == "continue_init");
    CHECK(std::string(gss_proc_name(3)) == "destroy");
    CHECK(gss_proc_name(4) == nullptr);
    CHECK(gss_service_name(0) == nullptr);
    CHECK(std::string(gss_service_name(1)) == "none");
    CHECK(std::string(gss_service_name(2)) == "integrity");
    CHECK(std::string(gss_service_name(3)) == "privacy");
    CHECK(gss_service_name(4) == nullptr);
}

TEST_CASE("rpc: RPCSEC_GSS integrity wrapping", "[rpc][creds]") {
    Xdr wrapped;
    wrapped.u32(12).u32(42).u32(1).u32(2).opaque({9, 9, 9, 9});  // databody (seq 42, two words), checksum
    std::span<const std::uint8_t> body;
    std::uint32_t seq = 0;
    REQUIRE(unwrap_gss_integ(wrapped.bytes(), body, seq) == GssUnwrap::Ok);
    CHECK(seq == 42);
    REQUIRE(body.size() == 8);
    CHECK(body[3] == 1);
    CHECK(body[7] == 2);
    // Cut inside the body: what was captured.
    std::span<const std::uint8_t> all(wrapped.bytes());
    REQUIRE(unwrap_gss_integ(all.first(14), body, seq) == GssUnwrap::Ok);
    CHECK(body.size() == 6);
    for (std::size_t n = 0; n < 8; ++n) CHECK(unwrap_gss_integ(all.first(n), body, seq) == GssUnwrap::Truncated);
    Xdr tiny;
    tiny.u32(3).u32(0);
    CHECK(unwrap_gss_integ(tiny.bytes(), body, seq) == GssUnwrap::Malformed);
    Xdr huge;
    huge.u32(kMaxGssBody + 1).u32(0);
    CHECK(unwrap_gss_integ(huge.bytes(), body, seq) == GssUnwrap::Malformed);
    Xdr empty;
    empty.u32(4).u32(5).u32(0);
    REQUIRE(unwrap_gss_integ(empty.bytes(), body, seq) == GssUnwrap::Ok);
    CHECK(body.empty());
}

TEST_CASE("rpc: RPCSEC_GSS init result", "[rpc][creds]") {
    Xdr res;
    res.opaque({1, 2, 3, 4}).u32(0).u32(7).u32(128).opaque({5});
    GssInitRes r;
    REQUIRE(parse_gss_init_res(res.bytes(), r));
    CHECK(r.handle.size() == 4);
    CHECK(r.major == 0);
    CHECK(r.minor == 7);
    CHECK(r.seq_window == 128);
    std::span<const std::uint8_t> all(res.bytes());
    for (std::size_t n = 0; n < 20; ++n) CHECK_FALSE(parse_gss_init_res(all.first(n), r));
}
