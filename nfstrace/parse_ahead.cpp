#include "nfstrace/parse_ahead.hpp"

#include <string_view>


namespace nfstrace {

ParseAhead::ParseAhead(int fd, std::size_t read_size) : reader_(fd, read_size) {
    reader_.interrupt_on(&stop_);
    thread_ = std::thread([this] { run(); });
}

ParseAhead::~ParseAhead() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true, std::memory_order_relaxed);
    }
    freed_.notify_one();
    thread_.join();
}

void ParseAhead::parse(ParsedBlock& b) {
    std::string_view text(b.text.data(), b.text_size);
    b.count = 0;
    b.first_line = lines_read_ + 1;
    while (!text.empty()) {
        if (b.count == b.lines.size()) b.lines.resize(b.lines.size() + 64);
        b.lines[b.count++].parse(common::take_line(text));
    }
    lines_read_ += b.count;
}

void ParseAhead::run() {
    for (std::size_t n = 0;; ++n) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            while (n - taken_ == kBlocks && !stop_.load(std::memory_order_relaxed)) {
                reader_waits_ = true;
                freed_.wait(lock);
            }
            reader_waits_ = false;
            if (stop_.load(std::memory_order_relaxed)) return;
        }
        ParsedBlock& b = blocks_[n % kBlocks];
        bool more = reader_.read(b.text, b.text_size);
        if (reader_.interrupted()) return;
        b.last = !more;
        b.read_error = 0;
        if (more) {
            parse(b);
        } else {
            b.count = 0;
            b.read_error = reader_.read_error();
        }
        bool wake;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            filled_ = n + 1;
            wake = tracer_waits_;
        }
        if (wake) ready_.notify_one();
        if (!more) return;
    }
}

const ParsedBlock& ParseAhead::next() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (filled_ == taken_) {
        tracer_waits_ = true;
        ready_.wait(lock);
    }
    tracer_waits_ = false;
    return blocks_[taken_ % kBlocks];
}

void ParseAhead::done() {
    bool wake;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++taken_;
        // The reader waits only with every block filled; wake it once half are free.
        wake = reader_waits_ && filled_ - taken_ <= kBlocks - kWakeReaderAt;
    }
    if (wake) freed_.notify_one();
}

}  // namespace nfstrace
