// NFSv4 decoders (RFC 7530, RFC 8881, RFC 7862): exact fields of representative
// COMPOUNDs and CB_COMPOUNDs, attribute decoding, READDIR, failing and unknown
// operations, truncation at every prefix, malformed values.
#include <catch2/catch.hpp>

#include <cstdio>

#include "rpcspy/nfs4_types.hpp"
#include "rpcspy/program_table.hpp"
#include "xdr_builder.hpp"

using common::XdrError;
using testxdr::Xdr;

namespace {

const rpcspy::Procedure& compound() { return testxdr::proc(rpcspy::nfs4_procedures(), "compound"); }
const rpcspy::Procedure& cb_compound() { return testxdr::proc(rpcspy::nfs4_cb_procedures(), "cb_compound"); }

const std::vector<std::uint8_t> kFh = {0x01, 0x02, 0x03, 0x04, 0x05};  // padded to 8
const std::vector<std::uint8_t> kOther = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                                          0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};
const std::vector<std::uint8_t> kSession = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
const std::vector<std::uint8_t> kVerf = {1, 2, 3, 4, 5, 6, 7, 8};
const std::string kSessionHex = "000102030405060708090a0b0c0d0e0f";

// stateid4 {seqid, other[12]}.
Xdr stateid(std::uint32_t seq) { return Xdr().u32(seq).fixed(kOther); }
std::string stateid_hex(std::uint32_t seq) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", seq);
    return std::string(buf) + "a0a1a2a3a4a5a6a7a8a9aaab";
}

// fattr4: bitmap4 words, then attr_vals as an opaque.
Xdr fattr(std::initializer_list<std::uint32_t> words, const Xdr& vals) {
    Xdr x;
    x.u32(static_cast<std::uint32_t>(words.size()));
    for (auto w : words) x.u32(w);
    return x.opaque(vals.bytes());
}

// A COMPOUND call header and a COMPOUND reply header.
Xdr call(std::string_view tag, std::uint32_t minor, std::uint32_t nops) {
    return Xdr().str(tag).u32(minor).u32(nops);
}
Xdr reply(std::uint32_t status, std::string_view tag, std::uint32_t nops) {
    return Xdr().u32(status).str(tag).u32(nops);
}

testxdr::Result run_call(const Xdr& x) { return testxdr::run_call(compound().call, x); }
testxdr::Result run_reply(const Xdr& x) { return testxdr::run_reply(compound().reply, x); }

}  // namespace

TEST_CASE("nfs4: program table", "[nfs4]") {
    auto t = rpcspy::nfs4_procedures();
    REQUIRE(t.size() == 2);
    CHECK(std::string(t[0].name) == "null");
    CHECK(std::string(t[1].name) == "compound");
    CHECK_FALSE(t[1].bulk_call);  // a READ or WRITE need not be the last operation
    CHECK_FALSE(t[1].bulk_reply);
    auto cb = rpcspy::nfs4_cb_procedures();
    REQUIRE(cb.size() == 2);
    CHECK(std::string(cb[0].name) == "cb_null");
    CHECK(std::string(cb[1].name) == "cb_compound");

    const rpcspy::Program* p = rpcspy::find_program(100003, 4);
    REQUIRE(p);
    CHECK(std::string(p->name) == "nfs");
    const rpcspy::Program* c = rpcspy::find_program(0x40000000, 1);
    REQUIRE(c);
    CHECK(std::string(c->name) == "nfs_cb");
    CHECK(rpcspy::find_program(0x4fffffff, 1) == c);
    CHECK(rpcspy::find_program(0x50000000, 1) == nullptr);
    CHECK(rpcspy::find_program(0x40000000, 2) == nullptr);
}

