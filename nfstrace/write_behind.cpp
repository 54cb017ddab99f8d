#include "nfstrace/write_behind.hpp"

namespace nfstrace {

WriteBehind::WriteBehind(common::OutBuffer& out, const Config& cfg, const HostTable& hosts)
    : tracer_hosts_(hosts), out_(out), writer_(out, cfg, hosts_) {
    // Slot 0 is free from the start: the tracer fills it without waiting.
    thread_ = std::thread([this] { run(); });
}

WriteBehind::~WriteBehind() { finish(); }

void WriteBehind::emit(const OpenRecord& r) {
    Batch& b = current();
    // Copies into storage kept from earlier batches, made as needed (a short
    // input costs no batch of empty records).
    if (b.count == b.records.size()) b.records.emplace_back();
    b.records[b.count++] = r;
    // The writing thread read the records last, on its core: start taking
    // over one a few opens ahead.
    if (b.count + 3 < b.records.size()) prefetch_record(&b.records[b.count + 3], true);
    if (b.count == kRecords) hand_over(false);
}

void WriteBehind::hand_over(bool last, bool flush) {
    Batch& b = current();
    std::span<const std::string> added = tracer_hosts_.names_from(hosts_sent_);
    b.new_hosts.assign(added.begin(), added.end());
    hosts_sent_ = tracer_hosts_.size();
    b.digits = digits_;
    b.header = header_;
    header_ = false;
    b.flush = flush;
    b.last = last;
    handoff_.filled(filled_);
    ++filled_;
    if (!last) {
        handoff_.wait_free(filled_);
        current().count = 0;
    }
}

void WriteBehind::finish() {
    if (finished_) return;
    finished_ = true;
    hand_over(true);
    thread_.join();
}

void WriteBehind::run() {
    for (;;) {
        Batch& b = batches_[handoff_.wait_filled() % kBatches];
        for (const std::string& h : b.new_hosts) hosts_.intern(h);
        writer_.set_time_digits(b.digits);
        if (b.header) writer_.header();
        for (std::size_t i = 0; i < b.count; ++i) writer_.emit(b.records[i]);
        if (b.flush) out_.flush();
        bool last = b.last;
        handoff_.taken();
        if (last) return;
    }
}

}  // namespace nfstrace
