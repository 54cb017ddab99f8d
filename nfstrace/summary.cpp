#include "nfstrace/summary.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/escape.hpp"
#include "nfstrace/anonymize.hpp"

namespace nfstrace {

int LatencyHistogram::bucket(Time ns) {
    auto v = static_cast<std::uint64_t>(ns < 1 ? 1 : ns);
    int e = 63 - std::countl_zero(v);
    if (e < kMinExp) return 0;
    if (e > kMaxExp) return kBuckets - 1;
    int sub = static_cast<int>((v >> (e - 2)) & 3);  // the two bits after the leading one
    return (e - kMinExp) * kSub + sub;
}

Time LatencyHistogram::middle(int b) {
    int e = b / kSub + kMinExp;
    int sub = b % kSub;
    double lo = std::ldexp(1.0 + sub / 4.0, e);
    double hi = std::ldexp(1.0 + (sub + 1) / 4.0, e);
    return static_cast<Time>((lo + hi) / 2);
}

void LatencyHistogram::add(Time ns) {
    ++b_[static_cast<std::size_t>(bucket(ns))];
    ++n_;
    if (ns > max_) max_ = ns;
}

Time LatencyHistogram::quantile(double q) const {
    if (n_ == 0) return 0;
    auto target = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_)));
    if (target < 1) target = 1;
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += b_[static_cast<std::size_t>(i)];
        if (seen >= target) return std::min(middle(i), max_);
    }
    return max_;
}

Summary::Summary(const Config& cfg, common::OutBuffer& out, const HostTable& hosts, HandleTable& handles)
    : cfg_(cfg), out_(out), hosts_(hosts), handles_(handles) {}

void Summary::add(const common::RecordLine& r, std::uint32_t client, std::uint32_t server, int time_digits) {
    digits_ = time_digits;
    Time t = r.time_ns();
    if (t > newest_) newest_ = t;
    if (oldest_ < 0 || t < oldest_) oldest_ = t;
    std::int64_t index = cfg_.interval > 0 ? t / cfg_.interval : 0;
    // Intervals end once the reorder window has passed them.
    if (cfg_.interval > 0) flush_until((newest_ - cfg_.window) / cfg_.interval);
    if (!intervals_.empty() && index < intervals_.begin()->first) index = intervals_.begin()->first;  // late
    Interval& iv = intervals_[index];

    bool replied = r.dur_ns() >= 0;
    Time lat = replied ? r.dur_ns() : 0;
    bool error = r.status() != "ok";
    std::uint64_t rbytes = 0, wbytes = 0;
    std::string_view op = r.proc();
    std::string_view fh;
    for (const common::RecordToken& tok : r.tokens()) {
        if (tok.key == "op") {
            op = tok.value;
        } else if (tok.key == "rcount") {
            std::uint64_t v = 0;
            if (common::parse_u64(tok.value, v)) {
                if (op == "read") rbytes += v;
                if (op == "write") wbytes += v;
            }
        } else if (fh.empty() && (tok.key == "fh" || tok.key == "dir")) {
            fh = tok.value;
        }
    }
    auto count = [&](By by, const std::string& key) {
        Stat& s = iv.by[by][key];
        ++s.calls;
        if (error) ++s.errors;
        s.rbytes += rbytes;
        s.wbytes += wbytes;
        if (replied) s.latency.add(lat);
    };
    key_.assign(hosts_.name(client));
    count(Client, key_);
    key_.assign(r.uid());
    count(User, key_);
    key_.assign(r.prog());
    key_.append(r.vers());
    key_.push_back('.');
    key_.append(r.proc());
    count(Proc, key_);
    bool hex = !fh.empty();
    for (char c : fh)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) hex = false;
    if (hex) {
        // server id, then the handle: resolved to a path when written.
        key_.assign(reinterpret_cast<const char*>(&server), 4);
        key_.append(fh);
        count(File, key_);
    }
}

void Summary::put_time(Time t) {
    static constexpr std::uint64_t kScale[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                               10000,      1000,      100,      10,      1};
    auto u = static_cast<std::uint64_t>(t < 0 ? 0 : t);
    out_.put_time(u / 1'000'000'000, (u % 1'000'000'000) / kScale[digits_], digits_);
}

void Summary::flush_until(std::int64_t index) {
    while (!intervals_.empty() && intervals_.begin()->first < index) {
        write(intervals_.begin()->first, intervals_.begin()->second);
        intervals_.erase(intervals_.begin());
    }
}

