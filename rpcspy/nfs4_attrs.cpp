// NFSv4 attributes (RFC 8881 section 5, RFC 7862 section 12, RFC 8275, RFC
// 8276): bitmap4 and fattr4. See nfs4_types.hpp.
#include <array>
#include <charconv>
#include <cstring>

#include "rpcspy/nfs4_types.hpp"

namespace rpcspy::nfs4 {

using common::XdrError;

namespace {

// Attribute names by number: RFC 8881 5.6/5.7/5.8 (FATTR4_*, lower case),
// RFC 7862 12.2, RFC 8275 (mode_umask), RFC 8276 (xattr_support).
constexpr const char* kAttrNames[] = {
    "supported_attrs", "type", "fh_expire_type", "change", "size", "link_support", "symlink_support",
    "named_attr", "fsid", "unique_handles", "lease_time", "rdattr_error", "acl", "aclsupport", "archive",
    "cansettime", "case_insensitive", "case_preserving", "chown_restricted", "filehandle", "fileid",
    "files_avail", "files_free", "files_total", "fs_locations", "hidden", "homogeneous", "maxfilesize",
    "maxlink", "maxname", "maxread", "maxwrite", "mimetype", "mode", "no_trunc", "numlinks", "owner",
    "owner_group", "quota_avail_hard", "quota_avail_soft", "quota_used", "rawdev", "space_avail",
    "space_free", "space_total", "space_used", "system", "time_access", "time_access_set", "time_backup",
    "time_create", "time_delta", "time_metadata", "time_modify", "time_modify_set", "mounted_on_fileid",
    "dir_notif_delay", "dirent_notif_delay", "dacl", "sacl", "change_policy", "fs_status",
    "fs_layout_types", "layout_hint", "layout_types", "layout_blksize", "layout_alignment",
    "fs_locations_info", "mdsthreshold", "retention_get", "retention_set", "retentevt_get",
    "retentevt_set", "retention_hold", "mode_set_masked", "suppattr_exclcreat", "fs_charset_cap",
    "clone_blksize", "space_freed", "change_attr_type", "sec_label", "mode_umask", "xattr_support"};
constexpr std::uint32_t kAttrCount = std::size(kAttrNames);

// pathname4: component4<>.
void skip_pathname4(XdrCursor& in) {
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) skip_opaque(in, kNameMax);
}

void skip_acl(XdrCursor& in) {
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) skip_nfsace4(in);
}

void skip_u32_array(XdrCursor& in) {
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) in.u32();
}

// fs_locations4 (RFC 8881 11.16).
void skip_fs_locations4(XdrCursor& in) {
    skip_pathname4(in);  // fs_root
    std::uint32_t n = read_array_len(in);
    for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
        std::uint32_t servers = read_array_len(in);
        for (std::uint32_t s = 0; s < servers && in.ok(); ++s) skip_opaque(in);
        skip_pathname4(in);  // rootpath
    }
}

// fs_locations_info4 (RFC 8881 11.17).
void skip_fs_locations_info4(XdrCursor& in) {
    in.u32();            // fli_flags
    in.u32();            // fli_valid_for
    skip_pathname4(in);  // fli_fs_root
    std::uint32_t items = read_array_len(in);
    for (std::uint32_t i = 0; i < items && in.ok(); ++i) {
        std::uint32_t entries = read_array_len(in);
        for (std::uint32_t e = 0; e < entries && in.ok(); ++e) {
            in.u32();         // fls_currency
            skip_opaque(in);  // fls_info
            skip_opaque(in);  // fls_server
        }
        skip_pathname4(in);  // fli_rootpath
    }
}

// settime4 (RFC 8881 3.3.x): printed as "server" or the client's time.
void put_settime4(XdrCursor& in, Fields* out, std::string_view key) {
    std::uint32_t how = in.u32();
    if (!in.ok()) return;
    if (how == 0) {  // SET_TO_SERVER_TIME4
        if (out) out->word(key, "server");
    } else if (how == 1) {  // SET_TO_CLIENT_TIME4
        put_nfstime4(in, out, key);
    } else {
        in.fail(XdrError::Malformed);
    }
}

