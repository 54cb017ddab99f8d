// Network Lock Manager, program 100021: versions 1 and 3 (X/Open CAE
// Specification C702 "Protocols for X/Open PC Interworking: XNFS", chapters 9
// and 10; Sun's nlm_prot.x) and version 4 (RFC 1813 Appendix II), which widens
// offsets and lengths to 64 bits.
//
// Procedures 1-5 are synchronous; 6-10 (_MSG) carry the same arguments with an
// empty reply, and the server answers with a call of 11-15 (_RES) carrying the
// result; version 3 adds SHARE, UNSHARE, NM_LOCK and FREE_ALL (20-23).
//
// Record status: "ok" for a reply with nlm_stats LCK_GRANTED, else the
// lower-case name without the prefix ("denied", "blocked", ...). The result a
// _RES call carries is printed as its `result` token ("granted", ...); the
// record's status is then that of the (empty) RPC reply.
#include <iterator>

#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// Bounds (nlm_prot.x): netobj opaque<MAXNETOBJ_SZ>, caller_name
// string<LM_MAXSTRLEN>, nlm_notify's name string<MAXNAMELEN>.
constexpr std::uint32_t MAXNETOBJ_SZ = 1024;
constexpr std::uint32_t LM_MAXSTRLEN = 1024;
constexpr std::uint32_t MAXNAMELEN = LM_MAXSTRLEN + 1;

// nlm_stats / nlm4_stats: 0..5 in versions 1 and 3, 0..9 in version 4; one
// table serves all versions.
const char* nlm_stats_name(std::uint32_t s) {
    static constexpr const char* names[] = {"granted", "denied",  "denied_nolocks", "blocked", "denied_grace_period",
                                            "deadlck", "rofs",    "stale_fh",       "fbig",    "failed"};
    return s < std::size(names) ? names[s] : nullptr;
}

// The record status of an nlm_stats value.
std::string_view status_of(std::uint32_t s) {
    if (s == 0) return "ok";
    const char* name = nlm_stats_name(s);
    return name ? std::string_view(name) : status_number(s);
}

// netobj printed in hexadecimal.
void put_netobj(XdrCursor& in, Fields* out, std::string_view key) {
    auto v = in.opaque_var(MAXNETOBJ_SZ);
    if (out && in.ok()) out->hex(key, v);
}

// An offset or length: unsigned 32 bits (versions 1, 3) or 64 bits (version 4).
template <bool V4>
void put_range_value(XdrCursor& in, Fields* out, std::string_view key) {
    if constexpr (V4)
        put_u64(in, out, key);
    else
        put_u32(in, out, key);
}

// nlm_lock / nlm4_lock: caller fh owner svid offset length.
template <bool V4>
void put_lock(XdrCursor& in, Fields* out) {
    put_bytes(in, out, "caller", LM_MAXSTRLEN);
    put_netobj(in, out, "fh");
    put_netobj(in, out, "owner");
    put_i32(in, out, "svid");
    put_range_value<V4>(in, out, "offset");
    put_range_value<V4>(in, out, "length");
}

// ---- TEST, GRANTED and their _MSG forms: nlm_testargs {cookie; bool
// exclusive; nlm_lock alock}.
template <bool V4>
void testargs_call(XdrCursor& in, Fields& out) {
    put_netobj(in, &out, "cookie");
    put_bool(in, &out, "exclusive");
    put_lock<V4>(in, &out);
}

// ---- LOCK, NM_LOCK, LOCK_MSG: nlm_lockargs {cookie; bool block; bool
// exclusive; nlm_lock alock; bool reclaim; int state}.
template <bool V4>
void lockargs_call(XdrCursor& in, Fields& out) {
    put_netobj(in, &out, "cookie");
    put_bool(in, &out, "block");
    put_bool(in, &out, "exclusive");
    put_lock<V4>(in, &out);
    put_bool(in, &out, "reclaim");
    put_i32(in, &out, "state");
}

// ---- CANCEL, CANCEL_MSG: nlm_cancargs {cookie; bool block; bool exclusive;
// nlm_lock alock}.
template <bool V4>
void cancargs_call(XdrCursor& in, Fields& out) {
    put_netobj(in, &out, "cookie");
    put_bool(in, &out, "block");
    put_bool(in, &out, "exclusive");
    put_lock<V4>(in, &out);
}

// ---- UNLOCK, UNLOCK_MSG: nlm_unlockargs {cookie; nlm_lock alock}.
template <bool V4>
void unlockargs_call(XdrCursor& in, Fields& out) {
    put_netobj(in, &out, "cookie");
    put_lock<V4>(in, &out);
}

// The `result` token of a _RES call.
void put_result(Fields& out, std::uint32_t s) {
    if (const char* name = nlm_stats_name(s))
        out.word("result", name);
    else
        out.number("result", s);
}

