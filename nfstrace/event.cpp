#include "nfstrace/event.hpp"

#include <charconv>

#include "common/escape.hpp"

namespace nfstrace {

using common::RecordLine;

Op op_from_proc(std::string_view p) {
    switch (p.size()) {
        case 4:
            if (p == "read") return Op::Read;
            if (p == "link") return Op::Link;
            break;
        case 5:
            if (p == "write") return Op::Write;
            if (p == "mkdir") return Op::Mkdir;
            if (p == "rmdir") return Op::Rmdir;
            if (p == "mknod") return Op::Mknod;
            break;
        case 6:
            if (p == "lookup") return Op::Lookup;
            if (p == "access") return Op::Access;
            if (p == "create") return Op::Create;
            if (p == "remove") return Op::Remove;
            if (p == "rename") return Op::Rename;
            if (p == "commit") return Op::Commit;
            break;
        case 7:
            if (p == "getattr") return Op::Getattr;
            if (p == "setattr") return Op::Setattr;
            if (p == "symlink") return Op::Symlink;
            if (p == "readdir") return Op::Readdir;
            break;
        case 8:
            if (p == "readlink") return Op::Readlink;
            break;
        case 11:
            if (p == "readdirplus") return Op::Readdirplus;
            break;
        default: break;
    }
    return Op::Other;
}

namespace {
bool is_hex(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    return true;
}
bool parse_bool(std::string_view s) { return s == "true" || s == "1" || s == "yes"; }
bool parse_octal(std::string_view s, std::uint32_t& v) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, 8);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
// Does the procedure return the object's handle in its reply (LOOKUP, CREATE, ...)?
bool reply_has_fh(Op op) {
    return op == Op::Lookup || op == Op::Create || op == Op::Mkdir || op == Op::Symlink || op == Op::Mknod;
}
}  // namespace

Extract Extractor::extract(const RecordLine& r, Event& ev) {
    ev.t = 0;
    std::int64_t t = 0;
    int digits = 0;
    common::parse_time_ns(r.time(), t, &digits);  // validated by RecordLine
    if (digits_ < 0) digits_ = digits > 6 ? 9 : 6;
    ev.t = t;
    ev.replied = r.dur() != "-";
    std::int64_t d = 0;
    if (ev.replied) common::parse_time_ns(r.dur(), d);
    ev.done = t + d;
    ev.ok = r.status() == "ok";
    std::uint32_t v = 0;
    ev.uid = common::parse_u32(r.uid(), v) ? v : kNoId;
    ev.gid = common::parse_u32(r.gid(), v) ? v : kNoId;
    common::parse_u32(r.vers(), v);
    ev.vers = static_cast<std::uint8_t>(v > 255 ? 255 : v);
    ev.op = Op::Other;
    ev.fh = ev.dir = ev.todir = ev.rfh = 0;
    ev.offset = ev.count = ev.rcount = ev.size = 0;
    ev.mode = 0;
    ev.eof = ev.have_rcount = ev.have_count = ev.have_size = ev.have_mode = false;
    ev.ftype = FileType::Unknown;
    ev.name.clear();
    ev.toname.clear();
    ev.entries.clear();

    std::string_view prog = r.prog();
    if (prog == "nfs" || prog == "100003") {
        if (v == 2 || v == 3) return extract_nfs23(r, ev);
        if (v == 4) return Extract::Nfs4;
        return Extract::Ignored;
    }
    if (prog == "mount" || prog == "100005") return extract_mount(r, ev);
    return Extract::Ignored;
}

Extract Extractor::extract_mount(const RecordLine& r, Event& ev) {
    if (r.proc() != "mnt") return Extract::Ignored;
    ev.op = Op::MountMnt;
    ev.server = hosts_.intern(host_part(r.server()), server_cache_);
    ev.client = hosts_.intern(host_part(r.client()), client_cache_);
    const common::RecordToken* path = r.find("path");
    const common::RecordToken* fh = r.find_last("fh");
    if (!path || !fh || !ev.ok) return Extract::Ignored;
    if (!common::unescape_token(path->value, ev.name) || !is_hex(fh->value)) return Extract::BadValue;
    ev.rfh = handles_.intern(ev.server, fh->value, ev.t);
    return Extract::Event;
}

Extract Extractor::extract_nfs23(const RecordLine& r, Event& ev) {
    ev.op = op_from_proc(r.proc());
    if (ev.op == Op::Other) return Extract::Ignored;
    ev.server = hosts_.intern(host_part(r.server()), server_cache_);
    ev.client = hosts_.intern(host_part(r.client()), client_cache_);
    const bool fh_in_reply = reply_has_fh(ev.op);
    bool seen_fh = false;
    for (const common::RecordToken& tok : r.tokens()) {
        std::string_view k = tok.key;
        std::string_view val = tok.value;
        switch (k.size()) {
            case 2:
                if (k == "fh") {
                    if (!is_hex(val)) return Extract::BadValue;
                    HandleRef h = handles_.intern(ev.server, val, ev.t);
                    // Procedures that return the object's handle take none in the
                    // call; for the others a second fh is the reply's.
                    if (fh_in_reply || seen_fh)
                        ev.rfh = h;
                    else
                        ev.fh = h;
                    seen_fh = true;
                }
                break;
            case 3:
                if (k == "dir") {
                    if (!is_hex(val)) return Extract::BadValue;
                    ev.dir = handles_.intern(ev.server, val, ev.t);
                } else if (k == "eof") {
                    ev.eof = parse_bool(val);
                }
                break;
            case 4:
                if (k == "name") {
                    if (!common::unescape_token(val, ev.name)) return Extract::BadValue;
                } else if (k == "size") {
                    ev.have_size = common::parse_u64(val, ev.size);
                } else if (k == "mode") {
                    ev.have_mode = parse_octal(val, ev.mode);
                }
                break;
            case 5:
                if (k == "todir") {
                    if (!is_hex(val)) return Extract::BadValue;
                    ev.todir = handles_.intern(ev.server, val, ev.t);
                } else if (k == "count") {
                    ev.have_count = common::parse_u64(val, ev.count);
                } else if (k == "ftype") {
                    ev.ftype = parse_ftype(val);
                } else if (k == "entry" && ev.op == Op::Readdirplus) {
                    // <fileid>/<fh hex or ->/<name>, escaped as a whole.
                    DirEntry& e = ev.entries.emplace_back();
                    if (!common::unescape_token(val, e.name)) return Extract::BadValue;
                    std::size_t a = e.name.find('/');
                    std::size_t b = a == std::string::npos ? a : e.name.find('/', a + 1);
                    if (b == std::string::npos) return Extract::BadValue;
                    std::string_view h = std::string_view(e.name).substr(a + 1, b - a - 1);
                    if (h != "-") {
                        if (!is_hex(h)) return Extract::BadValue;
                        e.fh = handles_.intern(ev.server, h, ev.t);
                    }
                    e.name.erase(0, b + 1);
                }
                break;
            case 6:
                if (k == "offset") {
                    common::parse_u64(val, ev.offset);
                } else if (k == "rcount") {
                    ev.have_rcount = common::parse_u64(val, ev.rcount);
                } else if (k == "toname") {
                    if (!common::unescape_token(val, ev.toname)) return Extract::BadValue;
                }
                break;
            default: break;
        }
    }
    return Extract::Event;
}

}  // namespace nfstrace