// One attribute value. Returns false for an attribute number rpcspy cannot read.
bool put_attr(XdrCursor& in, std::uint32_t attr, Fields* out, AttrKeys keys,
              std::span<const std::uint8_t>* fh) {
    Fields* get = keys == AttrKeys::Get ? out : nullptr;
    Fields* set = keys == AttrKeys::Set ? out : nullptr;
    switch (attr) {
        // bitmap4
        case 0:   // supported_attrs
        case 75:  // suppattr_exclcreat
            put_bitmap4(in, nullptr, "", false);
            break;
        case 1: {  // type
            std::uint32_t t = in.u32();
            if (!in.ok()) break;
            const char* name = ftype4_name(t);
            if (!name) {
                in.fail(XdrError::Malformed);
                break;
            }
            if (get) get->word("ftype", name);
            break;
        }
        // uint32_t and enums
        case 2: case 10: case 13: case 28: case 29: case 65: case 66: case 76: case 77: case 79:
            in.u32();
            break;
        case 11: {  // rdattr_error
            std::uint32_t e = in.u32();
            if (get && in.ok()) get->word("rdattr_error", nfsstat4_name(e));
            break;
        }
        case 35: put_u32(in, get, "nlink"); break;  // numlinks
        case 33: {                                   // mode
            std::uint32_t mode = in.u32();
            if (out && in.ok() && keys != AttrKeys::None)
                out->octal(keys == AttrKeys::Get ? "mode" : "set_mode", mode & 07777);
            break;
        }
        // bool
        case 5: case 6: case 7: case 9: case 14: case 15: case 16: case 17: case 18: case 25: case 26:
        case 34: case 46: case 82:
            in.boolean();
            break;
        // uint64_t
        case 3: put_u64(in, get, "change"); break;
        case 4: put_u64(in, get ? get : set, get ? "size" : "set_size"); break;
        case 20: put_u64(in, get, "fileid"); break;
        case 45: put_u64(in, get, "used"); break;  // space_used
        case 21: case 22: case 23: case 27: case 30: case 31: case 38: case 39: case 40: case 42: case 43:
        case 44: case 55: case 73: case 78:
            in.u64();
            break;
        case 8: {  // fsid: major:minor
            std::uint64_t major = in.u64();
            std::uint64_t minor = in.u64();
            if (get && in.ok()) {
                char buf[48];
                char* p = std::to_chars(buf, buf + 20, major).ptr;
                *p++ = ':';
                p = std::to_chars(p, buf + sizeof buf, minor).ptr;
                get->word("fsid", std::string_view(buf, static_cast<std::size_t>(p - buf)));
            }
            break;
        }
        case 60:  // change_policy
            in.u64();
            in.u64();
            break;
        case 41:  // rawdev: specdata4
        case 74:  // mode_set_masked
            in.u32();
            in.u32();
            break;
        case 81: {  // mode_umask (RFC 8275)
            std::uint32_t mode = in.u32();
            std::uint32_t umask = in.u32();
            if (set && in.ok()) {
                set->octal("set_mode", mode & 07777);
                set->octal("umask", umask & 07777);
            }
            break;
        }
        // nfstime4
        case 47: put_nfstime4(in, get, "atime"); break;
        case 52: put_nfstime4(in, get, "ctime"); break;   // time_metadata
        case 53: put_nfstime4(in, get, "mtime"); break;   // time_modify
        case 49: case 50: case 51: case 56: case 57: put_nfstime4(in, nullptr, ""); break;
        case 48: put_settime4(in, set, "set_atime"); break;
        case 54: put_settime4(in, set, "set_mtime"); break;
        // strings
        case 32: skip_opaque(in); break;  // mimetype
        case 36: put_utf8(in, get ? get : set, get ? "owner" : "set_owner"); break;
        case 37: put_utf8(in, get ? get : set, get ? "group" : "set_group"); break;
        case 19: {  // filehandle
            auto v = read_nfs_fh4(in);
            if (!in.ok()) break;
            if (get) get->hex("fh", v);
            if (fh) *fh = v;
            break;
        }
        case 12: skip_acl(in); break;
        case 58:  // dacl
        case 59:  // sacl: nfsacl41
            in.u32();
            skip_acl(in);
            break;
        case 24: skip_fs_locations4(in); break;
        case 67: skip_fs_locations_info4(in); break;
        case 61:  // fs_status
            in.boolean();
            in.u32();
            skip_opaque(in);
            skip_opaque(in);
            in.u32();
            put_nfstime4(in, nullptr, "");
            break;
        case 62:  // fs_layout_types
        case 64:  // layout_types
            skip_u32_array(in);
            break;
        case 63:  // layout_hint: layouthint4
            in.u32();
            skip_opaque(in, kBodyMax);
            break;
        case 68: {  // mdsthreshold
            std::uint32_t n = read_array_len(in);
            for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
                in.u32();
                put_bitmap4(in, nullptr, "", false);
                skip_opaque(in, kBodyMax);
            }
            break;
        }
        case 69:  // retention_get
        case 71: {  // retentevt_get
            in.u64();
            std::uint32_t n = read_array_len(in, 1);
            if (n) put_nfstime4(in, nullptr, "");
            break;
        }
        case 70:  // retention_set
        case 72: {  // retentevt_set
            in.boolean();
            std::uint32_t n = read_array_len(in, 1);
            if (n) in.u64();
            break;
        }
        case 80:  // sec_label
            in.u32();
            in.u32();
            skip_opaque(in, kBodyMax);
            break;
        default: return false;
    }
    return true;
}

}  // namespace

