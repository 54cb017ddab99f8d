// NSM (status monitor, program 100024 version 1) decoders.
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P(std::string_view name) { return testxdr::proc(rpcspy::nsm1_procedures(), name); }
Xdr my_id() { return Xdr().str("client").u32(100021).u32(4).u32(16); }
const std::string kMyId = "callback_host=client callback_prog=100021 callback_vers=4 callback_proc=16";
}  // namespace

TEST_CASE("nsm: procedure table", "[nsm]") {
    auto t = rpcspy::nsm1_procedures();
    REQUIRE(t.size() == 7);
    const char* names[] = {"null", "stat", "mon", "unmon", "unmon_all", "simu_crash", "notify"};
    for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::string(t[i].name) == names[i]);
    CHECK(t[0].call == nullptr);
    CHECK(P("simu_crash").call == nullptr);
    CHECK(P("simu_crash").reply == nullptr);
    CHECK(P("notify").reply == nullptr);
    const rpcspy::Program* p = rpcspy::find_program(100024, 1);
    REQUIRE(p);
    CHECK(std::string(p->name) == "status");
    CHECK(rpcspy::find_program(100024, 2) == nullptr);
}

TEST_CASE("nsm: STAT and MON", "[nsm]") {
    auto c = testxdr::run_call(P("stat").call, Xdr().str("server.lab"));
    CHECK(c.fields == "host=server.lab");
    CHECK(c.remaining == 0);

    Xdr mon = Xdr().str("10.0.0.2").add(my_id()).fixed({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    c = testxdr::run_call(P("mon").call, mon);
    CHECK(c.fields == "host=10.0.0.2 " + kMyId + " priv=0102030405060708090a0b0c0d0e0f10");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("mon").call, mon);

    for (const char* p : {"stat", "mon"}) {
        auto r = testxdr::run_reply(P(p).reply, Xdr().u32(0).u32(7));
        CHECK(r.status == "ok");
        CHECK(r.fields == "state=7");
        r = testxdr::run_reply(P(p).reply, Xdr().u32(1).u32(0xffffffffu));
        CHECK(r.status == "fail");
        CHECK(r.fields == "state=-1");
        r = testxdr::run_reply(P(p).reply, Xdr().u32(2).u32(1));
        CHECK(r.status == "2");
        r = testxdr::run_reply(P(p).reply, Xdr());
        CHECK(r.status == "-");
        CHECK(r.error == XdrError::Truncated);
        testxdr::check_reply_prefixes(P(p).reply, Xdr().u32(0).u32(3));
    }
    auto m = testxdr::run_call(P("mon").call, Xdr().str(std::string(1025, 'h')));
    CHECK(m.error == XdrError::Malformed);
    m = testxdr::run_call(P("stat").call, Xdr().str(std::string(1024, 'h')));
    CHECK(m.error == XdrError::None);
}

TEST_CASE("nsm: UNMON, UNMON_ALL, NOTIFY", "[nsm]") {
    Xdr unmon = Xdr().str("10.0.0.2").add(my_id());
    auto c = testxdr::run_call(P("unmon").call, unmon);
    CHECK(c.fields == "host=10.0.0.2 " + kMyId);
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("unmon").call, unmon);

    c = testxdr::run_call(P("unmon_all").call, my_id());
    CHECK(c.fields == kMyId);
    testxdr::check_call_prefixes(P("unmon_all").call, my_id());

    for (const char* p : {"unmon", "unmon_all"}) {
        auto r = testxdr::run_reply(P(p).reply, Xdr().u32(9));
        CHECK(r.status == "ok");
        CHECK(r.fields == "state=9");
    }

    Xdr notify = Xdr().str("client.lab").u32(13);
    c = testxdr::run_call(P("notify").call, notify);
    CHECK(c.fields == "host=client.lab state=13");
    testxdr::check_call_prefixes(P("notify").call, notify);
}
