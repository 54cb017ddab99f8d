// NFS ACL side protocol, program 100227 (Sun's nfs_acl.x, as implemented by
// Solaris and Linux): version 2 (NULL, GETACL, SETACL, GETATTR, ACCESS,
// GETXATTRDIR) with NFS version 2 handles and attributes, and version 3 (NULL,
// GETACL, SETACL, GETXATTRDIR) with NFS version 3 ones.
//
// Record status: the NFS status of the matching NFS version (nfs2_types.hpp,
// nfs3_types.hpp). An ACL (secattr) is printed as acl_mask, aclcnt, one
// ace=<type>:<id>:<perm> word per entry, dfaclcnt and one default_ace word per
// entry of the default ACL. Every key appears at most once per record, or in
// one run of consecutive tokens (one JSON array).
#include <array>
#include <charconv>
#include <cstring>

#include "rpcspy/nfs2_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// NFS_ACL_MAX_ENTRIES: the most entries of one ACL.
constexpr std::uint32_t NFS_ACL_MAX_ENTRIES = 1024;

// aclent's type (Solaris <sys/acl.h>, Linux NFS_ACL_* in nfsacl.h): USER_OBJ
// 0x1, USER 0x2, GROUP_OBJ 0x4, GROUP 0x8, CLASS_OBJ (the mask) 0x10,
// OTHER_OBJ 0x20; with ACL_DEFAULT 0x1000 in entries of a default ACL.
const char* acl_type_name(std::uint32_t type) {
    switch (type) {
        case 0x1: return "user_obj";
        case 0x2: return "user";
        case 0x4: return "group_obj";
        case 0x8: return "group";
        case 0x10: return "mask";
        case 0x20: return "other";
        case 0x1001: return "default_user_obj";
        case 0x1002: return "default_user";
        case 0x1004: return "default_group_obj";
        case 0x1008: return "default_group";
        case 0x1010: return "default_mask";
        case 0x1020: return "default_other";
        default: return nullptr;
    }
}

// One ACL: int count, then aclent entries<NFS_ACL_MAX_ENTRIES>, each {int type;
// uid32 id; o_mode perm}. The count is printed under `count_key`, then one
// <ace_key>=<type>:<id>:<perm> word per entry: the type's name (or its number
// in hexadecimal), the id in decimal, and the permission bits as r, w, x or -.
// In a default ACL (`deflt`) the type's ACL_DEFAULT bit is implied by the key
// and not named.
void put_acl(XdrCursor& in, Fields* out, const char* count_key, const char* ace_key, bool deflt) {
    put_u32(in, out, count_key);
    std::uint32_t n = in.u32();
    if (in.ok() && n > NFS_ACL_MAX_ENTRIES) in.fail(common::XdrError::Malformed);
    std::array<char, 20 + 1 + 10 + 1 + 3> buf;
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        std::uint32_t type = in.u32();
        std::uint32_t id = in.u32();
        std::uint32_t perm = in.u32();
        if (!in.ok() || !out) continue;
        char* p = buf.data();
        char* end = buf.data() + buf.size();
        constexpr std::uint32_t ACL_DEFAULT = 0x1000;
        if (const char* name = acl_type_name(deflt && (type & ACL_DEFAULT) != 0 ? type & ~ACL_DEFAULT : type)) {
            std::size_t len = std::strlen(name);
            std::memcpy(p, name, len);
            p += len;
        } else {
            *p++ = '0';
            *p++ = 'x';
            p = std::to_chars(p, end, type, 16).ptr;
        }
        *p++ = ':';
        p = std::to_chars(p, end, id).ptr;
        *p++ = ':';
        *p++ = perm & 4 ? 'r' : '-';
        *p++ = perm & 2 ? 'w' : '-';
        *p++ = perm & 1 ? 'x' : '-';
        out->word(ace_key, std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
}

// secattr {uint32 mask; int aclcnt; aclent aclentp<>; int dfaclcnt; aclent
// dfaclentp<>}: acl_mask aclcnt ace... dfaclcnt default_ace...
void put_secattr(XdrCursor& in, Fields* out) {
    put_u32(in, out, "acl_mask");
    put_acl(in, out, "aclcnt", "ace", false);
    put_acl(in, out, "dfaclcnt", "default_ace", true);
}

// ---------------------------------------------------------------------------
// Version 2.

// Reads nfsstat (NFS version 2) and sets `ok` for NFS_OK.
std::string_view read_stat2(XdrCursor& in, bool& ok) {
    std::uint32_t s = in.u32();
    ok = in.ok() && s == nfs2::NFS_OK;
    return in.ok() ? nfs2::stat_name(s) : kStatusUnread;
}

// GETACL2args {fhandle fh; uint32 mask}.
void getacl2_call(XdrCursor& in, Fields& out) {
    nfs2::put_fhandle(in, &out, "fh");
    put_u32(in, &out, "mask");
}
// GETACL2res {nfsstat status; ok: fattr attr; secattr acl}.
std::string_view getacl2_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat2(in, ok);
    if (ok) {
        nfs2::put_fattr(in, &out);
        put_secattr(in, &out);
    }
    return st;
}
// SETACL2args {fhandle fh; secattr acl}.
void setacl2_call(XdrCursor& in, Fields& out) {
    nfs2::put_fhandle(in, &out, "fh");
    put_secattr(in, &out);
}
// SETACL2res, GETATTR2res {nfsstat status; ok: fattr attr}.
std::string_view attrstat2_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat2(in, ok);
    if (ok) nfs2::put_fattr(in, &out);
    return st;
}
// GETATTR2args {fhandle fh}.
void fhandle2_call(XdrCursor& in, Fields& out) { nfs2::put_fhandle(in, &out, "fh"); }
// ACCESS2args {fhandle fh; uint32 access}.
void access2_call(XdrCursor& in, Fields& out) {
    nfs2::put_fhandle(in, &out, "fh");
    put_u32(in, &out, "access");
}
// ACCESS2res {nfsstat status; ok: fattr attr; uint32 access}.
std::string_view access2_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat2(in, ok);
    if (ok) {
        nfs2::put_fattr(in, &out);
        put_u32(in, &out, "rights");
    }
    return st;
}
// GETXATTRDIR2args {fhandle fh; bool create}.
void getxattrdir2_call(XdrCursor& in, Fields& out) {
    nfs2::put_fhandle(in, &out, "dir");
    put_bool(in, &out, "create");
}
// GETXATTRDIR2res {nfsstat status; ok: fhandle fh; fattr attr}.
std::string_view getxattrdir2_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat2(in, ok);
    if (ok) {
        nfs2::put_fhandle(in, &out, "fh");
        nfs2::put_fattr(in, &out);
    }
    return st;
}

