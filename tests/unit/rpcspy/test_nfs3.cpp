// NFSv3 decoders (RFC 1813): exact fields of every procedure's arguments and
// results, error statuses, truncation at every prefix, malformed values.
#include <catch2/catch.hpp>

#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {

const rpcspy::Procedure& P(std::string_view name) { return testxdr::proc(rpcspy::nfs3_procedures(), name); }

// Handles used throughout.
const std::vector<std::uint8_t> kFh = {0x01, 0x02, 0x03, 0x04, 0x05};  // padded to 8
const std::vector<std::uint8_t> kDir = {0xaa, 0xbb, 0xcc, 0xdd};
const std::vector<std::uint8_t> kDir2 = {0xee, 0xff};

Xdr fh() { return Xdr().opaque(kFh); }
Xdr dir() { return Xdr().opaque(kDir); }

// fattr3 (RFC 1813 2.5) of a regular file, and its fields.
Xdr fattr(std::uint32_t type = 1, std::uint32_t nsec = 123) {
    return Xdr()
        .u32(type)
        .u32(0100644)  // mode with file type bits: printed masked to 07777
        .u32(1)        // nlink
        .u32(1000)     // uid
        .u32(100)      // gid
        .u64(4096)     // size
        .u64(8192)     // used
        .u32(8).u32(1)  // rdev
        .u64(0x1234)    // fsid
        .u64(77)        // fileid
        .u32(1700000000).u32(500000000)
        .u32(1700000001).u32(nsec)
        .u32(1700000002).u32(0);
}
const std::string kAttr =
    "ftype=reg mode=0644 nlink=1 owner=1000 group=100 size=4096 used=8192 fileid=77 "
    "atime=1700000000.500000000 mtime=1700000001.000000123 ctime=1700000002.000000000";

// fattr3 of a directory.
Xdr dattr() {
    return Xdr()
        .u32(2).u32(040755).u32(3).u32(0).u32(0).u64(512).u64(1024).u32(0).u32(0)
        .u64(1).u64(2).u32(10).u32(0).u32(11).u32(0).u32(12).u32(999999999);
}
const std::string kDirAttr =
    "ftype=dir mode=0755 nlink=3 owner=0 group=0 size=512 used=1024 fileid=2 "
    "atime=10.000000000 mtime=11.000000000 ctime=12.999999999";

Xdr post_op(const Xdr& a) { return Xdr().boolean(true).add(a); }
Xdr no_attr() { return Xdr().boolean(false); }
// wcc_data with pre-op attributes and the given post-op attributes.
Xdr wcc(const Xdr& after) {
    return Xdr().boolean(true).u64(100).u32(5).u32(6).u32(7).u32(8).add(post_op(after));
}
Xdr wcc_none() { return Xdr().boolean(false).boolean(false); }

const std::vector<std::uint8_t> kVerf = {1, 2, 3, 4, 5, 6, 7, 8};

}  // namespace

TEST_CASE("nfs3: procedure table has the 22 procedures in RFC order", "[nfs3]") {
    auto t = rpcspy::nfs3_procedures();
    REQUIRE(t.size() == 22);
    const char* names[] = {"null",   "getattr", "setattr", "lookup",  "access", "readlink",
                           "read",   "write",   "create",  "mkdir",   "symlink", "mknod",
                           "remove", "rmdir",   "rename",  "link",    "readdir", "readdirplus",
                           "fsstat", "fsinfo",  "pathconf", "commit"};
    for (std::size_t i = 0; i < t.size(); ++i) CHECK(std::string(t[i].name) == names[i]);
    CHECK(t[0].call == nullptr);
    CHECK(t[0].reply == nullptr);
    for (std::size_t i = 1; i < t.size(); ++i) {
        CHECK(t[i].call != nullptr);
        CHECK(t[i].reply != nullptr);
    }
    CHECK(P("read").bulk_reply);
    CHECK_FALSE(P("read").bulk_call);
    CHECK(P("write").bulk_call);
    CHECK_FALSE(P("write").bulk_reply);
    for (std::size_t i = 0; i < t.size(); ++i)
        if (i != 6 && i != 7) CHECK_FALSE((t[i].bulk_call || t[i].bulk_reply));
}

