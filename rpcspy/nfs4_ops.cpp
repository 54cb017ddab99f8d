// NFSv4.0 operations (RFC 7530 section 16; XDR in RFC 7531, as extended by
// RFC 8881 section 18): arguments and results of operations 3..39.
// Each decoder reads one operation's arguments (after the opcode) or its
// results (after the opcode and the status) and prints that operation's tokens.
#include <array>
#include <charconv>

#include "rpcspy/nfs4_types.hpp"

namespace rpcspy::nfs4 {

using common::XdrError;

namespace {

// Share access and deny (RFC 8881 18.16.3): the low byte of share_access is
// read|write|both; the "want" bits of 4.1 (0xff00 and above) are printed as
// want=<hex> when set. deny: none|read|write|both.
void put_share(XdrCursor& in, Fields* out) {
    std::uint32_t access = in.u32();
    std::uint32_t deny = in.u32();
    if (!in.ok()) return;
    static constexpr const char* kAccess[] = {nullptr, "read", "write", "both"};
    static constexpr const char* kDeny[] = {"none", "read", "write", "both"};
    std::uint32_t a = access & 0xff;
    if (a < 1 || a > 3 || deny > 3) {
        in.fail(XdrError::Malformed);
        return;
    }
    if (!out) return;
    out->word("access", kAccess[a]);
    if (access & ~0xffu) out->hex32("want", access & ~0xffu);
    out->word("deny", kDeny[deny]);
}

// ---- 16.1 ACCESS
void access_args(XdrCursor& in, Fields& out) { put_u32(in, &out, "access"); }
void access_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_u32(in, &out, "supported");
    put_u32(in, &out, "rights");
}

// ---- 16.2 CLOSE
void close_args(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "seqid");
    put_stateid4(in, &out, "stateid");
}
// CLOSE, LOCKU, OPEN_CONFIRM, OPEN_DOWNGRADE: ok: stateid4.
void stateid_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_stateid4(in, &out, "stateid");
}

// ---- 16.3 COMMIT
void commit_args(XdrCursor& in, Fields& out) {
    put_u64(in, &out, "offset");
    put_u32(in, &out, "count");
}
void commit_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_verifier4(in, &out, "verf");
}

// ---- 16.4 CREATE
void create_args(XdrCursor& in, Fields& out) {
    std::uint32_t type = in.u32();  // createtype4
    if (!in.ok()) return;
    const char* name = ftype4_name(type);
    if (!name) {
        in.fail(XdrError::Malformed);
        return;
    }
    out.word("type", name);
    if (type == 5) {  // NF4LNK
        put_linktext4(in, &out, "target");
    } else if (type == 3 || type == 4) {  // NF4BLK, NF4CHR: specdata4
        put_u32(in, &out, "major");
        put_u32(in, &out, "minor");
    }
    put_component4(in, &out, "name");
    put_fattr4(in, &out, AttrKeys::Set);
}
void create_res(XdrCursor& in, Fields&, std::uint32_t st) {
    if (st != NFS4_OK) return;
    skip_change_info4(in);
    put_bitmap4(in, nullptr, "", true);  // attrset
}

// ---- 16.5 DELEGPURGE, 16.27 RENEW
void clientid_args(XdrCursor& in, Fields& out) { put_clientid4(in, &out, "clientid"); }

// ---- 16.6 DELEGRETURN (also FREE_STATEID, OFFLOAD_CANCEL, OFFLOAD_STATUS)
void stateid_args(XdrCursor& in, Fields& out) { put_stateid4(in, &out, "stateid"); }

// ---- 16.7 GETATTR
void getattr_args(XdrCursor& in, Fields& out) { put_bitmap4(in, &out, "attrmask", true); }
void getattr_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_fattr4(in, &out, AttrKeys::Get);
}

// ---- 16.8 GETFH
void getfh_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_nfs_fh4(in, &out, "fh");
}

