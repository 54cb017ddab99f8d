// NFSv4: explicit OPEN/CLOSE, names through PUTROOTFH/LOOKUP/GETFH/OPEN by
// name/SAVEFH/RENAME, I/O without an OPEN by the heuristics. Records in the form
// rpcspy writes them: call "tag= minor= op=... ", reply "rtag= op=NAME st=..."
// (earlier rpcspy: "tag=" again).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using nft::lines_of;
using nft::Rec;
using nft::token;
using nft::trace;

namespace {
Rec v4(const std::string& t, const std::string& call, const std::string& reply) {
    // (Appends, not operator+: GCC 12 warns wrongly about those, -Wrestrict.)
    std::string tokens = "tag= minor=0 ";
    tokens.append(call).append(" rtag= ").append(reply);
    Rec r{t, "compound", tokens};
    r.vers = "4";
    return r;
}
const std::string kRoot = "op=putrootfh op=lookup name=export op=getfh";
const std::string kRootRes = "op=putrootfh st=ok op=lookup st=ok op=getfh st=ok fh=e0";
}  // namespace

TEST_CASE("nfs4: OPEN by name, READs, CLOSE: one open, path from the pseudo root") {
    auto res = trace(lines_of({
        v4("100.000000", kRoot, kRootRes),
        v4("100.100000",
           "op=putfh fh=e0 op=lookup name=known op=open seqid=0 access=read deny=none owner=aa claim=null name=E "
           "op=getfh",
           "op=putfh st=ok op=lookup st=ok op=open st=ok stateid=01 delegation=none op=getfh st=ok fh=e1"),
        v4("100.200000", "op=putfh fh=e1 op=read stateid=01 offset=0 count=32768",
           "op=putfh st=ok op=read st=ok eof=1 rcount=20000"),
        v4("100.300000", "op=putfh fh=e1 op=read stateid=01 offset=20000 count=32768",
           "op=putfh st=ok op=read st=ok eof=1 rcount=0"),
        v4("100.400000", "op=putfh fh=e1 op=close seqid=2 stateid=01", "op=putfh st=ok op=close st=ok stateid=02"),
    }));
    REQUIRE(res.opens == std::vector<std::string>{
                             "100.100000 100.401000 R 10.0.0.1 e1 10.0.0.2 1000 20000 0 20000 ops=2 end=close "
                             "vers=4 gid=100 ftype=reg path=/export/known/E"});
    CHECK(res.in.nfs4 == 5);
}

TEST_CASE("nfs4: an OPEN keeps reads that restart at 0 in one open; a write open with create") {
    auto res = trace(lines_of({
        v4("100.000000", "op=putfh fh=d0 op=open seqid=0 access=both deny=none owner=aa how=unchecked claim=null "
                         "name=new op=getfh op=getattr attrmask=type,size,mode",
           "op=putfh st=ok op=open st=ok stateid=01 op=getfh st=ok fh=f1 op=getattr st=ok ftype=reg size=0 "
           "mode=0600"),
        v4("100.100000", "op=putfh fh=f1 op=write stateid=01 offset=0 stable=unstable count=100",
           "op=putfh st=ok op=write st=ok rcount=100 committed=unstable"),
        v4("100.200000", "op=putfh fh=f1 op=read stateid=01 offset=0 count=100",
           "op=putfh st=ok op=read st=ok eof=1 rcount=100"),
        v4("100.300000", "op=putfh fh=f1 op=read stateid=01 offset=0 count=100",
           "op=putfh st=ok op=read st=ok eof=1 rcount=100"),
        v4("100.400000", "op=putfh fh=f1 op=commit offset=0 count=0", "op=putfh st=ok op=commit st=ok verf=00"),
        v4("100.500000", "op=putfh fh=f1 op=close seqid=2 stateid=01", "op=putfh st=ok op=close st=ok stateid=02"),
        v4("200.000000", "op=putfh fh=f1 op=open seqid=0 access=read deny=none owner=aa claim=fh",
           "op=putfh st=ok op=open st=ok stateid=03"),
        v4("200.100000", "op=putfh fh=f1 op=close seqid=1 stateid=03", "op=putfh st=ok op=close st=ok stateid=04"),
    }));
    REQUIRE(res.opens.size() == 2);
    CHECK(res.opens[0] ==
          "100.000000 100.501000 RW 10.0.0.1 f1 10.0.0.2 1000 200 100 100 ops=3 end=close vers=4 gid=100 "
          "ftype=reg mode=0600 path=?/new");
    // OPEN and CLOSE with no I/O: the data came from the client's cache.
    CHECK(res.opens[1] ==
          "200.000000 200.101000 R 10.0.0.1 f1 10.0.0.2 1000 0 0 100 ops=0 end=close vers=4 gid=100 "
          "ftype=reg mode=0600 path=?/new");
}