TEST_CASE("nfs3: nfsstat3 names", "[nfs3]") {
    using rpcspy::nfs3::nfsstat3_name;
    const std::pair<std::uint32_t, const char*> all[] = {
        {0, "ok"},          {1, "perm"},         {2, "noent"},        {5, "io"},
        {6, "nxio"},        {13, "acces"},       {17, "exist"},       {18, "xdev"},
        {19, "nodev"},      {20, "notdir"},      {21, "isdir"},       {22, "inval"},
        {27, "fbig"},       {28, "nospc"},       {30, "rofs"},        {31, "mlink"},
        {63, "nametoolong"}, {66, "notempty"},   {69, "dquot"},       {70, "stale"},
        {71, "remote"},     {10001, "badhandle"}, {10002, "not_sync"}, {10003, "bad_cookie"},
        {10004, "notsupp"}, {10005, "toosmall"}, {10006, "serverfault"}, {10007, "badtype"},
        {10008, "jukebox"},
    };
    for (auto [code, name] : all) CHECK(nfsstat3_name(code) == name);
    CHECK(nfsstat3_name(3) == "3");
    CHECK(nfsstat3_name(4294967295u) == "4294967295");
}

TEST_CASE("nfs3: GETATTR", "[nfs3]") {
    auto c = testxdr::run_call(P("getattr").call, fh());
    CHECK(c.fields == "fh=0102030405");
    CHECK(c.error == XdrError::None);
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("getattr").call, fh());

    Xdr ok = Xdr().u32(0).add(fattr());
    auto r = testxdr::run_reply(P("getattr").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("getattr").reply, ok);

    auto e = testxdr::run_reply(P("getattr").reply, Xdr().u32(70));
    CHECK(e.status == "stale");
    CHECK(e.fields == "");
    CHECK(e.error == XdrError::None);

    auto none = testxdr::run_reply(P("getattr").reply, Xdr());
    CHECK(none.status == "-");
    CHECK(none.error == XdrError::Truncated);
}

TEST_CASE("nfs3: SETATTR", "[nfs3]") {
    Xdr all = fh()
                  .boolean(true).u32(0755)
                  .boolean(true).u32(1001)
                  .boolean(true).u32(50)
                  .boolean(true).u64(0)
                  .u32(1)                      // atime: SET_TO_SERVER_TIME
                  .u32(2).u32(1234).u32(5)     // mtime: SET_TO_CLIENT_TIME
                  .boolean(true).u32(99).u32(1);  // guard
    auto c = testxdr::run_call(P("setattr").call, all);
    CHECK(c.fields ==
          "fh=0102030405 set_mode=0755 set_owner=1001 set_group=50 set_size=0 set_atime=server "
          "set_mtime=1234.000000005 guard=99.000000001");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("setattr").call, all);

    Xdr few = fh().boolean(false).boolean(false).boolean(false).boolean(true).u64(10).u32(0).u32(0).boolean(false);
    c = testxdr::run_call(P("setattr").call, few);
    CHECK(c.fields == "fh=0102030405 set_size=10");
    CHECK(c.remaining == 0);

    Xdr ok = Xdr().u32(0).add(wcc(fattr()));
    auto r = testxdr::run_reply(P("setattr").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("setattr").reply, ok);

    r = testxdr::run_reply(P("setattr").reply, Xdr().u32(10002).add(wcc_none()));
    CHECK(r.status == "not_sync");
    CHECK(r.fields == "");
    CHECK(r.remaining == 0);

    SECTION("bad time_how is malformed") {
        auto m = testxdr::run_call(P("setattr").call,
                                   fh().boolean(false).boolean(false).boolean(false).boolean(false).u32(3));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "fh=0102030405");
    }
    SECTION("bad set_it bool is malformed") {
        auto m = testxdr::run_call(P("setattr").call, fh().u32(2));
        CHECK(m.error == XdrError::Malformed);
    }
}