// nlm_testres {cookie; nlm_testrply test_stat}: the cookie is printed only in
// a TEST_RES call (a reply returns the call's cookie, already printed, and
// one key appears once per record); for LCK_DENIED the holder of
// the conflicting lock, printed as holder_exclusive holder_svid holder_owner
// holder_offset holder_length. With `as_result` (TEST_RES) the status is
// printed as `result` between the cookie and the holder. Returns the
// nlm_stats value; `read` tells whether it was read.
template <bool V4>
std::uint32_t put_testres(XdrCursor& in, Fields& out, bool as_result, bool& read) {
    put_netobj(in, as_result ? &out : nullptr, "cookie");
    std::uint32_t s = in.u32();
    read = in.ok();
    if (!read) return 0;
    if (as_result) put_result(out, s);
    if (s == 1) {  // LCK_DENIED: nlm_holder
        put_bool(in, &out, "holder_exclusive");
        put_i32(in, &out, "holder_svid");
        put_netobj(in, &out, "holder_owner");
        put_range_value<V4>(in, &out, "holder_offset");
        put_range_value<V4>(in, &out, "holder_length");
    }
    return s;
}
template <bool V4>
std::string_view testres_reply(XdrCursor& in, Fields& out) {
    bool read;
    std::uint32_t s = put_testres<V4>(in, out, false, read);
    return read ? status_of(s) : kStatusUnread;
}
// ---- TEST_RES: the call carries an nlm_testres.
template <bool V4>
void testres_call(XdrCursor& in, Fields& out) {
    bool read;
    put_testres<V4>(in, out, true, read);
}

// nlm_res {cookie; nlm_stats stat}: LOCK, CANCEL, UNLOCK, GRANTED, NM_LOCK;
// the cookie, the call's, is read, not printed.
// Any status value is accepted (servers send the codes of newer versions).
std::string_view res_reply(XdrCursor& in, Fields&) {
    put_netobj(in, nullptr, "cookie");
    std::uint32_t s = in.u32();
    return in.ok() ? status_of(s) : kStatusUnread;
}
// ---- LOCK_RES, CANCEL_RES, UNLOCK_RES, GRANTED_RES: the call carries an nlm_res.
void res_call(XdrCursor& in, Fields& out) {
    put_netobj(in, &out, "cookie");
    std::uint32_t s = in.u32();
    if (in.ok()) put_result(out, s);
}

// ---- SHARE, UNSHARE: nlm_shareargs {cookie; nlm_share share; bool reclaim},
// nlm_share {caller_name; netobj fh; netobj oh; fsh_mode mode; fsh_access access}.
const char* fsh_name(std::uint32_t v) {
    static constexpr const char* names[] = {"none", "read", "write", "read_write"};
    return v < 4 ? names[v] : nullptr;
}
void shareargs_call(XdrCursor& in, Fields& out) {
    put_netobj(in, &out, "cookie");
    put_bytes(in, &out, "caller", LM_MAXSTRLEN);
    put_netobj(in, &out, "fh");
    put_netobj(in, &out, "owner");
    std::uint32_t deny = in.enumeration(4);
    if (in.ok()) out.word("deny", fsh_name(deny));
    std::uint32_t access = in.enumeration(4);
    if (in.ok()) out.word("access", fsh_name(access));
    put_bool(in, &out, "reclaim");
}
// nlm_shareres {cookie (the call's, not printed); nlm_stats stat; int sequence}.
std::string_view shareres_reply(XdrCursor& in, Fields& out) {
    put_netobj(in, nullptr, "cookie");
    std::uint32_t s = in.u32();
    if (!in.ok()) return kStatusUnread;
    put_i32(in, &out, "sequence");
    return status_of(s);
}

// ---- FREE_ALL: nlm_notify {string name<MAXNAMELEN>; int state}.
void notify_call(XdrCursor& in, Fields& out) {
    put_bytes(in, &out, "caller", MAXNAMELEN);
    put_i32(in, &out, "state");
}

// Indexed by procedure number; 16 to 19 are unassigned.
template <bool V4>
constexpr Procedure kNlm[] = {
    {"null", nullptr, nullptr},
    {"test", testargs_call<V4>, testres_reply<V4>},
    {"lock", lockargs_call<V4>, res_reply},
    {"cancel", cancargs_call<V4>, res_reply},
    {"unlock", unlockargs_call<V4>, res_reply},
    {"granted", testargs_call<V4>, res_reply},
    {"test_msg", testargs_call<V4>, nullptr},
    {"lock_msg", lockargs_call<V4>, nullptr},
    {"cancel_msg", cancargs_call<V4>, nullptr},
    {"unlock_msg", unlockargs_call<V4>, nullptr},
    {"granted_msg", testargs_call<V4>, nullptr},
    {"test_res", testres_call<V4>, nullptr},
    {"lock_res", res_call, nullptr},
    {"cancel_res", res_call, nullptr},
    {"unlock_res", res_call, nullptr},
    {"granted_res", res_call, nullptr},
    {nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr},
    {"share", shareargs_call, shareres_reply},
    {"unshare", shareargs_call, shareres_reply},
    {"nm_lock", lockargs_call<V4>, res_reply},
    {"free_all", notify_call, nullptr},
};

}  // namespace

// Version 1 has procedures 0 to 15 of version 3.
std::span<const Procedure> nlm1_procedures() { return std::span<const Procedure>(kNlm<false>).first(16); }
std::span<const Procedure> nlm3_procedures() { return kNlm<false>; }
std::span<const Procedure> nlm4_procedures() { return kNlm<true>; }

}  // namespace rpcspy
