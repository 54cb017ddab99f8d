#include "nfstrace/parse_ahead.hpp"

#include <string_view>


namespace nfstrace {

ParseAhead::ParseAhead(int fd, const HostTable& hosts, std::size_t read_size) : reader_(fd, read_size) {
    for (const std::string& host : hosts.names_from(0)) hosts_.intern(host);
    reader_.make_interruptible();
    thread_ = std::thread([this] { run(); });
}

ParseAhead::~ParseAhead() {
    reader_.interrupt();  // a read waiting on a silent pipe
    handoff_.stop();      // a wait for a free block
    thread_.join();
}

void ParseAhead::parse(ParsedBlock& b) {
    std::string_view text(b.text.data(), b.text_size);
    b.count = 0;
    b.first_line = lines_read_ + 1;
    const std::size_t known = hosts_.size();
    while (!text.empty()) {
        if (b.count == b.lines.size()) b.lines.resize(b.lines.size() + 64);
        b.lines[b.count++].parse(common::take_line(text), interner_);
    }
    lines_read_ += b.count;
    std::span<const std::string> added = hosts_.names_from(known);
    b.new_hosts.assign(added.begin(), added.end());
}

void ParseAhead::run() {
    for (std::size_t n = 0;; ++n) {
        if (!handoff_.wait_free(n)) return;
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
        handoff_.filled(n);
        if (!more) return;
    }
}

const ParsedBlock& ParseAhead::next() { return blocks_[handoff_.wait_filled() % kBlocks]; }

const ParsedBlock* ParseAhead::next_within(std::chrono::milliseconds limit) {
    std::size_t n = 0;
    return handoff_.wait_filled_for(limit, n) ? &blocks_[n % kBlocks] : nullptr;
}

void ParseAhead::done() { handoff_.taken(); }

}  // namespace nfstrace
