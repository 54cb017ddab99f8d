// NFSv4.1 operations (RFC 8881 section 18, 40..58), NFSv4.2 operations
// (RFC 7862 section 15, 59..71), ILLEGAL, and the callback operations
// (RFC 8881 section 20, RFC 7862 section 16).
#include "rpcspy/nfs4_types.hpp"

namespace rpcspy::nfs4 {

using common::XdrError;

namespace {

void stateid_args(XdrCursor& in, Fields& out) { put_stateid4(in, &out, "stateid"); }
void sessionid_args(XdrCursor& in, Fields& out) { put_sessionid4(in, &out, "sessionid"); }
void clientid_args(XdrCursor& in, Fields& out) { put_clientid4(in, &out, "clientid"); }

// state_protect_ops4.
void skip_state_protect_ops4(XdrCursor& in) {
    put_bitmap4(in, nullptr, "", false);
    put_bitmap4(in, nullptr, "", false);
}

// nfs_impl_id4<1>: impl_domain impl_name.
void put_impl_id4(XdrCursor& in, Fields& out) {
    if (read_array_len(in, 1) == 0) return;
    put_utf8(in, &out, "impl_domain");
    put_utf8(in, &out, "impl_name");
    put_nfstime4(in, nullptr, "");
}

constexpr const char* kStateProtect[] = {"none", "mach_cred", "ssv"};
// layoutreturn_type4 and layoutrecall_type4 (RFC 8881 18.44, 20.3): what a return or recall covers.
constexpr const char* kLayoutScope[] = {nullptr, "file", "fsid", "all"};

// ---- 18.33 BACKCHANNEL_CTL
void backchannel_ctl_args(XdrCursor& in, Fields& out) {
    std::uint32_t prog = in.u32();
    if (in.ok()) out.hex32("cb_program", prog);
    skip_callback_sec_parms4_list(in);
}

// ---- 18.34 BIND_CONN_TO_SESSION
void put_channel_dir(XdrCursor& in, Fields& out) {
    std::uint32_t dir = in.u32();
    if (!in.ok()) return;
    const char* name = dir == 1 ? "fore" : dir == 2 ? "back" : dir == 3 ? "both" : dir == 7 ? "back_or_both" : nullptr;
    if (!name) {
        in.fail(XdrError::Malformed);
        return;
    }
    out.word("dir", name);
}
void bind_conn_args(XdrCursor& in, Fields& out) {
    put_sessionid4(in, &out, "sessionid");
    put_channel_dir(in, out);  // 3 is CDFC4_FORE_OR_BOTH in the call
    put_bool(in, &out, "rdma");
}
void bind_conn_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_sessionid4(in, &out, "sessionid");
    put_channel_dir(in, out);
    put_bool(in, &out, "rdma");
}

// ---- 18.35 EXCHANGE_ID
void exchange_id_args(XdrCursor& in, Fields& out) {
    put_verifier4(in, &out, "verf");  // client_owner4
    put_bytes(in, &out, "id", NFS4_OPAQUE_LIMIT);
    put_flags(in, &out, "flags");
    std::uint32_t how = in.u32();  // state_protect4_a
    if (!in.ok()) return;
    if (how > 2) {
        in.fail(XdrError::Malformed);
        return;
    }
    out.word("state_protect", kStateProtect[how]);
    if (how == 1) {
        skip_state_protect_ops4(in);
    } else if (how == 2) {  // ssv_sp_parms4
        skip_state_protect_ops4(in);
        for (int k = 0; k < 2; ++k) {  // hash_algs, encr_algs: sec_oid4<>
            std::uint32_t n = read_array_len(in);
            for (std::uint32_t i = 0; i < n && in.ok(); ++i) skip_opaque(in, NFS4_OPAQUE_LIMIT);
        }
        in.u32();  // window
        in.u32();  // num_gss_handles
    }
    put_impl_id4(in, out);
}
void exchange_id_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_clientid4(in, &out, "clientid");
    put_u32(in, &out, "sequenceid");
    put_flags(in, &out, "flags");
    std::uint32_t how = in.u32();  // state_protect4_r
    if (!in.ok()) return;
    if (how > 2) {
        in.fail(XdrError::Malformed);
        return;
    }
    out.word("state_protect", kStateProtect[how]);
    if (how == 1) {
        skip_state_protect_ops4(in);
    } else if (how == 2) {  // ssv_prot_info4
        skip_state_protect_ops4(in);
        for (int i = 0; i < 4; ++i) in.u32();
        std::uint32_t n = read_array_len(in);
        for (std::uint32_t i = 0; i < n && in.ok(); ++i) skip_opaque(in);
    }
    in.u64();                                 // server_owner4.so_minor_id
    put_bytes(in, &out, "server_owner", NFS4_OPAQUE_LIMIT);  // so_major_id
    put_bytes(in, &out, "server_scope", NFS4_OPAQUE_LIMIT);
    put_impl_id4(in, out);
}