TEST_CASE("nfs3: LOOKUP", "[nfs3]") {
    Xdr call = dir().str("file.txt");
    auto c = testxdr::run_call(P("lookup").call, call);
    CHECK(c.fields == "dir=aabbccdd name=file.txt");
    testxdr::check_call_prefixes(P("lookup").call, call);

    Xdr ok = Xdr().u32(0).add(fh()).add(post_op(fattr())).add(post_op(dattr()));
    auto r = testxdr::run_reply(P("lookup").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "fh=0102030405 " + kAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("lookup").reply, ok);

    // Failure: the directory's attributes.
    Xdr fail = Xdr().u32(2).add(post_op(dattr()));
    r = testxdr::run_reply(P("lookup").reply, fail);
    CHECK(r.status == "noent");
    CHECK(r.fields == kDirAttr);
    CHECK(r.remaining == 0);

    r = testxdr::run_reply(P("lookup").reply, Xdr().u32(2).add(no_attr()));
    CHECK(r.status == "noent");
    CHECK(r.fields == "");

    SECTION("names are bytes, escaped in the text form") {
        auto e = testxdr::run_call(P("lookup").call, dir().str("a b%\n"));
        CHECK(e.fields == "dir=aabbccdd name=a%20b%25%0A");
        e = testxdr::run_call(P("lookup").call, dir().str(""));
        CHECK(e.fields == "dir=aabbccdd name=");
        CHECK(e.error == XdrError::None);
    }
    SECTION("handle longer than NFS3_FHSIZE is malformed") {
        auto m = testxdr::run_call(P("lookup").call, Xdr().opaque(std::vector<std::uint8_t>(65, 1)).str("x"));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "");
        auto m64 = testxdr::run_call(P("lookup").call, Xdr().opaque(std::vector<std::uint8_t>(64, 1)).str("x"));
        CHECK(m64.error == XdrError::None);
    }
    SECTION("huge name length is malformed, not truncated") {
        auto m = testxdr::run_call(P("lookup").call, dir().u32(0x7fffffff));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "dir=aabbccdd");
        auto big = testxdr::run_call(P("lookup").call, dir().str(std::string(8193, 'a')));
        CHECK(big.error == XdrError::Malformed);
        auto max = testxdr::run_call(P("lookup").call, dir().str(std::string(8192, 'a')));
        CHECK(max.error == XdrError::None);
    }
    SECTION("bad attributes_follow bool is malformed") {
        auto m = testxdr::run_reply(P("lookup").reply, Xdr().u32(0).add(fh()).u32(7));
        CHECK(m.status == "ok");
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "fh=0102030405");
    }
    SECTION("bad ftype is malformed") {
        for (std::uint32_t t : {0u, 8u, 0xffffffffu}) {
            auto m = testxdr::run_reply(P("lookup").reply, Xdr().u32(0).add(fh()).add(post_op(fattr(t))));
            CHECK(m.error == XdrError::Malformed);
            CHECK(m.fields == "fh=0102030405");
        }
    }
    SECTION("nanoseconds of 10^9 or more are malformed") {
        auto m = testxdr::run_reply(P("lookup").reply,
                                    Xdr().u32(0).add(fh()).add(post_op(fattr(1, 1000000000))));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields ==
              "fh=0102030405 ftype=reg mode=0644 nlink=1 owner=1000 group=100 size=4096 used=8192 "
              "fileid=77 atime=1700000000.500000000");
    }
}

TEST_CASE("nfs3: ACCESS", "[nfs3]") {
    Xdr call = fh().u32(0x1f);
    auto c = testxdr::run_call(P("access").call, call);
    CHECK(c.fields == "fh=0102030405 access=31");
    testxdr::check_call_prefixes(P("access").call, call);

    Xdr ok = Xdr().u32(0).add(post_op(fattr())).u32(0x0d);
    auto r = testxdr::run_reply(P("access").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr + " rights=13");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("access").reply, ok);

    r = testxdr::run_reply(P("access").reply, Xdr().u32(0).add(no_attr()).u32(1));
    CHECK(r.fields == "rights=1");
    r = testxdr::run_reply(P("access").reply, Xdr().u32(10001).add(no_attr()));
    CHECK(r.status == "badhandle");
    CHECK(r.fields == "");
    CHECK(r.error == XdrError::None);
}

TEST_CASE("nfs3: READLINK", "[nfs3]") {
    auto c = testxdr::run_call(P("readlink").call, fh());
    CHECK(c.fields == "fh=0102030405");

    Xdr ok = Xdr().u32(0).add(post_op(fattr(5))).str("../target dir");
    auto r = testxdr::run_reply(P("readlink").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields.rfind("ftype=lnk ", 0) == 0);
    CHECK(r.fields.ends_with(" ctime=1700000002.000000000 target=../target%20dir"));
    testxdr::check_reply_prefixes(P("readlink").reply, ok);

    r = testxdr::run_reply(P("readlink").reply, Xdr().u32(22).add(no_attr()));
    CHECK(r.status == "inval");
    CHECK(r.fields == "");
}

