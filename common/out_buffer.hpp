// A growable output buffer with allocation-free number formatting, written to a
// file descriptor in large blocks. The hot output path of every tool uses this
// instead of iostreams. Numbers are written straight into the buffer (no
// temporary strings); the storage grows only when a record needs more room than
// ever before, so steady state allocates nothing.
#pragma once

#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace common {

class OutBuffer {
public:
    // fd < 0: a buffer in memory only (never written out), starting small.
    explicit OutBuffer(int fd = -1, std::size_t flush_at = 1 << 16) : fd_(fd), flush_at_(flush_at) {
        reserve(fd >= 0 ? flush_at + 4096 : 256);
    }
    OutBuffer(const OutBuffer&) = delete;
    OutBuffer& operator=(const OutBuffer&) = delete;
    ~OutBuffer() { flush(); }

    void put(char c) {
        if (size_ == cap_) grow(1);
        data_[size_++] = c;
    }
    // s may point into this buffer (growing keeps the old storage until copied).
    void put(std::string_view s) {
        if (cap_ - size_ < s.size()) return put_growing(s);
        copy(data_.get() + size_, s.data(), s.size());
        size_ += s.size();
    }
    // " key=value" (a text record token), with one capacity check.
    void put_token(std::string_view key, std::string_view value) {
        char* p = room(key.size() + value.size() + 2);
        *p++ = ' ';
        copy(p, key.data(), key.size());
        p += key.size();
        *p++ = '=';
        copy(p, value.data(), value.size());
        size_ = end_of(p + value.size());
    }
    // " key=" (the start of a text record token).
    void put_key(std::string_view key) {
        char* p = room(key.size() + 2);
        *p++ = ' ';
        copy(p, key.data(), key.size());
        p[key.size()] = '=';
        size_ += key.size() + 2;
    }
    void put_u64(std::uint64_t v) {
        char* p = room(20);
        std::size_t n = decimal_digits(v);
        write_digits(p, v, n);
        size_ += n;
    }
    void put_i64(std::int64_t v) {
        if (v < 0) {
            put('-');
            put_u64(0 - static_cast<std::uint64_t>(v));
        } else {
            put_u64(static_cast<std::uint64_t>(v));
        }
    }
    // v in base 8 with a leading zero, e.g. 0644.
    void put_octal(std::uint32_t v) {
        char* p = room(12);
        *p++ = '0';
        size_ = end_of(std::to_chars(p, p + 11, v, 8).ptr);
    }
    // v as 8 hex digits: its nibbles spread to one per byte (lowest first), each
    // turned into a digit ('0' + n, plus 'a' - '9' - 1 where n > 9), then put in
    // writing order (a byte swap where the lowest byte comes first in memory).
    void put_hex32(std::uint32_t v) {
        char* p = room(8);
        std::uint64_t x = v;
        x = (x | x << 16) & 0x0000ffff0000ffffULL;
        x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
        x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fULL;
        std::uint64_t letters = ((x + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
        x += 0x3030303030303030ULL + letters * ('a' - '9' - 1);
        if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
        std::memcpy(p, &x, 8);
        size_ += 8;
    }
    void put_hex(std::span<const std::uint8_t> bytes);
    // Unsigned integer padded with zeros to `width` digits (more digits if needed).
    void put_padded(std::uint64_t v, int width) {
        char* p = room(width > 20 ? static_cast<std::size_t>(width) : 20);
        std::size_t n = decimal_digits(v);
        if (width > 0 && static_cast<std::size_t>(width) > n) n = static_cast<std::size_t>(width);
        write_digits(p, v, n);
        size_ += n;
    }
    // Seconds and a fraction of `digits` digits (fraction given in those units).
    void put_time(std::uint64_t sec, std::uint64_t frac, int digits) {
        std::size_t width = digits > 0 ? static_cast<std::size_t>(digits) : 0;
        char* p = room(42 + width);
        std::size_t n = decimal_digits(sec);
        write_digits(p, sec, n);
        p[n] = '.';
        std::size_t m = decimal_digits(frac);
        if (width > m) m = width;
        write_digits(p + n + 1, frac, m);
        size_ += n + 1 + m;
    }
    // How many decimal digits v has (1 for 0).
    static std::size_t decimal_digits(std::uint64_t v) {
        v |= 1;  // 0 has one digit, like 1
        std::size_t guess = static_cast<std::size_t>((64 - std::countl_zero(v)) * 1233) >> 12;  // ~log10
        return guess + 1 - (v < kPow10[guess]);
    }
    // The n lowest decimal digits of v at p..p+n, with leading zeros if v has fewer:
    // eight at a time from the right, then the rest two at a time, in 32-bit
    // arithmetic below 10^8.
    static void write_digits(char* p, std::uint64_t v, std::size_t n) {
        while (n >= 8) {
            n -= 8;
            write_8_digits(p + n, static_cast<std::uint32_t>(v % 100000000));
            v /= 100000000;
        }
        if (n == 0) return;
        auto x = static_cast<std::uint32_t>(v % 100000000);
        while (n >= 2) {
            n -= 2;
            std::memcpy(p + n, kDigitPairs + 2 * (x % 100), 2);
            x /= 100;
        }
        if (n == 1) p[0] = static_cast<char>('0' + x % 10);
    }
    static void write_8_digits(char* p, std::uint32_t x) {  // x < 10^8
        std::uint32_t high = x / 10000, low = x % 10000;
        std::memcpy(p, kDigitPairs + 2 * (high / 100), 2);
        std::memcpy(p + 2, kDigitPairs + 2 * (high % 100), 2);
        std::memcpy(p + 4, kDigitPairs + 2 * (low / 100), 2);
        std::memcpy(p + 6, kDigitPairs + 2 * (low % 100), 2);
    }

    std::string_view view() const { return {data_.get(), size_}; }
    std::size_t size() const { return size_; }
    void clear() { size_ = 0; }
    // Writes out the buffer when it holds at least the flush threshold.
    void maybe_flush() {
        if (size_ >= flush_at_) flush();
    }
    // Writes out everything. Returns false on a write error (errno is set).
    bool flush();
    bool failed() const { return failed_; }

private:
    static constexpr char kHexDigits[] = "0123456789abcdef";
    static constexpr std::uint64_t kPow10[20] = {1,
                                                 10,
                                                 100,
                                                 1000,
                                                 10000,
                                                 100000,
                                                 1000000,
                                                 10000000,
                                                 100000000,
                                                 1000000000,
                                                 10000000000,
                                                 100000000000,
                                                 1000000000000,
                                                 10000000000000,
                                                 100000000000000,
                                                 1000000000000000,
                                                 10000000000000000,
                                                 100000000000000000,
                                                 1000000000000000000,
                                                 10000000000000000000ULL};
    static constexpr char kDigitPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    // memcpy, inline for the short pieces records are made of (keys, numbers,
    // handles): two overlapping loads and stores cover 4 to 16 bytes.
    static void copy(char* to, const char* from, std::size_t n) {
        if (n >= 4 && n <= 16) {
            if (n >= 8) {
                std::uint64_t a, b;
                std::memcpy(&a, from, 8);
                std::memcpy(&b, from + n - 8, 8);
                std::memcpy(to, &a, 8);
                std::memcpy(to + n - 8, &b, 8);
            } else {
                std::uint32_t a, b;
                std::memcpy(&a, from, 4);
                std::memcpy(&b, from + n - 4, 4);
                std::memcpy(to, &a, 4);
                std::memcpy(to + n - 4, &b, 4);
            }
        } else if (n < 4) {
            for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
        } else {
            std::memcpy(to, from, n);
        }
    }
    // Where the next n bytes go (the caller then advances size_).
    char* room(std::size_t n) {
        if (cap_ - size_ < n) grow(n);
        return data_.get() + size_;
    }
    std::size_t end_of(const char* p) const { return static_cast<std::size_t>(p - data_.get()); }
    void grow(std::size_t n);
    void put_growing(std::string_view s);
    void reserve(std::size_t cap);

    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
    int fd_;
    std::size_t flush_at_;
    bool failed_ = false;
};

}  // namespace common