// ---------------------------------------------------------------------------
// Version 3.

std::string_view read_stat3(XdrCursor& in, bool& ok) {
    std::uint32_t s = in.u32();
    ok = in.ok() && s == nfs3::NFS3_OK;
    return in.ok() ? nfs3::nfsstat3_name(s) : kStatusUnread;
}

// GETACL3args {nfs_fh3 fh; uint32 mask}.
void getacl3_call(XdrCursor& in, Fields& out) {
    nfs3::put_nfs_fh3(in, &out, "fh");
    put_u32(in, &out, "mask");
}
// GETACL3res {nfsstat3 status; ok: post_op_attr attr; secattr acl; fail:
// post_op_attr attr}.
std::string_view getacl3_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat3(in, ok);
    nfs3::put_post_op_attr(in, &out);
    if (ok) put_secattr(in, &out);
    return st;
}
// SETACL3args {nfs_fh3 fh; secattr acl}.
void setacl3_call(XdrCursor& in, Fields& out) {
    nfs3::put_nfs_fh3(in, &out, "fh");
    put_secattr(in, &out);
}
// SETACL3res {nfsstat3 status; post_op_attr attr (both arms)}.
std::string_view setacl3_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat3(in, ok);
    nfs3::put_post_op_attr(in, &out);
    return st;
}
// GETXATTRDIR3args {nfs_fh3 fh; bool create}.
void getxattrdir3_call(XdrCursor& in, Fields& out) {
    nfs3::put_nfs_fh3(in, &out, "dir");
    put_bool(in, &out, "create");
}
// GETXATTRDIR3res {nfsstat3 status; ok: nfs_fh3 fh; post_op_attr attr; fail:
// post_op_attr attr}. As in NFS version 3, the attributes are printed only
// with the handle they belong to, else they are the directory's.
std::string_view getxattrdir3_reply(XdrCursor& in, Fields& out) {
    bool ok;
    auto st = read_stat3(in, ok);
    if (ok) nfs3::put_nfs_fh3(in, &out, "fh");
    nfs3::put_post_op_attr(in, &out);
    return st;
}

// Indexed by procedure number (nfs_acl.x).
constexpr Procedure kNfsAcl2[] = {
    {"null", nullptr, nullptr},
    {"getacl", getacl2_call, getacl2_reply},
    {"setacl", setacl2_call, attrstat2_reply},
    {"getattr", fhandle2_call, attrstat2_reply},
    {"access", access2_call, access2_reply},
    {"getxattrdir", getxattrdir2_call, getxattrdir2_reply},
};
constexpr Procedure kNfsAcl3[] = {
    {"null", nullptr, nullptr},
    {"getacl", getacl3_call, getacl3_reply},
    {"setacl", setacl3_call, setacl3_reply},
    {"getxattrdir", getxattrdir3_call, getxattrdir3_reply},
};

}  // namespace

std::span<const Procedure> nfsacl2_procedures() { return kNfsAcl2; }
std::span<const Procedure> nfsacl3_procedures() { return kNfsAcl3; }

}  // namespace rpcspy