TEST_CASE("nfs4: status and operation names", "[nfs4]") {
    using namespace rpcspy::nfs4;
    CHECK(nfsstat4_name(0) == "ok");
    CHECK(nfsstat4_name(2) == "noent");
    CHECK(nfsstat4_name(70) == "stale");
    CHECK(nfsstat4_name(10025) == "bad_stateid");
    CHECK(nfsstat4_name(10052) == "badsession");
    CHECK(nfsstat4_name(10094) == "offload_no_reqs");
    CHECK(nfsstat4_name(10002) == "10002");  // unused
    CHECK(nfsstat4_name(10073) == "10073");  // unused
    CHECK(nfsstat4_name(19) == "19");
    for (std::uint32_t op = 3; op <= 71; ++op) {
        INFO("op " << op);
        REQUIRE(nfs4_op(op));
        CHECK(nfs4_op(op)->args);
    }
    CHECK(nfs4_op(0) == nullptr);
    CHECK(nfs4_op(2) == nullptr);
    CHECK(nfs4_op(72) == nullptr);
    CHECK(std::string(nfs4_op(10044)->name) == "illegal");
    CHECK(std::string(nfs4_op(53)->name) == "sequence");
    CHECK(std::string(nfs4_op(68)->name) == "read_plus");
    for (std::uint32_t op = 3; op <= 15; ++op) CHECK(nfs4_cb_op(op));
    CHECK(nfs4_cb_op(16) == nullptr);
}

TEST_CASE("nfs4: v4.0 PUTFH OPEN READ CLOSE", "[nfs4]") {
    Xdr c = call("t1", 0, 4)
                .u32(22).opaque(kFh)                                 // PUTFH
                .u32(18).u32(7).u32(1).u32(0)                        // OPEN seqid access deny
                .u64(0x1122334455667788).str("ab")                   // open_owner4
                .u32(0)                                              // OPEN4_NOCREATE
                .u32(0).str("f.txt")                                 // CLAIM_NULL
                .u32(25).add(stateid(1)).u64(0).u32(4096)            // READ
                .u32(4).u32(8).add(stateid(1));                      // CLOSE
    const std::string call_fields = "tag=t1 minor=0 op=putfh fh=0102030405 op=open seqid=7 access=read deny=none "
                                    "owner=11223344556677886162 claim=null name=f.txt op=read stateid=" +
                                    stateid_hex(1) + " offset=0 count=4096 op=close seqid=8 stateid=" +
                                    stateid_hex(1);
    auto r = run_call(c);
    CHECK(r.error == XdrError::None);
    CHECK(r.remaining == 0);
    CHECK(r.fields == call_fields);
    testxdr::check_call_prefixes(compound().call, c);

    Xdr rep = reply(0, "t1", 4)
                  .u32(22).u32(0)
                  .u32(18).u32(0).add(stateid(1))
                  .boolean(true).u64(1).u64(2)  // change_info4
                  .u32(4)                       // rflags
                  .u32(1).u32(0)                // attrset
                  .u32(0)                       // OPEN_DELEGATE_NONE
                  .u32(25).u32(0).boolean(true).str("hello")
                  .u32(4).u32(0).add(stateid(2));
    auto rr = run_reply(rep);
    CHECK(rr.error == XdrError::None);
    CHECK(rr.remaining == 0);
    CHECK(rr.status == "ok");
    CHECK(rr.fields == "rtag=t1 op=putfh st=ok op=open st=ok stateid=" + stateid_hex(1) +
                           " rflags=00000004 delegation=none op=read st=ok eof=1 rcount=5 op=close st=ok stateid=" +
                           stateid_hex(2));
    // The READ data is followed by CLOSE: every cut is a truncation.
    testxdr::check_reply_prefixes(compound().reply, rep);
}

TEST_CASE("nfs4: OPEN with create, delegations, claims", "[nfs4]") {
    Xdr c = call("", 1, 1)
                .u32(18).u32(0).u32(0x0302).u32(3)
                .u64(1).str("")
                .u32(1).u32(1)                                                 // OPEN4_CREATE GUARDED4
                .add(fattr({0, 1u << (33 - 32)}, Xdr().u32(0640)))            // mode
                .u32(2).add(stateid(9)).str("cur");                           // CLAIM_DELEGATE_CUR
    CHECK(run_call(c).fields ==
          "tag= minor=1 op=open seqid=0 access=write want=00000300 deny=both owner=0000000000000001 how=guarded "
          "set_mode=0640 claim=delegate_cur deleg_stateid=" + stateid_hex(9) + " name=cur");
    testxdr::check_call_prefixes(compound().call, c);

    Xdr rep = reply(0, "", 1)
                  .u32(18).u32(0).add(stateid(1)).boolean(false).u64(1).u64(2).u32(0).u32(0)
                  .u32(2).add(stateid(5)).boolean(false)  // OPEN_DELEGATE_WRITE
                  .u32(1).u64(1000)                       // NFS_LIMIT_SIZE
                  .u32(0).u32(0).u32(0).str("EVERYONE@");  // nfsace4
    CHECK(run_reply(rep).fields == "rtag= op=open st=ok stateid=" + stateid_hex(1) +
                                       " rflags=00000000 delegation=write deleg_stateid=" + stateid_hex(5));
    testxdr::check_reply_prefixes(compound().reply, rep);

    Xdr none_ext = reply(0, "", 1)
                       .u32(18).u32(0).add(stateid(1)).boolean(false).u64(1).u64(2).u32(0).u32(0)
                       .u32(3).u32(1).boolean(true);  // NONE_EXT, WND4_CONTENTION
    CHECK(run_reply(none_ext).fields ==
          "rtag= op=open st=ok stateid=" + stateid_hex(1) + " rflags=00000000 delegation=none why=contention");
}

