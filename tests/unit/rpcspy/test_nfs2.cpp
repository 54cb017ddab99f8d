// NFSv2 decoders (RFC 1094): exact fields of every procedure's arguments and
// results, error statuses, truncation at every prefix, malformed values.
#include <catch2/catch.hpp>

#include "rpcspy/nfs2_types.hpp"
#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {

const rpcspy::Procedure& P(std::string_view name) { return testxdr::proc(rpcspy::nfs2_procedures(), name); }

// fhandle: opaque[32].
std::vector<std::uint8_t> handle(std::uint8_t first) {
    std::vector<std::uint8_t> h(32, 0);
    h[0] = first;
    h[31] = 0xff;
    return h;
}
const std::string kFhHex = "01000000000000000000000000000000000000000000000000000000000000ff";
const std::string kDirHex = "0d000000000000000000000000000000000000000000000000000000000000ff";
const std::string kDir2Hex = "0e000000000000000000000000000000000000000000000000000000000000ff";
Xdr fh() { return Xdr().fixed(handle(1)); }
Xdr dir() { return Xdr().fixed(handle(0x0d)); }
Xdr dir2() { return Xdr().fixed(handle(0x0e)); }

// fattr (RFC 1094 2.3.5) of a regular file, and its fields.
Xdr fattr(std::uint32_t type = 1, std::uint32_t usec = 123) {
    return Xdr()
        .u32(type)
        .u32(0100644)  // mode with file type bits: printed masked to 07777
        .u32(1)        // nlink
        .u32(1000)     // uid
        .u32(100)      // gid
        .u32(4096)     // size
        .u32(8192)     // blocksize
        .u32(0)        // rdev
        .u32(8)        // blocks
        .u32(0x1234)   // fsid
        .u32(77)       // fileid
        .u32(1700000000).u32(500000)
        .u32(1700000001).u32(usec)
        .u32(1700000002).u32(0);
}
const std::string kAttr =
    "ftype=reg mode=0644 nlink=1 owner=1000 group=100 size=4096 fileid=77 "
    "atime=1700000000.500000 mtime=1700000001.000123 ctime=1700000002.000000";

// A sattr that sets everything, and one that sets nothing.
Xdr sattr_all() {
    return Xdr().u32(0644).u32(1000).u32(100).u32(0).u32(1700000000).u32(1).u32(5).u32(1000000);
}
const std::string kSetAll = "set_mode=0644 set_owner=1000 set_group=100 set_size=0 "
                            "set_atime=1700000000.000001 set_mtime=server";
Xdr sattr_none() {
    Xdr x;
    for (int i = 0; i < 8; ++i) x.u32(0xffffffffu);
    return x;
}

}  // namespace

TEST_CASE("nfs2: procedure table has the 18 procedures in RFC order", "[nfs2]") {
    auto t = rpcspy::nfs2_procedures();
    REQUIRE(t.size() == 18);
    const char* names[] = {"null",   "getattr", "setattr", "root",    "lookup", "readlink",
                           "read",   "writecache", "write", "create", "remove", "rename",
                           "link",   "symlink", "mkdir",   "rmdir",   "readdir", "statfs"};
    for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::string(t[i].name) == names[i]);
    for (std::size_t i : {0u, 3u, 7u}) {
        CHECK(t[i].call == nullptr);
        CHECK(t[i].reply == nullptr);
    }
    CHECK(P("read").bulk_reply);
    CHECK(P("write").bulk_call);
    CHECK_FALSE(P("read").bulk_call);
    CHECK_FALSE(P("write").bulk_reply);
}

