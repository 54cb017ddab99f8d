// NFS version 3 (RFC 1813 section 3): arguments and results of the 22 procedures.
//
// Attributes: a record carries at most one set of attribute tokens (ftype, mode,
// ... ctime), those after the operation. They describe the procedure's object:
// the handle `fh` of the reply (LOOKUP, CREATE, MKDIR, SYMLINK, MKNOD) or of the
// call (all others); a CREATE-like reply without its handle gets no attributes.
// When a reply holds no attributes of an object (REMOVE, RMDIR, RENAME, and the
// failures of LOOKUP, CREATE, MKDIR, SYMLINK, MKNOD), the tokens describe the
// call's directory `dir` instead (RENAME: the source directory). READDIR and
// READDIRPLUS take a directory `dir`: the attributes are its own. So attributes
// belong to `fh` when the record has one, else to `dir`. Attributes before the
// operation (pre_op_attr) are never printed.
#include <array>
#include <charconv>

#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

using namespace nfs3;

namespace {

// Reads nfsstat3 and sets `ok` when it is NFS3_OK.
std::string_view read_status(XdrCursor& in, bool& ok) {
    std::uint32_t s = in.u32();
    ok = in.ok() && s == NFS3_OK;
    if (!in.ok()) return kStatusUnread;
    return nfsstat3_name(s);
}

// An enumeration printed by name: below `limit` (else malformed).
void put_enum(XdrCursor& in, Fields* out, std::string_view key, std::uint32_t limit,
              const char* (*name)(std::uint32_t)) {
    std::uint32_t v = in.enumeration(limit);
    if (out && in.ok()) out->word(key, name(v));
}

// dirlist3 / dirlistplus3 (3.3.16, 3.3.17): entries in wire order as
// entry=<fileid>/<handle hex or ->/<name>, then entries=N and eof once the list
// is complete. The loop ends at the first value_follows that is false or
// unreadable: every entry consumes bytes, so a capture that ends inside the
// list ends it.
void put_dirlist(XdrCursor& in, Fields& out, bool plus) {
    std::uint64_t count = 0;
    while (in.boolean()) {
        std::uint64_t fileid = in.u64();
        auto name = in.opaque_var(kNameMax);
        in.u64();  // cookie
        std::span<const std::uint8_t> fh;
        bool have_fh = false;
        if (plus) {
            put_post_op_attr(in, nullptr);  // name_attributes
            if (in.boolean()) {             // name_handle: post_op_fh3
                fh = read_nfs_fh3(in);
                have_fh = true;
            }
        }
        if (!in.ok()) return;
        put_dir_entry(out, fileid, fh, have_fh, name);
        ++count;
    }
    if (!in.ok()) return;
    out.number("entries", count);
    put_bool(in, &out, "eof");
}

// ---- 3.3.1 GETATTR
void getattr_call(XdrCursor& in, Fields& out) { put_nfs_fh3(in, &out, "fh"); }
std::string_view getattr_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) put_fattr3(in, &out);
    return st;
}

// ---- 3.3.2 SETATTR
void setattr_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "fh");
    put_sattr3(in, &out);
    put_sattrguard3(in, &out);
}
// Both arms: wcc_data obj_wcc.
std::string_view wcc_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_wcc_data(in, &out);
    return st;
}

// ---- 3.3.3 LOOKUP
void lookup_call(XdrCursor& in, Fields& out) { put_diropargs3(in, &out, "dir", "name"); }
std::string_view lookup_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) {
        put_nfs_fh3(in, &out, "fh");
        put_post_op_attr(in, &out);      // obj_attributes
        put_post_op_attr(in, nullptr);   // dir_attributes
    } else {
        put_post_op_attr(in, &out);      // dir_attributes
    }
    return st;
}

// ---- 3.3.4 ACCESS
void access_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "fh");
    put_u32(in, &out, "access");
}
std::string_view access_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);
    if (ok) put_u32(in, &out, "rights");
    return st;
}

// ---- 3.3.5 READLINK (call: the handle only, as GETATTR)
std::string_view readlink_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);
    if (ok) put_nfspath3(in, &out, "target");
    return st;
}

