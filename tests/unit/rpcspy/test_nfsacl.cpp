// NFSACL (program 100227, versions 2 and 3) decoders.
#include <catch2/catch.hpp>

#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {
const rpcspy::Procedure& P2(std::string_view name) { return testxdr::proc(rpcspy::nfsacl2_procedures(), name); }
const rpcspy::Procedure& P3(std::string_view name) { return testxdr::proc(rpcspy::nfsacl3_procedures(), name); }

std::vector<std::uint8_t> handle32() {
    std::vector<std::uint8_t> h(32, 0);
    h[0] = 0xfe;
    return h;
}
const std::string kFh2 = "fe00000000000000000000000000000000000000000000000000000000000000";
const std::vector<std::uint8_t> kFh3 = {0xab, 0xcd, 0xef};

// fattr (NFS version 2) and fattr3 of a regular file.
Xdr fattr2() {
    return Xdr().u32(1).u32(0100640).u32(1).u32(1000).u32(100).u32(12).u32(4096).u32(0).u32(8).u32(1).u32(42)
        .u32(10).u32(1).u32(11).u32(2).u32(12).u32(3);
}
const std::string kAttr2 = "ftype=reg mode=0640 nlink=1 owner=1000 group=100 size=12 fileid=42 "
                           "atime=10.000001 mtime=11.000002 ctime=12.000003";
Xdr fattr3() {
    return Xdr().u32(1).u32(0100640).u32(1).u32(1000).u32(100).u64(12).u64(4096).u32(0).u32(0).u64(1).u64(42)
        .u32(10).u32(1).u32(11).u32(2).u32(12).u32(3);
}
const std::string kAttr3 = "ftype=reg mode=0640 nlink=1 owner=1000 group=100 size=12 used=4096 fileid=42 "
                           "atime=10.000000001 mtime=11.000000002 ctime=12.000000003";

// A secattr: an access ACL of 4 entries and a default ACL of 1.
Xdr secattr() {
    return Xdr()
        .u32(15)
        .u32(4).u32(4)
        .u32(0x1).u32(1000).u32(6)
        .u32(0x2).u32(1001).u32(4)
        .u32(0x10).u32(0xffffffffu).u32(7)
        .u32(0x20).u32(0).u32(0)
        .u32(1).u32(1)
        .u32(0x1008).u32(50).u32(5);
}
const std::string kAcl = "acl_mask=15 aclcnt=4 ace=user_obj:1000:rw- ace=user:1001:r-- ace=mask:4294967295:rwx "
                         "ace=other:0:--- dfaclcnt=1 default_ace=group:50:r-x";
}  // namespace

TEST_CASE("nfsacl: procedure tables", "[nfsacl]") {
    auto t2 = rpcspy::nfsacl2_procedures();
    auto t3 = rpcspy::nfsacl3_procedures();
    REQUIRE(t2.size() == 6);
    REQUIRE(t3.size() == 4);
    const char* n2[] = {"null", "getacl", "setacl", "getattr", "access", "getxattrdir"};
    const char* n3[] = {"null", "getacl", "setacl", "getxattrdir"};
    for (std::size_t i = 0; i < t2.size(); ++i) CHECK(std::string(t2[i].name) == n2[i]);
    for (std::size_t i = 0; i < t3.size(); ++i) CHECK(std::string(t3[i].name) == n3[i]);
    for (std::uint32_t v : {2u, 3u}) {
        const rpcspy::Program* p = rpcspy::find_program(100227, v);
        REQUIRE(p);
        CHECK(std::string(p->name) == "nfs_acl");
    }
}

