// RQUOTA (program 100011, versions 1 and 2) decoders.
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P1(std::string_view name) { return testxdr::proc(rpcspy::rquota1_procedures(), name); }
const rpcspy::Procedure& P2(std::string_view name) { return testxdr::proc(rpcspy::rquota2_procedures(), name); }

Xdr dqblk() { return Xdr().u32(1000).u32(800).u32(10).u32(100).u32(80).u32(3).u32(0).u32(0); }
const std::string kSet = "set_bhardlimit=1000 set_bsoftlimit=800 set_curblocks=10 set_fhardlimit=100 "
                         "set_fsoftlimit=80 set_curfiles=3 set_btimeleft=0 set_ftimeleft=0";
Xdr rquota() { return Xdr().u32(1).u32(1024).boolean(true).add(dqblk()); }
const std::string kQuota = "bsize=1024 active=1 bhardlimit=1000 bsoftlimit=800 curblocks=10 fhardlimit=100 "
                           "fsoftlimit=80 curfiles=3 btimeleft=0 ftimeleft=0";
}  // namespace

TEST_CASE("rquota: procedure tables", "[rquota]") {
    const char* names[] = {"null", "getquota", "getactivequota", "setquota", "setactivequota"};
    for (auto t : {rpcspy::rquota1_procedures(), rpcspy::rquota2_procedures()}) {
        REQUIRE(t.size() == 5);
        for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::string(t[i].name) == names[i]);
        CHECK(t[0].call == nullptr);
        CHECK(t[0].reply == nullptr);
    }
    for (std::uint32_t v : {1u, 2u}) {
        const rpcspy::Program* p = rpcspy::find_program(100011, v);
        REQUIRE(p);
        CHECK(std::string(p->name) == "rquota");
    }
}

TEST_CASE("rquota: GETQUOTA and GETACTIVEQUOTA", "[rquota]") {
    for (const char* p : {"getquota", "getactivequota"}) {
        Xdr v1 = Xdr().str("/export").u32(1000);
        auto c = testxdr::run_call(P1(p).call, v1);
        CHECK(c.fields == "path=/export id=1000");
        CHECK(c.remaining == 0);
        testxdr::check_call_prefixes(P1(p).call, v1);

        Xdr v2 = Xdr().str("/export").u32(1).u32(100);
        c = testxdr::run_call(P2(p).call, v2);
        CHECK(c.fields == "path=/export type=group id=100");
        CHECK(c.remaining == 0);
        testxdr::check_call_prefixes(P2(p).call, v2);
        c = testxdr::run_call(P2(p).call, Xdr().str("/").u32(0).u32(0));
        CHECK(c.fields == "path=/ type=user id=0");
        c = testxdr::run_call(P2(p).call, Xdr().str("/").u32(7).u32(0));
        CHECK(c.fields == "path=/ type=7 id=0");
    }
    Xdr ok = rquota();
    auto r = testxdr::run_reply(P1("getquota").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kQuota);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P1("getquota").reply, ok);

    const std::pair<std::uint32_t, const char*> codes[] = {{2, "noquota"}, {3, "eperm"}, {0, "0"}, {4, "4"}};
    for (auto [code, name] : codes) {
        r = testxdr::run_reply(P2("getquota").reply, Xdr().u32(code));
        CHECK(r.status == name);
        CHECK(r.fields == "");
        CHECK(r.error == XdrError::None);
    }
    r = testxdr::run_reply(P2("getquota").reply, Xdr());
    CHECK(r.status == "-");
    auto m = testxdr::run_reply(P1("getquota").reply, Xdr().u32(1).u32(1024).u32(2));
    CHECK(m.error == XdrError::Malformed);
    m = testxdr::run_call(P1("getquota").call, Xdr().str(std::string(1025, 'p')).u32(0));
    CHECK(m.error == XdrError::Malformed);
}

TEST_CASE("rquota: SETQUOTA and SETACTIVEQUOTA", "[rquota]") {
    for (const char* p : {"setquota", "setactivequota"}) {
        Xdr v1 = Xdr().u32(8).str("/export").u32(1000).add(dqblk());
        auto c = testxdr::run_call(P1(p).call, v1);
        CHECK(c.fields == "qcmd=8 path=/export id=1000 " + kSet);
        CHECK(c.remaining == 0);
        testxdr::check_call_prefixes(P1(p).call, v1);

        Xdr v2 = Xdr().u32(8).str("/export").u32(0).u32(1000).add(dqblk());
        c = testxdr::run_call(P2(p).call, v2);
        CHECK(c.fields == "qcmd=8 path=/export type=user id=1000 " + kSet);
        CHECK(c.remaining == 0);
        testxdr::check_call_prefixes(P2(p).call, v2);

        auto r = testxdr::run_reply(P2(p).reply, rquota());
        CHECK(r.status == "ok");
        CHECK(r.fields == kQuota);
        r = testxdr::run_reply(P2(p).reply, Xdr().u32(3));
        CHECK(r.status == "eperm");
    }
}
