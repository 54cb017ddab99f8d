// NLM decoders: versions 1 and 3 (XNFS, 32-bit ranges) and 4 (RFC 1813
// Appendix II, 64-bit ranges).
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P3(std::string_view name) { return testxdr::proc(rpcspy::nlm3_procedures(), name); }
const rpcspy::Procedure& P4(std::string_view name) { return testxdr::proc(rpcspy::nlm4_procedures(), name); }

const std::vector<std::uint8_t> kCookie = {0xc0, 0x01};
const std::vector<std::uint8_t> kFh = {0x01, 0x02, 0x03};
const std::vector<std::uint8_t> kOwner = {'o', 'w', 'n'};

// nlm_lock (v3) or nlm4_lock (v4).
Xdr lock(bool v4, std::uint64_t offset = 100, std::uint64_t length = 200) {
    Xdr x = Xdr().str("client.lab").opaque(kFh).opaque(kOwner).u32(0xfffffffe);  // svid -2
    if (v4)
        x.u64(offset).u64(length);
    else
        x.u32(static_cast<std::uint32_t>(offset)).u32(static_cast<std::uint32_t>(length));
    return x;
}
const std::string kLock = "caller=client.lab fh=010203 owner=6f776e svid=-2 offset=100 length=200";
}  // namespace

