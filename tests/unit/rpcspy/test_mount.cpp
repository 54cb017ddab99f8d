// MOUNT v3 decoders (RFC 1813 Appendix I).
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P(std::string_view name) { return testxdr::proc(rpcspy::mount3_procedures(), name); }
}  // namespace

TEST_CASE("mount3: procedure table", "[mount]") {
    auto t = rpcspy::mount3_procedures();
    REQUIRE(t.size() == 6);
    const char* names[] = {"null", "mnt", "dump", "umnt", "umntall", "export"};
    for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::string(t[i].name) == names[i]);
    for (const auto& p : t) CHECK_FALSE((p.bulk_call || p.bulk_reply));
    CHECK(t[0].call == nullptr);
    CHECK(t[0].reply == nullptr);
    CHECK(P("umntall").call == nullptr);
    CHECK(P("umntall").reply == nullptr);
    CHECK(P("umnt").reply == nullptr);
    CHECK(P("dump").call == nullptr);
    CHECK(P("export").call == nullptr);
}

TEST_CASE("mount3: MNT", "[mount]") {
    Xdr call = Xdr().str("/export/home dir");
    auto c = testxdr::run_call(P("mnt").call, call);
    CHECK(c.fields == "path=/export/home%20dir");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("mnt").call, call);

    Xdr ok = Xdr().u32(0).opaque({0x01, 0x00, 0x07, 0x00, 0xde, 0xad}).u32(2).u32(1).u32(390003);
    auto r = testxdr::run_reply(P("mnt").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "fh=01000700dead flavors=1,390003");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("mnt").reply, ok);

    r = testxdr::run_reply(P("mnt").reply, Xdr().u32(0).opaque({0xab}).u32(0));
    CHECK(r.fields == "fh=ab flavors=");
    CHECK(r.error == XdrError::None);

    const std::pair<std::uint32_t, const char*> errors[] = {
        {1, "perm"},          {2, "noent"},       {5, "io"},        {13, "acces"},       {20, "notdir"},
        {22, "inval"},        {63, "nametoolong"}, {10004, "notsupp"}, {10006, "serverfault"}, {4, "4"},
    };
    for (auto [code, name] : errors) {
        auto e = testxdr::run_reply(P("mnt").reply, Xdr().u32(code));
        CHECK(e.status == name);
        CHECK(e.fields == "");
        CHECK(e.error == XdrError::None);
    }
    auto none = testxdr::run_reply(P("mnt").reply, Xdr());
    CHECK(none.status == "-");
    CHECK(none.error == XdrError::Truncated);

    SECTION("malformed") {
        auto m = testxdr::run_reply(P("mnt").reply, Xdr().u32(0).opaque(std::vector<std::uint8_t>(65, 0)));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "");
        m = testxdr::run_reply(P("mnt").reply, Xdr().u32(0).opaque({1}).u32(0x40000000));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "fh=01");
        auto p = testxdr::run_call(P("mnt").call, Xdr().str(std::string(1025, '/')));
        CHECK(p.error == XdrError::Malformed);
        p = testxdr::run_call(P("mnt").call, Xdr().str(std::string(1024, '/')));
        CHECK(p.error == XdrError::None);
    }
    SECTION("64 flavors fit") {
        Xdr many = Xdr().u32(0).opaque({1}).u32(64);
        std::string expect = "fh=01 flavors=";
        for (std::uint32_t i = 0; i < 64; ++i) {
            many.u32(4000000000u + i);
            if (i) expect += ",";
            expect += std::to_string(4000000000u + i);
        }
        auto m = testxdr::run_reply(P("mnt").reply, many);
        CHECK(m.error == XdrError::None);
        CHECK(m.fields == expect);
    }
}

TEST_CASE("mount3: UMNT", "[mount]") {
    auto c = testxdr::run_call(P("umnt").call, Xdr().str("/srv"));
    CHECK(c.fields == "path=/srv");
}

