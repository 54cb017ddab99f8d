#include "nfstrace/event.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/escape.hpp"
#include "common/free_slots.hpp"

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
bool hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// Handles are long (tens of digits) and in every record: 16 bytes at a time.
bool is_hex(std::string_view s) {
    if (s.empty()) return false;
    const char* p = s.data();
    const char* const end = p + s.size();
#if defined(__SSE2__)
    auto in = [](__m128i v, char lo, char hi) {  // signed compares: bytes >= 0x80 fail
        return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                             _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    auto all_hex = [&](const char* at) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        __m128i ok = _mm_or_si128(in(v, '0', '9'), _mm_or_si128(in(v, 'a', 'f'), in(v, 'A', 'F')));
        return _mm_movemask_epi8(ok) == 0xffff;
    };
    if (end - p >= 16) {
        for (; end - p >= 16; p += 16)
            if (!all_hex(p)) return false;
        return p == end || all_hex(end - 16);  // the last bytes, overlapping
    }
#endif
    for (; p != end; ++p)
        if (!hex_digit(*p)) return false;
    return true;
}
// Handles of NFSv4 records: lower-case only.
bool is_lower_hex(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
bool parse_bool(std::string_view s) { return s == "true" || s == "1" || s == "yes"; }
bool parse_octal(std::string_view s, std::uint32_t& v) { return common::parse_u32_octal(s, v); }
// Does the procedure return the object's handle in its reply (LOOKUP, CREATE, ...)?
bool reply_has_fh(Op op) {
    return op == Op::Lookup || op == Op::Create || op == Op::Mkdir || op == Op::Symlink || op == Op::Mknod;
}
}  // namespace

std::uint32_t DirListings::acquire() {
    std::uint32_t i = common::take_slot(pool_, free_);
    DirListing& l = pool_[i];
    l.entries.clear();
    l.names.clear();
    return i;
}

Extract Extractor::extract(const ParsedLine& line, Event& ev) {
    ev.seq = seq_++;
    if (digits_ < 0) digits_ = line.time_digits > 6 ? 9 : 6;
    ev.t = line.t;
    ev.replied = line.dur >= 0;
    ev.done = ev.t + (ev.replied ? line.dur : 0);
    ev.ok = line.ok;
    ev.uid = line.uid;
    ev.gid = line.gid;
    ev.client = line.client;
    ev.server = line.server;
    ev.vers = static_cast<std::uint8_t>(line.vers > 255 ? 255 : line.vers);
    ev.op = Op::Other;
    ev.fh = ev.dir = ev.todir = ev.rfh = 0;
    ev.offset = ev.count = ev.rcount = ev.size = 0;
    ev.mode = 0;
    ev.eof = ev.have_rcount = ev.have_count = ev.have_size = ev.have_mode = ev.write_hint = false;
    ev.ftype = FileType::Unknown;
    // Only if needed: clearing writes to a heap buffer that may be cold.
    if (!ev.name.empty()) ev.name.clear();
    if (!ev.toname.empty()) ev.toname.clear();
    listings_.release(ev.listing);  // refilled: the listing it may still have

    switch (line.program) {
        case Program::Nfs:
            if (line.nfs23) return extract_nfs23(line, ev);
            if (line.vers != 4 || line.rec.proc() != "compound") return Extract::Ignored;
            return Extract::Compound;
        case Program::Mount: return extract_mount(line, ev);
        case Program::Other: break;
    }
    return Extract::Ignored;
}

bool Extractor::add_entry(Event& ev, std::string_view token, bool (*hex)(std::string_view)) {
    if (!common::unescape_token(token, scratch_)) return false;
    std::string_view v = scratch_;
    std::size_t a = v.find('/');
    std::size_t b = a == std::string_view::npos ? a : v.find('/', a + 1);
    if (b == std::string_view::npos) return false;
    if (ev.listing == kNoListing) ev.listing = listings_.acquire();
    DirListing& l = listings_[ev.listing];
    DirEntry& e = l.entries.emplace_back();
    std::string_view h = v.substr(a + 1, b - a - 1);
    if (h != "-") {
        if (!hex(h)) return false;
        auto at = static_cast<std::uint32_t>(l.names.size());
        l.names.append(h);  // for intern_entries(), before the name
        std::uint64_t hash = HandleTable::key_hash(h);
        handles_.prefetch_index(hash);
        pending_.push_back(PendingEntry{static_cast<std::uint32_t>(l.entries.size() - 1), at,
                                        static_cast<std::uint32_t>(h.size()), hash});
    }
    std::string_view name = v.substr(b + 1);
    e.name_at = static_cast<std::uint32_t>(l.names.size());
    e.name_size = static_cast<std::uint32_t>(name.size());
    l.names.append(name);
    return true;
}

