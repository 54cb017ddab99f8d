// NFS version 3 data types (RFC 1813 section 2), decoded from XDR and emitted as
// record fields, plus the small read-and-emit helpers every program decoder of
// rpcspy uses (MOUNT and portmap share them).
//
// Conventions:
// - Every function reads through one common::XdrCursor; the first failure is
//   sticky, so a caller reads a whole structure and never checks in between.
// - `out` may be nullptr: the value is read (validated, skipped) but not printed.
// - A field is emitted only when all of its bytes were read: a truncated capture
//   yields the fields before the cut, never a half-read value.
// - Impossible values (a bool other than 0/1, an enum out of range, nanoseconds
//   of a second >= 10^9, a length beyond its bound) fail the cursor as Malformed.
// - Nothing here allocates except through Fields (which reuses its storage).
// Field names and meanings are specified in man/rpcspy.5 (NFS VERSION 3).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/fields.hpp"
#include "common/xdr.hpp"

namespace rpcspy {

using common::Fields;
using common::XdrCursor;

// ---------------------------------------------------------------------------
// Generic read-and-emit helpers.

// Reads an unsigned 32-bit integer; prints it as a number.
inline std::uint32_t put_u32(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t v = in.u32();
    if (out && in.ok()) out->number(key, v);
    return v;
}
// Reads a signed 32-bit integer; prints it as a number.
inline std::int32_t put_i32(XdrCursor& in, Fields* out, std::string_view key) {
    std::int32_t v = in.i32();
    if (out && in.ok()) out->signed_number(key, v);
    return v;
}
// Reads an unsigned 64-bit integer; prints it as a number.
inline std::uint64_t put_u64(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint64_t v = in.u64();
    if (out && in.ok()) out->number(key, v);
    return v;
}
// Reads an XDR bool; prints it as 0 or 1.
inline bool put_bool(XdrCursor& in, Fields* out, std::string_view key) {
    bool v = in.boolean();
    if (out && in.ok()) out->number(key, v ? 1 : 0);
    return v;
}
// Reads a variable-length opaque of at most `max` bytes; prints it as bytes.
inline std::span<const std::uint8_t> put_bytes(XdrCursor& in, Fields* out, std::string_view key,
                                               std::uint32_t max) {
    auto v = in.opaque_var(max);
    if (out && in.ok()) out->bytes(key, v);
    return v;
}
// Reads a fixed-length opaque of n bytes; prints it in hexadecimal.
inline void put_hex_fixed(XdrCursor& in, Fields* out, std::string_view key, std::size_t n) {
    auto v = in.opaque_fixed(n);
    if (out && in.ok()) out->hex(key, v);
}

// The text of a status code that has no name: its decimal value, in storage
// local to the thread that stays valid until the next call.
std::string_view status_number(std::uint32_t code);

// Status returned by a reply decoder when not even the status word was captured.
inline constexpr std::string_view kStatusUnread = "-";

// IP protocol numbers (portmap, rpcbind): "tcp", "udp", or nullptr.
const char* ip_protocol_name(std::uint32_t proto);

// One directory entry of a READDIR reply (NFSv2, v3, v4) as the bytes token
// entry=<id>/<handle in hex, or - when have_fh is false>/<name>, built on the
// stack. Handles longer than 128 bytes and names longer than 8192 are cut (the
// decoders' own bounds are lower).
void put_dir_entry(Fields& out, std::uint64_t id, std::span<const std::uint8_t> fh, bool have_fh,
                   std::span<const std::uint8_t> name);

namespace nfs3 {

// ---------------------------------------------------------------------------
// Sizes and bounds (RFC 1813 2.4 "Sizes").
inline constexpr std::uint32_t NFS3_FHSIZE = 64;
inline constexpr std::uint32_t NFS3_COOKIEVERFSIZE = 8;
inline constexpr std::uint32_t NFS3_CREATEVERFSIZE = 8;
inline constexpr std::uint32_t NFS3_WRITEVERFSIZE = 8;
// filename3 and nfspath3 are unbounded strings in the RFC; servers limit names to
// 255 and paths to 1024 or 4096 bytes. Longer than this is taken as malformed.
inline constexpr std::uint32_t kNameMax = 8192;
inline constexpr std::uint32_t kPathMax = 8192;
// READ/WRITE data: the declared length beyond which the message is malformed
// (servers offer rtmax/wtmax of 1 MiB at most in practice).
inline constexpr std::uint32_t kBulkMax = 64u << 20;

// ---------------------------------------------------------------------------
// Enumerations (RFC 1813 2.6).

// nfsstat3 (2.6): the record's status, "ok" or the lower-case name without
// NFS3ERR_, or the number for a code RFC 1813 does not define.
std::string_view nfsstat3_name(std::uint32_t status);
inline constexpr std::uint32_t NFS3_OK = 0;

// ftype3 (2.6): "reg", "dir", "blk", "chr", "lnk", "sock", "fifo"; nullptr if out of range.
enum ftype3 : std::uint32_t {
    NF3REG = 1,
    NF3DIR = 2,
    NF3BLK = 3,
    NF3CHR = 4,
    NF3LNK = 5,
    NF3SOCK = 6,
    NF3FIFO = 7,
};
const char* ftype3_name(std::uint32_t type);

// stable_how (3.3.7 WRITE): "unstable", "data_sync", "file_sync".
const char* stable_how_name(std::uint32_t how);
// createmode3 (3.3.8 CREATE): "unchecked", "guarded", "exclusive".
const char* createmode3_name(std::uint32_t mode);

// ---------------------------------------------------------------------------
// Basic data types (RFC 1813 2.5) and their decoders.

// nfs_fh3 (2.5): opaque data<NFS3_FHSIZE>. Returns the handle bytes.
inline std::span<const std::uint8_t> read_nfs_fh3(XdrCursor& in) { return in.opaque_var(NFS3_FHSIZE); }
// Reads an nfs_fh3 and prints it in hexadecimal under `key` ("fh", "dir", "todir").
void put_nfs_fh3(XdrCursor& in, Fields* out, std::string_view key);

// filename3 (2.5): string<>, bounded by kNameMax. Printed as bytes.
void put_filename3(XdrCursor& in, Fields* out, std::string_view key);
// nfspath3 (2.5): string<>, bounded by kPathMax. Printed as bytes.
void put_nfspath3(XdrCursor& in, Fields* out, std::string_view key);

// nfstime3 (2.5): seconds and nanoseconds (< 10^9, else malformed); printed as
// seconds.nanoseconds.
void put_nfstime3(XdrCursor& in, Fields* out, std::string_view key);

// ftype3 (2.6): read as an enumeration 1..7 (else malformed); printed by name.
std::uint32_t put_ftype3(XdrCursor& in, Fields* out, std::string_view key);

// fattr3 (2.5): printed as ftype mode nlink owner group size used fileid atime
// mtime ctime (rdev and fsid are read but not printed; mode is masked to 07777).
void put_fattr3(XdrCursor& in, Fields* out);

// post_op_attr (2.6): bool attributes_follow, then fattr3.
void put_post_op_attr(XdrCursor& in, Fields* out);

// pre_op_attr (2.6): bool attributes_follow, then wcc_attr {size, mtime, ctime}.
// Never printed: records keep the attributes after the operation only.
void skip_pre_op_attr(XdrCursor& in);

// wcc_data (2.6): pre_op_attr before; post_op_attr after. Prints the attributes
// after the operation.
void put_wcc_data(XdrCursor& in, Fields* out);

// post_op_fh3 (2.6): bool handle_follows, then nfs_fh3 (printed under `key`).
void put_post_op_fh3(XdrCursor& in, Fields* out, std::string_view key);

// sattr3 (2.6): the attributes a client sets, as set_mode (octal) set_owner
// set_group set_size set_atime set_mtime (each only when set; times are
// "server" for SET_TO_SERVER_TIME or the client's time).
void put_sattr3(XdrCursor& in, Fields* out);

// sattrguard3 (3.3.2 SETATTR): bool check, then the object's expected ctime,
// printed as guard.
void put_sattrguard3(XdrCursor& in, Fields* out);

// diropargs3 (2.6): dir handle and name, printed under the given keys.
void put_diropargs3(XdrCursor& in, Fields* out, const char* dir_key, const char* name_key);

// specdata3 (2.5): printed as major and minor device numbers.
void put_specdata3(XdrCursor& in, Fields* out);

}  // namespace nfs3
}  // namespace rpcspy
