// --summary: per client, per user, per procedure and per file, the number of
// calls, of errors, bytes read and written and percentiles of the latency, over
// the whole input or per interval of call time (--interval).
//
// Latencies go into a log-linear histogram (4 buckets per power of two, from
// 1 microsecond to about 4.5 minutes): a percentile is the middle of its bucket,
// within 12% of the true value; the maximum is exact.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "common/out_buffer.hpp"
#include "common/record_line.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/handles.hpp"

namespace nfstrace {

class LatencyHistogram {
public:
    static constexpr int kMinExp = 10;  // 2^10 ns, about 1 microsecond
    static constexpr int kMaxExp = 38;  // 2^38 ns, about 4.6 minutes
    static constexpr int kSub = 4;
    static constexpr int kBuckets = (kMaxExp - kMinExp + 1) * kSub;

    void add(Time ns);
    // The q-quantile (0 < q <= 1) of the values added, or 0 if none.
    Time quantile(double q) const;
    Time max() const { return max_; }
    std::uint64_t count() const { return n_; }

private:
    static int bucket(Time ns);
    static Time middle(int bucket);
    std::array<std::uint32_t, kBuckets> b_{};
    std::uint64_t n_ = 0;
    Time max_ = 0;
};

class Summary {
public:
    Summary(const Config& cfg, common::OutBuffer& out, const HostTable& hosts, HandleTable& handles);
    // Counts one record (already parsed and valid).
    void add(const common::RecordLine& r, std::uint32_t client, std::uint32_t server, int time_digits);
    // Writes what is left.
    void finish();

private:
    struct Stat {
        std::uint64_t calls = 0;
        std::uint64_t errors = 0;
        std::uint64_t rbytes = 0;
        std::uint64_t wbytes = 0;
        LatencyHistogram latency;
    };
    enum By { Client, User, Proc, File, kByCount };
    struct Interval {
        std::unordered_map<std::string, Stat> by[kByCount];
    };
    void flush_until(std::int64_t index);  // writes intervals before `index`
    void write(std::int64_t index, Interval& iv);
    void put_time(Time t);

    const Config& cfg_;
    common::OutBuffer& out_;
    const HostTable& hosts_;
    HandleTable& handles_;
    std::map<std::int64_t, Interval> intervals_;
    Time newest_ = 0;
    Time oldest_ = -1;
    int digits_ = 6;
    bool header_ = false;
    std::string key_;
    std::string path_;
};

}  // namespace nfstrace
