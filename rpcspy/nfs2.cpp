// NFS version 2 (RFC 1094 section 2.2): arguments and results of the 18
// procedures, with the keys of NFS version 3.
//
// Attributes: a record carries at most one set of attribute tokens (ftype, mode,
// ... ctime), those the reply returns (attrstat, diropres, readres). They
// describe the handle `fh` of the reply (LOOKUP, CREATE, MKDIR) or of the call
// (GETATTR, SETATTR, READ, WRITE). Replies of REMOVE, RENAME, LINK, SYMLINK and
// RMDIR carry a status only.
#include <array>
#include <charconv>

#include "rpcspy/nfs2_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

using namespace nfs2;

namespace {

// Reads stat and sets `ok` when it is NFS_OK.
std::string_view read_status(XdrCursor& in, bool& ok) {
    std::uint32_t s = in.u32();
    ok = in.ok() && s == NFS_OK;
    if (!in.ok()) return kStatusUnread;
    return stat_name(s);
}

// ---- 2.2.3 GETATTR, 2.2.9 READLINK, 2.2.18 STATFS: fhandle.
void fhandle_call(XdrCursor& in, Fields& out) { put_fhandle(in, &out, "fh"); }
// attrstat (2.3.9): GETATTR, SETATTR, WRITE.
std::string_view attrstat_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) put_fattr(in, &out);
    return st;
}
// stat alone: REMOVE, RENAME, LINK, SYMLINK, RMDIR.
std::string_view stat_reply(XdrCursor& in, Fields&) {
    bool ok;
    return read_status(in, ok);
}

// ---- 2.2.4 SETATTR: sattrargs {fhandle file; sattr attributes}.
void setattr_call(XdrCursor& in, Fields& out) {
    put_fhandle(in, &out, "fh");
    put_sattr(in, &out);
}

// ---- 2.2.6 LOOKUP: diropargs; diropres {fhandle file; fattr attributes}.
void lookup_call(XdrCursor& in, Fields& out) { put_diropargs(in, &out, "dir", "name"); }
std::string_view diropres_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) {
        put_fhandle(in, &out, "fh");
        put_fattr(in, &out);
    }
    return st;
}

// ---- 2.2.7 READLINK: readlinkres {path data}.
std::string_view readlink_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) put_path(in, &out, "target");
    return st;
}

// ---- 2.2.7 READ: readargs {file, offset, count, totalcount (unused)};
// readres {fattr attributes; nfsdata data}.
void read_call(XdrCursor& in, Fields& out) {
    put_fhandle(in, &out, "fh");
    put_u32(in, &out, "offset");
    put_u32(in, &out, "count");
    in.u32();  // totalcount
}
std::string_view read_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) {
        put_fattr(in, &out);
        std::uint32_t n = in.bulk(MAXDATA);  // data: need not have been captured
        if (in.ok()) out.number("rcount", n);
    }
    return st;
}

// ---- 2.2.9 WRITE: writeargs {file, beginoffset (unused), offset, totalcount
// (unused), nfsdata data}; the byte count is the data's length.
void write_call(XdrCursor& in, Fields& out) {
    put_fhandle(in, &out, "fh");
    in.u32();  // beginoffset
    put_u32(in, &out, "offset");
    in.u32();  // totalcount
    std::uint32_t n = in.bulk(MAXDATA);  // data: need not have been captured
    if (in.ok()) out.number("count", n);
}

// ---- 2.2.10 CREATE, 2.2.15 MKDIR: createargs {diropargs where; sattr attributes}.
void create_call(XdrCursor& in, Fields& out) {
    put_diropargs(in, &out, "dir", "name");
    put_sattr(in, &out);
}

// ---- 2.2.11 REMOVE, 2.2.16 RMDIR: diropargs (as LOOKUP).

// ---- 2.2.12 RENAME: renameargs {diropargs from; diropargs to}.
void rename_call(XdrCursor& in, Fields& out) {
    put_diropargs(in, &out, "dir", "name");
    put_diropargs(in, &out, "todir", "toname");
}

// ---- 2.2.13 LINK: linkargs {fhandle from; diropargs to}.
void link_call(XdrCursor& in, Fields& out) {
    put_fhandle(in, &out, "fh");
    put_diropargs(in, &out, "todir", "toname");
}

// ---- 2.2.14 SYMLINK: symlinkargs {diropargs from; path to; sattr attributes}.
void symlink_call(XdrCursor& in, Fields& out) {
    put_diropargs(in, &out, "dir", "name");
    put_path(in, &out, "target");
    put_sattr(in, &out);
}

// ---- 2.2.17 READDIR: readdirargs {fhandle dir; nfscookie cookie; unsigned count}.
// The cookie (opaque[4]) is printed as the number it holds.
void readdir_call(XdrCursor& in, Fields& out) {
    put_fhandle(in, &out, "dir");
    put_u32(in, &out, "cookie");
    put_u32(in, &out, "count");
}
// readdirres {entry *entries; bool eof}, entry {fileid, filename name,
// nfscookie cookie, entry *nextentry}: entries as in NFS version 3,
// entry=<fileid>/-/<name>, then entries=N and eof once the list is complete.
std::string_view readdir_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (!ok) return st;
    std::uint64_t count = 0;
    while (in.boolean()) {
        std::uint32_t fileid = in.u32();
        auto name = in.opaque_var(MAXNAMLEN);
        in.u32();  // cookie
        if (!in.ok()) return st;
        put_dir_entry(out, fileid, {}, false, name);
        ++count;
    }
    if (!in.ok()) return st;
    out.number("entries", count);
    put_bool(in, &out, "eof");
    return st;
}

// ---- 2.2.18 STATFS: statfsres {tsize, bsize, blocks, bfree, bavail}.
std::string_view statfs_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) {
        put_u32(in, &out, "tsize");
        put_u32(in, &out, "bsize");
        put_u32(in, &out, "blocks");
        put_u32(in, &out, "bfree");
        put_u32(in, &out, "bavail");
    }
    return st;
}

// Indexed by procedure number (RFC 1094 2.2). ROOT and WRITECACHE are
// obsolete and take and return nothing.
constexpr Procedure kNfs2[] = {
    {"null", nullptr, nullptr},
    {"getattr", fhandle_call, attrstat_reply},
    {"setattr", setattr_call, attrstat_reply},
    {"root", nullptr, nullptr},
    {"lookup", lookup_call, diropres_reply},
    {"readlink", fhandle_call, readlink_reply},
    {"read", read_call, read_reply, false, true},
    {"writecache", nullptr, nullptr},
    {"write", write_call, attrstat_reply, true, false},
    {"create", create_call, diropres_reply},
    {"remove", lookup_call, stat_reply},
    {"rename", rename_call, stat_reply},
    {"link", link_call, stat_reply},
    {"symlink", symlink_call, stat_reply},
    {"mkdir", create_call, diropres_reply},
    {"rmdir", lookup_call, stat_reply},
    {"readdir", readdir_call, readdir_reply},
    {"statfs", fhandle_call, statfs_reply},
};

}  // namespace

std::span<const Procedure> nfs2_procedures() { return kNfs2; }

}  // namespace rpcspy