// RFC 8881 3.3.x bitmap4.
std::uint32_t put_bitmap4(XdrCursor& in, Fields* out, std::string_view key, bool attrs,
                          std::uint32_t (*words)[kBitmapWordsMax]) {
    std::uint32_t n = in.u32();
    if (!in.ok()) return 0;
    if (n > kBitmapWordsMax) {
        in.fail(XdrError::Malformed);
        return 0;
    }
    std::uint32_t w[kBitmapWordsMax] = {};
    for (std::uint32_t i = 0; i < n; ++i) w[i] = in.u32();
    if (!in.ok()) return 0;
    if (words) std::memcpy(*words, w, sizeof w);
    if (!out) return n;
    // Longest: 256 bits, each a name of at most 20 characters or a number, plus commas.
    std::array<char, kBitmapWordsMax * 32 * 21 + 1> buf;
    std::size_t len = 0;
    if (attrs) {
        for (std::uint32_t bit = 0; bit < n * 32; ++bit) {
            if (!(w[bit / 32] >> (bit % 32) & 1)) continue;
            if (len) buf[len++] = ',';
            if (bit < kAttrCount) {
                std::size_t l = std::strlen(kAttrNames[bit]);
                std::memcpy(buf.data() + len, kAttrNames[bit], l);
                len += l;
            } else {
                len = static_cast<std::size_t>(std::to_chars(buf.data() + len, buf.data() + buf.size(), bit).ptr -
                                               buf.data());
            }
        }
    } else {
        static constexpr char digits[] = "0123456789abcdef";
        for (std::uint32_t i = 0; i < n; ++i) {
            if (len) buf[len++] = ',';
            for (int s = 28; s >= 0; s -= 4) buf[len++] = digits[w[i] >> s & 0xf];
        }
    }
    out->word(key, len ? std::string_view(buf.data(), len) : std::string_view("-"));
    return n;
}

// RFC 8881 3.3.x fattr4.
void put_fattr4(XdrCursor& in, Fields* out, AttrKeys keys, std::span<const std::uint8_t>* fh) {
    std::uint32_t words[kBitmapWordsMax] = {};
    std::uint32_t n = put_bitmap4(in, nullptr, "", true, &words);
    auto vals = in.opaque_var(kAttrListMax);
    if (!in.ok()) return;
    XdrCursor v(vals);
    for (std::uint32_t bit = 0; bit < n * 32; ++bit) {
        if (!(words[bit / 32] >> (bit % 32) & 1)) continue;
        if (!put_attr(v, bit, out, keys, fh)) {
            if (out && keys != AttrKeys::None) out->number("attr_undecoded", bit);
            return;
        }
        if (!v.ok()) {
            // The list was captured whole: running out inside it is malformed.
            in.fail(XdrError::Malformed);
            return;
        }
    }
}

}  // namespace rpcspy::nfs4