TEST_CASE("nfs4: v4.1 SEQUENCE PUTFH WRITE GETATTR", "[nfs4]") {
    Xdr c = call("", 1, 4)
                .u32(53).fixed(kSession).u32(5).u32(0).u32(3).boolean(true)
                .u32(22).opaque(kFh)
                .u32(38).add(stateid(0)).u64(100).u32(2).str("abcdefg")
                .u32(9).u32(2).u32((1u << 1) | (1u << 4)).u32(1u << 1);
    auto r = run_call(c);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields == "tag= minor=1 op=sequence sessionid=" + kSessionHex +
                          " sequenceid=5 slot=0 highest_slot=3 cachethis=1 op=putfh fh=0102030405 op=write stateid=" +
                          stateid_hex(0) + " offset=100 stable=file_sync count=7 op=getattr attrmask=type,size,mode");
    testxdr::check_call_prefixes(compound().call, c);

    Xdr rep = reply(0, "", 4)
                  .u32(53).u32(0).fixed(kSession).u32(5).u32(0).u32(3).u32(3).u32(0)
                  .u32(22).u32(0)
                  .u32(38).u32(0).u32(7).u32(2).fixed(kVerf)
                  .u32(9).u32(0).add(fattr({(1u << 1) | (1u << 4), 1u << 1}, Xdr().u32(1).u64(7).u32(0100644)));
    auto rr = run_reply(rep);
    CHECK(rr.error == XdrError::None);
    CHECK(rr.status == "ok");
    CHECK(rr.fields == "rtag= op=sequence st=ok sessionid=" + kSessionHex +
                           " sequenceid=5 slot=0 highest_slot=3 target_highest_slot=3 status_flags=00000000 "
                           "op=putfh st=ok op=write st=ok rcount=7 committed=file_sync verf=0102030405060708 "
                           "op=getattr st=ok ftype=reg size=7 mode=0644");
    testxdr::check_reply_prefixes(compound().reply, rep);
}

TEST_CASE("nfs4: WRITE data not captured", "[nfs4]") {
    // The declared length runs past the capture: the count is known, the
    // compound ends there without an error on the WRITE itself.
    Xdr c = call("", 0, 1).u32(38).add(stateid(0)).u64(0).u32(0).u32(65536).raw({1, 2, 3, 4});
    auto r = run_call(c);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields == "tag= minor=0 op=write stateid=" + stateid_hex(0) + " offset=0 stable=unstable count=65536");
}

TEST_CASE("nfs4: failing compound", "[nfs4]") {
    Xdr c = call("", 0, 3).u32(22).opaque(kFh).u32(15).str("x").u32(10);
    CHECK(run_call(c).fields == "tag= minor=0 op=putfh fh=0102030405 op=lookup name=x op=getfh");
    Xdr rep = reply(2, "", 2).u32(22).u32(0).u32(15).u32(2);
    auto rr = run_reply(rep);
    CHECK(rr.error == XdrError::None);
    CHECK(rr.status == "noent");
    CHECK(rr.fields == "rtag= op=putfh st=ok op=lookup st=noent failed=lookup");
    testxdr::check_reply_prefixes(compound().reply, rep);

    // LOCK denied: the conflicting lock is decoded.
    Xdr lock = reply(10010, "", 1).u32(12).u32(10010).u64(0).u64(100).u32(2).u64(7).str("o");
    auto lr = run_reply(lock);
    CHECK(lr.status == "denied");
    CHECK(lr.fields == "rtag= op=lock st=denied offset=0 length=100 locktype=write owner=00000000000000076f "
                       "failed=lock");

    // A status unknown to rpcspy is its number.
    auto un = run_reply(reply(12345, "", 1).u32(22).u32(12345));
    CHECK(un.status == "12345");
    CHECK(un.fields == "rtag= op=putfh st=12345 failed=putfh");
}

