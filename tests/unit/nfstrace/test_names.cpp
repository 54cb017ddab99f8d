// File names and paths from MOUNT, LOOKUP, CREATE, ..., READDIRPLUS, through
// renames and removals; a record gets the name valid at that moment.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using nft::lines_of;
using nft::Rec;
using nft::token;
using nft::trace;

namespace {
Rec mnt(const char* t, const char* path, const char* fh) {
    Rec r{t, "mnt", std::string("path=") + path + " fh=" + fh};
    r.prog = "mount";
    r.server = "10.0.0.1.20048";
    return r;
}
// A one-byte read of `fh` at time t (an open of its own when 10 s apart).
Rec rd(const std::string& t, const std::string& fh) {
    return {t, "read", "fh=" + fh + " offset=0 count=1 rcount=1 eof=true"};
}
std::vector<std::string> paths(const nft::Result& r) {
    std::vector<std::string> v;
    for (const std::string& l : r.opens) v.push_back(token(l, "path"));
    return v;
}
}  // namespace

TEST_CASE("names: an export root from MOUNT MNT and LOOKUPs give the full path") {
    auto res = trace(lines_of({
        mnt("100.000000", "/srv/nfs", "aa"),
        {"100.100000", "lookup", "dir=aa name=home fh=bb ftype=dir"},
        {"100.200000", "lookup", "dir=bb name=alice fh=cc ftype=dir"},
        {"100.300000", "lookup", "dir=cc name=notes.txt fh=dd ftype=reg"},
        rd("101", "dd"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"/srv/nfs/home/alice/notes.txt"});
}

TEST_CASE("names: unknown parts of a path are shown as ?") {
    auto res = trace(lines_of({
        {"100.100000", "lookup", "dir=bb name=alice fh=cc ftype=dir"},
        {"100.300000", "lookup", "dir=cc name=notes.txt fh=dd ftype=reg"},
        rd("101", "dd"),
        rd("102", "ee"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"?/alice/notes.txt", "?"});
}

TEST_CASE("names: a root export \"/\" and escaped bytes in names") {
    auto res = trace(lines_of({
        mnt("100.000000", "/", "aa"),
        {"100.100000", "lookup", "dir=aa name=caf%C3%A9%20file fh=bb ftype=reg"},
        {"100.200000", "lookup", "dir=aa name=tab%09and%0Anewline fh=cc ftype=reg"},
        rd("101", "bb"),
        rd("102", "cc"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"/caf%C3%A9%20file", "/tab%09and%0Anewline"});
}

TEST_CASE("names: CREATE, MKDIR, SYMLINK, MKNOD and LINK bind names") {
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "mkdir", "dir=aa name=d fh=bb ftype=dir"},
        {"100.200000", "create", "dir=bb name=f fh=cc ftype=reg"},
        {"100.300000", "symlink", "dir=bb name=s fh=dd ftype=lnk"},
        {"100.400000", "mknod", "dir=bb name=p fh=ee ftype=fifo"},
        {"100.500000", "link", "fh=cc todir=aa toname=hard"},
        rd("110", "dd"),
        rd("120", "ee"),
        rd("130", "cc"),
    }));
    // The CREATE itself is an (empty) write open of d/f.
    CHECK(paths(res) == std::vector<std::string>{"/export/d/f", "/export/d/s", "/export/d/p", "/export/hard"});
}

TEST_CASE("names: READDIRPLUS entries name their handles") {
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "readdirplus", "dir=aa cookie=0 entry=1/aa/. entry=2/-/.. entry=12/bb/a%20b "
                                      "entry=13/cc/x%2Fy%2Fz entry=14/-/nofh"},
        rd("101", "bb"),
        rd("102", "cc"),
    }));
    // The whole value is escaped, split at the first two '/': the name keeps the rest.
    CHECK(paths(res) == std::vector<std::string>{"/export/a%20b", "/export/x/y/z"});
}

