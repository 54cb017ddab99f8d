// InputPump: a thread that reads the recorder's input into a few buffers ahead of it,
// so that the read() copy and the writing of records run on two processors at once.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

namespace flightrec {

class RingFile;

class InputPump {
 public:
  // What one read() gave: bytes, or end of input (length 0, error 0), or an errno.
  struct Chunk {
    char* data = nullptr;  // with `headroom` writable bytes before it
    std::size_t length = 0;
    std::uint64_t read_ns = 0;
    int error = 0;
  };

  // With ring, the thread also write-faults the ring's pages when asked by prefault().
  InputPump(std::size_t headroom, std::size_t chunk_size, unsigned slots,
            const RingFile* ring = nullptr);
  ~InputPump();
  InputPump(const InputPump&) = delete;
  InputPump& operator=(const InputPump&) = delete;

  // Starts reading fd (unless already reading it, or it ended). The thread takes
  // signals only while it waits, with run_mask, as the recorder does.
  void start(int fd, const sigset_t& run_mask);
  // Ends the thread; chunks already read stay queued for next().
  void stop();
  // The oldest chunk read and not yet released, or nullptr.
  Chunk* next() noexcept;
  void release() noexcept;  // done with the chunk next() gave
  // Waits until a chunk may be ready, a signal arrives, or the timeout (nullptr: none).
  void wait(const timespec* timeout, const sigset_t& run_mask);
  // Asks the thread to write-fault the ring's data bytes [offset, offset + length);
  // false if it cannot (not running, or too many requests waiting).
  bool prefault(std::uint64_t offset, std::uint64_t length) noexcept;

 private:
  void loop(int fd, sigset_t run_mask);
  void wake(int efd) noexcept;
  void serve_prefaults() noexcept;
  static void drain(int efd) noexcept;

  const std::size_t headroom_, chunk_size_;
  const unsigned slots_;
  std::unique_ptr<char[]> mem_;
  std::unique_ptr<Chunk[]> chunk_;
  std::atomic<std::uint64_t> produced_{0}, consumed_{0};
  std::atomic<bool> main_waits_{false}, pump_waits_{false}, quit_{false};
  int main_efd_ = -1;  // readable: a chunk is ready (or a signal came to the pump)
  int pump_efd_ = -1;  // readable: a slot is free, or quit
  std::atomic<bool> ended_{false};  // end of input or an error was read: no more to read
  std::thread thread_;
  const RingFile* ring_;
  struct Range {
    std::uint64_t offset, length;
  };
  static constexpr unsigned kRanges = 8;
  Range range_[kRanges];
  std::atomic<std::uint64_t> ranges_asked_{0}, ranges_done_{0};
};

}  // namespace flightrec
