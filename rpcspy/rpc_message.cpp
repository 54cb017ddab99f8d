#include "rpcspy/rpc_message.hpp"

#include "common/xdr.hpp"

namespace rpcspy {

const char* reply_outcome_name(ReplyOutcome o) {
    switch (o) {
        case ReplyOutcome::Success: return "ok";
        case ReplyOutcome::ProgUnavail: return "prog_unavail";
        case ReplyOutcome::ProgMismatch: return "prog_mismatch";
        case ReplyOutcome::ProcUnavail: return "proc_unavail";
        case ReplyOutcome::GarbageArgs: return "garbage_args";
        case ReplyOutcome::SystemErr: return "system_err";
        case ReplyOutcome::RpcMismatch: return "rpc_mismatch";
        case ReplyOutcome::AuthError: return "auth_error";
        case ReplyOutcome::Unknown: return "bad_reply";
    }
    return "?";
}

namespace {

// opaque_auth: flavor, then a body of at most 400 bytes.
bool skip_auth(common::XdrCursor& in, std::uint32_t& flavor) {
    flavor = in.u32();
    in.opaque_var(kMaxAuthBytes);
    return in.ok();
}

RpcParse parse_call(common::XdrCursor& in, RpcCall& call) {
    if (in.u32() != 2) return in.ok() ? RpcParse::NotRpc : RpcParse::Truncated;  // rpcvers
    call.prog = in.u32();
    call.vers = in.u32();
    call.proc = in.u32();
    call.cred_flavor = in.u32();
    std::uint32_t cred_len = in.u32();
    if (!in.ok()) return RpcParse::Truncated;
    if (cred_len > kMaxAuthBytes) return RpcParse::NotRpc;
    call.cred_offset = in.offset();
    call.cred_len = cred_len;
    auto cred = in.opaque_fixed(cred_len);
    if (!in.ok()) return RpcParse::Truncated;
    call.has_unix_cred = false;
    call.has_gss = false;
    if (call.cred_flavor == static_cast<std::uint32_t>(AuthFlavor::Gss)) {
        GssCred gss;
        if (parse_gss_cred(cred, gss)) {
            call.has_gss = true;
            call.gss_proc = gss.proc;
            call.gss_seq = gss.seq;
            call.gss_service = gss.service;
        }
    }
    if (call.cred_flavor == static_cast<std::uint32_t>(AuthFlavor::Sys)) {
        // authsys_parms: stamp, machinename<255>, uid, gid, gids<16>
        common::XdrCursor c(cred);
        c.u32();
        c.opaque_var(255);
        call.uid = c.u32();
        call.gid = c.u32();
        call.has_unix_cred = c.ok();
    }
    std::uint32_t verf_flavor = 0;
    if (!skip_auth(in, verf_flavor)) return in.error() == common::XdrError::Truncated ? RpcParse::Truncated
                                                                                       : RpcParse::NotRpc;
    call.args_offset = in.offset();
    return RpcParse::Call;
}

RpcParse parse_reply(common::XdrCursor& in, RpcReply& reply) {
    std::uint32_t reply_stat = in.u32();
    if (!in.ok()) return RpcParse::Truncated;
    if (reply_stat == 0) {  // MSG_ACCEPTED
        std::uint32_t verf_flavor = 0;
        if (!skip_auth(in, verf_flavor))
            return in.error() == common::XdrError::Truncated ? RpcParse::Truncated : RpcParse::NotRpc;
        std::uint32_t accept_stat = in.u32();
        if (!in.ok()) return RpcParse::Truncated;
        switch (accept_stat) {
            case 0: reply.outcome = ReplyOutcome::Success; break;
            case 1: reply.outcome = ReplyOutcome::ProgUnavail; break;
            case 2:
                reply.outcome = ReplyOutcome::ProgMismatch;
                reply.low = in.u32();
                reply.high = in.u32();
                break;
            case 3: reply.outcome = ReplyOutcome::ProcUnavail; break;
            case 4: reply.outcome = ReplyOutcome::GarbageArgs; break;
            case 5: reply.outcome = ReplyOutcome::SystemErr; break;
            default: reply.outcome = ReplyOutcome::Unknown; break;
        }
    } else if (reply_stat == 1) {  // MSG_DENIED
        std::uint32_t reject_stat = in.u32();
        if (reject_stat == 0) {
            reply.outcome = ReplyOutcome::RpcMismatch;
            reply.low = in.u32();
            reply.high = in.u32();
        } else if (reject_stat == 1) {
            reply.outcome = ReplyOutcome::AuthError;
            reply.auth_stat = in.u32();
        } else {
            reply.outcome = ReplyOutcome::Unknown;
        }
        if (!in.ok()) return RpcParse::Truncated;
    } else {
        return RpcParse::NotRpc;
    }
    reply.results_offset = in.offset();
    return RpcParse::Reply;
}

}  // namespace

bool parse_auth_sys(std::span<const std::uint8_t> body, AuthSysParms& out) {
    common::XdrCursor c(body);
    out.stamp = c.u32();
    out.machine = c.opaque_var(255);
    out.uid = c.u32();
    out.gid = c.u32();
    out.ngids = c.u32();
    if (c.ok() && out.ngids > out.gids.size()) return false;
    for (std::uint32_t i = 0; i < out.ngids && c.ok(); ++i) out.gids[i] = c.u32();
    return c.ok();
}

const char* gss_proc_name(std::uint32_t proc) {
    static constexpr const char* names[] = {"data", "init", "continue_init", "destroy"};
    return proc < 4 ? names[proc] : nullptr;
}

const char* gss_service_name(std::uint32_t service) {
    static constexpr const char* names[] = {nullptr, "none", "integrity", "privacy"};
    return service < 4 ? names[service] : nullptr;
}

bool parse_gss_cred(std::span<const std::uint8_t> body, GssCred& out) {
    common::XdrCursor c(body);
    std::uint32_t version = c.u32();  // RPCSEC_GSS_VERS_1
    out.proc = c.u32();
    out.seq = c.u32();
    out.service = c.u32();
    out.handle = c.opaque_var(kMaxAuthBytes);
    return c.ok() && version == 1 && gss_proc_name(out.proc) && gss_service_name(out.service);
}

GssUnwrap unwrap_gss_integ(std::span<const std::uint8_t> data, std::span<const std::uint8_t>& body,
                           std::uint32_t& seq) {
    common::XdrCursor c(data);
    std::uint32_t len = c.u32();
    seq = c.u32();
    if (!c.ok()) return GssUnwrap::Truncated;
    if (len < 4 || len > kMaxGssBody) return GssUnwrap::Malformed;
    std::size_t want = len - 4;
    body = data.subspan(8, want < c.remaining() ? want : c.remaining());
    return GssUnwrap::Ok;
}

bool parse_gss_init_res(std::span<const std::uint8_t> data, GssInitRes& out) {
    common::XdrCursor c(data);
    out.handle = c.opaque_var(kMaxAuthBytes);
    out.major = c.u32();
    out.minor = c.u32();
    out.seq_window = c.u32();
    return c.ok();
}

RpcParse parse_rpc(std::span<const std::uint8_t> msg, RpcCall& call, RpcReply& reply) {
    common::XdrCursor in(msg);
    std::uint32_t xid = in.u32();
    std::uint32_t type = in.u32();
    if (!in.ok()) return RpcParse::Truncated;
    if (type == 0) {
        call = RpcCall{};
        call.xid = xid;
        return parse_call(in, call);
    }
    if (type == 1) {
        reply = RpcReply{};
        reply.xid = xid;
        return parse_reply(in, reply);
    }
    return RpcParse::NotRpc;
}

}  // namespace rpcspy
