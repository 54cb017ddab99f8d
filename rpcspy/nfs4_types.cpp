// NFS version 4 data types (RFC 8881 section 3, RFC 7862): see nfs4_types.hpp.
// The fattr4 and bitmap4 decoders are in nfs4_attrs.cpp.
#include "rpcspy/nfs4_types.hpp"

#include <array>
#include <charconv>
#include <cstring>

namespace rpcspy::nfs4 {

using common::XdrError;

// RFC 8881 15.1, RFC 7862 11.1 nfsstat4.
std::string_view nfsstat4_name(std::uint32_t status) {
    switch (status) {
        case 0: return "ok";
        case 1: return "perm";
        case 2: return "noent";
        case 5: return "io";
        case 6: return "nxio";
        case 13: return "access";
        case 17: return "exist";
        case 18: return "xdev";
        case 20: return "notdir";
        case 21: return "isdir";
        case 22: return "inval";
        case 27: return "fbig";
        case 28: return "nospc";
        case 30: return "rofs";
        case 31: return "mlink";
        case 63: return "nametoolong";
        case 66: return "notempty";
        case 69: return "dquot";
        case 70: return "stale";
        default: break;
    }
    // 10001..10094 (10002 and 10073 unused).
    static constexpr const char* kErr[] = {
        "badhandle", nullptr, "bad_cookie", "notsupp", "toosmall", "serverfault", "badtype", "delay",
        "same", "denied", "expired", "locked", "grace", "fhexpired", "share_denied", "wrongsec",
        "clid_inuse", "resource", "moved", "nofilehandle", "minor_vers_mismatch", "stale_clientid",
        "stale_stateid", "old_stateid", "bad_stateid", "bad_seqid", "not_same", "lock_range",
        "symlink", "restorefh", "lease_moved", "attrnotsupp", "no_grace", "reclaim_bad",
        "reclaim_conflict", "badxdr", "locks_held", "openmode", "badowner", "badchar", "badname",
        "bad_range", "lock_notsupp", "op_illegal", "deadlock", "file_open", "admin_revoked",
        "cb_path_down",
        // NFSv4.1
        "badiomode", "badlayout", "bad_session_digest", "badsession", "badslot", "complete_already",
        "conn_not_bound_to_session", "deleg_already_wanted", "back_chan_busy", "layouttrylater",
        "layoutunavailable", "nomatching_layout", "recallconflict", "unknown_layouttype",
        "seq_misordered", "sequence_pos", "req_too_big", "rep_too_big", "rep_too_big_to_cache",
        "retry_uncached_rep", "unsafe_compound", "too_many_ops", "op_not_in_session",
        "hash_alg_unsupp", nullptr, "clientid_busy", "pnfs_io_hole", "seq_false_retry",
        "bad_high_slot", "deadsession", "encr_alg_unsupp", "pnfs_no_layout", "not_only_op",
        "wrong_cred", "wrong_type", "dirdeleg_unavail", "reject_deleg", "returnconflict",
        "deleg_revoked",
        // NFSv4.2
        "partner_notsupp", "partner_no_auth", "union_notsupp", "offload_denied", "wrong_lfs",
        "badlabel", "offload_no_reqs",
        // RFC 8276 (extended attributes)
        "noxattr", "xattr2big"};
    static_assert(std::size(kErr) == 10096 - 10001 + 1);
    if (status >= 10001 && status - 10001 < std::size(kErr) && kErr[status - 10001])
        return kErr[status - 10001];
    return status_number(status);
}

// RFC 8881 3.3 nfs_ftype4.
const char* ftype4_name(std::uint32_t type) {
    static constexpr const char* names[] = {nullptr, "reg",  "dir",  "blk",     "chr",
                                            "lnk",   "sock", "fifo", "attrdir", "namedattr"};
    return type < std::size(names) ? names[type] : nullptr;
}

// RFC 8881 3.3.13 layouttype4; RFC 8435 (flex files), RFC 8154 (SCSI).
const char* layouttype4_name(std::uint32_t type) {
    static constexpr const char* names[] = {nullptr, "files", "osd2_objects", "block_volume", "flex_files",
                                            "scsi"};
    return type < std::size(names) ? names[type] : nullptr;
}

void put_nfs_fh4(XdrCursor& in, Fields* out, std::string_view key) {
    auto fh = read_nfs_fh4(in);
    if (out && in.ok()) out->hex(key, fh);
}

void put_component4(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, kNameMax); }
void put_linktext4(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, kPathMax); }
void put_utf8(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, kStringMax); }
void skip_opaque(XdrCursor& in, std::uint32_t max) { in.opaque_var(max); }

std::uint32_t read_array_len(XdrCursor& in, std::uint32_t max) {
    std::uint32_t n = in.u32();
    if (!in.ok()) return 0;
    if (n > max) {
        in.fail(XdrError::Malformed);
        return 0;
    }
    return n;
}