// ---- 18.36 CREATE_SESSION
void create_session_args(XdrCursor& in, Fields& out) {
    put_clientid4(in, &out, "clientid");
    put_u32(in, &out, "sequenceid");
    put_flags(in, &out, "flags");
    skip_channel_attrs4(in);  // fore
    skip_channel_attrs4(in);  // back
    std::uint32_t prog = in.u32();
    if (in.ok()) out.hex32("cb_program", prog);
    skip_callback_sec_parms4_list(in);
}
void create_session_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_sessionid4(in, &out, "sessionid");
    put_u32(in, &out, "sequenceid");
    put_flags(in, &out, "flags");
    skip_channel_attrs4(in);
    skip_channel_attrs4(in);
}

// ---- 18.39 GET_DIR_DELEGATION
void get_dir_delegation_args(XdrCursor& in, Fields& out) {
    put_bool(in, &out, "signal");
    put_bitmap4(in, &out, "notify", false);
    put_nfstime4(in, nullptr, "");
    put_nfstime4(in, nullptr, "");
    put_bitmap4(in, nullptr, "", true);
    put_bitmap4(in, nullptr, "", true);
}
void get_dir_delegation_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    std::uint32_t nf = in.u32();
    if (!in.ok()) return;
    if (nf == 0) {  // GDD4_OK
        put_verifier4(in, &out, "verf");
        put_stateid4(in, &out, "stateid");
        put_bitmap4(in, &out, "notify", false);
        put_bitmap4(in, nullptr, "", true);
        put_bitmap4(in, nullptr, "", true);
    } else if (nf == 1) {  // GDD4_UNAVAIL
        out.word("delegation", "unavail");
        in.boolean();
    } else {
        in.fail(XdrError::Malformed);
    }
}

// ---- 18.40 GETDEVICEINFO
void getdeviceinfo_args(XdrCursor& in, Fields& out) {
    put_deviceid4(in, &out, "deviceid");
    put_layouttype4(in, &out, "layouttype");
    put_u32(in, &out, "maxcount");
    put_bitmap4(in, nullptr, "", false);
}
void getdeviceinfo_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) {
        put_layouttype4(in, &out, "layouttype");  // device_addr4
        skip_opaque(in, kBodyMax);
        put_bitmap4(in, nullptr, "", false);
    } else if (st == NFS4ERR_TOOSMALL) {
        put_u32(in, &out, "mincount");
    }
}

// ---- 18.41 GETDEVICELIST
void getdevicelist_args(XdrCursor& in, Fields& out) {
    put_layouttype4(in, &out, "layouttype");
    put_u32(in, &out, "maxdevices");
    put_u64(in, &out, "cookie");
    put_verifier4(in, &out, "cookieverf");
}
void getdevicelist_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_u64(in, &out, "cookie");
    put_verifier4(in, &out, "cookieverf");
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) in.opaque_fixed(NFS4_DEVICEID4_SIZE);
    if (in.ok()) out.number("devices", n);
    put_bool(in, &out, "eof");
}

// ---- 18.42 LAYOUTCOMMIT
void layoutcommit_args(XdrCursor& in, Fields& out) {
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    put_bool(in, &out, "reclaim");
    put_stateid4(in, &out, "stateid");
    if (in.boolean()) put_u64(in, &out, "last_write");  // newoffset4
    if (in.boolean()) put_nfstime4(in, &out, "mtime");  // newtime4
    put_layouttype4(in, &out, "layouttype");             // layoutupdate4
    skip_opaque(in, kBodyMax);
}
void layoutcommit_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    if (in.boolean()) put_u64(in, &out, "size");  // newsize4
}