TEST_CASE("nfs3: READ", "[nfs3]") {
    Xdr call = fh().u64(0x100000000ull).u32(32768);
    auto c = testxdr::run_call(P("read").call, call);
    CHECK(c.fields == "fh=0102030405 offset=4294967296 count=32768");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("read").call, call);

    Xdr head = Xdr().u32(0).add(post_op(fattr())).u32(5).boolean(true);
    Xdr ok = Xdr().add(head).opaque({'h', 'e', 'l', 'l', 'o'});
    auto r = testxdr::run_reply(P("read").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr + " rcount=5 eof=1");
    CHECK(r.error == XdrError::None);
    CHECK(r.remaining == 0);
    // Data need not have been captured: from its length word on, a cut is fine.
    testxdr::check_reply_prefixes(P("read").reply, ok, head.size() + 4);

    SECTION("data not captured at all") {
        Xdr cut = Xdr().add(head).u32(32768);
        auto d = testxdr::run_reply(P("read").reply, cut);
        CHECK(d.error == XdrError::None);
        CHECK(d.fields == kAttr + " rcount=5 eof=1");
    }
    SECTION("huge data length is malformed") {
        auto m = testxdr::run_reply(P("read").reply, Xdr().add(head).u32(0xffffffff));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == kAttr + " rcount=5 eof=1");
    }
    SECTION("bad eof bool") {
        auto m = testxdr::run_reply(P("read").reply, Xdr().u32(0).add(no_attr()).u32(5).u32(2).opaque({1}));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "rcount=5");
    }
    r = testxdr::run_reply(P("read").reply, Xdr().u32(5).add(post_op(fattr())));
    CHECK(r.status == "io");
    CHECK(r.fields == kAttr);
    CHECK(r.remaining == 0);
}

TEST_CASE("nfs3: WRITE", "[nfs3]") {
    Xdr head = fh().u64(8192).u32(6).u32(2);
    Xdr call = Xdr().add(head).opaque({'a', 'b', 'c', 'd', 'e', 'f'});
    auto c = testxdr::run_call(P("write").call, call);
    CHECK(c.fields == "fh=0102030405 offset=8192 count=6 stable=file_sync");
    CHECK(c.error == XdrError::None);
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("write").call, call, head.size() + 4);

    c = testxdr::run_call(P("write").call, fh().u64(0).u32(1).u32(0).u32(65536));
    CHECK(c.fields == "fh=0102030405 offset=0 count=1 stable=unstable");
    CHECK(c.error == XdrError::None);
    c = testxdr::run_call(P("write").call, fh().u64(0).u32(1).u32(1).u32(0));
    CHECK(c.fields == "fh=0102030405 offset=0 count=1 stable=data_sync");

    SECTION("bad stable_how is malformed") {
        auto m = testxdr::run_call(P("write").call, fh().u64(0).u32(1).u32(3).u32(0));
        CHECK(m.error == XdrError::Malformed);
        CHECK(m.fields == "fh=0102030405 offset=0 count=1");
    }

    Xdr ok = Xdr().u32(0).add(wcc(fattr())).u32(6).u32(0).fixed(kVerf);
    auto r = testxdr::run_reply(P("write").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr + " rcount=6 committed=unstable verf=0102030405060708");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("write").reply, ok);

    r = testxdr::run_reply(P("write").reply, Xdr().u32(28).add(wcc_none()));
    CHECK(r.status == "nospc");
    CHECK(r.fields == "");
    CHECK(r.remaining == 0);
    r = testxdr::run_reply(P("write").reply, Xdr().u32(0).add(wcc_none()).u32(6).u32(3).fixed(kVerf));
    CHECK(r.error == XdrError::Malformed);
    CHECK(r.fields == "rcount=6");
}

