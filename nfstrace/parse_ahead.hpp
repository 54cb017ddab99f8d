// Reads and parses rpcspy record lines on a thread of its own, ahead of the
// tracer that takes them: reading, splitting, checking and decoding lines
// (ParsedLine) needs none of the tracer's tables, and on a second core it
// leaves the tracer only its own work. Blocks of parsed lines pass between the
// two threads through a small ring (SlotHandoff); their storage is reused (no
// allocation per line once warm).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "common/record_line.hpp"
#include "nfstrace/event.hpp"
#include "nfstrace/slot_handoff.hpp"

namespace nfstrace {

// The whole lines of one read, parsed.
struct ParsedBlock {
    std::vector<char> text;
    std::size_t text_size = 0;
    std::vector<ParsedLine> lines;  // [0, count) are this block's
    std::size_t count = 0;
    std::uint64_t first_line = 0;  // line number of lines[0]
    // Hosts met for the first time in this block, in the order the reading
    // thread's table gave them their ids.
    std::vector<std::string> new_hosts;
    bool last = false;  // the end of the input: no lines, read_error set if any
    int read_error = 0;
};

class ParseAhead {
public:
    // Starts reading `fd` (which stays the caller's). Host ids continue those
    // of `hosts` (the tracer's table, which adds each block's new_hosts).
    ParseAhead(int fd, const HostTable& hosts, std::size_t read_size = common::LineBlockReader::kReadSize);
    // Stops the reading thread if still running and waits for it.
    ~ParseAhead();
    ParseAhead(const ParseAhead&) = delete;
    ParseAhead& operator=(const ParseAhead&) = delete;

    // The next block, waiting for it; valid until done(). After the block
    // marked last, next() must not be called.
    const ParsedBlock& next();
    // The same, but waiting at most `limit`: nullptr if the input had nothing
    // new by then.
    const ParsedBlock* next_within(std::chrono::milliseconds limit);
    // Gives back the block next() returned.
    void done();

private:
    static constexpr std::size_t kBlocks = 8;

    void run();
    void parse(ParsedBlock& b);  // the lines of its text

    common::LineBlockReader reader_;
    std::array<ParsedBlock, kBlocks> blocks_;
    std::uint64_t lines_read_ = 0;  // the reading thread's count
    HostTable hosts_;               // the reading thread's copy of the tracer's
    HostInterner interner_{hosts_, {}, {}};
    SlotHandoff handoff_{kBlocks, kBlocks / 2, true};  // the tracer spins a little for the next block
    std::thread thread_;
};

}  // namespace nfstrace