void put_verifier4(XdrCursor& in, Fields* out, std::string_view key) {
    put_hex_fixed(in, out, key, NFS4_VERIFIER_SIZE);
}
void put_stateid4(XdrCursor& in, Fields* out, std::string_view key) { put_hex_fixed(in, out, key, kStateidSize); }
void put_clientid4(XdrCursor& in, Fields* out, std::string_view key) { put_hex_fixed(in, out, key, 8); }
void put_sessionid4(XdrCursor& in, Fields* out, std::string_view key) {
    put_hex_fixed(in, out, key, NFS4_SESSIONID_SIZE);
}
void put_deviceid4(XdrCursor& in, Fields* out, std::string_view key) {
    put_hex_fixed(in, out, key, NFS4_DEVICEID4_SIZE);
}

// RFC 8881 3.3.x state_owner4.
void put_state_owner4(XdrCursor& in, Fields* out, std::string_view key) {
    auto clientid = in.opaque_fixed(8);
    auto owner = in.opaque_var(NFS4_OPAQUE_LIMIT);
    if (!out || !in.ok()) return;
    std::array<std::uint8_t, 8 + NFS4_OPAQUE_LIMIT> buf;
    std::memcpy(buf.data(), clientid.data(), 8);
    if (!owner.empty()) std::memcpy(buf.data() + 8, owner.data(), owner.size());
    out->hex(key, std::span<const std::uint8_t>(buf.data(), 8 + owner.size()));
}

// RFC 8881 3.3.1 nfstime4.
void put_nfstime4(XdrCursor& in, Fields* out, std::string_view key) {
    std::int64_t sec = in.i64();
    std::uint32_t nsec = in.u32();
    if (!in.ok()) return;
    if (nsec >= 1000000000u) {
        in.fail(XdrError::Malformed);
        return;
    }
    if (!out) return;
    if (sec >= 0)
        out->time(key, static_cast<std::uint64_t>(sec), nsec, 9);
    else
        out->signed_number(key, sec);
}

std::uint32_t put_enum(XdrCursor& in, Fields* out, std::string_view key, std::uint32_t limit, const char* const* names) {
    std::uint32_t v = in.u32();
    if (!in.ok()) return v;
    if (v >= limit || !names[v]) {
        in.fail(XdrError::Malformed);
        return v;
    }
    if (out) out->word(key, names[v]);
    return v;
}

void put_flags(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t v = in.u32();
    if (out && in.ok()) out->hex32(key, v);
}

void put_layouttype4(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t v = in.u32();
    if (!out || !in.ok()) return;
    if (const char* name = layouttype4_name(v))
        out->word(key, name);
    else
        out->number(key, v);
}

void put_layoutiomode4(XdrCursor& in, Fields* out, std::string_view key) {
    static constexpr const char* names[] = {nullptr, "read", "rw", "any"};
    put_enum(in, out, key, 4, names);
}

void put_lock_type4(XdrCursor& in, Fields* out, std::string_view key) {
    static constexpr const char* names[] = {nullptr, "read", "write", "readw", "writew"};
    put_enum(in, out, key, 5, names);
}

void put_stable_how4(XdrCursor& in, Fields* out, std::string_view key) {
    static constexpr const char* names[] = {"unstable", "data_sync", "file_sync"};
    put_enum(in, out, key, 3, names);
}

// RFC 8881 3.3.x change_info4.
void skip_change_info4(XdrCursor& in) {
    in.boolean();
    in.u64();
    in.u64();
}

// RFC 8881 6.2.1 nfsace4.
void skip_nfsace4(XdrCursor& in) {
    in.u32();  // type
    in.u32();  // flag
    in.u32();  // access_mask
    skip_opaque(in);  // who
}

// RFC 8881 3.3.9 netaddr4.
void put_netaddr4(XdrCursor& in, Fields* out, const char* netid_key, const char* addr_key) {
    put_bytes(in, out, netid_key, kStringMax);
    put_bytes(in, out, addr_key, kStringMax);
}

// RFC 7862 4.10 netloc4.
void skip_netloc4(XdrCursor& in) {
    std::uint32_t type = in.u32();
    if (!in.ok()) return;
    switch (type) {
        case 1:  // NL4_NAME
        case 2:  // NL4_URL
            skip_opaque(in);
            break;
        case 3: put_netaddr4(in, nullptr, "", ""); break;  // NL4_NETADDR
        default: in.fail(XdrError::Malformed); break;
    }
}