TEST_CASE("nfs3: CREATE", "[nfs3]") {
    Xdr unchecked = dir().str("new").u32(0).boolean(true).u32(0644).boolean(false).boolean(false)
                        .boolean(false).u32(0).u32(0);
    auto c = testxdr::run_call(P("create").call, unchecked);
    CHECK(c.fields == "dir=aabbccdd name=new how=unchecked set_mode=0644");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("create").call, unchecked);

    Xdr guarded = dir().str("new").u32(1).boolean(false).boolean(true).u32(7).boolean(true).u32(8)
                      .boolean(false).u32(1).u32(1);
    c = testxdr::run_call(P("create").call, guarded);
    CHECK(c.fields == "dir=aabbccdd name=new how=guarded set_owner=7 set_group=8 set_atime=server "
                      "set_mtime=server");
    CHECK(c.remaining == 0);

    Xdr exclusive = dir().str("new").u32(2).fixed(kVerf);
    c = testxdr::run_call(P("create").call, exclusive);
    CHECK(c.fields == "dir=aabbccdd name=new how=exclusive verf=0102030405060708");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("create").call, exclusive);

    auto m = testxdr::run_call(P("create").call, dir().str("new").u32(3).fixed(kVerf));
    CHECK(m.error == XdrError::Malformed);
    CHECK(m.fields == "dir=aabbccdd name=new");

    Xdr ok = Xdr().u32(0).boolean(true).add(fh()).add(post_op(fattr())).add(wcc(dattr()));
    auto r = testxdr::run_reply(P("create").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "fh=0102030405 " + kAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("create").reply, ok);

    r = testxdr::run_reply(P("create").reply, Xdr().u32(0).boolean(false).add(no_attr()).add(wcc_none()));
    CHECK(r.status == "ok");
    CHECK(r.fields == "");
    CHECK(r.remaining == 0);
    // Attributes without the handle they belong to are not printed.
    r = testxdr::run_reply(P("create").reply, Xdr().u32(0).boolean(false).add(post_op(fattr())).add(wcc_none()));
    CHECK(r.fields == "");
    CHECK(r.remaining == 0);
    CHECK(r.error == XdrError::None);
    r = testxdr::run_reply(P("create").reply, Xdr().u32(0).u32(2));
    CHECK(r.error == XdrError::Malformed);

    // Failure: no object, so the directory's attributes after.
    Xdr fail = Xdr().u32(17).add(wcc(dattr()));
    r = testxdr::run_reply(P("create").reply, fail);
    CHECK(r.status == "exist");
    CHECK(r.fields == kDirAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("create").reply, fail);
}

TEST_CASE("nfs3: MKDIR", "[nfs3]") {
    Xdr call = dir().str("sub").boolean(true).u32(0700).boolean(false).boolean(false).boolean(false)
                   .u32(0).u32(0);
    auto c = testxdr::run_call(P("mkdir").call, call);
    CHECK(c.fields == "dir=aabbccdd name=sub set_mode=0700");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("mkdir").call, call);

    Xdr ok = Xdr().u32(0).boolean(true).add(fh()).add(post_op(dattr())).add(wcc(dattr()));
    auto r = testxdr::run_reply(P("mkdir").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "fh=0102030405 " + kDirAttr);
    CHECK(r.remaining == 0);

    r = testxdr::run_reply(P("mkdir").reply, Xdr().u32(30).add(wcc_none()));
    CHECK(r.status == "rofs");
    CHECK(r.fields == "");
}

TEST_CASE("nfs3: SYMLINK", "[nfs3]") {
    Xdr call = dir().str("ln").boolean(false).boolean(false).boolean(false).boolean(false).u32(0).u32(0)
                   .str("/etc/passwd");
    auto c = testxdr::run_call(P("symlink").call, call);
    CHECK(c.fields == "dir=aabbccdd name=ln target=/etc/passwd");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("symlink").call, call);

    Xdr ok = Xdr().u32(0).boolean(true).add(fh()).add(no_attr()).add(wcc_none());
    auto r = testxdr::run_reply(P("symlink").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "fh=0102030405");
    CHECK(r.remaining == 0);

    r = testxdr::run_reply(P("symlink").reply, Xdr().u32(10004).add(wcc_none()));
    CHECK(r.status == "notsupp");
}

