// ONC-RPC message headers (RFC 5531 section 9): the call header with its
// credential, and the reply header with its accept or reject status.
#pragma once

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
};

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