TEST_CASE("nfs4: unknown and illegal operations", "[nfs4]") {
    Xdr c = call("", 2, 3).u32(24).u32(99).u32(10);
    auto r = run_call(c);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields == "tag= minor=2 op=putrootfh op=99 undecoded=1");
    CHECK(r.remaining == 4);  // never guessed at

    auto rr = run_reply(reply(0, "", 3).u32(24).u32(0).u32(99).u32(0).u32(10).u32(0));
    CHECK(rr.fields == "rtag= op=putrootfh st=ok op=99 undecoded=1");

    auto il = run_reply(reply(10044, "", 1).u32(10044).u32(10044));
    CHECK(il.status == "op_illegal");
    CHECK(il.fields == "rtag= op=illegal st=op_illegal failed=illegal");
    CHECK(run_call(call("", 0, 1).u32(10044)).fields == "tag= minor=0 op=illegal");

    // An operation number 0..2 is not an operation either.
    CHECK(run_call(call("", 0, 2).u32(1).u32(10)).fields == "tag= minor=0 op=1 undecoded=1");
}

TEST_CASE("nfs4: GETATTR attribute decoding", "[nfs4]") {
    // Bits 0 1 3 4 5 8 10 12 19 20 | 33 35 36 37 45 47 52 53 55.
    std::uint32_t w0 = (1u << 0) | (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 10) |
                       (1u << 12) | (1u << 19) | (1u << 20);
    std::uint32_t w1 = (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 13) | (1u << 15) | (1u << 20) |
                       (1u << 21) | (1u << 23);
    Xdr vals = Xdr()
                   .u32(1).u32(0xff)              // supported_attrs
                   .u32(2)                        // type: dir
                   .u64(99)                       // change
                   .u64(4096)                     // size
                   .boolean(true)                 // link_support
                   .u64(1).u64(2)                 // fsid
                   .u32(90)                       // lease_time
                   .u32(1).u32(0).u32(0).u32(1).str("OWNER@")  // acl
                   .opaque({0xde, 0xad})          // filehandle
                   .u64(77)                       // fileid
                   .u32(040755)                   // mode
                   .u32(3)                        // numlinks
                   .str("1000")                   // owner
                   .str("users")                  // owner_group
                   .u64(8192)                     // space_used
                   .u64(1700000000).u32(500000000)  // time_access
                   .u64(1700000002).u32(0)          // time_metadata
                   .u64(1700000001).u32(123)        // time_modify
                   .u64(5);                         // mounted_on_fileid
    Xdr c = call("", 0, 2).u32(22).opaque(kFh).u32(9).u32(2).u32(w0).u32(w1);
    CHECK(run_call(c).fields ==
          "tag= minor=0 op=putfh fh=0102030405 op=getattr attrmask=supported_attrs,type,change,size,link_support,"
          "fsid,lease_time,acl,filehandle,fileid,mode,numlinks,owner,owner_group,space_used,time_access,"
          "time_metadata,time_modify,mounted_on_fileid");
    Xdr rep = reply(0, "", 2).u32(22).u32(0).u32(9).u32(0).add(fattr({w0, w1}, vals));
    auto rr = run_reply(rep);
    CHECK(rr.error == XdrError::None);
    CHECK(rr.remaining == 0);
    CHECK(rr.fields == "rtag= op=putfh st=ok op=getattr st=ok ftype=dir change=99 size=4096 fsid=1:2 fh=dead "
                       "fileid=77 mode=0755 nlink=3 owner=1000 group=users used=8192 atime=1700000000.500000000 "
                       "ctime=1700000002.000000000 mtime=1700000001.000000123");
    testxdr::check_reply_prefixes(compound().reply, rep);

    SECTION("an attribute rpcspy cannot read stops the list, not the compound") {
        Xdr x = reply(0, "", 2).u32(9).u32(0).add(fattr({1u << 1, 0, 1u << (90 - 64)}, Xdr().u32(1).u32(7)))
                    .u32(10).u32(0).opaque(kFh);
        auto r = run_reply(x);
        CHECK(r.error == XdrError::None);
        CHECK(r.fields == "rtag= op=getattr st=ok ftype=reg attr_undecoded=90 op=getfh st=ok fh=0102030405");
    }
    SECTION("attribute values shorter than their bitmap are malformed") {
        auto r = run_reply(reply(0, "", 1).u32(9).u32(0).add(fattr({(1u << 1) | (1u << 4)}, Xdr().u32(1))));
        CHECK(r.error == XdrError::Malformed);
        CHECK(r.fields == "rtag= op=getattr st=ok ftype=reg");
    }
    SECTION("impossible values are malformed") {
        CHECK(run_reply(reply(0, "", 1).u32(9).u32(0).add(fattr({1u << 1}, Xdr().u32(10)))).error ==
              XdrError::Malformed);  // nfs_ftype4 10
        CHECK(run_reply(reply(0, "", 1).u32(9).u32(0).add(fattr({0, 1u << (47 - 32)}, Xdr().u64(1).u32(1000000000))))
                  .error == XdrError::Malformed);  // nanoseconds
        CHECK(run_call(call("", 0, 1).u32(9).u32(9).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0))
                  .error == XdrError::Malformed);  // bitmap4 of 9 words
    }
}

