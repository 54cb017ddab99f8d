#include "nfstrace/output.hpp"

#include "common/escape.hpp"
#include "nfstrace/anonymize.hpp"

namespace nfstrace {

namespace {
const char* direction(const OpenRecord& r) { return r.read && r.write ? "RW" : r.write ? "W" : "R"; }
}  // namespace

void OpenWriter::header() {
    if (cfg_.json) return;
    out_.put(kOpensHeader);
    out_.put('\n');
}

void OpenWriter::put_time(Time t) {
    static constexpr std::uint64_t kScale[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                               10000,      1000,      100,      10,      1};
    auto u = static_cast<std::uint64_t>(t < 0 ? 0 : t);
    out_.put_time(u / 1'000'000'000, (u % 1'000'000'000) / kScale[digits_], digits_);
}

void OpenWriter::put_host(std::uint32_t id, char domain) {
    const std::string& h = hosts_.name(id);
    std::string_view shown = h;  // addresses: printable ASCII without spaces, as in the records
    if (cfg_.anonymize_numbers) {
        scratch_.clear();
        append_hash_hex(cfg_.key, domain, h, scratch_);
        shown = scratch_;
    }
    if (cfg_.json)
        common::escape_json(out_, common::as_bytes(shown));  // with its quotes
    else
        out_.put(shown);
}

void OpenWriter::put_fh(const OpenRecord& r) {
    if (!cfg_.anonymize && !cfg_.short_fh) {
        out_.put(r.fh.view());
        return;
    }
    scratch_.clear();
    append_hash_hex(cfg_.key, 'f', r.fh.view(), scratch_);
    out_.put(scratch_);
}

void OpenWriter::put_id(std::uint32_t id, char domain) {
    out_.put_u64(cfg_.anonymize_numbers ? anonymize_id(cfg_.key, domain, id) : id);
}

void OpenWriter::emit(const OpenRecord& r) {
    if (!cfg_.json) {
        put_time(r.open);
        out_.put(' ');
        put_time(r.close);
        out_.put(' ');
        out_.put(direction(r));
        out_.put(' ');
        put_host(r.server, 's');
        out_.put(' ');
        put_fh(r);
        out_.put(' ');
        put_host(r.client, 'c');
        out_.put(' ');
        if (r.uid == kNoId)
            out_.put('-');
        else
            put_id(r.uid, 'u');
        out_.put(' ');
        out_.put_u64(r.rbytes);
        out_.put(' ');
        out_.put_u64(r.wbytes);
        out_.put(' ');
        if (r.have_size)
            out_.put_u64(r.size);
        else
            out_.put('-');
        out_.put(" ops=");
        out_.put_u64(r.ops);
        out_.put(" end=");
        out_.put(end_name(r.end));
        out_.put(" vers=");
        out_.put_u64(r.vers);
        if (r.gid != kNoId) {
            out_.put(" gid=");
            put_id(r.gid, 'g');
        }
        if (r.ftype != FileType::Unknown) {
            out_.put(" ftype=");
            out_.put(ftype_name(r.ftype));
        }
        if (r.have_mode) {
            out_.put(" mode=");
            out_.put_octal(r.mode);
        }
        if (r.have_path) {
            out_.put(" path=");
            common::escape_token(out_, common::as_bytes(r.path));
        }
        out_.put('\n');
    } else {
        out_.put("{\"open\":");
        put_time(r.open);
        out_.put(",\"close\":");
        put_time(r.close);
        out_.put(",\"dir\":\"");
        out_.put(direction(r));
        out_.put("\",\"server\":");
        put_host(r.server, 's');
        out_.put(",\"fh\":\"");
        put_fh(r);
        out_.put("\",\"client\":");
        put_host(r.client, 'c');
        out_.put(",\"uid\":");
        if (r.uid == kNoId)
            out_.put("null");
        else
            put_id(r.uid, 'u');
        out_.put(",\"rbytes\":");
        out_.put_u64(r.rbytes);
        out_.put(",\"wbytes\":");
        out_.put_u64(r.wbytes);
        out_.put(",\"size\":");
        if (r.have_size)
            out_.put_u64(r.size);
        else
            out_.put("null");
        out_.put(",\"ops\":");
        out_.put_u64(r.ops);
        out_.put(",\"end\":\"");
        out_.put(end_name(r.end));
        out_.put("\",\"vers\":");
        out_.put_u64(r.vers);
        if (r.gid != kNoId) {
            out_.put(",\"gid\":");
            put_id(r.gid, 'g');
        }
        if (r.ftype != FileType::Unknown) {
            out_.put(",\"ftype\":\"");
            out_.put(ftype_name(r.ftype));
            out_.put('"');
        }
        if (r.have_mode) {
            out_.put(",\"mode\":\"");
            out_.put_octal(r.mode);
            out_.put('"');
        }
        if (r.have_path) {
            out_.put(",\"path\":");
            common::escape_json(out_, common::as_bytes(r.path));
        }
        out_.put("}\n");
    }
    out_.maybe_flush();
}

}  // namespace nfstrace