void Summary::write(std::int64_t index, Interval& iv) {
    static const char* kByName[] = {"client", "user", "proc", "file"};
    if (!header_ && !cfg_.json) {
        out_.put("#nfstrace-summary 1 start end by key calls errors rbytes wbytes p50 p90 p99 max [path=...]\n");
    }
    header_ = true;
    Time start = cfg_.interval > 0 ? index * cfg_.interval : std::max<Time>(oldest_, 0);
    Time end = cfg_.interval > 0 ? start + cfg_.interval : newest_;
    std::vector<std::pair<const std::string*, const Stat*>> rows;
    std::string shown;
    for (int by = 0; by < kByCount; ++by) {
        rows.clear();
        for (const auto& [k, s] : iv.by[by]) rows.emplace_back(&k, &s);
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
            return a.second->calls != b.second->calls ? a.second->calls > b.second->calls : *a.first < *b.first;
        });
        for (const auto& [k, s] : rows) {
            // The key as shown: anonymized where asked; files as server:handle.
            shown.clear();
            bool have_path = false;
            path_.clear();
            if (by == File) {
                std::uint32_t server = 0;
                std::memcpy(&server, k->data(), 4);
                std::string_view hex = std::string_view(*k).substr(4);
                if (cfg_.anonymize_numbers)
                    append_hash_hex(cfg_.key, 's', hosts_.name(server), shown);
                else
                    shown.append(hosts_.name(server));
                shown.push_back(':');
                if (cfg_.anonymize || cfg_.short_fh)
                    append_hash_hex(cfg_.key, 'f', hex, shown);
                else
                    shown.append(hex);
                if (cfg_.names) {
                    HandleRef h = handles_.intern(server, hex, 0);
                    auto comp = [this](std::string& o, std::string_view c) {
                        if (cfg_.anonymize)
                            append_component_hash(cfg_.key, o, c);
                        else
                            o.append(c);
                    };
                    handles_.path(h, path_, comp);
                    have_path = true;
                }
            } else if (cfg_.anonymize_numbers && by == Client) {
                append_hash_hex(cfg_.key, 'c', *k, shown);
            } else if (cfg_.anonymize_numbers && by == User && *k != "-") {
                std::uint32_t uid = 0;
                common::parse_u32(*k, uid);
                char b[16];
                auto r = std::to_chars(b, b + sizeof b, anonymize_id(cfg_.key, 'u', uid));
                shown.assign(b, r.ptr);
            } else {
                shown = *k;
            }
            const Stat& st = *s;
            Time lat[4] = {st.latency.quantile(0.5), st.latency.quantile(0.9), st.latency.quantile(0.99),
                           st.latency.max()};
            if (!cfg_.json) {
                put_time(start);
                out_.put(' ');
                put_time(end);
                out_.put(' ');
                out_.put(kByName[by]);
                out_.put(' ');
                out_.put(shown);
                for (std::uint64_t v : {st.calls, st.errors, st.rbytes, st.wbytes}) {
                    out_.put(' ');
                    out_.put_u64(v);
                }
                for (Time l : lat) {
                    out_.put(' ');
                    if (st.latency.count())
                        put_time(l);
                    else
                        out_.put('-');
                }
                if (have_path) {
                    out_.put(" path=");
                    common::escape_token(out_, common::as_bytes(path_));
                }
                out_.put('\n');
            } else {
                out_.put("{\"start\":");
                put_time(start);
                out_.put(",\"end\":");
                put_time(end);
                out_.put(",\"by\":\"");
                out_.put(kByName[by]);
                out_.put("\",\"key\":");
                common::escape_json(out_, common::as_bytes(shown));
                out_.put(",\"calls\":");
                out_.put_u64(st.calls);
                out_.put(",\"errors\":");
                out_.put_u64(st.errors);
                out_.put(",\"rbytes\":");
                out_.put_u64(st.rbytes);
                out_.put(",\"wbytes\":");
                out_.put_u64(st.wbytes);
                static const char* kLat[] = {"p50", "p90", "p99", "max"};
                for (int i = 0; i < 4; ++i) {
                    out_.put(",\"");
                    out_.put(kLat[i]);
                    out_.put("\":");
                    if (st.latency.count())
                        put_time(lat[i]);
                    else
                        out_.put("null");
                }
                if (have_path) {
                    out_.put(",\"path\":");
                    common::escape_json(out_, common::as_bytes(path_));
                }
                out_.put("}\n");
            }
            out_.maybe_flush();
        }
    }
}

void Summary::finish() {
    flush_until(INT64_MAX);
    if (!header_ && !cfg_.json)
        out_.put("#nfstrace-summary 1 start end by key calls errors rbytes wbytes p50 p90 p99 max [path=...]\n");
}

}  // namespace nfstrace
