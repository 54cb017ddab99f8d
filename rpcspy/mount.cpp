// MOUNT version 3 (RFC 1813 Appendix I): NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT;
// versions 1 and 2 (RFC 1094 Appendix A), which share them except for MNT's
// result (fhstatus, a 32-byte handle), add EXPORTALL (as EXPORT), and in
// version 2 PATHCONF.
#include <array>
#include <charconv>

#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

namespace rpcspy {

namespace {

// RFC 1813 Appendix I: sizes.
constexpr std::uint32_t MNTPATHLEN = 1024;  // dirpath
constexpr std::uint32_t MNTNAMLEN = 255;    // name (host and group names)
constexpr std::uint32_t FHSIZE3 = 64;       // fhandle3
// auth_flavors is an unbounded int<>; a server offers a handful at most.
constexpr std::uint32_t kMaxFlavors = 64;

// mountstat3 (Appendix I): "ok" or the lower-case name without MNT3ERR_.
std::string_view mountstat3_name(std::uint32_t status) {
    switch (status) {
        case 0: return "ok";
        case 1: return "perm";
        case 2: return "noent";
        case 5: return "io";
        case 13: return "acces";
        case 20: return "notdir";
        case 22: return "inval";
        case 63: return "nametoolong";
        case 10004: return "notsupp";
        case 10006: return "serverfault";
        default: return status_number(status);
    }
}

// MNT and UMNT arguments: dirpath.
void dirpath_call(XdrCursor& in, Fields& out) { put_bytes(in, &out, "path", MNTPATHLEN); }

// MNT result: mountres3 = mountstat3, then for MNT3_OK mountres3_ok
// {fhandle3 fhandle; int auth_flavors<>}.
std::string_view mnt_reply(XdrCursor& in, Fields& out) {
    std::uint32_t status = in.u32();
    if (!in.ok()) return kStatusUnread;
    if (status == 0) {
        auto fh = in.opaque_var(FHSIZE3);
        if (in.ok()) out.hex("fh", fh);
        std::uint32_t n = in.u32();
        if (in.ok() && n > kMaxFlavors) in.fail(common::XdrError::Malformed);
        std::array<char, kMaxFlavors * 11> buf;
        char* p = buf.data();
        for (std::uint32_t i = 0; i < n && in.ok(); ++i) {
            std::uint32_t flavor = in.u32();
            if (!in.ok()) break;
            if (i) *p++ = ',';
            p = std::to_chars(p, buf.data() + buf.size(), flavor).ptr;
        }
        if (in.ok()) out.word("flavors", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
    return mountstat3_name(status);
}

// MNT result, versions 1 and 2 (RFC 1094 A.3): fhstatus, an unsigned status (a
// UNIX errno, named as mountstat3) then for 0 fhandle, opaque[32].
constexpr std::uint32_t FHSIZE = 32;
std::string_view mnt1_reply(XdrCursor& in, Fields& out) {
    std::uint32_t status = in.u32();
    if (!in.ok()) return kStatusUnread;
    if (status == 0) put_hex_fixed(in, &out, "fh", FHSIZE);
    return mountstat3_name(status);
}

// DUMP result: mountlist, a linked list of {name ml_hostname; dirpath
// ml_directory}, printed as one mount=<host>:<path> token per entry.
std::string_view dump_reply(XdrCursor& in, Fields& out) {
    std::array<char, MNTNAMLEN + 1 + MNTPATHLEN> buf;
    while (in.boolean()) {
        auto host = in.opaque_var(MNTNAMLEN);
        auto dir = in.opaque_var(MNTPATHLEN);
        if (!in.ok()) break;
        char* p = buf.data();
        for (std::uint8_t b : host) *p++ = static_cast<char>(b);
        *p++ = ':';
        for (std::uint8_t b : dir) *p++ = static_cast<char>(b);
        out.bytes("mount", std::string_view(buf.data(), static_cast<std::size_t>(p - buf.data())));
    }
    return "ok";  // the list has no status of its own
}

// EXPORT result: exports, a linked list of {dirpath ex_dir; groups ex_groups}
// where groups is a linked list of names; printed as one export=<path> token
// per export (the groups are read, not printed).
std::string_view export_reply(XdrCursor& in, Fields& out) {
    while (in.boolean()) {
        auto dir = in.opaque_var(MNTPATHLEN);
        while (in.boolean()) in.opaque_var(MNTNAMLEN);
        if (!in.ok()) break;
        out.bytes("export", dir);
    }
    return "ok";  // the list has no status of its own
}

// PATHCONF result, version 2 (Sun's mount.x): ppathcnf {int pc_link_max;
// short pc_max_canon, pc_max_input, pc_name_max, pc_path_max, pc_pipe_buf;
// u_char pc_vdisable; char pc_xxx; short pc_mask[2]}, every member one XDR
// word; printed as linkmax name_max path_max.
std::string_view pathconf_reply(XdrCursor& in, Fields& out) {
    put_u32(in, &out, "linkmax");
    in.u32();  // pc_max_canon
    in.u32();  // pc_max_input
    put_u32(in, &out, "name_max");
    put_u32(in, &out, "path_max");
    in.u32();  // pc_pipe_buf
    in.u32();  // pc_vdisable
    in.u32();  // pc_xxx
    in.u32();  // pc_mask[0]
    in.u32();  // pc_mask[1]
    return "ok";  // no status of its own
}

// Indexed by procedure number (RFC 1094 Appendix A; version 2 adds PATHCONF).
constexpr Procedure kMount2[] = {
    {"null", nullptr, nullptr},
    {"mnt", dirpath_call, mnt1_reply},
    {"dump", nullptr, dump_reply},
    {"umnt", dirpath_call, nullptr},
    {"umntall", nullptr, nullptr},
    {"export", nullptr, export_reply},
    {"exportall", nullptr, export_reply},
    {"pathconf", dirpath_call, pathconf_reply},
};

// Indexed by procedure number (Appendix I).
constexpr Procedure kMount3[] = {
    {"null", nullptr, nullptr},
    {"mnt", dirpath_call, mnt_reply},
    {"dump", nullptr, dump_reply},
    {"umnt", dirpath_call, nullptr},
    {"umntall", nullptr, nullptr},
    {"export", nullptr, export_reply},
};

}  // namespace

std::span<const Procedure> mount3_procedures() { return kMount3; }
std::span<const Procedure> mount1_procedures() { return std::span<const Procedure>(kMount2).first(7); }
std::span<const Procedure> mount2_procedures() { return kMount2; }

}  // namespace rpcspy
