// rpcbind versions 3 and 4 decoders (RFC 1833 section 2).
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P3(std::string_view name) { return testxdr::proc(rpcspy::rpcbind3_procedures(), name); }
const rpcspy::Procedure& P4(std::string_view name) { return testxdr::proc(rpcspy::rpcbind4_procedures(), name); }

Xdr rpcb(std::string_view addr, std::string_view owner) {
    return Xdr().u32(100003).u32(3).str("tcp").str(addr).str(owner);
}
}  // namespace

TEST_CASE("rpcbind: procedure tables", "[rpcbind]") {
    auto t3 = rpcspy::rpcbind3_procedures();
    auto t4 = rpcspy::rpcbind4_procedures();
    REQUIRE(t3.size() == 9);
    REQUIRE(t4.size() == 13);
    const char* n3[] = {"null", "set", "unset", "getaddr", "dump", "callit", "gettime", "uaddr2taddr", "taddr2uaddr"};
    const char* n4[] = {"null",    "set",         "unset",       "getaddr",     "dump",     "bcast",      "gettime",
                        "uaddr2taddr", "taddr2uaddr", "getversaddr", "indirect", "getaddrlist", "getstat"};
    for (std::size_t i = 0; i < t3.size(); ++i) CHECK(std::string(t3[i].name) == n3[i]);
    for (std::size_t i = 0; i < t4.size(); ++i) CHECK(std::string(t4[i].name) == n4[i]);
    for (auto t : {t3, t4}) {
        CHECK(t[0].call == nullptr);
        CHECK(t[0].reply == nullptr);
        for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i].reply != nullptr);
    }
    const rpcspy::Program* v3 = rpcspy::find_program(100000, 3);
    const rpcspy::Program* v4 = rpcspy::find_program(100000, 4);
    REQUIRE(v3);
    REQUIRE(v4);
    CHECK(std::string(v3->name) == "portmap");
    CHECK(v4->procedures.data() == t4.data());
}

TEST_CASE("rpcbind: SET and UNSET", "[rpcbind]") {
    Xdr call = rpcb("10.0.0.1.8.1", "superuser");
    for (auto* p : {&P3("set"), &P4("set"), &P3("unset")}) {
        auto c = testxdr::run_call(p->call, call);
        CHECK(c.fields == "program=100003 version=3 netid=tcp addr=10.0.0.1.8.1 owner=superuser");
        CHECK(c.remaining == 0);
    }
    testxdr::check_call_prefixes(P3("set").call, call);
    // Empty address and owner are not printed.
    auto c = testxdr::run_call(P4("unset").call, rpcb("", ""));
    CHECK(c.fields == "program=100003 version=3 netid=tcp");

    auto r = testxdr::run_reply(P3("set").reply, Xdr().boolean(true));
    CHECK(r.status == "ok");
    CHECK(r.fields == "result=1");
    r = testxdr::run_reply(P3("unset").reply, Xdr().u32(2));
    CHECK(r.error == XdrError::Malformed);

    auto m = testxdr::run_call(P3("set").call, Xdr().u32(1).u32(1).str(std::string(129, 't')));
    CHECK(m.error == XdrError::Malformed);
    m = testxdr::run_call(P3("set").call, Xdr().u32(1).u32(1).str("tcp").str(std::string(1025, 'a')));
    CHECK(m.error == XdrError::Malformed);
    m = testxdr::run_call(P3("set").call, Xdr().u32(1).u32(1).str("tcp").str("").str(std::string(256, 'o')));
    CHECK(m.error == XdrError::Malformed);
}

TEST_CASE("rpcbind: GETADDR and GETVERSADDR", "[rpcbind]") {
    Xdr call = rpcb("127.0.0.1.0.111", "libtirpc");
    for (auto* p : {&P3("getaddr"), &P4("getaddr"), &P4("getversaddr")}) {
        auto c = testxdr::run_call(p->call, call);
        CHECK(c.fields == "program=100003 version=3 netid=tcp");
        CHECK(c.remaining == 0);
    }
    testxdr::check_call_prefixes(P4("getaddr").call, call);

    const std::pair<const char*, const char*> replies[] = {
        {"127.0.0.1.8.1", "addr=127.0.0.1.8.1 port=2049"},
        {"::1.0.111", "addr=::1.0.111 port=111"},
        {"fe80::1%eth0.255.255", "addr=fe80::1%25eth0.255.255 port=65535"},
        {"", "addr="},                                    // not registered
        {"/run/rpcbind.sock", "addr=/run/rpcbind.sock"},  // no port
        {"1.2.3.4.256.1", "addr=1.2.3.4.256.1"},          // not a byte
        {".8.1", "addr=.8.1"},                            // no host part
        {"8.1", "addr=8.1"},
        {"a.1.2", "addr=a.1.2 port=258"},
        {"a..2", "addr=a..2"},
    };
    for (auto [addr, fields] : replies) {
        INFO(addr);
        auto r = testxdr::run_reply(P4("getversaddr").reply, Xdr().str(addr));
        CHECK(r.status == "ok");
        CHECK(r.fields == fields);
        CHECK(r.error == XdrError::None);
    }
    testxdr::check_reply_prefixes(P3("getaddr").reply, Xdr().str("10.1.2.3.3.255"));
    auto m = testxdr::run_reply(P3("getaddr").reply, Xdr().str(std::string(1025, '1')));
    CHECK(m.error == XdrError::Malformed);
}

