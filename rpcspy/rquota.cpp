// Remote quota, program 100011 (Sun's rquota.x, Linux quota-tools): version 1
// (user quotas) and version 2 (EXT_RQUOTAVERS: user or group quotas):
// GETQUOTA, GETACTIVEQUOTA, SETQUOTA, SETACTIVEQUOTA.
//
// Record status: "ok" for Q_OK, "noquota" for Q_NOQUOTA, "eperm" for Q_EPERM,
// else the number.
#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// RQ_PATHLEN: the path of the file system.
constexpr std::uint32_t RQ_PATHLEN = 1024;

// The quota type of version 2 (Linux USRQUOTA 0, GRPQUOTA 1).
void put_quota_type(XdrCursor& in, Fields& out) {
    std::uint32_t t = in.u32();
    if (!in.ok()) return;
    if (t == 0)
        out.word("type", "user");
    else if (t == 1)
        out.word("type", "group");
    else
        out.number("type", t);
}

// ---- GETQUOTA, GETACTIVEQUOTA: getquota_args {string gqa_pathp; int
// gqa_uid} (version 1), ext_getquota_args {string gqa_pathp; int gqa_type; int
// gqa_id} (version 2).
void getquota1_call(XdrCursor& in, Fields& out) {
    put_bytes(in, &out, "path", RQ_PATHLEN);
    put_u32(in, &out, "id");
}
void getquota2_call(XdrCursor& in, Fields& out) {
    put_bytes(in, &out, "path", RQ_PATHLEN);
    put_quota_type(in, out);
    put_u32(in, &out, "id");
}

// sq_dqblk: the limits SETQUOTA sets, printed with a set_ prefix.
void put_sq_dqblk(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "set_bhardlimit");
    put_u32(in, &out, "set_bsoftlimit");
    put_u32(in, &out, "set_curblocks");
    put_u32(in, &out, "set_fhardlimit");
    put_u32(in, &out, "set_fsoftlimit");
    put_u32(in, &out, "set_curfiles");
    put_u32(in, &out, "set_btimeleft");
    put_u32(in, &out, "set_ftimeleft");
}

// ---- SETQUOTA, SETACTIVEQUOTA: setquota_args {int sqa_qcmd; string
// sqa_pathp; int sqa_id; sq_dqblk sqa_dqblk} (version 1), ext_setquota_args
// with int sqa_type before sqa_id (version 2).
void setquota1_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "qcmd");
    put_bytes(in, &out, "path", RQ_PATHLEN);
    put_u32(in, &out, "id");
    put_sq_dqblk(in, out);
}
void setquota2_call(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "qcmd");
    put_bytes(in, &out, "path", RQ_PATHLEN);
    put_quota_type(in, out);
    put_u32(in, &out, "id");
    put_sq_dqblk(in, out);
}

// getquota_rslt, setquota_rslt: qr_status, then for Q_OK rquota {int
// rq_bsize; bool rq_active; unsigned rq_bhardlimit, rq_bsoftlimit,
// rq_curblocks, rq_fhardlimit, rq_fsoftlimit, rq_curfiles, rq_btimeleft,
// rq_ftimeleft}.
std::string_view quota_reply(XdrCursor& in, Fields& out) {
    std::uint32_t s = in.u32();
    if (!in.ok()) return kStatusUnread;
    switch (s) {
        case 1:  // Q_OK
            put_i32(in, &out, "bsize");
            put_bool(in, &out, "active");
            put_u32(in, &out, "bhardlimit");
            put_u32(in, &out, "bsoftlimit");
            put_u32(in, &out, "curblocks");
            put_u32(in, &out, "fhardlimit");
            put_u32(in, &out, "fsoftlimit");
            put_u32(in, &out, "curfiles");
            put_u32(in, &out, "btimeleft");
            put_u32(in, &out, "ftimeleft");
            return "ok";
        case 2: return "noquota";
        case 3: return "eperm";
        default: return status_number(s);
    }
}

// Indexed by procedure number (rquota.x). The NULL procedure is not in
// rquota.x but every server answers it.
constexpr Procedure kRquota1[] = {
    {"null", nullptr, nullptr},
    {"getquota", getquota1_call, quota_reply},
    {"getactivequota", getquota1_call, quota_reply},
    {"setquota", setquota1_call, quota_reply},
    {"setactivequota", setquota1_call, quota_reply},
};
constexpr Procedure kRquota2[] = {
    {"null", nullptr, nullptr},
    {"getquota", getquota2_call, quota_reply},
    {"getactivequota", getquota2_call, quota_reply},
    {"setquota", setquota2_call, quota_reply},
    {"setactivequota", setquota2_call, quota_reply},
};

}  // namespace

std::span<const Procedure> rquota1_procedures() { return kRquota1; }
std::span<const Procedure> rquota2_procedures() { return kRquota2; }

}  // namespace rpcspy
