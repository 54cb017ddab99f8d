// The table of ONC-RPC programs rpcspy decodes: per (program, version) a list of
// procedures, each with a name and decoders for its arguments and its results,
// in the manner of Wireshark's procedure tables.
//
// Decoders read XDR through common::XdrCursor and append key=value fields to a
// common::Fields. They never throw and never read out of bounds; when the cursor
// fails (truncated or malformed input) the caller reports that on the record and
// counts it. Field names and their meaning are specified in man/rpcspy.5.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/fields.hpp"
#include "common/xdr.hpp"

namespace rpcspy {

// Decodes a call's arguments (the bytes after the RPC call header).
using CallDecoder = void (*)(common::XdrCursor& in, common::Fields& out);
// Decodes an accepted, SUCCESS reply's results (the bytes after the RPC reply
// header). Returns the value of the record's status field: "ok" or the
// program's own error name in lower case without prefix (e.g. "noent" for
// NFS3ERR_NOENT); a number as text for an unknown status code.
using ReplyDecoder = std::string_view (*)(common::XdrCursor& in, common::Fields& out);

struct Procedure {
    const char* name;        // lower case, e.g. "getattr"; nullptr: an unassigned
                             // number in the middle of a table (printed as a number)
    CallDecoder call;        // nullptr: no arguments to print
    ReplyDecoder reply;      // nullptr: results not decoded, status "ok"
    bool bulk_call = false;  // arguments end in bulk data (WRITE): keep only a prefix
    bool bulk_reply = false; // results end in bulk data (READ): keep only a prefix
};

struct Program {
    std::uint32_t number;
    std::uint32_t version;
    const char* name;  // e.g. "nfs", "mount", "portmap"
    std::span<const Procedure> procedures;

    // The procedure of this number, or nullptr past the table.
    const Procedure* procedure(std::uint32_t proc) const {
        return proc < procedures.size() ? &procedures[proc] : nullptr;
    }
};

// The decoder table for (program, version), or nullptr if rpcspy does not decode it.
const Program* find_program(std::uint32_t program, std::uint32_t version);

// The conventional name of a program number whatever its version ("nfs", "nlm",
// "nfs_acl", ...), or nullptr for a number rpcspy does not know.
const char* program_name(std::uint32_t program);

// Procedure tables of each decoded program (defined in the program's own file).
std::span<const Procedure> nfs3_procedures();
std::span<const Procedure> mount3_procedures();
std::span<const Procedure> portmap2_procedures();
std::span<const Procedure> nfs2_procedures();
std::span<const Procedure> mount1_procedures();
std::span<const Procedure> mount2_procedures();
std::span<const Procedure> rpcbind3_procedures();
std::span<const Procedure> rpcbind4_procedures();
std::span<const Procedure> nlm1_procedures();
std::span<const Procedure> nlm3_procedures();
std::span<const Procedure> nlm4_procedures();
std::span<const Procedure> nsm1_procedures();
std::span<const Procedure> nfsacl2_procedures();
std::span<const Procedure> nfsacl3_procedures();
std::span<const Procedure> rquota1_procedures();
std::span<const Procedure> rquota2_procedures();
// NFSv4 (nfs4.cpp): program 100003 version 4, and the callback program
// (number chosen by the client, recognised in kNfs4CbFirst..kNfs4CbLast, version 1).
std::span<const Procedure> nfs4_procedures();
std::span<const Procedure> nfs4_cb_procedures();
inline constexpr std::uint32_t kNfs4CbFirst = 0x40000000;
inline constexpr std::uint32_t kNfs4CbLast = 0x4fffffff;

}  // namespace rpcspy