// ---- 18.43 LAYOUTGET
void layoutget_args(XdrCursor& in, Fields& out) {
    put_bool(in, &out, "signal");
    put_layouttype4(in, &out, "layouttype");
    put_layoutiomode4(in, &out, "iomode");
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    put_u64(in, &out, "minlength");
    put_stateid4(in, &out, "stateid");
    put_u32(in, &out, "maxcount");
}
void layoutget_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) {
        put_bool(in, &out, "return_on_close");
        put_stateid4(in, &out, "stateid");
        std::uint32_t n = read_array_len(in);  // layout4<>
        for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
            in.u64();  // lo_offset
            in.u64();  // lo_length
            put_layoutiomode4(in, nullptr, "");
            in.u32();  // layout_content4
            skip_opaque(in, kBodyMax);
        }
        if (in.ok()) out.number("layouts", n);
    } else if (st == NFS4ERR_LAYOUTTRYLATER) {
        put_bool(in, &out, "will_signal");
    }
}

// ---- 18.44 LAYOUTRETURN
void layoutreturn_args(XdrCursor& in, Fields& out) {
    put_bool(in, &out, "reclaim");
    put_layouttype4(in, &out, "layouttype");
    put_layoutiomode4(in, &out, "iomode");
    std::uint32_t type = put_enum(in, &out, "return", 4, kLayoutScope);  // layoutreturn4
    if (!in.ok()) return;
    if (type == 1) {  // layoutreturn_file4
        put_u64(in, &out, "offset");
        put_u64(in, &out, "length");
        put_stateid4(in, &out, "stateid");
        skip_opaque(in, kBodyMax);
    }
}
void layoutreturn_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    if (in.boolean()) put_stateid4(in, &out, "stateid");  // layoutreturn_stateid
}

// ---- 18.45 SECINFO_NO_NAME
void secinfo_no_name_args(XdrCursor& in, Fields& out) {
    static constexpr const char* kStyle[] = {"current_fh", "parent"};
    put_enum(in, &out, "style", 2, kStyle);
}
void secinfo_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_secinfo4_list(in, &out);
}

// ---- 18.46 SEQUENCE
void sequence_args(XdrCursor& in, Fields& out) {
    put_sessionid4(in, &out, "sessionid");
    put_u32(in, &out, "sequenceid");
    put_u32(in, &out, "slot");
    put_u32(in, &out, "highest_slot");
    put_bool(in, &out, "cachethis");
}
void sequence_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_sessionid4(in, &out, "sessionid");
    put_u32(in, &out, "sequenceid");
    put_u32(in, &out, "slot");
    put_u32(in, &out, "highest_slot");
    put_u32(in, &out, "target_highest_slot");
    put_flags(in, &out, "status_flags");
}

// ---- 18.47 SET_SSV
void set_ssv_args(XdrCursor& in, Fields&) {
    skip_opaque(in);
    skip_opaque(in);
}
void set_ssv_res(XdrCursor& in, Fields&, std::uint32_t st) {
    if (st == NFS4_OK) skip_opaque(in);
}

// ---- 18.48 TEST_STATEID
void test_stateid_args(XdrCursor& in, Fields& out) {
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) put_stateid4(in, &out, "stateid");
}
void test_stateid_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        std::uint32_t code = in.u32();
        if (in.ok()) out.word("code", nfsstat4_name(code));
    }
}

// ---- 18.49 WANT_DELEGATION
void want_delegation_args(XdrCursor& in, Fields& out) {
    put_flags(in, &out, "want");
    std::uint32_t claim = in.u32();  // deleg_claim4
    if (!in.ok()) return;
    if (claim == 4) {
        out.word("claim", "fh");
    } else if (claim == 6) {
        out.word("claim", "deleg_prev_fh");
    } else if (claim == 1) {
        static constexpr const char* kType[] = {"none", "read", "write", "none_ext"};
        out.word("claim", "previous");
        put_enum(in, &out, "deleg_type", 4, kType);
    } else {
        in.fail(XdrError::Malformed);
    }
}
void want_delegation_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_open_delegation4(in, &out);
}

// ---- 18.51 RECLAIM_COMPLETE
void reclaim_complete_args(XdrCursor& in, Fields& out) { put_bool(in, &out, "one_fs"); }

// ---- RFC 7862 15.1 ALLOCATE, 15.4 DEALLOCATE
void allocate_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
}

