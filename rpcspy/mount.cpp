// MOUNT version 3 (RFC 1813 Appendix I): NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT.
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

}  // namespace rpcspy