// ---- 16.9 LINK
void link_args(XdrCursor& in, Fields& out) { put_component4(in, &out, "name"); }
// LINK, REMOVE: ok: change_info4.
void cinfo_res(XdrCursor& in, Fields&, std::uint32_t st) {
    if (st == NFS4_OK) skip_change_info4(in);
}

// ---- 16.10 LOCK
void lock_args(XdrCursor& in, Fields& out) {
    put_lock_type4(in, &out, "locktype");
    put_bool(in, &out, "reclaim");
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    bool new_owner = put_bool(in, &out, "new_owner");  // locker4
    if (!in.ok()) return;
    if (new_owner) {  // open_to_lock_owner4
        put_u32(in, &out, "seqid");
        put_stateid4(in, &out, "stateid");
        put_u32(in, &out, "lock_seqid");
        put_state_owner4(in, &out, "owner");
    } else {  // exist_lock_owner4
        put_stateid4(in, &out, "stateid");
        put_u32(in, &out, "lock_seqid");
    }
}
// LOCK4denied.
void put_lock4denied(XdrCursor& in, Fields& out) {
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    put_lock_type4(in, &out, "locktype");
    put_state_owner4(in, &out, "owner");
}
void lock_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK)
        put_stateid4(in, &out, "stateid");
    else if (st == NFS4ERR_DENIED)
        put_lock4denied(in, out);
}

// ---- 16.11 LOCKT
void lockt_args(XdrCursor& in, Fields& out) {
    put_lock_type4(in, &out, "locktype");
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    put_state_owner4(in, &out, "owner");
}
void lockt_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4ERR_DENIED) put_lock4denied(in, out);
}

// ---- 16.12 LOCKU
void locku_args(XdrCursor& in, Fields& out) {
    put_lock_type4(in, &out, "locktype");
    put_u32(in, &out, "seqid");
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
}

// ---- 16.13 LOOKUP, 16.30 SECINFO
void name_args(XdrCursor& in, Fields& out) { put_component4(in, &out, "name"); }

// ---- 16.15 NVERIFY, 16.35 VERIFY: the attributes compared are not printed,
// only which they are.
void verify_args(XdrCursor& in, Fields& out) {
    XdrCursor peek = in;
    put_bitmap4(peek, &out, "attrmask", true);
    put_fattr4(in, nullptr, AttrKeys::None);
}

// ---- 16.16 OPEN
void open_args(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "seqid");
    put_share(in, &out);
    put_state_owner4(in, &out, "owner");
    std::uint32_t opentype = in.u32();  // openflag4
    if (!in.ok()) return;
    if (opentype == 1) {  // OPEN4_CREATE: createhow4
        static constexpr const char* kHow[] = {"unchecked", "guarded", "exclusive", "exclusive4_1"};
        std::uint32_t mode = in.u32();
        if (!in.ok()) return;
        if (mode > 3) {
            in.fail(XdrError::Malformed);
            return;
        }
        out.word("how", kHow[mode]);
        if (mode == 2) {
            put_verifier4(in, &out, "verf");
        } else if (mode == 3) {
            put_verifier4(in, &out, "verf");
            put_fattr4(in, &out, AttrKeys::Set);
        } else {
            put_fattr4(in, &out, AttrKeys::Set);
        }
    } else if (opentype != 0) {
        in.fail(XdrError::Malformed);
        return;
    }
    // open_claim4
    static constexpr const char* kClaim[] = {"null", "previous", "delegate_cur", "delegate_prev",
                                             "fh", "deleg_cur_fh", "deleg_prev_fh"};
    std::uint32_t claim = in.u32();
    if (!in.ok()) return;
    if (claim > 6) {
        in.fail(XdrError::Malformed);
        return;
    }
    out.word("claim", kClaim[claim]);
    switch (claim) {
        case 0:  // CLAIM_NULL
        case 3:  // CLAIM_DELEGATE_PREV
            put_component4(in, &out, "name");
            break;
        case 1: {  // CLAIM_PREVIOUS: open_delegation_type4
            static constexpr const char* kType[] = {"none", "read", "write", "none_ext"};
            put_enum(in, &out, "deleg_type", 4, kType);
            break;
        }
        case 2:  // CLAIM_DELEGATE_CUR: open_claim_delegate_cur4
            put_stateid4(in, &out, "deleg_stateid");
            put_component4(in, &out, "name");
            break;
        case 5:  // CLAIM_DELEG_CUR_FH
            put_stateid4(in, &out, "deleg_stateid");
            break;
        default: break;  // CLAIM_FH, CLAIM_DELEG_PREV_FH: void
    }
}
void open_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_stateid4(in, &out, "stateid");
    skip_change_info4(in);
    put_flags(in, &out, "rflags");
    put_bitmap4(in, nullptr, "", true);  // attrset
    put_open_delegation4(in, &out);
}