// ---- 3.3.6 READ
void read_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "fh");
    put_u64(in, &out, "offset");
    put_u32(in, &out, "count");
}
std::string_view read_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);
    if (ok) {
        put_u32(in, &out, "rcount");
        put_bool(in, &out, "eof");
        in.bulk(kBulkMax);  // data: need not have been captured
    }
    return st;
}

// ---- 3.3.7 WRITE
void write_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "fh");
    put_u64(in, &out, "offset");
    put_u32(in, &out, "count");
    put_enum(in, &out, "stable", 3, stable_how_name);
    in.bulk(kBulkMax);  // data: need not have been captured
}
std::string_view write_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_wcc_data(in, &out);
    if (ok) {
        put_u32(in, &out, "rcount");
        put_enum(in, &out, "committed", 3, stable_how_name);
        put_hex_fixed(in, &out, "verf", NFS3_WRITEVERFSIZE);
    }
    return st;
}

// ---- 3.3.8 CREATE
void create_call(XdrCursor& in, Fields& out) {
    put_diropargs3(in, &out, "dir", "name");
    std::uint32_t mode = in.enumeration(3);
    if (!in.ok()) return;
    out.word("how", createmode3_name(mode));
    if (mode == 2)  // EXCLUSIVE: createverf3
        put_hex_fixed(in, &out, "verf", NFS3_CREATEVERFSIZE);
    else
        put_sattr3(in, &out);
}
// CREATE, MKDIR, SYMLINK, MKNOD: ok: post_op_fh3 obj, post_op_attr
// obj_attributes, wcc_data dir_wcc; failure: wcc_data dir_wcc.
std::string_view create_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    if (ok) {
        // The attributes are printed only with the handle they belong to.
        bool have_fh = in.boolean();
        if (have_fh) put_nfs_fh3(in, &out, "fh");
        put_post_op_attr(in, have_fh ? &out : nullptr);
        put_wcc_data(in, nullptr);
    } else {
        put_wcc_data(in, &out);
    }
    return st;
}

// ---- 3.3.9 MKDIR
void mkdir_call(XdrCursor& in, Fields& out) {
    put_diropargs3(in, &out, "dir", "name");
    put_sattr3(in, &out);
}

// ---- 3.3.10 SYMLINK
void symlink_call(XdrCursor& in, Fields& out) {
    put_diropargs3(in, &out, "dir", "name");
    put_sattr3(in, &out);  // symlinkdata3
    put_nfspath3(in, &out, "target");
}

// ---- 3.3.11 MKNOD
void mknod_call(XdrCursor& in, Fields& out) {
    put_diropargs3(in, &out, "dir", "name");
    std::uint32_t type = put_ftype3(in, &out, "type");
    switch (type) {  // mknoddata3
        case NF3CHR:
        case NF3BLK:  // devicedata3
            put_sattr3(in, &out);
            put_specdata3(in, &out);
            break;
        case NF3SOCK:
        case NF3FIFO: put_sattr3(in, &out); break;
        default: break;
    }
}

// ---- 3.3.12 REMOVE, 3.3.13 RMDIR: call diropargs3; reply wcc_data dir_wcc.
void remove_call(XdrCursor& in, Fields& out) { put_diropargs3(in, &out, "dir", "name"); }

// ---- 3.3.14 RENAME
void rename_call(XdrCursor& in, Fields& out) {
    put_diropargs3(in, &out, "dir", "name");
    put_diropargs3(in, &out, "todir", "toname");
}
std::string_view rename_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_wcc_data(in, &out);     // fromdir_wcc
    put_wcc_data(in, nullptr);  // todir_wcc
    return st;
}

// ---- 3.3.15 LINK
void link_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "fh");
    put_diropargs3(in, &out, "todir", "toname");
}
std::string_view link_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);  // file_attributes
    put_wcc_data(in, nullptr);   // linkdir_wcc
    return st;
}

