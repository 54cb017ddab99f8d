// Reads and parses rpcspy record lines on a thread of its own, ahead of the
// tracer that takes them: reading, splitting, checking and decoding lines
// (ParsedLine) needs none of the tracer's tables, and on a second core it
// leaves the tracer only its own work. Blocks of parsed lines pass between the two threads through a small
// ring; their storage is reused (no allocation per line once warm).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "common/record_line.hpp"
#include "nfstrace/event.hpp"

namespace nfstrace {

// The whole lines of one read, parsed.
struct ParsedBlock {
    std::vector<char> text;
    std::size_t text_size = 0;
    std::vector<ParsedLine> lines;  // [0, count) are this block's
    std::size_t count = 0;
    std::uint64_t first_line = 0;  // line number of lines[0]
    bool last = false;             // the end of the input: no lines, read_error set if any
    int read_error = 0;
};

class ParseAhead {
public:
    // Starts reading `fd` (which stays the caller's).
    explicit ParseAhead(int fd, std::size_t read_size = common::LineBlockReader::kReadSize);
    // Stops the reading thread if still running and waits for it.
    ~ParseAhead();
    ParseAhead(const ParseAhead&) = delete;
    ParseAhead& operator=(const ParseAhead&) = delete;

    // The next block, waiting for it; valid until done(). After the block
    // marked last, next() must not be called.
    const ParsedBlock& next();
    // Gives back the block next() returned.
    void done();

private:
    static constexpr std::size_t kBlocks = 8;
    // A waiting reader is woken once this many blocks are free, not at each
    // one: fewer wake-ups when the reader is the faster side (as it is).
    static constexpr std::size_t kWakeReaderAt = kBlocks / 2;

    void run();
    void parse(ParsedBlock& b);  // the lines of its text

    common::LineBlockReader reader_;
    std::array<ParsedBlock, kBlocks> blocks_;
    std::uint64_t lines_read_ = 0;  // the reading thread's count

    std::mutex mutex_;
    std::condition_variable ready_;  // a block was filled
    std::condition_variable freed_;  // blocks were given back
    std::size_t filled_ = 0;         // blocks filled so far (under mutex_)
    std::size_t taken_ = 0;          // blocks given back so far (under mutex_)
    bool tracer_waits_ = false;
    bool reader_waits_ = false;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace nfstrace
