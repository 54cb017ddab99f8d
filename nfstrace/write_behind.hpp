// Writes opens on a thread of its own, behind the tracer: formatting a line
// (times, numbers, escaped paths, hashed names) is about a tenth of the
// tracer's work, and copying an open into a batch is much less. Lines come out
// in the order emitted, exactly as an OpenWriter alone writes them.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "common/out_buffer.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/handles.hpp"
#include "nfstrace/opens.hpp"
#include "nfstrace/output.hpp"
#include "nfstrace/slot_handoff.hpp"

namespace nfstrace {

class WriteBehind : public OpenSink {
public:
    // Opens per batch: each wakes the writing thread, which on a busy machine
    // takes the tracer's core for a while; fewer, larger batches interrupt it
    // less often.
    static constexpr std::size_t kRecords = 1024;

    // Lines go to `out`, which only the writing thread touches until finish().
    // `hosts` is the tracer's table, read on the tracer's thread only.
    WriteBehind(common::OutBuffer& out, const Config& cfg, const HostTable& hosts);
    ~WriteBehind() override;
    WriteBehind(const WriteBehind&) = delete;
    WriteBehind& operator=(const WriteBehind&) = delete;

    // As OpenWriter's, in the order called.
    void set_time_digits(int digits) { digits_ = digits; }
    void header() { header_ = true; }
    void emit(const OpenRecord& r) override;
    // Has the opens emitted so far written and `out` flushed, soon (without
    // waiting for it).
    void flush() { hand_over(false, true); }
    // Returns once everything is written to `out` (not flushed) and the thread
    // has ended.
    void finish();

private:
    static constexpr std::size_t kBatches = 4;
    struct Batch {
        std::vector<OpenRecord> records;  // [0, count) are this batch's
        std::size_t count = 0;
        std::vector<std::string> new_hosts;  // interned by the tracer since the last batch
        int digits = 6;
        bool header = false;  // the header line goes first
        bool flush = false;   // flush `out` after the batch
        bool last = false;
    };

    Batch& current() { return batches_[filled_ % kBatches]; }
    void hand_over(bool last, bool flush = false);
    void run();

    // The tracer's side.
    const HostTable& tracer_hosts_;
    std::size_t hosts_sent_ = 0;  // tracer hosts already sent with a batch
    int digits_ = 6;
    bool header_ = false;
    std::size_t filled_ = 0;  // batches handed over
    bool finished_ = false;

    // The writing thread's side: its copy of the host table (same ids, as
    // interned in the same order) and the writer.
    HostTable hosts_;
    common::OutBuffer& out_;
    OpenWriter writer_;

    std::array<Batch, kBatches> batches_;
    SlotHandoff handoff_{kBatches, kBatches / 2};
    std::thread thread_;
};

}  // namespace nfstrace