void Extractor::intern_entries(Event& ev, std::uint32_t server, Time t) {
    if (pending_.empty()) return;
    for (const PendingEntry& p : pending_) handles_.prefetch_node(p.hash);
    DirListing& l = listings_[ev.listing];
    std::string_view names = l.names;
    for (const PendingEntry& p : pending_)
        l.entries[p.entry].fh = handles_.intern(server, names.substr(p.hex_at, p.hex_size), t, p.hash);
    pending_.clear();
}

Extract Extractor::extract_mount(const ParsedLine& line, Event& ev) {
    const RecordLine& r = line.rec;
    if (r.proc() != "mnt") return Extract::Ignored;
    ev.op = Op::MountMnt;
    const common::RecordToken* path = r.find("path");
    const common::RecordToken* fh = r.find_last("fh");
    if (!path || !fh || !ev.ok) return Extract::Ignored;
    if (!common::unescape_token(path->value, ev.name) || !is_hex(fh->value)) return Extract::BadValue;
    ev.rfh = handles_.intern(ev.server, fh->value, ev.t);
    return Extract::Event;
}

Extract Extractor::extract_nfs23(const ParsedLine& line, Event& ev) {
    const Nfs23Decoded& d = line.decoded;
    if (d.what == Extract::Ignored) return Extract::Ignored;
    ev.op = d.op;
    ev.eof = d.eof;
    ev.have_rcount = d.have_rcount;
    ev.have_count = d.have_count;
    ev.have_size = d.have_size;
    ev.have_mode = d.have_mode;
    ev.ftype = d.ftype;
    ev.mode = d.mode;
    ev.offset = d.offset;
    ev.count = d.count;
    ev.rcount = d.rcount;
    ev.size = d.size;
    if (d.names) {
        if (!d.name.empty()) ev.name.assign(d.name);
        if (!d.toname.empty()) ev.toname.assign(d.toname);
    }
    // Tokens are taken in order up to the first malformed one (the decoding's,
    // or an entry's): the handles before it are interned either way.
    bool bad = d.what == Extract::BadValue;
    std::size_t stop = bad ? d.bad_token : std::numeric_limits<std::size_t>::max();
    if (d.entries) {
        std::span<const common::RecordToken> t = line.rec.tokens();
        for (std::size_t i = 0; i < std::min(stop, t.size()); ++i) {
            if (t[i].key != "entry") continue;
            if (!add_entry(ev, t[i].value, is_hex)) {
                stop = i;
                bad = true;
            }
        }
    }
    for (std::size_t i = 0; i < d.handle_count; ++i) {
        const Nfs23Decoded::Handle& h = d.handle(i);
        if (h.token >= stop) break;
        HandleRef ref = handles_.intern(ev.server, h.hex(), ev.t, h.hash);
        switch (h.role) {
            case Nfs23Decoded::Role::Fh: ev.fh = ref; break;
            case Nfs23Decoded::Role::Rfh: ev.rfh = ref; break;
            case Nfs23Decoded::Role::Dir: ev.dir = ref; break;
            case Nfs23Decoded::Role::Todir: ev.todir = ref; break;
        }
    }
    intern_entries(ev, ev.server, ev.t);  // those before a bad value too, as when each was interned at once
    return bad ? Extract::BadValue : Extract::Event;
}