TEST_CASE("nfs2: status names", "[nfs2]") {
    const std::pair<std::uint32_t, const char*> codes[] = {
        {0, "ok"},        {1, "perm"},   {2, "noent"},  {5, "io"},       {6, "nxio"},      {13, "acces"},
        {17, "exist"},    {19, "nodev"}, {20, "notdir"}, {21, "isdir"},  {27, "fbig"},     {28, "nospc"},
        {30, "rofs"},     {63, "nametoolong"}, {66, "notempty"}, {69, "dquot"}, {70, "stale"}, {99, "wflush"},
        {10001, "10001"}, {3, "3"},
    };
    for (auto [code, name] : codes) {
        if (code == 0) continue;  // ok needs attributes
        auto r = testxdr::run_reply(P("getattr").reply, Xdr().u32(code));
        CHECK(r.status == name);
        CHECK(r.fields == "");
        CHECK(r.error == XdrError::None);
    }
    CHECK(rpcspy::nfs2::stat_name(0) == "ok");
    auto none = testxdr::run_reply(P("getattr").reply, Xdr());
    CHECK(none.status == "-");
    CHECK(none.error == XdrError::Truncated);
}

TEST_CASE("nfs2: GETATTR", "[nfs2]") {
    auto c = testxdr::run_call(P("getattr").call, fh());
    CHECK(c.fields == "fh=" + kFhHex);
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("getattr").call, fh());

    Xdr ok = Xdr().u32(0).add(fattr());
    auto r = testxdr::run_reply(P("getattr").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("getattr").reply, ok);

    SECTION("file types") {
        const char* names[] = {"non", "reg", "dir", "blk", "chr", "lnk", "sock", "bad", "fifo"};
        for (std::uint32_t t = 0; t < 9; ++t) {
            auto a = testxdr::run_reply(P("getattr").reply, Xdr().u32(0).add(fattr(t)));
            CHECK(a.fields.substr(0, a.fields.find(' ')) == std::string("ftype=") + names[t]);
        }
        auto bad = testxdr::run_reply(P("getattr").reply, Xdr().u32(0).add(fattr(9)));
        CHECK(bad.error == XdrError::Malformed);
        CHECK(bad.fields == "");
    }
    SECTION("microseconds of a second or more are malformed") {
        auto bad = testxdr::run_reply(P("getattr").reply, Xdr().u32(0).add(fattr(1, 1000000)));
        CHECK(bad.error == XdrError::Malformed);
        CHECK(bad.fields.find("atime=") != std::string::npos);
        CHECK(bad.fields.find("mtime=") == std::string::npos);
        auto edge = testxdr::run_reply(P("getattr").reply, Xdr().u32(0).add(fattr(1, 999999)));
        CHECK(edge.error == XdrError::None);
    }
}

TEST_CASE("nfs2: SETATTR", "[nfs2]") {
    Xdr call = fh().add(sattr_all());
    auto c = testxdr::run_call(P("setattr").call, call);
    CHECK(c.fields == "fh=" + kFhHex + " " + kSetAll);
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("setattr").call, call);

    c = testxdr::run_call(P("setattr").call, fh().add(sattr_none()));
    CHECK(c.fields == "fh=" + kFhHex);
    CHECK(c.error == XdrError::None);

    // A time is unset when either word is 0xffffffff.
    c = testxdr::run_call(P("setattr").call,
                          fh().u32(~0u).u32(~0u).u32(~0u).u32(~0u).u32(5).u32(~0u).u32(~0u).u32(7));
    CHECK(c.fields == "fh=" + kFhHex);
    c = testxdr::run_call(P("setattr").call,
                          fh().u32(~0u).u32(~0u).u32(~0u).u32(~0u).u32(5).u32(1000001).u32(~0u).u32(~0u));
    CHECK(c.error == XdrError::Malformed);

    auto r = testxdr::run_reply(P("setattr").reply, Xdr().u32(0).add(fattr()));
    CHECK(r.fields == kAttr);
    r = testxdr::run_reply(P("setattr").reply, Xdr().u32(30));
    CHECK(r.status == "rofs");
    CHECK(r.fields == "");
}