TEST_CASE("rpcbind: DUMP", "[rpcbind]") {
    Xdr ok = Xdr()
                 .boolean(true).u32(100000).u32(4).str("tcp6").str("::.0.111").str("superuser")
                 .boolean(true).u32(100024).u32(1).str("local").str("/run/a,b.sock").str("")
                 .boolean(false);
    for (auto* p : {&P3("dump"), &P4("dump")}) {
        auto r = testxdr::run_reply(p->reply, ok);
        CHECK(r.status == "ok");
        CHECK(r.fields == "map=100000,4,tcp6,superuser,::.0.111 map=100024,1,local,,/run/a,b.sock");
        CHECK(r.remaining == 0);
    }
    testxdr::check_reply_prefixes(P3("dump").reply, ok);
    auto r = testxdr::run_reply(P3("dump").reply, Xdr().boolean(false));
    CHECK(r.fields == "");
    CHECK(r.error == XdrError::None);
    // The longest entry fits.
    Xdr big = Xdr().boolean(true).u32(4294967295u).u32(4294967295u).str(std::string(128, 'n'))
                  .str(std::string(1024, 'a')).str(std::string(255, 'o')).boolean(false);
    r = testxdr::run_reply(P4("dump").reply, big);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields.size() == 4 + 10 + 1 + 10 + 1 + 128 + 1 + 255 + 1 + 1024);
}

TEST_CASE("rpcbind: CALLIT, BCAST, INDIRECT", "[rpcbind]") {
    Xdr call = Xdr().u32(100003).u32(3).u32(0).opaque({1, 2, 3, 4, 5});
    for (auto* p : {&P3("callit"), &P4("bcast"), &P4("indirect")}) {
        auto c = testxdr::run_call(p->call, call);
        CHECK(c.fields == "program=100003 version=3 procedure=0 arglen=5");
        CHECK(c.remaining == 0);
    }
    Xdr ok = Xdr().str("10.0.0.1.8.1").opaque({9, 9});
    for (auto* p : {&P3("callit"), &P4("bcast"), &P4("indirect")}) {
        auto r = testxdr::run_reply(p->reply, ok);
        CHECK(r.status == "ok");
        CHECK(r.fields == "addr=10.0.0.1.8.1 port=2049 reslen=2");
        CHECK(r.remaining == 0);
    }
    testxdr::check_reply_prefixes(P3("callit").reply, ok, ok.size() - 4);
}

TEST_CASE("rpcbind: GETTIME, UADDR2TADDR, TADDR2UADDR", "[rpcbind]") {
    auto r = testxdr::run_reply(P3("gettime").reply, Xdr().u32(1795318366));
    CHECK(r.fields == "server_time=1795318366");
    CHECK(P3("gettime").call == nullptr);

    auto c = testxdr::run_call(P4("uaddr2taddr").call, Xdr().str("10.0.0.1.8.1"));
    CHECK(c.fields == "addr=10.0.0.1.8.1");
    Xdr netbuf = Xdr().u32(16).opaque({0, 2, 8, 1, 10, 0, 0, 1});
    r = testxdr::run_reply(P4("uaddr2taddr").reply, netbuf);
    CHECK(r.fields == "taddr=000208010a000001");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P4("uaddr2taddr").reply, netbuf);

    c = testxdr::run_call(P3("taddr2uaddr").call, netbuf);
    CHECK(c.fields == "taddr=000208010a000001");
    r = testxdr::run_reply(P3("taddr2uaddr").reply, Xdr().str("10.0.0.1.8.1"));
    CHECK(r.fields == "addr=10.0.0.1.8.1");
    auto m = testxdr::run_call(P3("taddr2uaddr").call, Xdr().u32(16).opaque(std::vector<std::uint8_t>(1025, 0)));
    CHECK(m.error == XdrError::Malformed);
}

TEST_CASE("rpcbind: GETADDRLIST", "[rpcbind]") {
    Xdr ok = Xdr()
                 .boolean(true).str("127.0.0.1.8.1").str("udp").u32(1).str("inet").str("udp")
                 .boolean(true).str("::1.8.1").str("tcp6").u32(3).str("inet6").str("tcp")
                 .boolean(false);
    auto r = testxdr::run_reply(P4("getaddrlist").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "entry=udp,1,inet,udp,127.0.0.1.8.1 entry=tcp6,3,inet6,tcp,::1.8.1");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P4("getaddrlist").reply, ok);
    auto c = testxdr::run_call(P4("getaddrlist").call, rpcb("127.0.0.1.0.111", ""));
    CHECK(c.fields == "program=100003 version=3 netid=tcp");
}

TEST_CASE("rpcbind: GETSTAT", "[rpcbind]") {
    Xdr ok;
    for (std::uint32_t v = 2; v <= 4; ++v) {
        for (int i = 0; i < 13; ++i) ok.u32(7);
        ok.u32(v * 10).u32(v);
        if (v == 3) ok.boolean(true).u32(100003).u32(3).u32(1).u32(0).str("tcp");
        ok.boolean(false);
        if (v == 4) ok.boolean(true).u32(1).u32(2).u32(3).u32(4).u32(5).u32(6).str("udp");
        ok.boolean(false);
    }
    auto r = testxdr::run_reply(P4("getstat").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "stat=2:20:2:0:0 stat=3:30:3:1:0 stat=4:40:4:0:1");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P4("getstat").reply, ok);
}
