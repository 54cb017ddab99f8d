// NFS version 4 data types (RFC 7530 section 2, RFC 8881 section 3, RFC 7862;
// XDR in RFC 7531, RFC 5662, RFC 7863), decoded from XDR and emitted as record
// fields, plus the per-operation decoder tables used by the COMPOUND and
// CB_COMPOUND decoders (nfs4.cpp).
//
// Conventions are those of nfs3_types.hpp:
// - one common::XdrCursor per message; the first failure is sticky;
// - `out` may be nullptr: the value is read (validated, skipped), not printed;
// - a field is emitted only when all of its bytes were read;
// - impossible values (a bool other than 0/1, an enum out of range, a length
//   beyond its bound, a union arm the RFC does not define) fail the cursor as
//   Malformed;
// - nothing here allocates except through Fields.
// Field names and meanings are specified in man/rpcspy.5 (NFS VERSION 4).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "rpcspy/nfs3_types.hpp"

namespace rpcspy::nfs4 {

// ---------------------------------------------------------------------------
// Sizes and bounds (RFC 8881 3.2 "Sizes", RFC 7863).
inline constexpr std::uint32_t NFS4_FHSIZE = 128;
inline constexpr std::uint32_t NFS4_VERIFIER_SIZE = 8;
inline constexpr std::uint32_t NFS4_OTHER_SIZE = 12;
inline constexpr std::uint32_t NFS4_OPAQUE_LIMIT = 1024;
inline constexpr std::uint32_t NFS4_SESSIONID_SIZE = 16;
inline constexpr std::uint32_t NFS4_DEVICEID4_SIZE = 16;
inline constexpr std::uint32_t kStateidSize = 4 + NFS4_OTHER_SIZE;

// Bounds of unbounded types, beyond which a value is taken as malformed.
inline constexpr std::uint32_t kNameMax = nfs3::kNameMax;    // component4
inline constexpr std::uint32_t kPathMax = nfs3::kPathMax;    // linktext4
inline constexpr std::uint32_t kTagMax = 4096;               // COMPOUND tag
inline constexpr std::uint32_t kStringMax = 8192;            // other strings, opaques
inline constexpr std::uint32_t kBodyMax = 1u << 20;          // layout and device bodies
inline constexpr std::uint32_t kAttrListMax = 1u << 20;      // attrlist4
inline constexpr std::uint32_t kBitmapWordsMax = 8;          // bitmap4 (256 bits)
inline constexpr std::uint32_t kArrayMax = 1024;             // element counts
inline constexpr std::uint32_t kOpsMax = 1024;               // operations in a COMPOUND
inline constexpr std::uint32_t kBulkMax = nfs3::kBulkMax;    // READ/WRITE data

// ---------------------------------------------------------------------------
// Enumerations and their names.

inline constexpr std::uint32_t NFS4_OK = 0;
inline constexpr std::uint32_t NFS4ERR_TOOSMALL = 10005;
inline constexpr std::uint32_t NFS4ERR_DENIED = 10010;
inline constexpr std::uint32_t NFS4ERR_CLID_INUSE = 10017;
inline constexpr std::uint32_t NFS4ERR_LAYOUTTRYLATER = 10058;
inline constexpr std::uint32_t NFS4ERR_OFFLOAD_NO_REQS = 10094;
inline constexpr std::uint32_t OP_ILLEGAL = 10044;

// nfsstat4 (RFC 8881 15.1, RFC 7862 11.1): "ok" or the lower-case name without
// NFS4ERR_, or the number for a code the RFCs do not define.
std::string_view nfsstat4_name(std::uint32_t status);

// nfs_ftype4 (RFC 8881 3.3.x): "reg", "dir", "blk", "chr", "lnk", "sock",
// "fifo", "attrdir", "namedattr"; nullptr if out of range.
const char* ftype4_name(std::uint32_t type);

// layouttype4 (RFC 8881 3.3.13, RFC 8435, RFC 8154): "files", "osd2_objects",
// "block_volume", "flex_files", "scsi"; nullptr for another number.
const char* layouttype4_name(std::uint32_t type);

// ---------------------------------------------------------------------------
// Basic data types (RFC 8881 3.2, 3.3) and their decoders.

// nfs_fh4: opaque<NFS4_FHSIZE>, printed in hexadecimal.
inline std::span<const std::uint8_t> read_nfs_fh4(XdrCursor& in) { return in.opaque_var(NFS4_FHSIZE); }
void put_nfs_fh4(XdrCursor& in, Fields* out, std::string_view key);

// component4 (utf8str_cs), printed as bytes.
void put_component4(XdrCursor& in, Fields* out, std::string_view key);
// linktext4, printed as bytes.
void put_linktext4(XdrCursor& in, Fields* out, std::string_view key);
// Any other utf8string or string<>: printed as bytes.
void put_utf8(XdrCursor& in, Fields* out, std::string_view key);
// The length of an array: at most `max` elements (else malformed); 0 once failed.
std::uint32_t read_array_len(XdrCursor& in, std::uint32_t max = kArrayMax);
// opaque<> skipped (bounded by `max`).
void skip_opaque(XdrCursor& in, std::uint32_t max = kStringMax);

// verifier4: 8 bytes, hexadecimal.
void put_verifier4(XdrCursor& in, Fields* out, std::string_view key);
// stateid4 {seqid, other[12]}: the 16 bytes in hexadecimal.
void put_stateid4(XdrCursor& in, Fields* out, std::string_view key);
// clientid4 (uint64): 16 hexadecimal digits.
void put_clientid4(XdrCursor& in, Fields* out, std::string_view key);
// sessionid4: 16 bytes, hexadecimal.
void put_sessionid4(XdrCursor& in, Fields* out, std::string_view key);
// deviceid4: 16 bytes, hexadecimal.
void put_deviceid4(XdrCursor& in, Fields* out, std::string_view key);
// state_owner4 (open_owner4, lock_owner4): the clientid's 8 bytes followed by
// the owner bytes, all in hexadecimal (the clientid is always 16 digits).
void put_state_owner4(XdrCursor& in, Fields* out, std::string_view key);

// nfstime4 {int64 seconds, uint32 nseconds (< 10^9)}: seconds.nanoseconds
// (a time before 1970 is printed as whole seconds, negative).
void put_nfstime4(XdrCursor& in, Fields* out, std::string_view key);

// An enumeration below `limit`, printed by name (names[v]).
// Returns the value read (check in.ok(): a value outside names fails the cursor).
std::uint32_t put_enum(XdrCursor& in, Fields* out, std::string_view key, std::uint32_t limit, const char* const* names);
// A 32-bit flag word, printed as 8 hexadecimal digits.
void put_flags(XdrCursor& in, Fields* out, std::string_view key);
// layouttype4, printed by name (or number for another type).
void put_layouttype4(XdrCursor& in, Fields* out, std::string_view key);
// layoutiomode4: "read", "rw", "any".
void put_layoutiomode4(XdrCursor& in, Fields* out, std::string_view key);
// nfs_lock_type4: "read", "write", "readw", "writew".
void put_lock_type4(XdrCursor& in, Fields* out, std::string_view key);
// stable_how4: "unstable", "data_sync", "file_sync".
void put_stable_how4(XdrCursor& in, Fields* out, std::string_view key);

// bitmap4 (at most kBitmapWordsMax words, else malformed). With `attrs`, the
// set bits are printed as a comma-separated list of attribute names (numbers
// for unnamed ones), "-" for none; otherwise the words in hexadecimal joined
// by commas. Returns the number of words read into `words` (at most 8).
std::uint32_t put_bitmap4(XdrCursor& in, Fields* out, std::string_view key, bool attrs,
                          std::uint32_t (*words)[kBitmapWordsMax] = nullptr);

// change_info4 {atomic, before, after}: skipped.
void skip_change_info4(XdrCursor& in);
// nfsace4 {type, flag, access_mask, who}: skipped.
void skip_nfsace4(XdrCursor& in);
// netaddr4 {netid, addr}: printed under the given keys.
void put_netaddr4(XdrCursor& in, Fields* out, const char* netid_key, const char* addr_key);
// netloc4 (RFC 7862 4.10): skipped.
void skip_netloc4(XdrCursor& in);
// callback_sec_parms4<> (RFC 8881 18.36): skipped.
void skip_callback_sec_parms4_list(XdrCursor& in);
// channel_attrs4 (RFC 8881 18.36): skipped.
void skip_channel_attrs4(XdrCursor& in);
// write_response4 (RFC 7862 11.1): rcount committed verf.
void put_write_response4(XdrCursor& in, Fields* out);
// open_delegation4 (RFC 8881 18.16): delegation=none|read|write, then the
// delegation's stateid (deleg_stateid) or the reason for none (why).
void put_open_delegation4(XdrCursor& in, Fields* out);
// secinfo4<> (RFC 8881 18.29): flavors=<comma-separated list>.
void put_secinfo4_list(XdrCursor& in, Fields* out);

// ---------------------------------------------------------------------------
// fattr4 (RFC 8881 3.3.x, 5): attrmask then attr_vals. The decoded
// attributes are printed in wire (bit) order:
//   Get: ftype change size fsid rdattr_error fh fileid mode nlink owner group
//        used rdev atime ctime mtime
//   Set: set_size set_mode set_owner set_group set_atime set_mtime
// Other attributes are read and skipped. At an attribute rpcspy cannot read
// (an unknown bit), decoding of the list stops with attr_undecoded=<bit>.
// `fh`, if not nullptr, receives the filehandle attribute (READDIR entries).
enum class AttrKeys { Get, Set, None };
void put_fattr4(XdrCursor& in, Fields* out, AttrKeys keys, std::span<const std::uint8_t>* fh = nullptr);

// ---------------------------------------------------------------------------
// Per-operation decoders.

// Arguments of one operation (after its opcode).
using OpArgs = void (*)(XdrCursor& in, Fields& out);
// Results of one operation, after its opcode and its status (given).
using OpRes = void (*)(XdrCursor& in, Fields& out, std::uint32_t status);

struct Op {
    const char* name;  // lower case without OP_ / OP_CB_
    OpArgs args;       // never nullptr for a known operation
    OpRes res;         // nullptr: the result is the status alone
};

// Operations of NFSv4.0 (3..39), of NFSv4.1/4.2 (40..71) and ILLEGAL (10044);
// nullptr for another number.
const Op* nfs40_op(std::uint32_t opnum);
const Op* nfs41_op(std::uint32_t opnum);
inline const Op* nfs4_op(std::uint32_t opnum) { return opnum < 40 ? nfs40_op(opnum) : nfs41_op(opnum); }
// Callback operations (RFC 8881 20, RFC 7862 15): 3..15 and CB_ILLEGAL.
const Op* nfs4_cb_op(std::uint32_t opnum);

// Arguments of no operation (GETFH, PUTROOTFH, ...).
void no_args(XdrCursor& in, Fields& out);

}  // namespace rpcspy::nfs4