TEST_CASE("nfs4: SETATTR and CREATE attributes", "[nfs4]") {
    Xdr vals = Xdr().u64(0).u32(0600).str("alice").u32(0).u32(1).u64(1700000000).u32(5);
    Xdr c = call("", 0, 2)
                .u32(34).add(stateid(0))
                .add(fattr({1u << 4, (1u << 1) | (1u << 4) | (1u << 16) | (1u << 22)}, vals))
                .u32(6).u32(5).str("target").str("link").add(fattr({}, Xdr()));
    CHECK(run_call(c).fields == "tag= minor=0 op=setattr stateid=" + stateid_hex(0) +
                                    " set_size=0 set_mode=0600 set_owner=alice set_atime=server "
                                    "set_mtime=1700000000.000000005 op=create type=lnk target=target name=link");
    testxdr::check_call_prefixes(compound().call, c);
    // SETATTR4res carries attrsset whatever the status.
    auto r = run_reply(reply(10024, "", 1).u32(34).u32(10024).u32(1).u32(0));
    CHECK(r.error == XdrError::None);
    CHECK(r.remaining == 0);
    CHECK(r.fields == "rtag= op=setattr st=old_stateid failed=setattr");
}

TEST_CASE("nfs4: READDIR", "[nfs4]") {
    Xdr c = call("", 0, 2).u32(22).opaque(kFh).u32(26).u64(0).fixed(std::vector<std::uint8_t>(8, 0)).u32(512)
                .u32(4096).u32(1).u32((1u << 1) | (1u << 19));
    CHECK(run_call(c).fields == "tag= minor=0 op=putfh fh=0102030405 op=readdir cookie=0 "
                                "cookieverf=0000000000000000 dircount=512 maxcount=4096 attrmask=type,filehandle");
    Xdr rep = reply(0, "", 2).u32(22).u32(0).u32(26).u32(0).fixed(kVerf)
                  .boolean(true).u64(3).str("a").add(fattr({(1u << 1) | (1u << 19)}, Xdr().u32(1).opaque({0xab})))
                  .boolean(true).u64(4).str("b b").add(fattr({1u << 1}, Xdr().u32(2)))
                  .boolean(false).boolean(true);
    auto rr = run_reply(rep);
    CHECK(rr.error == XdrError::None);
    CHECK(rr.remaining == 0);
    CHECK(rr.fields == "rtag= op=putfh st=ok op=readdir st=ok verf=0102030405060708 entry=3/ab/a entry=4/-/b%20b "
                       "entries=2 eof=1");
    testxdr::check_reply_prefixes(compound().reply, rep);
}

TEST_CASE("nfs4: locks", "[nfs4]") {
    Xdr c = call("", 0, 3)
                .u32(12).u32(2).boolean(false).u64(0).u64(10).boolean(true)   // LOCK new owner
                .u32(3).add(stateid(1)).u32(0).u64(0x42).str("lo")
                .u32(13).u32(1).u64(5).u64(6).u64(0x42).str("lo")              // LOCKT
                .u32(14).u32(2).u32(1).add(stateid(2)).u64(0).u64(10);        // LOCKU
    CHECK(run_call(c).fields ==
          "tag= minor=0 op=lock locktype=write reclaim=0 offset=0 length=10 new_owner=1 seqid=3 stateid=" +
              stateid_hex(1) + " lock_seqid=0 owner=00000000000000426c6f op=lockt locktype=read offset=5 length=6 "
              "owner=00000000000000426c6f op=locku locktype=write seqid=1 stateid=" + stateid_hex(2) +
              " offset=0 length=10");
    testxdr::check_call_prefixes(compound().call, c);
    CHECK(run_call(call("", 0, 1).u32(13).u32(0).u64(0).u64(0).u64(0).str("")).error == XdrError::Malformed);
}