// ---- 15.2 COPY
void copy_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "src_stateid");
    put_stateid4(in, &out, "dst_stateid");
    put_u64(in, &out, "src_offset");
    put_u64(in, &out, "dst_offset");
    put_u64(in, &out, "count");
    put_bool(in, &out, "consecutive");
    put_bool(in, &out, "synchronous");
    std::uint32_t n = read_array_len(in);  // ca_source_server<>
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) skip_netloc4(in);
    if (in.ok() && n) out.number("source_servers", n);
}
void copy_requirements(XdrCursor& in, Fields& out) {
    put_bool(in, &out, "consecutive");
    put_bool(in, &out, "synchronous");
}
void copy_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) {
        put_write_response4(in, &out);
        copy_requirements(in, out);
    } else if (st == NFS4ERR_OFFLOAD_NO_REQS) {
        copy_requirements(in, out);
    }
}

// ---- 15.3 COPY_NOTIFY
void copy_notify_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    skip_netloc4(in);
}
void copy_notify_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_nfstime4(in, nullptr, "");
    put_stateid4(in, &out, "stateid");
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) skip_netloc4(in);
}

// ---- 15.5 IO_ADVISE
void io_advise_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_u64(in, &out, "count");
    put_bitmap4(in, &out, "hints", false);
}
void io_advise_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_bitmap4(in, &out, "hints", false);
}

// ---- 15.6 LAYOUTERROR
void layouterror_args(XdrCursor& in, Fields& out) {
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    put_stateid4(in, &out, "stateid");
    std::uint32_t n = read_array_len(in);  // device_error4<>
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        in.opaque_fixed(NFS4_DEVICEID4_SIZE);
        in.u32();  // status
        in.u32();  // opnum
    }
    if (in.ok()) out.number("errors", n);
}

// ---- 15.7 LAYOUTSTATS
void layoutstats_args(XdrCursor& in, Fields& out) {
    put_u64(in, &out, "offset");
    put_u64(in, &out, "length");
    put_stateid4(in, &out, "stateid");
    for (int i = 0; i < 4; ++i) in.u64();  // read, write: io_info4
    put_deviceid4(in, &out, "deviceid");
    put_layouttype4(in, &out, "layouttype");  // layoutupdate4
    skip_opaque(in, kBodyMax);
}

// ---- 15.9 OFFLOAD_STATUS
void offload_status_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_u64(in, &out, "rcount");
    if (read_array_len(in, 1)) {
        std::uint32_t code = in.u32();
        if (in.ok()) out.word("complete", nfsstat4_name(code));
    }
}

// ---- 15.10 READ_PLUS: eof, then rcount (data bytes) and holes (hole segments).
void read_plus_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_u32(in, &out, "count");
}
void read_plus_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_bool(in, &out, "eof");
    std::uint32_t n = read_array_len(in);
    std::uint64_t data = 0, holes = 0;
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        std::uint32_t content = in.u32();
        if (!in.ok()) return;
        if (content == 0) {  // NFS4_CONTENT_DATA: data4
            in.u64();
            data += in.bulk(kBulkMax);
        } else if (content == 1) {  // NFS4_CONTENT_HOLE: data_info4
            in.u64();
            in.u64();
            ++holes;
        } else {
            in.fail(XdrError::Malformed);
        }
    }
    if (!in.ok()) return;
    out.number("rcount", data);
    out.number("holes", holes);
}

// ---- 15.11 SEEK
void seek_args(XdrCursor& in, Fields& out) {
    static constexpr const char* kWhat[] = {"data", "hole"};
    put_stateid4(in, &out, "stateid");
    put_u64(in, &out, "offset");
    put_enum(in, &out, "what", 2, kWhat);
}
void seek_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_bool(in, &out, "eof");
    put_u64(in, &out, "offset");
}

// ---- 15.12 WRITE_SAME
void write_same_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_stable_how4(in, &out, "stable");
    put_u64(in, &out, "offset");  // app_data_block4
    put_u64(in, &out, "block_size");
    put_u64(in, &out, "block_count");
    in.u64();  // reloff_blocknum
    in.u32();  // block_num
    in.u64();  // reloff_pattern
    skip_opaque(in, kBodyMax);
}
void write_same_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_write_response4(in, &out);
}

// ---- 15.13 CLONE
void clone_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "src_stateid");
    put_stateid4(in, &out, "dst_stateid");
    put_u64(in, &out, "src_offset");
    put_u64(in, &out, "dst_offset");
    put_u64(in, &out, "count");
}

