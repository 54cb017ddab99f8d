#include "text.hpp"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

namespace flightrec {
namespace {

// Parses "123" or "123.456" into a whole part and a fraction in units of 10^-9.
bool parse_decimal(std::string_view t, std::uint64_t& whole, std::uint64_t& nano) {
  whole = 0;
  nano = 0;
  const auto dot = t.find('.');
  const std::string_view w = t.substr(0, dot);
  if (w.empty() && dot == std::string_view::npos) return false;
  if (!w.empty()) {
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), whole);
    if (ec != std::errc{} || p != w.data() + w.size()) return false;
  }
  if (dot != std::string_view::npos) {
    const std::string_view f = t.substr(dot + 1);
    if (f.empty() || f.size() > 9) return false;
    std::uint64_t scale = 100000000;
    for (char c : f) {
      if (c < '0' || c > '9') return false;
      nano += static_cast<std::uint64_t>(c - '0') * scale;
      scale /= 10;
    }
  }
  return true;
}

bool mul_add(std::uint64_t whole, std::uint64_t nano, std::uint64_t unit, std::uint64_t& out) {
  // out = (whole + nano/1e9) * unit, unit given in its own terms
  if (whole != 0 && unit > UINT64_MAX / whole) return false;
  // nano < 10^9; split unit so that no product overflows.
  const std::uint64_t q = unit / 1000000000u, r = unit % 1000000000u;
  out = whole * unit + nano * q + nano * r / 1000000000u;
  return true;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view t) {
  std::size_t n = 0;
  while (n < t.size() && ((t[n] >= '0' && t[n] <= '9') || t[n] == '.')) ++n;
  std::uint64_t whole = 0, nano = 0;
  if (n == 0 || !parse_decimal(t.substr(0, n), whole, nano)) return std::nullopt;
  std::string_view unit = t.substr(n);
  if (unit.ends_with("iB")) unit.remove_suffix(2);
  else if (unit.size() > 1 && unit.ends_with("B")) unit.remove_suffix(1);
  std::uint64_t mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "k") mult = 1ull << 10;
  else if (unit == "M" || unit == "m") mult = 1ull << 20;
  else if (unit == "G" || unit == "g") mult = 1ull << 30;
  else if (unit == "T" || unit == "t") mult = 1ull << 40;
  else return std::nullopt;
  std::uint64_t out = 0;
  if (!mul_add(whole, nano, mult, out)) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parse_duration_ns(std::string_view t) {
  std::size_t n = 0;
  while (n < t.size() && ((t[n] >= '0' && t[n] <= '9') || t[n] == '.')) ++n;
  std::uint64_t whole = 0, nano = 0;
  if (n == 0 || !parse_decimal(t.substr(0, n), whole, nano)) return std::nullopt;
  const std::string_view unit = t.substr(n);
  std::uint64_t mult = 0;
  if (unit == "ns") mult = 1;
  else if (unit == "us") mult = 1000;
  else if (unit == "ms") mult = 1000000;
  else if (unit.empty() || unit == "s") mult = 1000000000ull;
  else if (unit == "m" || unit == "min") mult = 60ull * 1000000000ull;
  else if (unit == "h") mult = 3600ull * 1000000000ull;
  else if (unit == "d") mult = 86400ull * 1000000000ull;
  else return std::nullopt;
  std::uint64_t out = 0;
  if (!mul_add(whole, nano, mult, out)) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parse_time_ns(std::string_view t, std::uint64_t now) {
  if (t.empty()) return std::nullopt;
  if (t[0] == '-') {
    const auto d = parse_duration_ns(t.substr(1));
    if (!d || *d > now) return std::nullopt;
    return now - *d;
  }
  if (t[0] == '@') {
    std::uint64_t whole = 0, nano = 0;
    if (!parse_decimal(t.substr(1), whole, nano)) return std::nullopt;
    std::uint64_t out = 0;
    if (!mul_add(whole, nano, 1000000000ull, out)) return std::nullopt;
    return out;
  }
  // YYYY-MM-DDTHH:MM:SS[.frac][Z], UTC; a space may stand for the T.
  if (t.ends_with('Z')) t.remove_suffix(1);
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len, int& v) {
    auto [p, ec] = std::from_chars(t.data() + at, t.data() + at + len, v);
    return ec == std::errc{} && p == t.data() + at + len;
  };
  int Y = 0, M = 0, D = 0, h = 0, m = 0, s = 0;
  if (!num(0, 4, Y) || !num(5, 2, M) || !num(8, 2, D) || !num(11, 2, h) || !num(14, 2, m) ||
      !num(17, 2, s))
    return std::nullopt;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60) return std::nullopt;
  std::uint64_t nano = 0;
  if (t.size() > 19) {
    std::uint64_t zero = 0;
    if (t[19] != '.' || !parse_decimal(t.substr(19), zero, nano))
      return std::nullopt;
  }
  struct tm tmv {};
  tmv.tm_year = Y - 1900;
  tmv.tm_mon = M - 1;
  tmv.tm_mday = D;
  tmv.tm_hour = h;
  tmv.tm_min = m;
  tmv.tm_sec = s;
  const time_t secs = timegm(&tmv);
  if (secs < 0) return std::nullopt;
  return static_cast<std::uint64_t>(secs) * 1000000000ull + nano;
}

std::size_t format_time(std::uint64_t ns, char* out) noexcept {
  const auto secs = static_cast<time_t>(ns / 1000000000u);
  const auto frac = static_cast<unsigned>(ns % 1000000000u);
  // Records come in bursts within one second: format the date and time once per second.
  thread_local time_t cached_secs = -1;
  thread_local char cached[24];
  thread_local std::size_t cached_len = 0;
  if (secs != cached_secs) {
    struct tm tmv {};
    gmtime_r(&secs, &tmv);
    cached_len = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tmv);
    cached_secs = secs;
  }
  std::memcpy(out, cached, cached_len);
  std::size_t n = cached_len;
  out[n++] = '.';
  unsigned f = frac;
  for (int i = 8; i >= 0; --i) {
    out[n + static_cast<std::size_t>(i)] = static_cast<char>('0' + f % 10);
    f /= 10;
  }
  n += 9;
  out[n++] = 'Z';
  return n;
}

std::string format_time(std::uint64_t ns) {
  char buf[40];
  return std::string(buf, format_time(ns, buf));
}

Output::Output(int fd, std::size_t capacity)
    : fd_(fd), buf_(std::make_unique<char[]>(capacity)), cap_(capacity) {}

Output::~Output() { flush(); }

void Output::put(const void* data, std::size_t len) {
  const auto* p = static_cast<const char*>(data);
  while (len > 0) {
    if (used_ == cap_ && !flush()) return;
    const std::size_t n = std::min(len, cap_ - used_);
    std::memcpy(buf_.get() + used_, p, n);
    used_ += n;
    p += n;
    len -= n;
  }
}

void Output::put_u64(std::uint64_t v) {
  char tmp[24];
  auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  (void)ec;
  put(tmp, static_cast<std::size_t>(end - tmp));
}

bool Output::flush() {
  std::size_t done = 0;
  while (ok_ && done < used_) {
    const ssize_t n = ::write(fd_, buf_.get() + done, used_ - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok_ = false;
      err_ = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  used_ = 0;
  return ok_;
}

}  // namespace flightrec