TEST_CASE("nfsacl: v3 GETACL and SETACL", "[nfsacl]") {
    Xdr call = Xdr().opaque(kFh3).u32(15);
    auto c = testxdr::run_call(P3("getacl").call, call);
    CHECK(c.fields == "fh=abcdef mask=15");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P3("getacl").call, call);

    Xdr ok = Xdr().u32(0).boolean(true).add(fattr3()).add(secattr());
    auto r = testxdr::run_reply(P3("getacl").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr3 + " " + kAcl);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P3("getacl").reply, ok);

    r = testxdr::run_reply(P3("getacl").reply, Xdr().u32(10004).boolean(false));
    CHECK(r.status == "notsupp");
    CHECK(r.fields == "");
    CHECK(r.remaining == 0);

    Xdr set = Xdr().opaque(kFh3).add(secattr());
    c = testxdr::run_call(P3("setacl").call, set);
    CHECK(c.fields == "fh=abcdef " + kAcl);
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P3("setacl").call, set);
    for (std::uint32_t st : {0u, 1u}) {
        r = testxdr::run_reply(P3("setacl").reply, Xdr().u32(st).boolean(true).add(fattr3()));
        CHECK(r.status == (st ? "perm" : "ok"));
        CHECK(r.fields == kAttr3);
    }

    SECTION("empty and unknown entries") {
        r = testxdr::run_reply(P3("getacl").reply,
                               Xdr().u32(0).boolean(false).u32(0).u32(1).u32(1).u32(0x40).u32(3).u32(8).u32(0).u32(0));
        CHECK(r.fields == "acl_mask=0 aclcnt=1 ace=0x40:3:--- dfaclcnt=0");
        // A default entry without the ACL_DEFAULT bit, an access entry with it.
        r = testxdr::run_reply(P3("getacl").reply, Xdr().u32(0).boolean(false).u32(0).u32(1).u32(1).u32(0x1002)
                                                       .u32(3).u32(4).u32(1).u32(1).u32(0x2).u32(4).u32(2));
        CHECK(r.fields == "acl_mask=0 aclcnt=1 ace=default_user:3:r-- dfaclcnt=1 default_ace=user:4:-w-");
        CHECK(r.error == XdrError::None);
    }
    SECTION("malformed") {
        auto m = testxdr::run_reply(P3("getacl").reply, Xdr().u32(0).boolean(false).u32(1).u32(0).u32(1025));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "acl_mask=1 aclcnt=0");
        m = testxdr::run_call(P3("getacl").call, Xdr().opaque(std::vector<std::uint8_t>(65, 0)));
        CHECK(m.error == XdrError::Malformed);
    }
}

TEST_CASE("nfsacl: v3 GETXATTRDIR", "[nfsacl]") {
    auto c = testxdr::run_call(P3("getxattrdir").call, Xdr().opaque(kFh3).boolean(true));
    CHECK(c.fields == "dir=abcdef create=1");
    Xdr ok = Xdr().u32(0).opaque({1}).boolean(true).add(fattr3());
    auto r = testxdr::run_reply(P3("getxattrdir").reply, ok);
    CHECK(r.fields == "fh=01 " + kAttr3);
    testxdr::check_reply_prefixes(P3("getxattrdir").reply, ok);
    r = testxdr::run_reply(P3("getxattrdir").reply, Xdr().u32(2).boolean(false));
    CHECK(r.status == "noent");
}

TEST_CASE("nfsacl: v2 procedures", "[nfsacl]") {
    Xdr call = Xdr().fixed(handle32()).u32(3);
    auto c = testxdr::run_call(P2("getacl").call, call);
    CHECK(c.fields == "fh=" + kFh2 + " mask=3");
    testxdr::check_call_prefixes(P2("getacl").call, call);

    Xdr ok = Xdr().u32(0).add(fattr2()).add(secattr());
    auto r = testxdr::run_reply(P2("getacl").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr2 + " " + kAcl);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P2("getacl").reply, ok);
    r = testxdr::run_reply(P2("getacl").reply, Xdr().u32(70));
    CHECK(r.status == "stale");
    CHECK(r.fields == "");

    c = testxdr::run_call(P2("setacl").call, Xdr().fixed(handle32()).add(secattr()));
    CHECK(c.fields == "fh=" + kFh2 + " " + kAcl);
    for (const char* p : {"setacl", "getattr"}) {
        r = testxdr::run_reply(P2(p).reply, Xdr().u32(0).add(fattr2()));
        CHECK(r.fields == kAttr2);
    }
    CHECK(testxdr::run_call(P2("getattr").call, Xdr().fixed(handle32())).fields == "fh=" + kFh2);

    c = testxdr::run_call(P2("access").call, Xdr().fixed(handle32()).u32(5));
    CHECK(c.fields == "fh=" + kFh2 + " access=5");
    Xdr acc = Xdr().u32(0).add(fattr2()).u32(1);
    r = testxdr::run_reply(P2("access").reply, acc);
    CHECK(r.fields == kAttr2 + " rights=1");
    testxdr::check_reply_prefixes(P2("access").reply, acc);

    c = testxdr::run_call(P2("getxattrdir").call, Xdr().fixed(handle32()).boolean(false));
    CHECK(c.fields == "dir=" + kFh2 + " create=0");
    r = testxdr::run_reply(P2("getxattrdir").reply, Xdr().u32(0).fixed(handle32()).add(fattr2()));
    CHECK(r.fields == "fh=" + kFh2 + " " + kAttr2);
    r = testxdr::run_reply(P2("getxattrdir").reply, Xdr().u32(2));
    CHECK(r.status == "noent");
}