TEST_CASE("names: READDIRPLUS listings in flight together, and a malformed one between") {
    // Several listings are in the reorder window at once (replies out of call
    // order), and a malformed one in between is not taken.
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=d fh=dd ftype=dir"},
        {"100.300000", "readdirplus", "dir=dd cookie=0 entry=12/bb/late entry=13/cc/later"},
        {"100.200000", "readdirplus", "dir=aa cookie=0 entry=1/ee/early"},
        {"100.250000", "readdirplus", "dir=aa cookie=0 entry=1/ff/x entry=2/zz%/y"},
        rd("101", "bb"),
        rd("102", "cc"),
        rd("103", "ee"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"/export/d/late", "/export/d/later", "/export/early"});
}

TEST_CASE("names: a record gets the name valid at that moment") {
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=d fh=bb ftype=dir"},
        {"100.200000", "lookup", "dir=bb name=f fh=cc ftype=reg"},
        rd("101", "cc"),
        {"102.000000", "rename", "dir=bb name=f todir=aa toname=g"},
        rd("103", "cc"),
        {"104.000000", "rename", "dir=aa name=d todir=aa toname=e"},  // the directory
        {"104.100000", "lookup", "dir=bb name=x fh=dd ftype=reg"},
        rd("105", "dd"),
        {"106.000000", "remove", "dir=aa name=g"},
        rd("107", "cc"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"/export/d/f", "/export/g", "/export/e/x", "?"});
}

TEST_CASE("names: RENAME over an existing name unbinds the old file") {
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=new fh=bb ftype=reg"},
        {"100.200000", "lookup", "dir=aa name=old fh=cc ftype=reg"},
        {"101.000000", "rename", "dir=aa name=new todir=aa toname=old"},
        rd("102", "bb"),
        rd("103", "cc"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"/export/old", "?"});
}

TEST_CASE("names: a new file under a removed name does not inherit anything") {
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=f fh=bb ftype=reg"},
        {"100.200000", "create", "dir=aa name=f fh=cc ftype=reg"},  // replaced (e.g. O_TRUNC by another)
        rd("102", "bb"),
        rd("103", "cc"),
    }));
    // The CREATE is an empty write open of the new f; bb lost the name.
    CHECK(paths(res) == std::vector<std::string>{"/export/f", "?", "/export/f"});
}

TEST_CASE("names: . and .. are not names; failed LOOKUPs bind nothing") {
    Rec fail{"100.300000", "lookup", "dir=aa name=zz"};
    fail.status = "noent";
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=d fh=bb ftype=dir"},
        {"100.200000", "lookup", "dir=bb name=.. fh=aa ftype=dir"},
        {"100.250000", "lookup", "dir=bb name=. fh=bb ftype=dir"},
        fail,
        {"100.400000", "lookup", "dir=bb name=f fh=cc ftype=reg"},
        rd("101", "cc"),
    }));
    CHECK(paths(res) == std::vector<std::string>{"/export/d/f"});
}

TEST_CASE("names: handles of different servers are different files") {
    Rec a{"100.100000", "lookup", "dir=aa name=f fh=cc ftype=reg"};
    Rec b = rd("101", "cc");
    b.server = "10.0.0.9.2049";
    auto res = trace(lines_of({mnt("100.000000", "/export", "aa"), a, b}));
    REQUIRE(res.opens.size() == 1);
    CHECK(nft::field(res.opens[0], 3) == "10.0.0.9");
    CHECK(token(res.opens[0], "path") == "?");
}

TEST_CASE("names: mode and type from attributes of any reply") {
    auto res = trace(lines_of({
        {"100.000000", "getattr", "fh=cc ftype=reg mode=0755 size=10"},
        {"100.000000", "setattr", "fh=cc mode=0700 ftype=reg mode=0700 size=10"},
        rd("110", "cc"),
    }));
    REQUIRE(res.opens.size() == 2);
    CHECK(token(res.opens[1], "mode") == "0700");
    CHECK(token(res.opens[1], "ftype") == "reg");
}

TEST_CASE("names: --no-names prints no names at all") {
    nfstrace::Config cfg;
    cfg.names = false;
    auto res = trace(lines_of({
        mnt("100.000000", "/export", "aa"),
        {"100.100000", "lookup", "dir=aa name=secret fh=cc ftype=reg"},
        rd("101", "cc"),
    }), cfg);
    REQUIRE(res.opens.size() == 1);
    CHECK(res.opens[0].find("path=") == std::string::npos);
    CHECK(res.opens[0].find("secret") == std::string::npos);
}
