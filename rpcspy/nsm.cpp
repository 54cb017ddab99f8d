// Network Status Monitor, program 100024 version 1 (X/Open CAE Specification
// C702 "XNFS", chapter 11; Sun's sm_inter.x): STAT, MON, UNMON, UNMON_ALL,
// SIMU_CRASH, NOTIFY.
//
// Record status: for STAT and MON "ok" (stat_succ) or "fail" (stat_fail);
// the other procedures have no status of their own.
#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// SM_MAXSTRLEN: host names.
constexpr std::uint32_t SM_MAXSTRLEN = 1024;
// mon's private data: opaque priv[16].
constexpr std::size_t SM_PRIV_SIZE = 16;

// my_id {string my_name; int my_prog; int my_vers; int my_proc}: the RPC
// procedure the monitor calls back when the host's state changes.
void put_my_id(XdrCursor& in, Fields* out) {
    put_bytes(in, out, "callback_host", SM_MAXSTRLEN);
    put_u32(in, out, "callback_prog");
    put_u32(in, out, "callback_vers");
    put_u32(in, out, "callback_proc");
}

// mon_id {string mon_name; my_id my_id}.
void put_mon_id(XdrCursor& in, Fields* out) {
    put_bytes(in, out, "host", SM_MAXSTRLEN);
    put_my_id(in, out);
}

// ---- STAT: sm_name {string mon_name}.
void sm_name_call(XdrCursor& in, Fields& out) { put_bytes(in, &out, "host", SM_MAXSTRLEN); }

// ---- STAT, MON result: sm_stat_res {res res_stat; int state}, res being
// stat_succ (0) or stat_fail (1).
std::string_view sm_stat_res_reply(XdrCursor& in, Fields& out) {
    std::uint32_t res = in.u32();
    if (!in.ok()) return kStatusUnread;
    put_i32(in, &out, "state");
    switch (res) {
        case 0: return "ok";
        case 1: return "fail";
        default: return status_number(res);
    }
}

// ---- MON: mon {mon_id mon_id; opaque priv[16]}.
void mon_call(XdrCursor& in, Fields& out) {
    put_mon_id(in, &out);
    put_hex_fixed(in, &out, "priv", SM_PRIV_SIZE);
}

// ---- UNMON: mon_id; UNMON_ALL: my_id. Result: sm_stat {int state}.
void mon_id_call(XdrCursor& in, Fields& out) { put_mon_id(in, &out); }
void my_id_call(XdrCursor& in, Fields& out) { put_my_id(in, &out); }
std::string_view sm_stat_reply(XdrCursor& in, Fields& out) {
    put_i32(in, &out, "state");
    return "ok";
}

// ---- NOTIFY: stat_chge {string mon_name; int state}.
void stat_chge_call(XdrCursor& in, Fields& out) {
    put_bytes(in, &out, "host", SM_MAXSTRLEN);
    put_i32(in, &out, "state");
}

// Indexed by procedure number (sm_inter.x).
constexpr Procedure kNsm1[] = {
    {"null", nullptr, nullptr},
    {"stat", sm_name_call, sm_stat_res_reply},
    {"mon", mon_call, sm_stat_res_reply},
    {"unmon", mon_id_call, sm_stat_reply},
    {"unmon_all", my_id_call, sm_stat_reply},
    {"simu_crash", nullptr, nullptr},
    {"notify", stat_chge_call, nullptr},
};

}  // namespace

std::span<const Procedure> nsm1_procedures() { return kNsm1; }

}  // namespace rpcspy
