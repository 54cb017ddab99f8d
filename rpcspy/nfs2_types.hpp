// NFS version 2 data types (RFC 1094 section 2.3), decoded from XDR and emitted
// as record fields with the same keys as NFS version 3 (nfs3_types.hpp), whose
// conventions hold here too: `out` may be nullptr (read, validate, skip), a field
// is emitted only once all of its bytes were read, impossible values fail the
// cursor as Malformed. Field names are specified in man/rpcspy.5 (NFS VERSION 2).
#pragma once

#include <cstdint>
#include <string_view>

#include "rpcspy/nfs3_types.hpp"

namespace rpcspy::nfs2 {

// ---------------------------------------------------------------------------
// Sizes (RFC 1094 2.3).
inline constexpr std::uint32_t FHSIZE = 32;        // fhandle: opaque[FHSIZE]
inline constexpr std::uint32_t MAXNAMLEN = 255;    // filename
inline constexpr std::uint32_t MAXPATHLEN = 1024;  // path
inline constexpr std::uint32_t MAXDATA = 8192;     // nfsdata
inline constexpr std::uint32_t COOKIESIZE = 4;     // nfscookie

// stat (2.3.1): "ok" or the lower-case name without NFSERR_, or the number.
std::string_view stat_name(std::uint32_t status);
inline constexpr std::uint32_t NFS_OK = 0;

// ftype (2.3.2): NFNON..NFLNK of RFC 1094, and the NFSOCK, NFBAD and NFFIFO
// values of later implementations: "non", "reg", "dir", "blk", "chr", "lnk",
// "sock", "bad", "fifo"; nullptr beyond.
const char* ftype_name(std::uint32_t type);

// fhandle (2.3.3): opaque[FHSIZE], printed in hexadecimal under `key`.
void put_fhandle(XdrCursor& in, Fields* out, std::string_view key);

// timeval (2.3.4): seconds and microseconds (< 10^6, else malformed), printed
// as seconds.microseconds.
void put_timeval(XdrCursor& in, Fields* out, std::string_view key);

// fattr (2.3.5): printed as ftype mode nlink owner group size fileid atime
// mtime ctime (blocksize, rdev, blocks and fsid are read but not printed; mode
// is masked to 07777).
void put_fattr(XdrCursor& in, Fields* out);

// sattr (2.3.6): each member 0xffffffff when not set; printed as set_mode
// (octal) set_owner set_group set_size set_atime set_mtime, each only when
// set. A time is not set when either word is 0xffffffff; microseconds of
// 1000000 mean the server's time (Linux and Solaris clients), printed "server".
void put_sattr(XdrCursor& in, Fields* out);

// filename (2.3.7) and path (2.3.8): strings of at most MAXNAMLEN and
// MAXPATHLEN bytes, printed as bytes.
void put_filename(XdrCursor& in, Fields* out, std::string_view key);
void put_path(XdrCursor& in, Fields* out, std::string_view key);

// diropargs (2.2.4 LOOKUP): dir handle and name under the given keys.
void put_diropargs(XdrCursor& in, Fields* out, const char* dir_key, const char* name_key);

}  // namespace rpcspy::nfs2