TEST_CASE("mount3: DUMP", "[mount]") {
    Xdr ok = Xdr().boolean(true).str("client1").str("/srv").boolean(true).str("10.0.0.2").str("/a b").boolean(false);
    auto r = testxdr::run_reply(P("dump").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "mount=client1:/srv mount=10.0.0.2:/a%20b");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("dump").reply, ok);

    r = testxdr::run_reply(P("dump").reply, Xdr().boolean(false));
    CHECK(r.fields == "");
    CHECK(r.error == XdrError::None);

    auto m = testxdr::run_reply(P("dump").reply, Xdr().boolean(true).str(std::string(256, 'h')).str("/"));
    CHECK(m.error == XdrError::Malformed);
    m = testxdr::run_reply(P("dump").reply,
                           Xdr().boolean(true).str(std::string(255, 'h')).str(std::string(1024, 'p')).boolean(false));
    CHECK(m.error == XdrError::None);
    CHECK(m.fields.size() == 6 + 255 + 1 + 1024);
}

TEST_CASE("mount3: EXPORT", "[mount]") {
    Xdr ok = Xdr()
                 .boolean(true).str("/export").boolean(true).str("*.lab").boolean(true).str("10.0.0.0/8").boolean(false)
                 .boolean(true).str("/pub").boolean(false)
                 .boolean(false);
    auto r = testxdr::run_reply(P("export").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "export=/export export=/pub");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("export").reply, ok);

    SECTION("group list that never ends") {
        auto t = testxdr::run_reply(P("export").reply, Xdr().boolean(true).str("/x").boolean(true).str("g").boolean(true));
        CHECK(t.error == XdrError::Truncated);
        CHECK(t.fields == "");
    }
    SECTION("bad bool") {
        auto t = testxdr::run_reply(P("export").reply, Xdr().boolean(true).str("/x").u32(3));
        CHECK(t.error == XdrError::Malformed);
    }
}

// MOUNT versions 1 and 2 (RFC 1094 Appendix A).
TEST_CASE("mount1/mount2: procedure tables", "[mount]") {
    auto t1 = rpcspy::mount1_procedures();
    auto t2 = rpcspy::mount2_procedures();
    REQUIRE(t1.size() == 7);
    REQUIRE(t2.size() == 8);
    const char* names[] = {"null", "mnt", "dump", "umnt", "umntall", "export", "exportall", "pathconf"};
    for (std::size_t i = 0; i < t2.size(); ++i) CHECK(std::string(t2[i].name) == names[i]);
    CHECK(t1.data() == t2.data());
    REQUIRE(rpcspy::find_program(100005, 1));
    REQUIRE(rpcspy::find_program(100005, 2));
    CHECK(rpcspy::find_program(100005, 1)->procedures.size() == 7);
    // Shared with version 3 except MNT's result.
    CHECK(t1[2].reply == P("dump").reply);
    CHECK(t1[5].reply == P("export").reply);
    CHECK(t1[6].reply == P("export").reply);
    CHECK(t1[1].call == P("mnt").call);
    CHECK(t1[1].reply != P("mnt").reply);
}

TEST_CASE("mount1: MNT returns fhstatus with a 32-byte handle", "[mount]") {
    auto mnt = rpcspy::mount1_procedures()[1];
    std::vector<std::uint8_t> fh(32, 0);
    fh[0] = 0xab;
    fh[31] = 0x01;
    Xdr ok = Xdr().u32(0).fixed(fh);
    auto r = testxdr::run_reply(mnt.reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "fh=ab00000000000000000000000000000000000000000000000000000000000001");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(mnt.reply, ok);
    auto e = testxdr::run_reply(mnt.reply, Xdr().u32(13));
    CHECK(e.status == "acces");
    CHECK(e.fields == "");
    e = testxdr::run_reply(mnt.reply, Xdr().u32(2));
    CHECK(e.status == "noent");
    e = testxdr::run_reply(mnt.reply, Xdr());
    CHECK(e.status == "-");
    CHECK(e.error == XdrError::Truncated);
}

TEST_CASE("mount2: PATHCONF", "[mount]") {
    auto pc = rpcspy::mount2_procedures()[7];
    auto c = testxdr::run_call(pc.call, Xdr().str("/export"));
    CHECK(c.fields == "path=/export");
    Xdr ok = Xdr().u32(32767).u32(255).u32(255).u32(255).u32(1024).u32(4096).u32(0).u32(0).u32(0).u32(0);
    auto r = testxdr::run_reply(pc.reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "linkmax=32767 name_max=255 path_max=1024");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(pc.reply, ok);
}