// Indexed by operation number - 40 (RFC 8881 18, RFC 7862 15).
constexpr Op kOps41[] = {
    {"backchannel_ctl", backchannel_ctl_args, nullptr},
    {"bind_conn_to_session", bind_conn_args, bind_conn_res},
    {"exchange_id", exchange_id_args, exchange_id_res},
    {"create_session", create_session_args, create_session_res},
    {"destroy_session", sessionid_args, nullptr},
    {"free_stateid", stateid_args, nullptr},
    {"get_dir_delegation", get_dir_delegation_args, get_dir_delegation_res},
    {"getdeviceinfo", getdeviceinfo_args, getdeviceinfo_res},
    {"getdevicelist", getdevicelist_args, getdevicelist_res},
    {"layoutcommit", layoutcommit_args, layoutcommit_res},
    {"layoutget", layoutget_args, layoutget_res},
    {"layoutreturn", layoutreturn_args, layoutreturn_res},
    {"secinfo_no_name", secinfo_no_name_args, secinfo_res},
    {"sequence", sequence_args, sequence_res},
    {"set_ssv", set_ssv_args, set_ssv_res},
    {"test_stateid", test_stateid_args, test_stateid_res},
    {"want_delegation", want_delegation_args, want_delegation_res},
    {"destroy_clientid", clientid_args, nullptr},
    {"reclaim_complete", reclaim_complete_args, nullptr},
    // NFSv4.2
    {"allocate", allocate_args, nullptr},
    {"copy", copy_args, copy_res},
    {"copy_notify", copy_notify_args, copy_notify_res},
    {"deallocate", allocate_args, nullptr},
    {"io_advise", io_advise_args, io_advise_res},
    {"layouterror", layouterror_args, nullptr},
    {"layoutstats", layoutstats_args, nullptr},
    {"offload_cancel", stateid_args, nullptr},
    {"offload_status", stateid_args, offload_status_res},
    {"read_plus", read_plus_args, read_plus_res},
    {"seek", seek_args, seek_res},
    {"write_same", write_same_args, write_same_res},
    {"clone", clone_args, nullptr},
};
static_assert(std::size(kOps41) == 72 - 40);

constexpr Op kIllegal = {"illegal", no_args, nullptr};

// ---------------------------------------------------------------------------
// Callback operations (RFC 8881 20, RFC 7862 16).

// ---- 20.1 CB_GETATTR
void cb_getattr_args(XdrCursor& in, Fields& out) {
    put_nfs_fh4(in, &out, "fh");
    put_bitmap4(in, &out, "attrmask", true);
}
void cb_getattr_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st == NFS4_OK) put_fattr4(in, &out, AttrKeys::Get);
}

// ---- 20.2 CB_RECALL
void cb_recall_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_bool(in, &out, "truncate");
    put_nfs_fh4(in, &out, "fh");
}

// ---- 20.3 CB_LAYOUTRECALL
void cb_layoutrecall_args(XdrCursor& in, Fields& out) {
    put_layouttype4(in, &out, "layouttype");
    put_layoutiomode4(in, &out, "iomode");
    put_bool(in, &out, "changed");
    std::uint32_t type = put_enum(in, &out, "recall", 4, kLayoutScope);  // layoutrecall4
    if (!in.ok()) return;
    if (type == 1) {  // layoutrecall_file4
        put_nfs_fh4(in, &out, "fh");
        put_u64(in, &out, "offset");
        put_u64(in, &out, "length");
        put_stateid4(in, &out, "stateid");
    } else if (type == 2) {  // fsid4
        in.u64();
        in.u64();
    }
}

// notify4<> (CB_NOTIFY, CB_NOTIFY_DEVICEID): skipped.
void skip_notify4_list(XdrCursor& in) {
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        put_bitmap4(in, nullptr, "", false);
        skip_opaque(in, kBodyMax);
    }
}

// ---- 20.4 CB_NOTIFY
void cb_notify_args(XdrCursor& in, Fields& out) {
    put_stateid4(in, &out, "stateid");
    put_nfs_fh4(in, &out, "fh");
    skip_notify4_list(in);
}

// ---- 20.5 CB_PUSH_DELEG
void cb_push_deleg_args(XdrCursor& in, Fields& out) {
    put_nfs_fh4(in, &out, "fh");
    put_open_delegation4(in, &out);
}