TEST_CASE("nfs3: MKNOD", "[nfs3]") {
    Xdr chr = dir().str("null").u32(4).boolean(true).u32(0666).boolean(false).boolean(false).boolean(false)
                  .u32(0).u32(0).u32(1).u32(3);
    auto c = testxdr::run_call(P("mknod").call, chr);
    CHECK(c.fields == "dir=aabbccdd name=null type=chr set_mode=0666 major=1 minor=3");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("mknod").call, chr);

    Xdr fifo = dir().str("p").u32(7).boolean(false).boolean(false).boolean(false).boolean(false).u32(0).u32(0);
    c = testxdr::run_call(P("mknod").call, fifo);
    CHECK(c.fields == "dir=aabbccdd name=p type=fifo");
    CHECK(c.remaining == 0);

    Xdr reg = dir().str("f").u32(1);  // NF3REG: no data (the server answers badtype)
    c = testxdr::run_call(P("mknod").call, reg);
    CHECK(c.fields == "dir=aabbccdd name=f type=reg");
    CHECK(c.remaining == 0);
    CHECK(c.error == XdrError::None);

    auto m = testxdr::run_call(P("mknod").call, dir().str("f").u32(9));
    CHECK(m.error == XdrError::Malformed);
    CHECK(m.fields == "dir=aabbccdd name=f");

    auto r = testxdr::run_reply(P("mknod").reply, Xdr().u32(10007).add(wcc_none()));
    CHECK(r.status == "badtype");
    r = testxdr::run_reply(P("mknod").reply,
                           Xdr().u32(0).boolean(true).add(fh()).add(post_op(fattr(4))).add(wcc_none()));
    CHECK(r.fields.rfind("fh=0102030405 ftype=chr mode=0644 ", 0) == 0);
}

TEST_CASE("nfs3: REMOVE and RMDIR", "[nfs3]") {
    for (const char* name : {"remove", "rmdir"}) {
        INFO(name);
        Xdr call = dir().str("old");
        auto c = testxdr::run_call(P(name).call, call);
        CHECK(c.fields == "dir=aabbccdd name=old");
        testxdr::check_call_prefixes(P(name).call, call);

        Xdr ok = Xdr().u32(0).add(wcc(dattr()));
        auto r = testxdr::run_reply(P(name).reply, ok);
        CHECK(r.status == "ok");
        CHECK(r.fields == kDirAttr);
        CHECK(r.remaining == 0);
        testxdr::check_reply_prefixes(P(name).reply, ok);
    }
    auto r = testxdr::run_reply(P("rmdir").reply, Xdr().u32(66).add(wcc(dattr())));
    CHECK(r.status == "notempty");
    CHECK(r.fields == kDirAttr);
}

TEST_CASE("nfs3: RENAME", "[nfs3]") {
    Xdr call = dir().str("a").opaque(kDir2).str("b");
    auto c = testxdr::run_call(P("rename").call, call);
    CHECK(c.fields == "dir=aabbccdd name=a todir=eeff toname=b");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("rename").call, call);

    Xdr ok = Xdr().u32(0).add(wcc(dattr())).add(wcc(fattr()));
    auto r = testxdr::run_reply(P("rename").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kDirAttr);  // the source directory's only
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("rename").reply, ok);

    r = testxdr::run_reply(P("rename").reply, Xdr().u32(18).add(wcc_none()).add(wcc_none()));
    CHECK(r.status == "xdev");
    CHECK(r.remaining == 0);
}

TEST_CASE("nfs3: LINK", "[nfs3]") {
    Xdr call = fh().opaque(kDir2).str("hard");
    auto c = testxdr::run_call(P("link").call, call);
    CHECK(c.fields == "fh=0102030405 todir=eeff toname=hard");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("link").call, call);

    Xdr ok = Xdr().u32(0).add(post_op(fattr())).add(wcc(dattr()));
    auto r = testxdr::run_reply(P("link").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr);
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("link").reply, ok);

    r = testxdr::run_reply(P("link").reply, Xdr().u32(31).add(no_attr()).add(wcc_none()));
    CHECK(r.status == "mlink");
    CHECK(r.fields == "");
    CHECK(r.remaining == 0);
}

