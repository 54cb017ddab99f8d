// ONC-RPC message headers (RFC 5531 section 9): the call header with its
// credential, and the reply header with its accept or reject status; the
// credentials AUTH_SYS (RFC 5531 appendix A) and RPCSEC_GSS (RFC 2203), and the
// RPCSEC_GSS integrity wrapping of arguments and results.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace rpcspy {

enum class AuthFlavor : std::uint32_t { None = 0, Sys = 1, Short = 2, Dh = 3, Gss = 6 };

struct RpcCall {
    std::uint32_t xid = 0;
    std::uint32_t prog = 0, vers = 0, proc = 0;
    std::uint32_t cred_flavor = 0;
    bool has_unix_cred = false;  // AUTH_SYS: uid and gid are valid
    std::uint32_t uid = 0, gid = 0;
    std::size_t args_offset = 0;  // where the procedure's arguments start
    // The credential's body: cred_len bytes from cred_offset of the message
    // (see credential(); parse_auth_sys and parse_gss_cred decode it).
    std::size_t cred_offset = 0;
    std::uint32_t cred_len = 0;
    // RPCSEC_GSS version 1 (RFC 2203 5.3.1): valid when has_gss, that is when
    // the flavor is RPCSEC_GSS and the credential decoded.
    bool has_gss = false;
    std::uint32_t gss_proc = 0;     // GssProc
    std::uint32_t gss_seq = 0;      // seq_num
    std::uint32_t gss_service = 0;  // GssService
};

// The credential body of a call parsed from `msg`.
inline std::span<const std::uint8_t> credential(std::span<const std::uint8_t> msg, const RpcCall& call) {
    if (call.cred_offset > msg.size() || call.cred_len > msg.size() - call.cred_offset) return {};
    return msg.subspan(call.cred_offset, call.cred_len);
}

// authsys_parms (RFC 5531 appendix A): stamp, machinename<255>, uid, gid,
// gids<16>. `machine` points into the parsed bytes.
struct AuthSysParms {
    std::uint32_t stamp = 0;
    std::span<const std::uint8_t> machine;
    std::uint32_t uid = 0, gid = 0;
    std::uint32_t ngids = 0;
    std::array<std::uint32_t, 16> gids{};
};
// Parses an AUTH_SYS credential body; false when truncated or malformed (a
// machine name beyond 255 bytes, more than 16 groups).
bool parse_auth_sys(std::span<const std::uint8_t> body, AuthSysParms& out);

// RPCSEC_GSS (RFC 2203 5): rpc_gss_proc_t and rpc_gss_service_t.
enum class GssProc : std::uint32_t { Data = 0, Init = 1, ContinueInit = 2, Destroy = 3 };
enum class GssService : std::uint32_t { None = 1, Integrity = 2, Privacy = 3 };
// "data", "init", "continue_init", "destroy"; nullptr beyond.
const char* gss_proc_name(std::uint32_t proc);
// "none", "integrity", "privacy"; nullptr otherwise.
const char* gss_service_name(std::uint32_t service);

// rpc_gss_cred_t (RFC 2203 5): version (1), then rpc_gss_cred_vers_1_t
// {gss_proc, seq_num, service, opaque handle<>}. `handle` points into the
// parsed bytes.
struct GssCred {
    std::uint32_t proc = 0, seq = 0, service = 0;
    std::span<const std::uint8_t> handle;
};
// Parses an RPCSEC_GSS credential body; false when truncated, of another
// version, or with a procedure or service out of range.
bool parse_gss_cred(std::span<const std::uint8_t> body, GssCred& out);

enum class GssUnwrap : std::uint8_t { Ok, Truncated, Malformed };
// rpc_gss_integ_data (RFC 2203 5.3.2.2): opaque databody_integ<> holding
// {seq_num; the arguments or results}, then opaque checksum<>. Sets `body` to
// the arguments or results (what of them was captured) and `seq` to the
// seq_num. Truncated when not even the length and seq_num were captured;
// Malformed when the declared length cannot hold the seq_num or exceeds
// kMaxGssBody.
constexpr std::uint32_t kMaxGssBody = 64u << 20;
GssUnwrap unwrap_gss_integ(std::span<const std::uint8_t> data, std::span<const std::uint8_t>& body,
                           std::uint32_t& seq);

// rpc_gss_init_res (RFC 2203 5.2.3.1): the result of INIT and CONTINUE_INIT.
struct GssInitRes {
    std::span<const std::uint8_t> handle;
    std::uint32_t major = 0, minor = 0, seq_window = 0;
};
// Parses the result up to seq_window (the GSS token that follows is not
// needed); false when truncated or malformed.
bool parse_gss_init_res(std::span<const std::uint8_t> data, GssInitRes& out);

enum class ReplyOutcome : std::uint8_t {
    Success,      // MSG_ACCEPTED + SUCCESS: results follow
    ProgUnavail,
    ProgMismatch,
    ProcUnavail,
    GarbageArgs,
    SystemErr,
    RpcMismatch,  // MSG_DENIED
    AuthError,    // MSG_DENIED
    Unknown,      // an accept/reject status outside the RFC's values
};

const char* reply_outcome_name(ReplyOutcome o);

struct RpcReply {
    std::uint32_t xid = 0;
    ReplyOutcome outcome = ReplyOutcome::Unknown;
    std::uint32_t low = 0, high = 0;  // versions for PROG_MISMATCH / RPC_MISMATCH
    std::uint32_t auth_stat = 0;      // for AUTH_ERROR
    std::size_t results_offset = 0;   // where the results start (Success only)
};

enum class RpcParse : std::uint8_t {
    Call,
    Reply,
    Truncated,  // the bytes end inside the header
    NotRpc,     // not a plausible RPC message (wrong version, type, lengths)
};

// The largest credential or verifier body RFC 5531 allows.
constexpr std::uint32_t kMaxAuthBytes = 400;

// Parses an RPC message header. Exactly one of call/reply is filled in.
RpcParse parse_rpc(std::span<const std::uint8_t> msg, RpcCall& call, RpcReply& reply);

}  // namespace rpcspy
