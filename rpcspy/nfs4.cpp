// NFS version 4 (RFC 7530, RFC 8881, RFC 7862): NULL and COMPOUND of program
// 100003 version 4, and CB_NULL and CB_COMPOUND of the callback program.
//
// A COMPOUND record carries the call's tag and minor version, then one group
// "ops" per operation (op=<name> and its arguments); the reply carries the tag,
// then one group "results" per result (op=<name> st=<status> and its results),
// then failed=<name> when the last result's status is not ok. The record's
// status is the COMPOUND's own status. At an operation number rpcspy does not
// know, the group holds op=<number> only and decoding stops with
// undecoded=<number of operations after it>. The callback program number is
// chosen by the client (SETCLIENTID, CREATE_SESSION, BACKCHANNEL_CTL);
// program_table.cpp recognises the callback program by its range.
// READ and WRITE data are skipped with XdrCursor::bulk(): the COMPOUND has no
// bulk flag, since a READ need not be the last operation.
#include "rpcspy/nfs4_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

using namespace nfs4;

namespace {

using OpLookup = const Op* (*)(std::uint32_t);

// nfs_argop4<> of COMPOUND4args / nfs_cb_argop4<> of CB_COMPOUND4args.
void put_argops(XdrCursor& in, Fields& out, OpLookup lookup) {
    std::uint32_t n = in.u32();
    if (!in.ok()) return;
    if (n > kOpsMax) {
        in.fail(common::XdrError::Malformed);
        return;
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint32_t opnum = in.u32();
        if (!in.ok()) return;
        const Op* op = lookup(opnum);
        out.begin_group("ops");
        if (!op) {
            out.number("op", opnum);
            out.end_group();
            out.number("undecoded", n - i - 1);
            return;
        }
        out.word("op", op->name);
        op->args(in, out);
        out.end_group();
        if (!in.ok()) return;
    }
}

// nfs_resop4<> of COMPOUND4res / nfs_cb_resop4<> of CB_COMPOUND4res.
void put_resops(XdrCursor& in, Fields& out, OpLookup lookup) {
    std::uint32_t n = in.u32();
    if (!in.ok()) return;
    if (n > kOpsMax) {
        in.fail(common::XdrError::Malformed);
        return;
    }
    const char* failed = nullptr;
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint32_t opnum = in.u32();
        if (!in.ok()) return;
        const Op* op = lookup(opnum);
        out.begin_group("results");
        if (!op) {
            out.number("op", opnum);
            out.end_group();
            out.number("undecoded", n - i - 1);
            return;
        }
        out.word("op", op->name);
        std::uint32_t st = in.u32();
        if (in.ok()) {
            out.word("st", nfsstat4_name(st));
            if (op->res) op->res(in, out, st);
        }
        out.end_group();
        if (!in.ok()) return;
        failed = st == NFS4_OK ? nullptr : op->name;
    }
    if (failed) out.word("failed", failed);
}

// COMPOUND4res / CB_COMPOUND4res.
std::string_view compound_reply(XdrCursor& in, Fields& out, OpLookup lookup) {
    std::uint32_t status = in.u32();
    if (!in.ok()) return kStatusUnread;
    put_bytes(in, &out, "rtag", kTagMax);  // the reply's copy of the tag
    put_resops(in, out, lookup);
    return nfsstat4_name(status);
}

// ---- RFC 8881 16.2 COMPOUND
void compound_call(XdrCursor& in, Fields& out) {
    put_bytes(in, &out, "tag", kTagMax);
    put_u32(in, &out, "minor");
    put_argops(in, out, nfs4_op);
}
std::string_view compound_reply(XdrCursor& in, Fields& out) { return compound_reply(in, out, nfs4_op); }

// ---- RFC 8881 20.2 CB_COMPOUND
void cb_compound_call(XdrCursor& in, Fields& out) {
    put_bytes(in, &out, "tag", kTagMax);
    put_u32(in, &out, "minor");
    put_u32(in, &out, "ident");  // callback_ident
    put_argops(in, out, nfs4_cb_op);
}
std::string_view cb_compound_reply(XdrCursor& in, Fields& out) { return compound_reply(in, out, nfs4_cb_op); }

constexpr Procedure kNfs4[] = {
    {"null", nullptr, nullptr},
    {"compound", compound_call, compound_reply},
};

constexpr Procedure kNfs4Cb[] = {
    {"cb_null", nullptr, nullptr},
    {"cb_compound", cb_compound_call, cb_compound_reply},
};

}  // namespace

std::span<const Procedure> nfs4_procedures() { return kNfs4; }
std::span<const Procedure> nfs4_cb_procedures() { return kNfs4Cb; }

}  // namespace rpcspy