namespace {

// The tokens of an NFSv2/v3 record into `d` (whose op is set).
void decode_nfs23_tokens(const RecordLine& r, Nfs23Decoded& d) {
    using Role = Nfs23Decoded::Role;
    const bool fh_in_reply = reply_has_fh(d.op);
    bool seen_fh = false;
    std::span<const common::RecordToken> tokens = r.tokens();
    auto bad = [&d](std::size_t i) {
        d.what = Extract::BadValue;
        d.bad_token = static_cast<std::uint32_t>(i);
    };
    // A handle token: false (malformed) if not hex, or beyond what a Handle
    // holds (only in a line of gigabytes).
    constexpr std::uint32_t kTokenMask = Nfs23Decoded::kMaxToken;
    auto handle = [&d](Role role, std::size_t i, std::string_view hex) {
        if (!is_hex(hex) || i > Nfs23Decoded::kMaxToken || hex.size() > UINT32_MAX) return false;
        Nfs23Decoded::Handle h{HandleTable::key_hash(hex), hex.data(), static_cast<std::uint32_t>(hex.size()),
                               static_cast<std::uint32_t>(i) & kTokenMask, role};
        d.add_handle(h);
        return true;
    };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::string_view k = tokens[i].key;
        std::string_view val = tokens[i].value;
        switch (k.size()) {
            case 2:
                if (k == "fh") {
                    // Procedures that return the object's handle take none in the
                    // call; for the others a second fh is the reply's.
                    if (!handle(fh_in_reply || seen_fh ? Role::Rfh : Role::Fh, i, val)) return bad(i);
                    seen_fh = true;
                }
                break;
            case 3:
                if (k == "dir") {
                    if (!handle(Role::Dir, i, val)) return bad(i);
                } else if (k == "eof") {
                    d.eof = parse_bool(val);
                }
                break;
            case 4:
                if (k == "name") {
                    if (!common::unescape_token(val, d.name)) return bad(i);
                } else if (k == "size") {
                    d.have_size = common::parse_u64(val, d.size);
                } else if (k == "mode") {
                    d.have_mode = parse_octal(val, d.mode);
                }
                break;
            case 5:
                if (k == "todir") {
                    if (!handle(Role::Todir, i, val)) return bad(i);
                } else if (k == "count") {
                    d.have_count = common::parse_u64(val, d.count);
                } else if (k == "ftype") {
                    d.ftype = parse_ftype(val);
                } else if (k == "entry" && (d.op == Op::Readdirplus || d.op == Op::Readdir)) {
                    d.entries = true;
                }
                break;
            case 6:
                if (k == "offset") {
                    common::parse_u64(val, d.offset);
                } else if (k == "rcount") {
                    d.have_rcount = common::parse_u64(val, d.rcount);
                } else if (k == "toname") {
                    if (!common::unescape_token(val, d.toname)) return bad(i);
                }
                break;
            default: break;
        }
    }
}

}  // namespace

void ParsedLine::parse(std::string_view line, HostInterner& hosts) {
    kind = rec.parse(line);
    nfs23 = false;
    has_handle = false;
    if (kind != common::LineKind::Record) return;
    std::string_view prog = rec.prog();
    program = prog == "nfs" || prog == "100003"     ? Program::Nfs
              : prog == "mount" || prog == "100005" ? Program::Mount
                                                    : Program::Other;
    ok = rec.status() == "ok";
    time_digits = static_cast<std::uint8_t>(rec.time_digits());
    vers = rec.vers_number();
    uid = rec.uid_number() < 0 ? kNoId : static_cast<std::uint32_t>(rec.uid_number());
    gid = rec.gid_number() < 0 ? kNoId : static_cast<std::uint32_t>(rec.gid_number());
    t = rec.time_ns();
    dur = rec.dur_ns();
    client = hosts.table.intern(host_part(rec.client()), hosts.client);
    server = hosts.table.intern(host_part(rec.server()), hosts.server);
    if (program == Program::Nfs && (vers == 2 || vers == 3)) {
        nfs23 = true;
        Nfs23Decoded& d = decoded;
        d.op = op_from_proc(rec.proc());
        d.what = d.op == Op::Other ? Extract::Ignored : Extract::Event;
        d.eof = d.have_rcount = d.have_count = d.have_size = d.have_mode = d.entries = d.names = false;
        d.ftype = FileType::Unknown;
        d.mode = 0;
        d.offset = d.count = d.rcount = d.size = 0;
        d.handle_count = 0;
        if (!d.more_handles.empty()) d.more_handles.clear();
        // Only if needed: clearing writes to a heap buffer that may be cold.
        if (!d.name.empty()) d.name.clear();
        if (!d.toname.empty()) d.toname.clear();
        if (d.what == Extract::Ignored) return;
        decode_nfs23_tokens(rec, d);
        d.names = !d.name.empty() || !d.toname.empty();
        // (Among the first 256: first_handle holds no more, and only a
        // crafted record has that many todir= before its fh= or dir=.)
        for (std::size_t i = 0; i < std::min<std::size_t>(d.handle_count, 256); ++i) {
            const Nfs23Decoded::Handle& h = d.handle(i);
            if (h.role != Nfs23Decoded::Role::Todir) {  // the first fh= or dir=
                has_handle = true;
                first_handle = static_cast<std::uint8_t>(i);
                break;
            }
        }
        return;
    }
    for (const common::RecordToken& tok : rec.tokens()) {
        if (tok.key == "fh" || tok.key == "dir") {
            other_hash = HandleTable::key_hash(tok.value);
            has_handle = true;
            return;
        }
    }
}

}  // namespace nfstrace