// RFC 8881 18.36 callback_sec_parms4<>.
void skip_callback_sec_parms4_list(XdrCursor& in) {
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        std::uint32_t flavor = in.u32();
        if (!in.ok()) return;
        switch (flavor) {
            case 0: break;  // AUTH_NONE
            case 1: {       // AUTH_SYS: authsys_parms (RFC 5531)
                in.u32();   // stamp
                skip_opaque(in, 255);  // machinename
                in.u32();   // uid
                in.u32();   // gid
                std::uint32_t ngids = read_array_len(in, 16);
                for (std::uint32_t g = 0; g < ngids && in.ok(); ++g) in.u32();
                break;
            }
            case 6:  // RPCSEC_GSS: gss_cb_handles4
                in.u32();  // service
                skip_opaque(in);
                skip_opaque(in);
                break;
            default: in.fail(XdrError::Malformed); break;
        }
    }
}

// RFC 8881 18.36 channel_attrs4.
void skip_channel_attrs4(XdrCursor& in) {
    for (int i = 0; i < 6; ++i) in.u32();
    if (read_array_len(in, 1)) in.u32();  // ca_rdma_ird<1>
}

// RFC 7862 11.1 write_response4.
void put_write_response4(XdrCursor& in, Fields* out) {
    if (read_array_len(in, 1)) put_stateid4(in, out, "callback_id");  // wr_callback_id<1>
    put_u64(in, out, "rcount");
    put_stable_how4(in, out, "committed");
    put_verifier4(in, out, "verf");
}

// RFC 8881 18.16 open_delegation4.
void put_open_delegation4(XdrCursor& in, Fields* out) {
    std::uint32_t type = in.u32();
    if (!in.ok()) return;
    switch (type) {
        case 0:  // OPEN_DELEGATE_NONE
            if (out) out->word("delegation", "none");
            break;
        case 1:  // OPEN_DELEGATE_READ: open_read_delegation4
            if (out) out->word("delegation", "read");
            put_stateid4(in, out, "deleg_stateid");
            in.boolean();  // recall
            skip_nfsace4(in);
            break;
        case 2: {  // OPEN_DELEGATE_WRITE: open_write_delegation4
            if (out) out->word("delegation", "write");
            put_stateid4(in, out, "deleg_stateid");
            in.boolean();  // recall
            std::uint32_t limitby = in.u32();  // nfs_space_limit4
            if (!in.ok()) return;
            if (limitby == 1)
                in.u64();  // filesize
            else if (limitby == 2) {
                in.u32();  // num_blocks
                in.u32();  // bytes_per_block
            } else {
                in.fail(XdrError::Malformed);
                return;
            }
            skip_nfsace4(in);
            break;
        }
        case 3: {  // OPEN_DELEGATE_NONE_EXT: open_none_delegation4 (4.1)
            static constexpr const char* why[] = {"not_wanted", "contention", "resource",
                                                  "not_supp_ftype", "write_deleg_not_supp_ftype",
                                                  "not_supp_upgrade", "not_supp_downgrade", "cancelled",
                                                  "is_dir"};
            if (out) out->word("delegation", "none");
            std::uint32_t w = in.u32();
            if (!in.ok()) return;
            if (w >= std::size(why)) {
                in.fail(XdrError::Malformed);
                return;
            }
            if (out) out->word("why", why[w]);
            if (w == 1 || w == 2) in.boolean();  // server_will_push_deleg / signal_avail
            break;
        }
        default: in.fail(XdrError::Malformed); break;
    }
}

// RFC 8881 18.29 secinfo4<>: flavors=none,sys,gss_privacy,...
void put_secinfo4_list(XdrCursor& in, Fields* out) {
    std::uint32_t n = read_array_len(in, 64);
    std::array<char, 64 * 16> buf;
    std::size_t len = 0;
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        std::uint32_t flavor = in.u32();
        const char* name = nullptr;
        char num[12];
        if (!in.ok()) return;
        if (flavor == 6) {  // RPCSEC_GSS: rpcsec_gss_info
            skip_opaque(in, NFS4_OPAQUE_LIMIT);  // oid
            in.u32();                            // qop
            std::uint32_t service = in.u32();    // rpc_gss_svc_t
            if (!in.ok()) return;
            static constexpr const char* svc[] = {nullptr, "gss_none", "gss_integrity", "gss_privacy"};
            if (service < 1 || service > 3) {
                in.fail(XdrError::Malformed);
                return;
            }
            name = svc[service];
        } else if (flavor == 0) {
            name = "none";
        } else if (flavor == 1) {
            name = "sys";
        } else if (flavor == 2) {
            name = "short";
        } else {
            auto r = std::to_chars(num, num + sizeof num - 1, flavor);
            *r.ptr = '\0';
            name = num;
        }
        std::size_t l = std::strlen(name);
        if (len) buf[len++] = ',';
        std::memcpy(buf.data() + len, name, l);
        len += l;
    }
    if (out && in.ok()) out->word("flavors", len ? std::string_view(buf.data(), len) : std::string_view("-"));
}

void no_args(XdrCursor&, Fields&) {}

}  // namespace rpcspy::nfs4
