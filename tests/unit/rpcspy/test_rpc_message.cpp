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