TEST_CASE("nfs4: I/O without an OPEN (special or delegation state id) goes by the heuristics") {
    nfstrace::Config cfg;
    cfg.idle = 5 * nfstrace::kSecond;
    auto res = trace(lines_of({
        v4("100.000000", "op=putfh fh=f1 op=read stateid=00 offset=0 count=10",
           "op=putfh st=ok op=read st=ok eof=0 rcount=10"),
        v4("110.000000", "op=putfh fh=f1 op=read stateid=00 offset=10 count=10",
           "op=putfh st=ok op=read st=ok eof=1 rcount=5"),
    }), cfg);
    REQUIRE(res.opens.size() == 2);
    CHECK(token(res.opens[0], "end") == "idle");
    CHECK(nft::field(res.opens[1], 9) == "15");  // size from the READ that reached the end
}

TEST_CASE("nfs4: RENAME and REMOVE with saved and current handles") {
    auto res = trace(lines_of({
        v4("100.000000", kRoot, kRootRes),
        v4("100.100000", "op=putfh fh=e0 op=lookup name=a op=getfh", "op=putfh st=ok op=lookup st=ok op=getfh st=ok fh=a1"),
        v4("100.200000", "op=putfh fh=e0 op=lookup name=b op=getfh", "op=putfh st=ok op=lookup st=ok op=getfh st=ok fh=b1"),
        v4("100.300000", "op=putfh fh=e0 op=savefh op=putfh fh=e0 op=rename oldname=a newname=c",
           "op=putfh st=ok op=savefh st=ok op=putfh st=ok op=rename st=ok"),
        v4("100.400000", "op=putfh fh=e0 op=remove name=b", "op=putfh st=ok op=remove st=ok"),
        v4("100.500000", "op=putfh fh=a1 op=read stateid=00 offset=0 count=10",
           "op=putfh st=ok op=read st=ok eof=1 rcount=10"),
        v4("100.600000", "op=putfh fh=b1 op=read stateid=00 offset=0 count=10",
           "op=putfh st=ok op=read st=ok eof=1 rcount=10"),
    }));
    REQUIRE(res.opens.size() == 2);
    CHECK(token(res.opens[0], "path") == "/export/c");
    CHECK(token(res.opens[1], "path") == "?");
}

TEST_CASE("nfs4: operations after a failed one are not taken") {
    auto res = trace(lines_of({
        v4("100.000000", "op=putfh fh=d0 op=open seqid=0 access=read deny=none owner=aa claim=null name=x op=getfh",
           "op=putfh st=ok op=open st=noent"),
        v4("100.100000", "op=putfh fh=d0 op=lookup name=y op=read stateid=00 offset=0 count=1",
           "op=putfh st=ok op=lookup st=noent"),
    }));
    CHECK(res.opens.empty());
    CHECK(res.in.bad_lines == 0);
}

TEST_CASE("nfs4: records of an rpcspy that repeated tag= in the reply") {
    std::string tokens = "tag= minor=0 op=putfh fh=e1 op=read stateid=00 offset=0 count=10 tag= op=putfh st=ok ";
    tokens.append("op=read st=ok eof=1 rcount=10");
    Rec r{"100.000000", "compound", tokens};
    r.vers = "4";
    auto res = trace(lines_of({r}));
    REQUIRE(res.opens.size() == 1);
    CHECK(nft::field(res.opens[0], 7) == "10");
}