// ---- 16.17 OPENATTR
void openattr_args(XdrCursor& in, Fields& out) { put_bool(in, &out, "createdir"); }

// ---- 16.18 OPEN_CONFIRM
void open_confirm_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u32(in, &out, "seqid");
}

// ---- 16.19 OPEN_DOWNGRADE
void open_downgrade_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u32(in, &out, "seqid");
    put_share(in, &out);
}

// ---- 16.20 PUTFH
void putfh_args(XdrCursor& in, Fields& out) { put_nfs_fh4(in, &out, "fh"); }

// ---- 16.23 READ
void read_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_u32(in, &out, "count");
}
void read_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_bool(in, &out, "eof");
    std::uint32_t n = in.bulk(kBulkMax);  // data: need not have been captured
    if (in.ok()) out.number("rcount", n);
}

// ---- 16.24 READDIR
void readdir_args(XdrCursor& in, Fields& out) {
    put_u64(in, &out, "cookie");
    put_verifier4(in, &out, "cookieverf");
    put_u32(in, &out, "dircount");
    put_u32(in, &out, "maxcount");
    put_bitmap4(in, &out, "attrmask", true);
}
// dirlist4: entries in wire order as entry=<cookie>/<filehandle attribute in
// hex or ->/<name>, then entries=N and eof once the list is complete.
void readdir_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_verifier4(in, &out, "verf");
    std::uint64_t count = 0;
    while (in.boolean()) {
        std::uint64_t cookie = in.u64();
        auto name = in.opaque_var(kNameMax);
        std::span<const std::uint8_t> fh;  // data() stays nullptr without the attribute
        put_fattr4(in, nullptr, AttrKeys::None, &fh);
        bool have_fh = fh.data() != nullptr;
        if (!in.ok()) return;
        put_dir_entry(out, cookie, fh, have_fh, name);
        ++count;
    }
    if (!in.ok()) return;
    out.number("entries", count);
    put_bool(in, &out, "eof");
}

// ---- 16.25 READLINK
void readlink_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_linktext4(in, &out, "target");
}

// ---- 16.26 REMOVE: name_args, cinfo_res

// ---- 16.27 RENAME
void rename_args(XdrCursor& in, Fields& out) {
    put_component4(in, &out, "oldname");
    put_component4(in, &out, "newname");
}
void rename_res(XdrCursor& in, Fields&, std::uint32_t st) {
    if (st != NFS4_OK) return;
    skip_change_info4(in);
    skip_change_info4(in);
}

// ---- 16.30 SECINFO
void secinfo_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_secinfo4_list(in, &out);
}

// ---- 16.31 SETATTR
void setattr_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_fattr4(in, &out, AttrKeys::Set);
}
// SETATTR4res is a struct: attrsset follows whatever the status.
void setattr_res(XdrCursor& in, Fields&, std::uint32_t) { put_bitmap4(in, nullptr, "", true); }