TEST_CASE("nfs3: READDIR", "[nfs3]") {
    Xdr call = dir().u64(0).fixed(std::vector<std::uint8_t>(8, 0)).u32(4096);
    auto c = testxdr::run_call(P("readdir").call, call);
    CHECK(c.fields == "dir=aabbccdd cookie=0 cookieverf=0000000000000000 count=4096");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("readdir").call, call);

    Xdr ok = Xdr()
                 .u32(0)
                 .add(post_op(dattr()))
                 .fixed(kVerf)
                 .boolean(true).u64(2).str(".").u64(1)
                 .boolean(true).u64(1).str("..").u64(2)
                 .boolean(true).u64(77).str("a b/c").u64(3)
                 .boolean(false)
                 .boolean(true);
    auto r = testxdr::run_reply(P("readdir").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kDirAttr +
                          " verf=0102030405060708 entry=2/-/. entry=1/-/.. entry=77/-/a%20b/c entries=3 eof=1");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("readdir").reply, ok);

    Xdr empty = Xdr().u32(0).add(no_attr()).fixed(kVerf).boolean(false).boolean(false);
    r = testxdr::run_reply(P("readdir").reply, empty);
    CHECK(r.fields == "verf=0102030405060708 entries=0 eof=0");

    r = testxdr::run_reply(P("readdir").reply, Xdr().u32(10003).add(no_attr()));
    CHECK(r.status == "bad_cookie");
    CHECK(r.fields == "");

    SECTION("value_follows that stays 1 at the end of data ends the list") {
        Xdr endless = Xdr().u32(0).add(no_attr()).fixed(kVerf).boolean(true).u64(5).str("x").u64(1).boolean(true);
        auto t = testxdr::run_reply(P("readdir").reply, endless);
        CHECK(t.error == XdrError::Truncated);
        CHECK(t.fields == "verf=0102030405060708 entry=5/-/x");
    }
    SECTION("bad value_follows is malformed") {
        auto t = testxdr::run_reply(P("readdir").reply, Xdr().u32(0).add(no_attr()).fixed(kVerf).u32(2));
        CHECK(t.error == XdrError::Malformed);
        CHECK(t.fields == "verf=0102030405060708");
    }
    SECTION("a long list of minimal entries") {
        Xdr many = Xdr().u32(0).add(no_attr()).fixed(kVerf);
        for (int i = 0; i < 5000; ++i) many.boolean(true).u64(static_cast<std::uint64_t>(i)).str("").u64(0);
        many.boolean(false).boolean(true);
        auto t = testxdr::run_reply(P("readdir").reply, many);
        CHECK(t.error == XdrError::None);
        CHECK(t.fields.ends_with(" entries=5000 eof=1"));
    }
}

TEST_CASE("nfs3: READDIRPLUS", "[nfs3]") {
    Xdr call = dir().u64(3).fixed(kVerf).u32(1024).u32(8192);
    auto c = testxdr::run_call(P("readdirplus").call, call);
    CHECK(c.fields == "dir=aabbccdd cookie=3 cookieverf=0102030405060708 dircount=1024 maxcount=8192");
    CHECK(c.remaining == 0);
    testxdr::check_call_prefixes(P("readdirplus").call, call);

    Xdr ok = Xdr()
                 .u32(0)
                 .add(no_attr())
                 .fixed(kVerf)
                 .boolean(true).u64(77).str("file").u64(1).add(post_op(fattr())).boolean(true).add(fh())
                 .boolean(true).u64(78).str("nofh").u64(2).add(no_attr()).boolean(false)
                 .boolean(false)
                 .boolean(false);
    auto r = testxdr::run_reply(P("readdirplus").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == "verf=0102030405060708 entry=77/0102030405/file entry=78/-/nofh entries=2 eof=0");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("readdirplus").reply, ok);

    SECTION("a 64-byte handle and a name of 8192 bytes fit") {
        std::string name(8192, '\xff');
        Xdr big = Xdr().u32(0).add(no_attr()).fixed(kVerf).boolean(true).u64(18446744073709551615ull).str(name)
                      .u64(1).add(no_attr()).boolean(true).opaque(std::vector<std::uint8_t>(64, 0xab))
                      .boolean(false).boolean(true);
        auto t = testxdr::run_reply(P("readdirplus").reply, big);
        CHECK(t.error == XdrError::None);
        std::string expect = "verf=0102030405060708 entry=18446744073709551615/";
        for (int i = 0; i < 64; ++i) expect += "ab";
        expect += "/";
        for (int i = 0; i < 8192; ++i) expect += "%FF";
        expect += " entries=1 eof=1";
        CHECK(t.fields == expect);
    }
}