// ---- 20.6 CB_RECALL_ANY, 20.7 CB_RECALLABLE_OBJ_AVAIL
void cb_recall_any_args(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "keep");
    put_bitmap4(in, &out, "type_mask", false);
}

// ---- 20.8 CB_RECALL_SLOT
void cb_recall_slot_args(XdrCursor& in, Fields& out) { put_u32(in, &out, "target_highest_slot"); }

// ---- 20.9 CB_SEQUENCE
void cb_sequence_args(XdrCursor& in, Fields& out) {
    sequence_args(in, out);
    std::uint32_t n = read_array_len(in);  // referring_call_list4<>
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        in.opaque_fixed(NFS4_SESSIONID_SIZE);
        std::uint32_t calls = read_array_len(in);
        for (std::uint32_t c = 0; c < calls && in.ok(); ++c) {
            in.u32();
            in.u32();
        }
    }
}
void cb_sequence_res(XdrCursor& in, Fields& out, std::uint32_t st) {
    if (st != NFS4_OK) return;
    put_sessionid4(in, &out, "sessionid");
    put_u32(in, &out, "sequenceid");
    put_u32(in, &out, "slot");
    put_u32(in, &out, "highest_slot");
    put_u32(in, &out, "target_highest_slot");
}

// ---- 20.10 CB_WANTS_CANCELLED
void cb_wants_cancelled_args(XdrCursor& in, Fields& out) {
    put_bool(in, &out, "contended");
    put_bool(in, &out, "resourced");
}

// ---- 20.11 CB_NOTIFY_LOCK
void cb_notify_lock_args(XdrCursor& in, Fields& out) {
    put_nfs_fh4(in, &out, "fh");
    put_state_owner4(in, &out, "owner");
}

// ---- 20.12 CB_NOTIFY_DEVICEID
void cb_notify_deviceid_args(XdrCursor& in, Fields&) { skip_notify4_list(in); }

// ---- RFC 7862 16.1 CB_OFFLOAD
void cb_offload_args(XdrCursor& in, Fields& out) {
    put_nfs_fh4(in, &out, "fh");
    put_stateid4(in, &out, "stateid");
    std::uint32_t st = in.u32();  // offload_info4
    if (!in.ok()) return;
    out.word("copy_status", nfsstat4_name(st));
    if (st == NFS4_OK)
        put_write_response4(in, &out);
    else
        put_u64(in, &out, "rcount");  // bytes copied
}

// Indexed by callback operation number (RFC 8881 20, RFC 7862 16), 0..15.
constexpr Op kCbOps[] = {
    {nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr},
    {"cb_getattr", cb_getattr_args, cb_getattr_res},
    {"cb_recall", cb_recall_args, nullptr},
    {"cb_layoutrecall", cb_layoutrecall_args, nullptr},
    {"cb_notify", cb_notify_args, nullptr},
    {"cb_push_deleg", cb_push_deleg_args, nullptr},
    {"cb_recall_any", cb_recall_any_args, nullptr},
    {"cb_recallable_obj_avail", cb_recall_any_args, nullptr},
    {"cb_recall_slot", cb_recall_slot_args, nullptr},
    {"cb_sequence", cb_sequence_args, cb_sequence_res},
    {"cb_wants_cancelled", cb_wants_cancelled_args, nullptr},
    {"cb_notify_lock", cb_notify_lock_args, nullptr},
    {"cb_notify_deviceid", cb_notify_deviceid_args, nullptr},
    {"cb_offload", cb_offload_args, nullptr},
};
static_assert(std::size(kCbOps) == 16);

constexpr Op kCbIllegal = {"cb_illegal", no_args, nullptr};

}  // namespace

const Op* nfs41_op(std::uint32_t opnum) {
    if (opnum == OP_ILLEGAL) return &kIllegal;
    if (opnum < 40 || opnum - 40 >= std::size(kOps41)) return nullptr;
    return &kOps41[opnum - 40];
}

const Op* nfs4_cb_op(std::uint32_t opnum) {
    if (opnum == OP_ILLEGAL) return &kCbIllegal;
    return opnum < std::size(kCbOps) && kCbOps[opnum].name ? &kCbOps[opnum] : nullptr;
}

}  // namespace rpcspy::nfs4
