// NFS version 3 data types (RFC 1813 section 2): see nfs3_types.hpp.
#include "rpcspy/nfs3_types.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace rpcspy {

std::string_view status_number(std::uint32_t code) {
    thread_local char buf[12];
    auto r = std::to_chars(buf, buf + sizeof buf, code);
    return {buf, static_cast<std::size_t>(r.ptr - buf)};
}

const char* ip_protocol_name(std::uint32_t proto) {
    switch (proto) {
        case 6: return "tcp";
        case 17: return "udp";
        default: return nullptr;
    }
}

void put_dir_entry(Fields& out, std::uint64_t id, std::span<const std::uint8_t> fh, bool have_fh,
                   std::span<const std::uint8_t> name) {
    constexpr std::size_t kFhMax = 128, kName = 8192;  // NFS4_FHSIZE; nfs3::kNameMax
    std::array<char, 20 + 1 + 2 * kFhMax + 1 + kName> buf;
    char* p = std::to_chars(buf.data(), buf.data() + 20, id).ptr;
    *p++ = '/';
    if (have_fh) {
        static constexpr char digits[] = "0123456789abcdef";
        for (std::uint8_t b : fh.first(std::min(fh.size(), kFhMax))) {
            *p++ = digits[b >> 4];
            *p++ = digits[b & 0xf];
        }
    } else {
        *p++ = '-';
    }
    *p++ = '/';
    for (std::uint8_t b : name.first(std::min(name.size(), kName))) *p++ = static_cast<char>(b);
    out.bytes("entry", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
}

namespace nfs3 {

// RFC 1813 2.6 nfsstat3.
std::string_view nfsstat3_name(std::uint32_t status) {
    switch (status) {
        case 0: return "ok";
        case 1: return "perm";
        case 2: return "noent";
        case 5: return "io";
        case 6: return "nxio";
        case 13: return "acces";
        case 17: return "exist";
        case 18: return "xdev";
        case 19: return "nodev";
        case 20: return "notdir";
        case 21: return "isdir";
        case 22: return "inval";
        case 27: return "fbig";
        case 28: return "nospc";
        case 30: return "rofs";
        case 31: return "mlink";
        case 63: return "nametoolong";
        case 66: return "notempty";
        case 69: return "dquot";
        case 70: return "stale";
        case 71: return "remote";
        case 10001: return "badhandle";
        case 10002: return "not_sync";
        case 10003: return "bad_cookie";
        case 10004: return "notsupp";
        case 10005: return "toosmall";
        case 10006: return "serverfault";
        case 10007: return "badtype";
        case 10008: return "jukebox";
        default: return status_number(status);
    }
}

// RFC 1813 2.6 ftype3.
const char* ftype3_name(std::uint32_t type) {
    static constexpr const char* names[] = {nullptr, "reg", "dir", "blk", "chr", "lnk", "sock", "fifo"};
    return type < 8 ? names[type] : nullptr;
}

// RFC 1813 3.3.7 stable_how.
const char* stable_how_name(std::uint32_t how) {
    static constexpr const char* names[] = {"unstable", "data_sync", "file_sync"};
    return how < 3 ? names[how] : nullptr;
}

// RFC 1813 3.3.8 createmode3.
const char* createmode3_name(std::uint32_t mode) {
    static constexpr const char* names[] = {"unchecked", "guarded", "exclusive"};
    return mode < 3 ? names[mode] : nullptr;
}

void put_nfs_fh3(XdrCursor& in, Fields* out, std::string_view key) {
    auto fh = read_nfs_fh3(in);
    if (out && in.ok()) out->hex(key, fh);
}

void put_filename3(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, kNameMax); }

void put_nfspath3(XdrCursor& in, Fields* out, std::string_view key) { put_bytes(in, out, key, kPathMax); }

// RFC 1813 2.5 nfstime3.
void put_nfstime3(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t sec = in.u32();
    std::uint32_t nsec = in.u32();
    if (!in.ok()) return;
    if (nsec >= 1000000000u) {
        in.fail(common::XdrError::Malformed);
        return;
    }
    if (out) out->time(key, sec, nsec, 9);
}

std::uint32_t put_ftype3(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t t = in.u32();
    if (!in.ok()) return 0;
    const char* name = ftype3_name(t);
    if (!name) {
        in.fail(common::XdrError::Malformed);
        return 0;
    }
    if (out) out->word(key, name);
    return t;
}

// RFC 1813 2.5 fattr3.
void put_fattr3(XdrCursor& in, Fields* out) {
    put_ftype3(in, out, "ftype");
    std::uint32_t mode = in.u32();
    if (out && in.ok()) out->octal("mode", mode & 07777);
    put_u32(in, out, "nlink");
    put_u32(in, out, "owner");
    put_u32(in, out, "group");
    put_u64(in, out, "size");
    put_u64(in, out, "used");
    in.u32();  // rdev: specdata3
    in.u32();
    in.u64();  // fsid
    put_u64(in, out, "fileid");
    put_nfstime3(in, out, "atime");
    put_nfstime3(in, out, "mtime");
    put_nfstime3(in, out, "ctime");
}

// RFC 1813 2.6 post_op_attr.
void put_post_op_attr(XdrCursor& in, Fields* out) {
    if (in.boolean()) put_fattr3(in, out);
}

// RFC 1813 2.6 pre_op_attr (wcc_attr).
void skip_pre_op_attr(XdrCursor& in) {
    if (in.boolean()) {
        in.u64();  // size
        put_nfstime3(in, nullptr, "mtime");
        put_nfstime3(in, nullptr, "ctime");
    }
}

// RFC 1813 2.6 wcc_data.
void put_wcc_data(XdrCursor& in, Fields* out) {
    skip_pre_op_attr(in);
    put_post_op_attr(in, out);
}

// RFC 1813 2.6 post_op_fh3.
void put_post_op_fh3(XdrCursor& in, Fields* out, std::string_view key) {
    if (in.boolean()) put_nfs_fh3(in, out, key);
}

namespace {
// RFC 1813 2.6 set_atime/set_mtime: enum time_how, then nfstime3 for
// SET_TO_CLIENT_TIME.
void put_set_time(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t how = in.enumeration(3);
    if (!in.ok()) return;
    if (how == 1) {  // SET_TO_SERVER_TIME
        if (out) out->word(key, "server");
    } else if (how == 2) {  // SET_TO_CLIENT_TIME
        put_nfstime3(in, out, key);
    }
}
}  // namespace

// RFC 1813 2.6 sattr3.
void put_sattr3(XdrCursor& in, Fields* out) {
    if (in.boolean()) {
        std::uint32_t mode = in.u32();
        if (out && in.ok()) out->octal("set_mode", mode);
    }
    if (in.boolean()) put_u32(in, out, "set_owner");
    if (in.boolean()) put_u32(in, out, "set_group");
    if (in.boolean()) put_u64(in, out, "set_size");
    put_set_time(in, out, "set_atime");
    put_set_time(in, out, "set_mtime");
}

// RFC 1813 3.3.2 sattrguard3.
void put_sattrguard3(XdrCursor& in, Fields* out) {
    if (in.boolean()) put_nfstime3(in, out, "guard");
}

// RFC 1813 2.6 diropargs3.
void put_diropargs3(XdrCursor& in, Fields* out, const char* dir_key, const char* name_key) {
    put_nfs_fh3(in, out, dir_key);
    put_filename3(in, out, name_key);
}

// RFC 1813 2.5 specdata3.
void put_specdata3(XdrCursor& in, Fields* out) {
    put_u32(in, out, "major");
    put_u32(in, out, "minor");
}

}  // namespace nfs3
}  // namespace rpcspy
