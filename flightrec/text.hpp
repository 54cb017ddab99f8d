// Parsing and printing helpers for the command line and the dump output: sizes, times,
// and a write(2)-backed output buffer (no iostreams on the output path).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace flightrec {

// "4096", "64K", "256M", "1G", "1.5G" (binary units, optional "B"/"iB"). nullopt if bad.
std::optional<std::uint64_t> parse_size(std::string_view text);

// Durations: "250ms", "10s", "5m", "2h", "1d", a bare number is seconds.
std::optional<std::uint64_t> parse_duration_ns(std::string_view text);

// A point in time, in ns since the epoch:
//   "@1700000000.25"              seconds since the epoch
//   "2026-11-22T03:15:00[.123][Z]" UTC (as printed by dump -H)
//   "-10m"                        that long before `now`
std::optional<std::uint64_t> parse_time_ns(std::string_view text, std::uint64_t now);

// "2026-11-22T03:15:00.123456789Z" into `out` (needs 31 bytes); returns length.
std::size_t format_time(std::uint64_t ns, char* out) noexcept;
std::string format_time(std::uint64_t ns);

// Output buffer over a file descriptor. Reports write errors through ok().
class Output {
 public:
  explicit Output(int fd, std::size_t capacity = 1 << 20);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();
  void put(const void* data, std::size_t len);
  void put(std::string_view s) { put(s.data(), s.size()); }
  void put(char c) {
    if (used_ == cap_) flush();
    buf_[used_++] = c;
  }
  void put_u64(std::uint64_t v);
  bool flush();  // false on error (EPIPE included)
  bool ok() const noexcept { return ok_; }
  int error() const noexcept { return err_; }

 private:
  int fd_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t used_ = 0;
  bool ok_ = true;
  int err_ = 0;
};

}  // namespace flightrec
