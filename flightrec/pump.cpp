#include "pump.hpp"

#include "ring.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace flightrec {

InputPump::InputPump(std::size_t headroom, std::size_t chunk_size, unsigned slots)
    : headroom_(headroom), chunk_size_(chunk_size), slots_(slots),
      // Not zeroed: read() fills a chunk before it is used (zeroing 3 MiB was 4% of a run).
      mem_(std::make_unique_for_overwrite<char[]>(slots * (headroom + chunk_size))),
      chunk_(std::make_unique<Chunk[]>(slots)) {
  main_efd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  pump_efd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (main_efd_ < 0 || pump_efd_ < 0) throw Error(std::string("eventfd: ") + std::strerror(errno));
}

InputPump::~InputPump() {
  stop();
  ::close(main_efd_);
  ::close(pump_efd_);
}

void InputPump::wake(int efd) noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(efd, &one, sizeof one);
}

void InputPump::drain(int efd) noexcept {
  std::uint64_t v;
  [[maybe_unused]] auto n = ::read(efd, &v, sizeof v);
}

void InputPump::start(int fd, const sigset_t& run_mask) {
  if (thread_.joinable() || ended_.load()) return;
  quit_.store(false);
  drain(pump_efd_);
  // A pipe holds 64 KiB by default: each read would take that much, with a poll and
  // a wake-up of the recorder around it. Ask for a pipe as large as a chunk (the
  // kernel caps it at fs.pipe-max-size; a refusal changes nothing).
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
    const int have = fcntl(fd, F_GETPIPE_SZ);
    if (have >= 0 && static_cast<std::size_t>(have) < chunk_size_)
      fcntl(fd, F_SETPIPE_SZ, static_cast<int>(std::min<std::size_t>(chunk_size_, 1u << 20)));
  }
  try {
    thread_ = std::thread([this, fd, run_mask] { loop(fd, run_mask); });
  } catch (const std::system_error& e) {
    throw Error(std::string("starting the input thread: ") + e.what());
  }
}

void InputPump::stop() {
  if (!thread_.joinable()) return;
  quit_.store(true);
  wake(pump_efd_);
  thread_.join();
}

InputPump::Chunk* InputPump::next() noexcept {
  const std::uint64_t c = consumed_.load(std::memory_order_relaxed);
  if (produced_.load(std::memory_order_acquire) == c) return nullptr;
  return &chunk_[c % slots_];
}

void InputPump::release() noexcept {
  consumed_.store(consumed_.load(std::memory_order_relaxed) + 1, std::memory_order_seq_cst);
  if (pump_waits_.load(std::memory_order_seq_cst)) wake(pump_efd_);
}

void InputPump::wait(const timespec* timeout, const sigset_t& run_mask) {
  main_waits_.store(true, std::memory_order_seq_cst);
  if (produced_.load(std::memory_order_seq_cst) == consumed_.load(std::memory_order_relaxed)) {
    pollfd p{main_efd_, POLLIN, 0};
    if (ppoll(&p, 1, timeout, &run_mask) < 0 && errno != EINTR)
      throw Error(std::string("poll: ") + std::strerror(errno));
  }
  main_waits_.store(false, std::memory_order_relaxed);
  drain(main_efd_);
}

void InputPump::loop(int fd, sigset_t run_mask) {
  for (;;) {
    if (quit_.load()) return;
    const std::uint64_t p = produced_.load(std::memory_order_relaxed);
    const bool full = p - consumed_.load(std::memory_order_seq_cst) == slots_;
    pollfd pf[2] = {{pump_efd_, POLLIN, 0}, {fd, POLLIN, 0}};
    if (full) pump_waits_.store(true, std::memory_order_seq_cst);
    // (re-checked after announcing the wait: release() either sees it or freed a slot)
    const bool still_full = full && p - consumed_.load(std::memory_order_seq_cst) == slots_;
    if (full && !still_full) {
      pump_waits_.store(false, std::memory_order_relaxed);
      continue;
    }
    const int r = ppoll(pf, full ? 1 : 2, nullptr, &run_mask);
    pump_waits_.store(false, std::memory_order_relaxed);
    if (r < 0) {
      if (errno == EINTR) wake(main_efd_);  // the recorder sees the signal's flags
      continue;
    }
    if (pf[0].revents != 0) drain(pump_efd_);
    if (full || pf[1].revents == 0 || quit_.load()) continue;
    Chunk& k = chunk_[p % slots_];
    k.data = mem_.get() + (p % slots_) * (headroom_ + chunk_size_) + headroom_;
    const ssize_t n = ::read(fd, k.data, chunk_size_);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    k.read_ns = now_ns();
    k.error = n < 0 ? errno : 0;
    k.length = n < 0 ? 0 : static_cast<std::size_t>(n);
    produced_.store(p + 1, std::memory_order_seq_cst);
    if (main_waits_.load(std::memory_order_seq_cst)) wake(main_efd_);
    if (n <= 0) {
      ended_.store(true);
      return;
    }
  }
}

}  // namespace flightrec
