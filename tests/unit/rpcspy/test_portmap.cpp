// Portmap v2 decoders (RFC 1833 section 3).
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P(std::string_view name) { return testxdr::proc(rpcspy::portmap2_procedures(), name); }
}  // namespace

TEST_CASE("portmap2: procedure table", "[portmap]") {
    auto t = rpcspy::portmap2_procedures();
    REQUIRE(t.size() == 6);
    const char* names[] = {"null", "set", "unset", "getport", "dump", "callit"};
    for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::string(t[i].name) == names[i]);
    CHECK(t[0].call == nullptr);
    CHECK(t[0].reply == nullptr);
}

TEST_CASE("portmap2: GETPORT", "[portmap]") {
    Xdr call = Xdr().u32(100003).u32(3).u32(6).u32(0);
    auto c = testxdr::run_call(P("getport").call, call);
    CHECK(c.fields == "program=100003 version=3 protocol=tcp");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("getport").call, call);

    c = testxdr::run_call(P("getport").call, Xdr().u32(100005).u32(1).u32(17).u32(0));
    CHECK(c.fields == "program=100005 version=1 protocol=udp");
    c = testxdr::run_call(P("getport").call, Xdr().u32(100005).u32(1).u32(132).u32(0));
    CHECK(c.fields == "program=100005 version=1 protocol=132");

    auto r = testxdr::run_reply(P("getport").reply, Xdr().u32(2049));
    CHECK(r.status == "ok");
    CHECK(r.fields == "port=2049");
    r = testxdr::run_reply(P("getport").reply, Xdr().u32(0));
    CHECK(r.fields == "port=0");
    r = testxdr::run_reply(P("getport").reply, Xdr().raw({0, 0}));
    CHECK(r.error == XdrError::Truncated);
    CHECK(r.fields == "");
}

TEST_CASE("portmap2: SET and UNSET", "[portmap]") {
    Xdr set = Xdr().u32(100021).u32(4).u32(17).u32(40000);
    auto c = testxdr::run_call(P("set").call, set);
    CHECK(c.fields == "program=100021 version=4 protocol=udp port=40000");
    testxdr::check_call_prefixes(P("set").call, set);

    c = testxdr::run_call(P("unset").call, set);
    CHECK(c.fields == "program=100021 version=4");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("unset").call, set);

    for (const char* name : {"set", "unset"}) {
        CHECK(testxdr::run_reply(P(name).reply, Xdr().boolean(true)).fields == "result=1");
        CHECK(testxdr::run_reply(P(name).reply, Xdr().boolean(false)).fields == "result=0");
        auto m = testxdr::run_reply(P(name).reply, Xdr().u32(2));
        CHECK(m.error == XdrError::Malformed);
    }
}

TEST_CASE("portmap2: DUMP", "[portmap]") {
    Xdr ok = Xdr()
                 .boolean(true).u32(100000).u32(2).u32(6).u32(111)
                 .boolean(true).u32(100003).u32(3).u32(17).u32(2049)
                 .boolean(true).u32(4294967295u).u32(4294967295u).u32(4294967295u).u32(4294967295u)
                 .boolean(false);
    auto r = testxdr::run_reply(P("dump").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields ==
          "map=100000.2.tcp.111 map=100003.3.udp.2049 map=4294967295.4294967295.4294967295.4294967295");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("dump").reply, ok);

    auto t = testxdr::run_reply(P("dump").reply, Xdr().boolean(true).u32(1).u32(2).u32(6).u32(4).boolean(true));
    CHECK(t.error == XdrError::Truncated);
    CHECK(t.fields == "map=1.2.tcp.4");
}

TEST_CASE("portmap2: CALLIT", "[portmap]") {
    Xdr call = Xdr().u32(100005).u32(3).u32(0).opaque({1, 2, 3});
    auto c = testxdr::run_call(P("callit").call, call);
    CHECK(c.fields == "program=100005 version=3 procedure=0 arglen=3");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("callit").call, call, 16);

    Xdr reply = Xdr().u32(635).opaque({9, 9, 9, 9, 9});
    auto r = testxdr::run_reply(P("callit").reply, reply);
    CHECK(r.status == "ok");
    CHECK(r.fields == "port=635 reslen=5");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("callit").reply, reply, 8);

    auto m = testxdr::run_call(P("callit").call, Xdr().u32(1).u32(1).u32(1).u32(0x7fffffff));
    CHECK(m.error == XdrError::Malformed);
}