// ---- 3.3.16 READDIR
void readdir_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "dir");
    put_u64(in, &out, "cookie");
    put_hex_fixed(in, &out, "cookieverf", NFS3_COOKIEVERFSIZE);
    put_u32(in, &out, "count");
}
std::string_view readdir_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);  // dir_attributes
    if (ok) {
        put_hex_fixed(in, &out, "verf", NFS3_COOKIEVERFSIZE);
        put_dirlist(in, out, false);
    }
    return st;
}

// ---- 3.3.17 READDIRPLUS
void readdirplus_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "dir");
    put_u64(in, &out, "cookie");
    put_hex_fixed(in, &out, "cookieverf", NFS3_COOKIEVERFSIZE);
    put_u32(in, &out, "dircount");
    put_u32(in, &out, "maxcount");
}
std::string_view readdirplus_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);  // dir_attributes
    if (ok) {
        put_hex_fixed(in, &out, "verf", NFS3_COOKIEVERFSIZE);
        put_dirlist(in, out, true);
    }
    return st;
}

// ---- 3.3.18 FSSTAT
std::string_view fsstat_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);
    if (ok) {
        put_u64(in, &out, "tbytes");
        put_u64(in, &out, "fbytes");
        put_u64(in, &out, "abytes");
        put_u64(in, &out, "tfiles");
        put_u64(in, &out, "ffiles");
        put_u64(in, &out, "afiles");
        in.u32();  // invarsec
    }
    return st;
}

// ---- 3.3.19 FSINFO
std::string_view fsinfo_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);
    if (ok) {
        put_u32(in, &out, "rtmax");
        put_u32(in, &out, "rtpref");
        in.u32();  // rtmult
        put_u32(in, &out, "wtmax");
        put_u32(in, &out, "wtpref");
        in.u32();  // wtmult
        put_u32(in, &out, "dtpref");
        put_u64(in, &out, "maxfilesize");
        put_nfstime3(in, nullptr, "time_delta");
        in.u32();  // properties
    }
    return st;
}

// ---- 3.3.20 PATHCONF
std::string_view pathconf_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_post_op_attr(in, &out);
    if (ok) {
        put_u32(in, &out, "linkmax");
        put_u32(in, &out, "name_max");
        in.boolean();  // no_trunc
        in.boolean();  // chown_restricted
        in.boolean();  // case_insensitive
        in.boolean();  // case_preserving
    }
    return st;
}

// ---- 3.3.21 COMMIT
void commit_call(XdrCursor& in, Fields& out) {
    put_nfs_fh3(in, &out, "fh");
    put_u64(in, &out, "offset");
    put_u32(in, &out, "count");
}
std::string_view commit_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_status(in, ok);
    put_wcc_data(in, &out);
    if (ok) put_hex_fixed(in, &out, "verf", NFS3_WRITEVERFSIZE);
    return st;
}

// Indexed by procedure number (RFC 1813 3.3).
constexpr Procedure kNfs3[] = {
    {"null", nullptr, nullptr},
    {"getattr", getattr_call, getattr_reply},
    {"setattr", setattr_call, wcc_reply},
    {"lookup", lookup_call, lookup_reply},
    {"access", access_call, access_reply},
    {"readlink", getattr_call, readlink_reply},
    {"read", read_call, read_reply, false, true},
    {"write", write_call, write_reply, true, false},
    {"create", create_call, create_reply},
    {"mkdir", mkdir_call, create_reply},
    {"symlink", symlink_call, create_reply},
    {"mknod", mknod_call, create_reply},
    {"remove", remove_call, wcc_reply},
    {"rmdir", remove_call, wcc_reply},
    {"rename", rename_call, rename_reply},
    {"link", link_call, link_reply},
    {"readdir", readdir_call, readdir_reply},
    {"readdirplus", readdirplus_call, readdirplus_reply},
    {"fsstat", getattr_call, fsstat_reply},
    {"fsinfo", getattr_call, fsinfo_reply},
    {"pathconf", getattr_call, pathconf_reply},
    {"commit", commit_call, commit_reply},
};

}  // namespace

std::span<const Procedure> nfs3_procedures() { return kNfs3; }

}  // namespace rpcspy
