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

class InputPump {
 public:
  // What one read() gave: bytes, or end of input (length 0, error 0), or an errno.
  struct Chunk {
    char* data = nullptr;  // with `headroom` writable bytes before it
    std::size_t length = 0;
    std::uint64_t read_ns = 0;
    int error = 0;
  };

  InputPump(std::size_t headroom, std::size_t chunk_size, unsigned slots);
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

 private:
  void loop(int fd, sigset_t run_mask);
  void wake(int efd) noexcept;
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
};

}  // namespace flightrec
