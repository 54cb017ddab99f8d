// NFS version 2 data types (RFC 1094 section 2.3): see nfs2_types.hpp.
#include "rpcspy/nfs2_types.hpp"

#include <iterator>

namespace rpcspy::nfs2 {

// RFC 1094 2.3.1 stat.
std::string_view stat_name(std::uint32_t status) {
    switch (status) {
        case 0: return "ok";
        case 1: return "perm";
        case 2: return "noent";
        case 5: return "io";
        case 6: return "nxio";
        case 13: return "acces";
        case 17: return "exist";
        case 19: return "nodev";
        case 20: return "notdir";
        case 21: return "isdir";
        case 27: return "fbig";
        case 28: return "nospc";
        case 30: return "rofs";
        case 63: return "nametoolong";
        case 66: return "notempty";
        case 69: return "dquot";
        case 70: return "stale";
        case 99: return "wflush";
        default: return status_number(status);
    }
}

// RFC 1094 2.3.2 ftype (6 to 8 from SunOS and Linux <rpcsvc/nfs_prot.x>).
const char* ftype_name(std::uint32_t type) {
    static constexpr const char* names[] = {"non", "reg", "dir", "blk", "chr", "lnk", "sock", "bad", "fifo"};
    return type < std::size(names) ? names[type] : nullptr;
}

void put_fhandle(XdrCursor& in, Fields* out, std::string_view key) { put_hex_fixed(in, out, key, FHSIZE); }

// RFC 1094 2.3.4 timeval.
void put_timeval(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t sec = in.u32();
    std::uint32_t usec = in.u32();
    if (!in.ok()) return;
    if (usec >= 1000000u) {
        in.fail(common::XdrError::Malformed);
        return;
    }
    if (out) out->time(key, sec, usec, 6);
}

// RFC 1094 2.3.5 fattr.
void put_fattr(XdrCursor& in, Fields* out) {
    std::uint32_t type = in.u32();
    if (!in.ok()) return;
    const char* name = ftype_name(type);
    if (!name) {
        in.fail(common::XdrError::Malformed);
        return;
    }
    if (out) out->word("ftype", name);
    std::uint32_t mode = in.u32();
    if (out && in.ok()) out->octal("mode", mode & 07777);
    put_u32(in, out, "nlink");
    put_u32(in, out, "owner");
    put_u32(in, out, "group");
    put_u32(in, out, "size");
    in.u32();  // blocksize
    in.u32();  // rdev
    in.u32();  // blocks
    in.u32();  // fsid
    put_u32(in, out, "fileid");
    put_timeval(in, out, "atime");
    put_timeval(in, out, "mtime");
    put_timeval(in, out, "ctime");
}

namespace {
constexpr std::uint32_t kUnset = 0xffffffffu;

// A sattr member other than a time: printed unless 0xffffffff.
void put_settable(XdrCursor& in, Fields* out, std::string_view key, bool octal) {
    std::uint32_t v = in.u32();
    if (!out || !in.ok() || v == kUnset) return;
    if (octal)
        out->octal(key, v);
    else
        out->number(key, v);
}

// A sattr time.
void put_set_timeval(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t sec = in.u32();
    std::uint32_t usec = in.u32();
    if (!in.ok() || sec == kUnset || usec == kUnset) return;
    if (usec == 1000000u) {
        if (out) out->word(key, "server");
    } else if (usec > 1000000u) {
        in.fail(common::XdrError::Malformed);
    } else if (out) {
        out->time(key, sec, usec, 6);
    }
}
}  // namespace

// RFC 1094 2.3.6 sattr.
void put_sattr(XdrCursor& in, Fields* out) {
    put_settable(in, out, "set_mode", true);
    put_settable(in, out, "set_owner", false);
    put_settable(in, out, "set_group", false);
    put_settable(in, out, "set_size", false);
    put_set_timeval(in, out, "set_atime");
    put_set_timeval(in, out, "set_mtime");
}

void put_filename(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, MAXNAMLEN); }

void put_path(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, MAXPATHLEN); }

void put_diropargs(XdrCursor& in, Fields* out, const char* dir_key, const char* name_key) {
    put_fhandle(in, out, dir_key);
    put_filename(in, out, name_key);
}

}  // namespace rpcspy::nfs2