namespace nfstrace {

namespace {
using Tokens = std::span<const common::RecordToken>;

// One operation of a COMPOUND: its tokens [begin, end) (the first is op=NAME).
struct OpRange {
    std::size_t begin;
    std::size_t end;
};

std::string_view value_in(const Tokens& t, OpRange r, std::string_view key) {
    for (std::size_t i = r.begin + 1; i < r.end; ++i)
        if (t[i].key == key) return t[i].value;
    return {};
}
bool has(const Tokens& t, OpRange r, std::string_view key) {
    for (std::size_t i = r.begin + 1; i < r.end; ++i)
        if (t[i].key == key) return true;
    return false;
}

// Splits tokens [from, to) into operations.
void split_ops(const Tokens& t, std::size_t from, std::size_t to, std::vector<OpRange>& out) {
    out.clear();
    for (std::size_t i = from; i < to; ++i) {
        if (t[i].key != "op") continue;
        if (!out.empty()) out.back().end = i;
        out.push_back(OpRange{i, to});
    }
}

void append_hex(std::string& out, std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    for (int i = 60; i >= 0; i -= 4) out.push_back(digits[(v >> i) & 0xf]);
}
}  // namespace

Extract Extractor::extract_nfs4(const common::RecordLine& r, const Event& base, EventQueue& q) {
    const Tokens t = r.tokens();
    // Call: tag= minor= op=... ; reply (if any): rtag= op=NAME st=STATUS ... .
    // (Records of rpcspy before the "rtag" key repeat "tag" instead.)
    std::size_t reply_at = t.size();
    for (std::size_t i = 1; i < t.size(); ++i)
        if (t[i].key == "rtag" || t[i].key == "tag") {
            reply_at = i;
            break;
        }
    std::vector<OpRange> calls, results;
    split_ops(t, 0, reply_at, calls);
    split_ops(t, reply_at, t.size(), results);

    bool queued = false;
    HandleRef cfh = 0, saved = 0;
    // The last LOOKUP/OPEN/CREATE by name that made the current handle, until a
    // GETFH tells its real handle: (directory, name).
    HandleRef pend_dir = 0, saved_pend_dir = 0;
    std::string pend_name, saved_pend_name;
    bool open_pending = false, open_write = false;
    std::string name;

    auto emit = [&](Op op) -> Event& {
        Event& e = q.next_event();
        listings_.release(e.listing);  // of an event filled before but not added
        e = base;
        e.op = op;
        e.seq = seq_++;
        queued = true;
        return e;
    };
    auto push = [&q]() { q.add_event(); };
    // A stand-in for the handle of (dir, name) until GETFH tells the real one.
    auto standin = [&](HandleRef dir, std::string_view n) {
        scratch_.assign("~");
        append_hex(scratch_, dir);
        for (unsigned char c : n) {
            static constexpr char digits[] = "0123456789abcdef";
            scratch_.push_back(digits[c >> 4]);
            scratch_.push_back(digits[c & 0xf]);
        }
        return handles_.intern(base.server, scratch_, base.t);
    };
    auto bind_name = [&](HandleRef dir, const std::string& n, HandleRef child) {
        Event& e = emit(Op::Lookup);
        e.ok = true;
        e.dir = dir;
        e.name = n;
        e.rfh = child;
        push();
    };
    auto flush_open = [&]() {
        if (!open_pending || !cfh) return;
        open_pending = false;
        Event& e = emit(Op::Open);
        e.ok = true;
        e.fh = cfh;
        e.write_hint = open_write;
        push();
    };

    for (std::size_t k = 0; k < calls.size(); ++k) {
        OpRange c = calls[k];
        bool ok = k < results.size() && value_in(t, results[k], "st") == "ok";
        OpRange res = k < results.size() ? results[k] : OpRange{0, 0};
        std::string_view op = t[c.begin].value;
        if (!ok) break;  // a COMPOUND stops at its first failure
        if (op == "putfh") {
            flush_open();
            std::string_view fh = value_in(t, c, "fh");
            if (!is_lower_hex(fh)) return Extract::BadValue;
            cfh = handles_.intern(base.server, fh, base.t);
            pend_dir = 0;
        } else if (op == "putrootfh" || op == "putpubfh") {
            flush_open();
            cfh = handles_.intern(base.server, "~root", base.t);
            Event& e = emit(Op::MountMnt);
            e.ok = true;
            e.rfh = cfh;
            e.name = "/";
            push();
            pend_dir = 0;
        } else if (op == "lookup" || op == "create" ||
                   (op == "open" && has(t, c, "name"))) {
            if (!cfh) continue;
            if (!common::unescape_token(value_in(t, c, "name"), name)) return Extract::BadValue;
            if (op == "open") {
                flush_open();
                open_pending = true;
                std::string_view acc = value_in(t, c, "access");
                open_write = acc == "write" || acc == "both" || has(t, c, "how");
            }
            HandleRef child = standin(cfh, name);
            bind_name(cfh, name, child);
            pend_dir = cfh;
            pend_name = name;
            cfh = child;
        } else if (op == "open") {  // by handle (CLAIM_FH, CLAIM_PREVIOUS, ...)
            flush_open();
            open_pending = true;
            std::string_view acc = value_in(t, c, "access");
            open_write = acc == "write" || acc == "both";
        } else if (op == "lookupp") {
            flush_open();
            cfh = 0;
            pend_dir = 0;
        } else if (op == "getfh") {
            std::string_view fh = value_in(t, res, "fh");
            if (!is_lower_hex(fh)) return Extract::BadValue;
            HandleRef real = handles_.intern(base.server, fh, base.t);
            if (pend_dir) bind_name(pend_dir, pend_name, real);
            pend_dir = 0;
            cfh = real;
            flush_open();
        } else if (op == "savefh") {
            saved = cfh;
            saved_pend_dir = pend_dir;
            saved_pend_name = pend_name;
        } else if (op == "restorefh") {
            flush_open();
            cfh = saved;
            pend_dir = saved_pend_dir;
            pend_name = saved_pend_name;
        } else if (op == "getattr") {
            if (!cfh) continue;
            Event& e = emit(Op::Attrs);
            e.ok = true;
            e.fh = cfh;
            e.ftype = parse_ftype(value_in(t, res, "ftype"));
            e.have_size = common::parse_u64(value_in(t, res, "size"), e.size);
            std::string_view mode = value_in(t, res, "mode");
            e.have_mode = !mode.empty() && std::from_chars(mode.data(), mode.data() + mode.size(), e.mode, 8).ec ==
                                               std::errc();
            push();
        } else if (op == "read" || op == "write" || op == "commit" || op == "close") {
            if (!cfh) continue;
            flush_open();
            Op o = op == "read" ? Op::Read : op == "write" ? Op::Write : op == "commit" ? Op::Commit : Op::Close;
            Event& e = emit(o);
            e.ok = true;
            e.fh = cfh;
            common::parse_u64(value_in(t, c, "offset"), e.offset);
            e.have_count = common::parse_u64(value_in(t, c, "count"), e.count);
            e.have_rcount = common::parse_u64(value_in(t, res, "rcount"), e.rcount);
            std::string_view eof = value_in(t, res, "eof");
            e.eof = eof == "1" || eof == "true";
            push();
        } else if (op == "remove" || op == "rename" || op == "link") {
            if (!cfh) continue;
            Event& e = emit(op == "remove" ? Op::Remove : op == "rename" ? Op::Rename : Op::Link);
            e.ok = true;
            bool good = true;
            if (op == "remove") {
                e.dir = cfh;
                good = common::unescape_token(value_in(t, c, "name"), e.name);
            } else if (op == "rename") {
                e.dir = saved;
                e.todir = cfh;
                good = common::unescape_token(value_in(t, c, "oldname"), e.name) &&
                       common::unescape_token(value_in(t, c, "newname"), e.toname);
            } else {
                e.fh = saved;
                e.todir = cfh;
                good = common::unescape_token(value_in(t, c, "name"), e.toname);
            }
            if (!good) return Extract::BadValue;  // the event stays unqueued
            push();
        } else if (op == "readdir") {
            if (!cfh) continue;
            Event& e = emit(Op::Readdirplus);
            e.ok = true;
            e.fh = cfh;
            bool good = true;
            for (std::size_t i = res.begin + 1; i < res.end && good; ++i)
                if (t[i].key == "entry") good = add_entry(e, t[i].value, is_lower_hex);
            intern_entries(e, base.server, base.t);
            if (!good) return Extract::BadValue;  // the event stays unqueued
            push();
        }
    }
    flush_open();
    return queued ? Extract::Event : Extract::Ignored;
}

}  // namespace nfstrace