TEST_CASE("nfs2: LOOKUP, CREATE, MKDIR (diropres)", "[nfs2]") {
    Xdr call = dir().str("file name");
    auto c = testxdr::run_call(P("lookup").call, call);
    CHECK(c.fields == "dir=" + kDirHex + " name=file%20name");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("lookup").call, call);

    Xdr ok = Xdr().u32(0).add(fh()).add(fattr());
    for (const char* p : {"lookup", "create", "mkdir"}) {
        INFO(p);
        auto r = testxdr::run_reply(P(p).reply, ok);
        CHECK(r.status == "ok");
        CHECK(r.fields == "fh=" + kFhHex + " " + kAttr);
        CHECK(r.remaining == 0);
        auto e = testxdr::run_reply(P(p).reply, Xdr().u32(2));
        CHECK(e.status == "noent");
        CHECK(e.fields == "");
    }
    testxdr::check_reply_prefixes(P("lookup").reply, ok);

    Xdr create = dir().str("new").add(sattr_all());
    for (const char* p : {"create", "mkdir"}) {
        auto cc = testxdr::run_call(P(p).call, create);
        CHECK(cc.fields == "dir=" + kDirHex + " name=new " + kSetAll);
        CHECK(cc.remaining == 0);
    }
    testxdr::check_call_prefixes(P("create").call, create);

    SECTION("names longer than 255 bytes are malformed") {
        auto m = testxdr::run_call(P("lookup").call, dir().str(std::string(256, 'n')));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "dir=" + kDirHex);
        m = testxdr::run_call(P("lookup").call, dir().str(std::string(255, 'n')));
        CHECK(m.error == XdrError::None);
    }
}

TEST_CASE("nfs2: READLINK", "[nfs2]") {
    Xdr ok = Xdr().u32(0).str("../target");
    auto r = testxdr::run_reply(P("readlink").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "target=../target");
    testxdr::check_reply_prefixes(P("readlink").reply, ok);
    auto m = testxdr::run_reply(P("readlink").reply, Xdr().u32(0).str(std::string(1025, 'p')));
    CHECK(m.error == XdrError::Malformed);
    CHECK(testxdr::run_call(P("readlink").call, fh()).fields == "fh=" + kFhHex);
}

TEST_CASE("nfs2: READ", "[nfs2]") {
    Xdr call = fh().u32(8192).u32(4096).u32(4096);
    auto c = testxdr::run_call(P("read").call, call);
    CHECK(c.fields == "fh=" + kFhHex + " offset=8192 count=4096");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("read").call, call);

    Xdr ok = Xdr().u32(0).add(fattr()).opaque({'h', 'e', 'l', 'l', 'o'});
    auto r = testxdr::run_reply(P("read").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr + " rcount=5");
    CHECK(r.remaining == 0);
    // The data need not have been captured: from its length word on, success.
    testxdr::check_reply_prefixes(P("read").reply, ok, ok.size() - 8);

    auto m = testxdr::run_reply(P("read").reply, Xdr().u32(0).add(fattr()).u32(8193));
    CHECK(m.error == XdrError::Malformed);
    auto e = testxdr::run_reply(P("read").reply, Xdr().u32(13));
    CHECK(e.status == "acces");
}

TEST_CASE("nfs2: WRITE", "[nfs2]") {
    Xdr call = fh().u32(0).u32(512).u32(0).opaque({1, 2, 3});
    auto c = testxdr::run_call(P("write").call, call);
    CHECK(c.fields == "fh=" + kFhHex + " offset=512 count=3");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("write").call, call, call.size() - 4);
    // Data not captured: still decoded.
    auto cut = testxdr::run_call(P("write").call, fh().u32(0).u32(512).u32(0).u32(8192));
    CHECK(cut.fields == "fh=" + kFhHex + " offset=512 count=8192");
    CHECK(cut.error == XdrError::None);
    auto m = testxdr::run_call(P("write").call, fh().u32(0).u32(512).u32(0).u32(8193));
    CHECK(m.error == XdrError::Malformed);

    auto r = testxdr::run_reply(P("write").reply, Xdr().u32(0).add(fattr()));
    CHECK(r.fields == kAttr);
    r = testxdr::run_reply(P("write").reply, Xdr().u32(28));
    CHECK(r.status == "nospc");
}