TEST_CASE("nfs4: v4.1 session setup and v4.2 operations", "[nfs4]") {
    Xdr ex = call("", 1, 1)
                 .u32(42).fixed(kVerf).str("client1").u32(0x101).u32(0)  // SP4_NONE
                 .u32(1).str("kernel.org").str("Linux").u64(0).u32(0);
    CHECK(run_call(ex).fields == "tag= minor=1 op=exchange_id verf=0102030405060708 id=client1 flags=00000101 "
                                 "state_protect=none impl_domain=kernel.org impl_name=Linux");
    testxdr::check_call_prefixes(compound().call, ex);

    auto attrs = [] { return Xdr().u32(0).u32(1048576).u32(1048576).u32(4096).u32(8).u32(64).u32(0); };
    Xdr cs = call("", 1, 1)
                 .u32(43).u64(0x0102030405060708).u32(1).u32(3).add(attrs()).add(attrs()).u32(0x40000000)
                 .u32(2).u32(0).u32(1).u32(0).str("host").u32(0).u32(0).u32(1).u32(10);  // AUTH_NONE, AUTH_SYS
    CHECK(run_call(cs).fields ==
          "tag= minor=1 op=create_session clientid=0102030405060708 sequenceid=1 flags=00000003 cb_program=40000000");
    testxdr::check_call_prefixes(compound().call, cs);

    Xdr lg = call("", 2, 4)
                 .u32(50).boolean(false).u32(1).u32(2).u64(0).u64(~0ull).u64(4096).add(stateid(1)).u32(4096)
                 .u32(69).add(stateid(1)).u64(8192).u32(1)               // SEEK hole
                 .u32(60).add(stateid(1)).add(stateid(2)).u64(0).u64(10).u64(100).boolean(false).boolean(true)
                 .u32(0)                                                 // COPY, no source servers
                 .u32(62).add(stateid(1)).u64(0).u64(4096);              // DEALLOCATE
    CHECK(run_call(lg).fields ==
          "tag= minor=2 op=layoutget signal=0 layouttype=files iomode=rw offset=0 length=18446744073709551615 "
          "minlength=4096 stateid=" + stateid_hex(1) + " maxcount=4096 op=seek stateid=" + stateid_hex(1) +
              " offset=8192 what=hole op=copy src_stateid=" + stateid_hex(1) + " dst_stateid=" + stateid_hex(2) +
              " src_offset=0 dst_offset=10 count=100 consecutive=0 synchronous=1 op=deallocate stateid=" +
              stateid_hex(1) + " offset=0 length=4096");
    testxdr::check_call_prefixes(compound().call, lg);

    Xdr rp = reply(0, "", 3)
                 .u32(68).u32(0).boolean(true).u32(2).u32(0).u64(0).str("abc").u32(1).u64(3).u64(100)
                 .u32(69).u32(0).boolean(false).u64(4096)
                 .u32(60).u32(0).u32(0).u64(100).u32(2).fixed(kVerf).boolean(true).boolean(true);
    auto r = run_reply(rp);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields == "rtag= op=read_plus st=ok eof=1 rcount=3 holes=1 op=seek st=ok eof=0 offset=4096 op=copy st=ok "
                      "rcount=100 committed=file_sync verf=0102030405060708 consecutive=1 synchronous=1");
    testxdr::check_reply_prefixes(compound().reply, rp);
}

TEST_CASE("nfs4: malformed values", "[nfs4]") {
    CHECK(run_call(call("", 0, 5000)).error == XdrError::Malformed);                  // too many operations
    CHECK(run_reply(reply(0, "", 5000)).error == XdrError::Malformed);
    CHECK(run_call(call("", 0, 1).u32(18).u32(0).u32(1).u32(0).u64(1).str("").u32(0).u32(9)).error ==
          XdrError::Malformed);                                                         // open_claim_type4 9
    CHECK(run_call(call("", 0, 1).u32(18).u32(0).u32(4).u32(0).u64(1).str("").u32(0).u32(0).str("n")).error ==
          XdrError::Malformed);                                                         // share_access 4
    CHECK(run_reply(reply(0, "", 1).u32(25).u32(0).u32(2).u32(0)).error == XdrError::Malformed);  // eof 2
    CHECK(run_call(call("", 0, 1).u32(38).add(stateid(0)).u64(0).u32(3).u32(0)).error ==
          XdrError::Malformed);                                                         // stable_how4 3
    auto r = run_call(call("", 0, 2).u32(22).opaque(std::vector<std::uint8_t>(129, 1)).u32(10));
    CHECK(r.error == XdrError::Malformed);                                              // nfs_fh4 > 128 bytes
    CHECK(r.fields == "tag= minor=0 op=putfh");
}

