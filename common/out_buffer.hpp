// A growable output buffer with allocation-free number formatting, written to a
// file descriptor in large blocks. The hot output path of every tool uses this
// instead of iostreams.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace common {

class OutBuffer {
public:
    explicit OutBuffer(int fd = -1, std::size_t flush_at = 1 << 16) : fd_(fd), flush_at_(flush_at) {
        buf_.reserve(flush_at + 4096);
    }
    OutBuffer(const OutBuffer&) = delete;
    OutBuffer& operator=(const OutBuffer&) = delete;
    ~OutBuffer() { flush(); }

    void put(char c) { buf_.push_back(c); }
    void put(std::string_view s) { buf_.append(s); }
    void put_u64(std::uint64_t v) {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        buf_.append(tmp, r.ptr);
    }
    void put_i64(std::int64_t v) {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        buf_.append(tmp, r.ptr);
    }
    // v in base 8 with a leading zero, e.g. 0644.
    void put_octal(std::uint32_t v) {
        char tmp[16];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v, 8);
        buf_.push_back('0');
        buf_.append(tmp, r.ptr);
    }
    void put_hex32(std::uint32_t v) {
        static constexpr char digits[] = "0123456789abcdef";
        char tmp[8];
        for (int i = 7; i >= 0; --i, v >>= 4) tmp[i] = digits[v & 0xf];
        buf_.append(tmp, 8);
    }
    void put_hex(std::span<const std::uint8_t> bytes) {
        static constexpr char digits[] = "0123456789abcdef";
        for (std::uint8_t b : bytes) {
            buf_.push_back(digits[b >> 4]);
            buf_.push_back(digits[b & 0xf]);
        }
    }
    // Unsigned integer padded with zeros to `width` digits.
    void put_padded(std::uint64_t v, int width) {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        for (auto n = r.ptr - tmp; n < width; ++n) buf_.push_back('0');
        buf_.append(tmp, r.ptr);
    }
    // Seconds and a fraction of `digits` digits (fraction given in those units).
    void put_time(std::uint64_t sec, std::uint64_t frac, int digits) {
        put_u64(sec);
        buf_.push_back('.');
        put_padded(frac, digits);
    }

    std::string_view view() const { return buf_; }
    std::size_t size() const { return buf_.size(); }
    void clear() { buf_.clear(); }
    // Writes out the buffer when it holds at least the flush threshold.
    void maybe_flush() {
        if (buf_.size() >= flush_at_) flush();
    }
    // Writes out everything. Returns false on a write error (errno is set).
    bool flush();
    bool failed() const { return failed_; }

private:
    std::string buf_;
    int fd_;
    std::size_t flush_at_;
    bool failed_ = false;
};

}  // namespace common
