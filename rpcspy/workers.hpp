// rpcspy --workers: several live captures of one interface, their sockets in one
// AF_PACKET fanout group, each read by its own thread with its own tracer and
// record buffer. Records reach the output in whole blocks of lines, so lines of
// two workers never mix; their order is per connection, not global.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/out_buffer.hpp"
#include "rpcspy/capture.hpp"
#include "rpcspy/options.hpp"
#include "rpcspy/record_writer.hpp"
#include "rpcspy/tracer.hpp"

namespace rpcspy {

// A file descriptor several threads write whole buffers to, one at a time.
class BlockOutput {
public:
    explicit BlockOutput(int fd) : fd_(fd) {}
    // Writes out `block` (whole records) under the lock and empties it; false
    // once any write has failed (errno is then set).
    bool write(common::OutBuffer& block);
    bool failed() const { return failed_; }

private:
    std::mutex mutex_;
    int fd_;
    bool failed_ = false;
};

// Opens `n` live captures of `device` joined to one fanout group, each with the
// BPF filter `filter` (empty: all frames). False with `error` set on failure.
bool open_fanout(const std::string& device, const LiveOptions& live, const std::string& filter, int n,
                 std::vector<std::unique_ptr<Capture>>& captures, std::string& error);

class Workers {
public:
    Workers(std::span<const std::unique_ptr<Capture>> captures, const Options& options, int fd);
    ~Workers();
    // Reads every capture in its own thread until each ends (stop() on all of
    // them, or an error) and every record is written.
    void run();

    // After run(): the first capture error (empty if none), whether every
    // record was written, and the --stats summary with counters summed.
    const std::string& error() const { return error_; }
    bool write_ok() const { return !output_.failed(); }
    std::string summary(std::int64_t kernel_drops, std::int64_t kernel_received) const;

private:
    struct Worker;
    void work(Worker& w);
    void stop_all();

    std::span<const std::unique_ptr<Capture>> captures_;
    bool line_buffered_;
    BlockOutput output_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::mutex error_mutex_;
    std::string error_;
};

}  // namespace rpcspy