// ---- 16.33 SETCLIENTID
void setclientid_args(XdrCursor& in, Fields& out) {
    put_verifier4(in, &out, "verf");  // nfs_client_id4
    put_bytes(in, &out, "id", NFS4_OPAQUE_LIMIT);
    std::uint32_t prog = in.u32();  // cb_client4
    if (in.ok()) out.hex32("cb_program", prog);
    put_netaddr4(in, &out, "cb_netid", "cb_addr");
    in.u32();  // callback_ident
}
void setclientid_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) {
        put_clientid4(in, &out, "clientid");
        put_verifier4(in, &out, "verf");
    } else if (st == NFS4ERR_CLID_INUSE) {
        put_netaddr4(in, &out, "netid", "addr");
    }
}

// ---- 16.34 SETCLIENTID_CONFIRM
void setclientid_confirm_args(XdrCursor& in, Fields& out) {
    put_clientid4(in, &out, "clientid");
    put_verifier4(in, &out, "verf");
}

// ---- 16.36 WRITE
void write_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_stable_how4(in, &out, "stable");
    std::uint32_t n = in.bulk(kBulkMax);  // data: need not have been captured
    if (in.ok()) out.number("count", n);
}
void write_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_u32(in, &out, "rcount");
    put_stable_how4(in, &out, "committed");
    put_verifier4(in, &out, "verf");
}

// ---- 16.37 RELEASE_LOCKOWNER
void release_lockowner_args(XdrCursor& in, Fields& out) { put_state_owner4(in, &out, "owner"); }

// Indexed by operation number (RFC 7530 16, RFC 8881 18), 0..39.
constexpr Op kOps[] = {
    {nullptr, nullptr, nullptr},  // 0
    {nullptr, nullptr, nullptr},  // 1
    {nullptr, nullptr, nullptr},  // 2
    {"access", access_args, access_res},
    {"close", close_args, stateid_res},
    {"commit", commit_args, commit_res},
    {"create", create_args, create_res},
    {"delegpurge", clientid_args, nullptr},
    {"delegreturn", stateid_args, nullptr},
    {"getattr", getattr_args, getattr_res},
    {"getfh", no_args, getfh_res},
    {"link", link_args, cinfo_res},
    {"lock", lock_args, lock_res},
    {"lockt", lockt_args, lockt_res},
    {"locku", locku_args, stateid_res},
    {"lookup", name_args, nullptr},
    {"lookupp", no_args, nullptr},
    {"nverify", verify_args, nullptr},
    {"open", open_args, open_res},
    {"openattr", openattr_args, nullptr},
    {"open_confirm", open_confirm_args, stateid_res},
    {"open_downgrade", open_downgrade_args, stateid_res},
    {"putfh", putfh_args, nullptr},
    {"putpubfh", no_args, nullptr},
    {"putrootfh", no_args, nullptr},
    {"read", read_args, read_res},
    {"readdir", readdir_args, readdir_res},
    {"readlink", no_args, readlink_res},
    {"remove", name_args, cinfo_res},
    {"rename", rename_args, rename_res},
    {"renew", clientid_args, nullptr},
    {"restorefh", no_args, nullptr},
    {"savefh", no_args, nullptr},
    {"secinfo", name_args, secinfo_res},
    {"setattr", setattr_args, setattr_res},
    {"setclientid", setclientid_args, setclientid_res},
    {"setclientid_confirm", setclientid_confirm_args, nullptr},
    {"verify", verify_args, nullptr},
    {"write", write_args, write_res},
    {"release_lockowner", release_lockowner_args, nullptr},
};
static_assert(std::size(kOps) == 40);

}  // namespace

const Op* nfs40_op(std::uint32_t opnum) {
    return opnum < std::size(kOps) && kOps[opnum].name ? &kOps[opnum] : nullptr;
}

}  // namespace rpcspy::nfs4