TEST_CASE("nlm: procedure tables", "[nlm]") {
    auto t1 = rpcspy::nlm1_procedures();
    auto t3 = rpcspy::nlm3_procedures();
    auto t4 = rpcspy::nlm4_procedures();
    REQUIRE(t1.size() == 16);
    REQUIRE(t3.size() == 24);
    REQUIRE(t4.size() == 24);
    const char* names[] = {"null",        "test",       "lock",       "cancel",     "unlock",     "granted",
                           "test_msg",    "lock_msg",   "cancel_msg", "unlock_msg", "granted_msg", "test_res",
                           "lock_res",    "cancel_res", "unlock_res", "granted_res", nullptr,     nullptr,
                           nullptr,       nullptr,      "share",      "unshare",    "nm_lock",    "free_all"};
    for (auto t : {t3, t4})
        for (std::size_t i = 0; i < t.size(); ++i) {
            INFO(i);
            if (names[i]) {
                REQUIRE(t[i].name);
                CHECK(std::string(t[i].name) == names[i]);
                CHECK(std::string(t[i].name).find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
            } else {
                CHECK(t[i].name == nullptr);
                CHECK(t[i].call == nullptr);
                CHECK(t[i].reply == nullptr);
            }
        }
    CHECK(t1.data() == t3.data());
    for (std::size_t i = 6; i <= 15; ++i) CHECK(t4[i].reply == nullptr);  // _MSG and _RES: empty replies
    CHECK(P4("free_all").reply == nullptr);
    for (std::uint32_t v : {1u, 3u, 4u}) {
        const rpcspy::Program* p = rpcspy::find_program(100021, v);
        REQUIRE(p);
        CHECK(std::string(p->name) == "nlm");
    }
    CHECK(rpcspy::find_program(100021, 2) == nullptr);
}

TEST_CASE("nlm: TEST", "[nlm]") {
    for (bool v4 : {false, true}) {
        INFO("v4 " << v4);
        auto& p = v4 ? P4("test") : P3("test");
        Xdr call = Xdr().opaque(kCookie).boolean(true).add(lock(v4));
        auto c = testxdr::run_call(p.call, call);
        CHECK(c.fields == "cookie=c001 exclusive=1 " + kLock);
        CHECK(c.remaining == 0);
        testxdr::check_call_prefixes(p.call, call);
        // The _MSG form and GRANTED take the same arguments.
        CHECK((v4 ? P4("test_msg") : P3("test_msg")).call == p.call);
        CHECK((v4 ? P4("granted") : P3("granted")).call == p.call);

        // The reply's cookie, the call's, is not printed again.
        auto r = testxdr::run_reply(p.reply, Xdr().opaque(kCookie).u32(0));
        CHECK(r.status == "ok");
        CHECK(r.fields == "");
        CHECK(r.remaining == 0);

        Xdr denied = Xdr().opaque(kCookie).u32(1).boolean(false).u32(7).opaque({0xee});
        if (v4)
            denied.u64(1ull << 40).u64(0);
        else
            denied.u32(4096).u32(0);
        r = testxdr::run_reply(p.reply, denied);
        CHECK(r.status == "denied");
        CHECK(r.fields == std::string("holder_exclusive=0 holder_svid=7 holder_owner=ee holder_offset=") +
                              (v4 ? "1099511627776" : "4096") + " holder_length=0");
        CHECK(r.remaining == 0);
        testxdr::check_reply_prefixes(p.reply, denied);
    }
}

TEST_CASE("nlm: status names", "[nlm]") {
    const std::pair<std::uint32_t, const char*> codes[] = {
        {0, "ok"},      {2, "denied_nolocks"}, {3, "blocked"},   {4, "denied_grace_period"},
        {5, "deadlck"}, {6, "rofs"},           {7, "stale_fh"},  {8, "fbig"},
        {9, "failed"},  {10, "10"},            {4294967295u, "4294967295"},
    };
    for (auto [code, name] : codes) {
        INFO(code);
        for (const char* proc : {"lock", "cancel", "unlock", "granted", "nm_lock"}) {
            auto r = testxdr::run_reply(P4(proc).reply, Xdr().opaque(kCookie).u32(code));
            CHECK(r.status == name);
            CHECK(r.fields == "");
            CHECK(r.error == XdrError::None);
        }
        auto t = testxdr::run_reply(P3("test").reply, Xdr().opaque(kCookie).u32(code));
        CHECK(t.status == name);
    }
    auto none = testxdr::run_reply(P4("lock").reply, Xdr().opaque(kCookie));
    CHECK(none.status == "-");
    CHECK(none.error == XdrError::Truncated);
    none = testxdr::run_reply(P4("test").reply, Xdr());
    CHECK(none.status == "-");
}

TEST_CASE("nlm: LOCK, NM_LOCK, CANCEL, UNLOCK", "[nlm]") {
    for (bool v4 : {false, true}) {
        INFO("v4 " << v4);
        auto P = [v4](std::string_view n) -> const rpcspy::Procedure& { return v4 ? P4(n) : P3(n); };
        Xdr lockargs = Xdr().opaque(kCookie).boolean(true).boolean(false).add(lock(v4)).boolean(true).u32(3);
        for (const char* name : {"lock", "lock_msg", "nm_lock"}) {
            auto c = testxdr::run_call(P(name).call, lockargs);
            CHECK(c.fields == "cookie=c001 block=1 exclusive=0 " + kLock + " reclaim=1 state=3");
            CHECK(c.remaining == 0);
        }
        testxdr::check_call_prefixes(P("lock").call, lockargs);

        Xdr cancargs = Xdr().opaque(kCookie).boolean(false).boolean(true).add(lock(v4));
        for (const char* name : {"cancel", "cancel_msg"}) {
            auto c = testxdr::run_call(P(name).call, cancargs);
            CHECK(c.fields == "cookie=c001 block=0 exclusive=1 " + kLock);
            CHECK(c.remaining == 0);
        }
        testxdr::check_call_prefixes(P("cancel").call, cancargs);

        Xdr unlockargs = Xdr().opaque(kCookie).add(lock(v4));
        for (const char* name : {"unlock", "unlock_msg"}) {
            auto c = testxdr::run_call(P(name).call, unlockargs);
            CHECK(c.fields == "cookie=c001 " + kLock);
            CHECK(c.remaining == 0);
        }
        testxdr::check_call_prefixes(P("unlock").call, unlockargs);

        Xdr res = Xdr().opaque(kCookie).u32(3);
        auto r = testxdr::run_reply(P("lock").reply, res);
        CHECK(r.status == "blocked");
        testxdr::check_reply_prefixes(P("lock").reply, res);
    }
    // 64-bit ranges in version 4.
    auto c = testxdr::run_call(P4("unlock").call, Xdr().opaque({}).add(lock(true, 0, 0xffffffffffffffffull)));
    CHECK(c.fields == "cookie= caller=client.lab fh=010203 owner=6f776e svid=-2 offset=0 length=18446744073709551615");

    SECTION("malformed") {
        auto m = testxdr::run_call(P4("lock").call, Xdr().opaque(kCookie).u32(2));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "cookie=c001");
        m = testxdr::run_call(P4("lock").call, Xdr().opaque(std::vector<std::uint8_t>(1025, 0)));
        CHECK(m.error == XdrError::Malformed);
        m = testxdr::run_call(P4("unlock").call, Xdr().opaque(kCookie).str(std::string(1025, 'c')));
        CHECK(m.error == XdrError::Malformed);
        m = testxdr::run_call(P4("unlock").call, Xdr().opaque(kCookie).str(std::string(1024, 'c')).opaque(kFh)
                                                     .opaque(kOwner).u32(1).u64(0).u64(0));
        CHECK(m.error == XdrError::None);
    }
}