TEST_CASE("nfs4: LAYOUTRETURN and CB_LAYOUTRECALL say what they cover", "[nfs4]") {
    Xdr file = call("", 1, 1).u32(51).boolean(false).u32(1).u32(1).u32(1).u64(0).u64(4096).add(stateid(1)).opaque({});
    CHECK(run_call(file).fields == "tag= minor=1 op=layoutreturn reclaim=0 layouttype=files iomode=read return=file "
                                   "offset=0 length=4096 stateid=" + stateid_hex(1));
    testxdr::check_call_prefixes(compound().call, file);
    CHECK(run_call(call("", 1, 1).u32(51).boolean(true).u32(1).u32(3).u32(3)).fields ==
          "tag= minor=1 op=layoutreturn reclaim=1 layouttype=files iomode=any return=all");
    for (std::uint32_t bad : {0u, 4u}) {
        auto r = run_call(call("", 1, 1).u32(51).boolean(false).u32(1).u32(1).u32(bad));
        CHECK(r.error == XdrError::Malformed);
        CHECK(r.fields == "tag= minor=1 op=layoutreturn reclaim=0 layouttype=files iomode=read");
    }
    Xdr recall = Xdr().str("").u32(1).u32(7).u32(1).u32(5).u32(1).u32(2).boolean(true).u32(2).u64(1).u64(2);
    auto r = testxdr::run_call(cb_compound().call, recall);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields == "tag= minor=1 ident=7 op=cb_layoutrecall layouttype=files iomode=rw changed=1 recall=fsid");
    testxdr::check_call_prefixes(cb_compound().call, recall);
    CHECK(testxdr::run_call(cb_compound().call,
                            Xdr().str("").u32(1).u32(7).u32(1).u32(5).u32(1).u32(2).boolean(true).u32(9))
              .error == XdrError::Malformed);
}

TEST_CASE("nfs4: CB_COMPOUND", "[nfs4]") {
    Xdr c = Xdr().str("").u32(1).u32(7).u32(2)
                .u32(11).fixed(kSession).u32(1).u32(0).u32(0).boolean(false).u32(0)
                .u32(4).add(stateid(3)).boolean(false).opaque({1, 2});
    auto r = testxdr::run_call(cb_compound().call, c);
    CHECK(r.error == XdrError::None);
    CHECK(r.fields == "tag= minor=1 ident=7 op=cb_sequence sessionid=" + kSessionHex +
                          " sequenceid=1 slot=0 highest_slot=0 cachethis=0 op=cb_recall stateid=" + stateid_hex(3) +
                          " truncate=0 fh=0102");
    testxdr::check_call_prefixes(cb_compound().call, c);
    Xdr rep = reply(0, "", 2).u32(11).u32(0).fixed(kSession).u32(1).u32(0).u32(0).u32(0).u32(4).u32(0);
    auto rr = testxdr::run_reply(cb_compound().reply, rep);
    CHECK(rr.status == "ok");
    CHECK(rr.fields == "rtag= op=cb_sequence st=ok sessionid=" + kSessionHex +
                           " sequenceid=1 slot=0 highest_slot=0 target_highest_slot=0 op=cb_recall st=ok");
    testxdr::check_reply_prefixes(cb_compound().reply, rep);
}

TEST_CASE("nfs4: JSON has one object per operation", "[nfs4]") {
    Xdr x = call("a", 0, 2).u32(24).u32(15).str("x");
    common::XdrCursor in(x.bytes());
    common::Fields f;
    compound().call(in, f);
    common::OutBuffer out;
    f.render_json(out);
    CHECK(std::string(out.view()) == R"(,"tag":"a","minor":0,"ops":[{"op":"putrootfh"},{"op":"lookup","name":"x"}])");
}