TEST_CASE("nfs3: FSSTAT, FSINFO, PATHCONF", "[nfs3]") {
    for (const char* name : {"fsstat", "fsinfo", "pathconf"}) {
        auto c = testxdr::run_call(P(name).call, fh());
        CHECK(c.fields == "fh=0102030405");
    }

    Xdr fsstat = Xdr().u32(0).add(no_attr()).u64(1000).u64(500).u64(400).u64(30).u64(20).u64(10).u32(0);
    auto r = testxdr::run_reply(P("fsstat").reply, fsstat);
    CHECK(r.status == "ok");
    CHECK(r.fields == "tbytes=1000 fbytes=500 abytes=400 tfiles=30 ffiles=20 afiles=10");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("fsstat").reply, fsstat);

    Xdr fsinfo = Xdr()
                     .u32(0)
                     .add(post_op(dattr()))
                     .u32(1048576).u32(65536).u32(4096)
                     .u32(1048576).u32(65536).u32(4096)
                     .u32(8192)
                     .u64(0xffffffffffffffffull)
                     .u32(0).u32(1)
                     .u32(0x1b);
    r = testxdr::run_reply(P("fsinfo").reply, fsinfo);
    CHECK(r.status == "ok");
    CHECK(r.fields == kDirAttr +
                          " rtmax=1048576 rtpref=65536 wtmax=1048576 wtpref=65536 dtpref=8192 "
                          "maxfilesize=18446744073709551615");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("fsinfo").reply, fsinfo);

    Xdr pathconf = Xdr().u32(0).add(no_attr()).u32(32000).u32(255).boolean(true).boolean(true).boolean(false)
                       .boolean(true);
    r = testxdr::run_reply(P("pathconf").reply, pathconf);
    CHECK(r.status == "ok");
    CHECK(r.fields == "linkmax=32000 name_max=255");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("pathconf").reply, pathconf);

    for (const char* name : {"fsstat", "fsinfo", "pathconf"}) {
        auto e = testxdr::run_reply(P(name).reply, Xdr().u32(10006).add(no_attr()));
        CHECK(e.status == "serverfault");
        CHECK(e.fields == "");
        CHECK(e.remaining == 0);
    }
}

TEST_CASE("nfs3: COMMIT", "[nfs3]") {
    Xdr call = fh().u64(0).u32(0);
    auto c = testxdr::run_call(P("commit").call, call);
    CHECK(c.fields == "fh=0102030405 offset=0 count=0");
    testxdr::check_call_prefixes(P("commit").call, call);

    Xdr ok = Xdr().u32(0).add(wcc(fattr())).fixed(kVerf);
    auto r = testxdr::run_reply(P("commit").reply, ok);
    CHECK(r.status == "ok");
    CHECK(r.fields == kAttr + " verf=0102030405060708");
    CHECK(r.remaining == 0);
    testxdr::check_reply_prefixes(P("commit").reply, ok);

    r = testxdr::run_reply(P("commit").reply, Xdr().u32(10008).add(wcc_none()));
    CHECK(r.status == "jukebox");
}

TEST_CASE("nfs3: unknown status decodes the failure arm", "[nfs3]") {
    auto r = testxdr::run_reply(P("lookup").reply, Xdr().u32(12345).add(post_op(dattr())));
    CHECK(r.status == "12345");
    CHECK(r.fields == kDirAttr);
    CHECK(r.remaining == 0);
}

TEST_CASE("nfs3: decoders survive arbitrary bytes", "[nfs3]") {
    // Deterministic pseudo-random inputs through every decoder: no crash, no
    // read out of bounds (under ASan), the cursor never ends beyond its data.
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return static_cast<std::uint8_t>(seed >> 16);
    };
    for (int round = 0; round < 300; ++round) {
        std::vector<std::uint8_t> buf(static_cast<std::size_t>(next()) * 2);
        for (auto& b : buf) {
            b = next();
            if (b > 0xc0) b = 0;  // many zeros and small values, like real XDR
            else if (b > 0x80) b = 1;
        }
        for (const auto& p : rpcspy::nfs3_procedures()) {
            if (p.call) testxdr::run_call(p.call, buf.data(), buf.size());
            if (p.reply) testxdr::run_reply(p.reply, buf.data(), buf.size());
        }
    }
    SUCCEED();
}