TEST_CASE("nlm: _RES calls carry the result", "[nlm]") {
    for (const char* name : {"lock_res", "cancel_res", "unlock_res", "granted_res"}) {
        INFO(name);
        auto c = testxdr::run_call(P4(name).call, Xdr().opaque(kCookie).u32(0));
        CHECK(c.fields == "cookie=c001 result=granted");
        c = testxdr::run_call(P3(name).call, Xdr().opaque(kCookie).u32(4));
        CHECK(c.fields == "cookie=c001 result=denied_grace_period");
        c = testxdr::run_call(P3(name).call, Xdr().opaque(kCookie).u32(77));
        CHECK(c.fields == "cookie=c001 result=77");
        testxdr::check_call_prefixes(P4(name).call, Xdr().opaque(kCookie).u32(0));
    }
    Xdr denied = Xdr().opaque(kCookie).u32(1).boolean(true).u32(9).opaque({0x0f}).u64(5).u64(6);
    auto c = testxdr::run_call(P4("test_res").call, denied);
    CHECK(c.fields == "cookie=c001 result=denied holder_exclusive=1 holder_svid=9 holder_owner=0f "
                      "holder_offset=5 holder_length=6");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P4("test_res").call, denied);
    c = testxdr::run_call(P3("test_res").call, Xdr().opaque(kCookie).u32(0));
    CHECK(c.fields == "cookie=c001 result=granted");
}

TEST_CASE("nlm: SHARE, UNSHARE, FREE_ALL", "[nlm]") {
    Xdr share = Xdr().opaque(kCookie).str("client.lab").opaque(kFh).opaque(kOwner).u32(2).u32(3).boolean(false);
    for (auto* p : {&P3("share"), &P3("unshare"), &P4("share"), &P4("unshare")}) {
        auto c = testxdr::run_call(p->call, share);
        CHECK(c.fields == "cookie=c001 caller=client.lab fh=010203 owner=6f776e deny=write access=read_write reclaim=0");
        CHECK(c.remaining == 0);
    }
    testxdr::check_call_prefixes(P4("share").call, share);
    auto m = testxdr::run_call(P4("share").call,
                               Xdr().opaque(kCookie).str("c").opaque(kFh).opaque(kOwner).u32(4).u32(0).boolean(false));
    CHECK(m.error == XdrError::Malformed);

    Xdr res = Xdr().opaque(kCookie).u32(0).u32(12);
    auto r = testxdr::run_reply(P4("share").reply, res);
    CHECK(r.status == "ok");
    CHECK(r.fields == "sequence=12");
    testxdr::check_reply_prefixes(P4("share").reply, res);
    r = testxdr::run_reply(P3("unshare").reply, Xdr().opaque(kCookie).u32(4).u32(0));
    CHECK(r.status == "denied_grace_period");

    Xdr notify = Xdr().str("client.lab").u32(5);
    auto c = testxdr::run_call(P4("free_all").call, notify);
    CHECK(c.fields == "caller=client.lab state=5");
    testxdr::check_call_prefixes(P4("free_all").call, notify);
    CHECK(testxdr::run_call(P4("free_all").call, Xdr().str(std::string(1025, 'n')).u32(1)).error == XdrError::None);
    CHECK(testxdr::run_call(P4("free_all").call, Xdr().str(std::string(1026, 'n')).u32(1)).error ==
          XdrError::Malformed);
}