TEST_CASE("nfs2: REMOVE, RMDIR, RENAME, LINK, SYMLINK (stat)", "[nfs2]") {
    for (const char* p : {"remove", "rmdir"}) {
        auto c = testxdr::run_call(P(p).call, dir().str("x"));
        CHECK(c.fields == "dir=" + kDirHex + " name=x");
    }
    Xdr rename = dir().str("a").add(dir2()).str("b");
    auto c = testxdr::run_call(P("rename").call, rename);
    CHECK(c.fields == "dir=" + kDirHex + " name=a todir=" + kDir2Hex + " toname=b");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("rename").call, rename);

    Xdr link = fh().add(dir2()).str("hard");
    c = testxdr::run_call(P("link").call, link);
    CHECK(c.fields == "fh=" + kFhHex + " todir=" + kDir2Hex + " toname=hard");
    testxdr::check_call_prefixes(P("link").call, link);

    Xdr symlink = dir().str("sl").str("/to/there").u32(0777);
    for (int i = 0; i < 7; ++i) symlink.u32(~0u);
    c = testxdr::run_call(P("symlink").call, symlink);
    CHECK(c.fields == "dir=" + kDirHex + " name=sl target=/to/there set_mode=0777");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("symlink").call, symlink);

    for (const char* p : {"remove", "rmdir", "rename", "link", "symlink"}) {
        INFO(p);
        auto r = testxdr::run_reply(P(p).reply, Xdr().u32(0));
        CHECK(r.status == "ok");
        CHECK(r.fields == "");
        r = testxdr::run_reply(P(p).reply, Xdr().u32(66));
        CHECK(r.status == "notempty");
        r = testxdr::run_reply(P(p).reply, Xdr());
        CHECK(r.status == "-");
        CHECK(r.error == XdrError::Truncated);
    }
}

TEST_CASE("nfs2: READDIR", "[nfs2]") {
    Xdr call = dir().u32(7).u32(1024);
    auto c = testxdr::run_call(P("readdir").call, call);
    CHECK(c.fields == "dir=" + kDirHex + " cookie=7 count=1024");
    testxdr::check_call_prefixes(P("readdir").call, call);

    Xdr ok = Xdr()
                 .u32(0)
                 .boolean(true).u32(2).str(".").u32(1)
                 .boolean(true).u32(4294967295u).str("a b").u32(2)
                 .boolean(false)
                 .boolean(true);
    auto r = testxdr::run_reply(P("readdir").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "entry=2/-/. entry=4294967295/-/a%20b entries=2 eof=1");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("readdir").reply, ok);

    r = testxdr::run_reply(P("readdir").reply, Xdr().u32(0).boolean(false).boolean(false));
    CHECK(r.fields == "entries=0 eof=0");
    r = testxdr::run_reply(P("readdir").reply, Xdr().u32(70));
    CHECK(r.status == "stale");
    CHECK(r.fields == "");
    auto m = testxdr::run_reply(P("readdir").reply, Xdr().u32(0).u32(2));
    CHECK(m.error == XdrError::Malformed);
    m = testxdr::run_reply(P("readdir").reply,
                           Xdr().u32(0).boolean(true).u32(1).str(std::string(255, 'n')).u32(0).boolean(false).boolean(true));
    CHECK(m.error == XdrError::None);
    CHECK(m.fields.size() == std::string("entry=1/-/").size() + 255 + std::string(" entries=1 eof=1").size());
}

TEST_CASE("nfs2: STATFS", "[nfs2]") {
    Xdr ok = Xdr().u32(0).u32(8192).u32(1024).u32(1000).u32(500).u32(400);
    auto r = testxdr::run_reply(P("statfs").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "tsize=8192 bsize=1024 blocks=1000 bfree=500 bavail=400");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("statfs").reply, ok);
    CHECK(testxdr::run_call(P("statfs").call, fh()).fields == "fh=" + kFhHex);
}
