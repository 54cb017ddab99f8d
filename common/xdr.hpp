// XDR (RFC 4506) decoding over captured bytes: one bounds-checked cursor type.
//
// Every read checks the bytes remaining. The first failure is sticky: the cursor
// records whether it ran out of captured bytes (Truncated) or met an impossible
// value (Malformed), and every later read returns zero or an empty span, so a
// decoder can read a whole structure and check ok() once at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace common {

enum class XdrError : std::uint8_t { None, Truncated, Malformed };

class XdrCursor {
public:
    XdrCursor() = default;
    XdrCursor(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size), begin_(data) {}
    explicit XdrCursor(std::span<const std::uint8_t> bytes) : XdrCursor(bytes.data(), bytes.size()) {}

    bool ok() const { return err_ == XdrError::None; }
    XdrError error() const { return err_; }
    std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
    std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
    const std::uint8_t* position() const { return p_; }

    // Marks the cursor failed (the first reason wins) and empties it.
    void fail(XdrError why) {
        if (err_ == XdrError::None) err_ = why;
        p_ = end_;
    }

    std::uint32_t u32() {
        if (!need(4)) return 0;
        std::uint32_t v = (std::uint32_t{p_[0]} << 24) | (std::uint32_t{p_[1]} << 16) |
                          (std::uint32_t{p_[2]} << 8) | std::uint32_t{p_[3]};
        p_ += 4;
        return v;
    }
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::uint64_t u64() {
        std::uint64_t hi = u32();
        return (hi << 32) | u32();
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }

    // XDR bool: 0 or 1; anything else is malformed.
    bool boolean() {
        std::uint32_t v = u32();
        if (v > 1) fail(XdrError::Malformed);
        return v == 1;
    }

    // An enum value that must be below `limit`; otherwise malformed.
    std::uint32_t enumeration(std::uint32_t limit) {
        std::uint32_t v = u32();
        if (ok() && v >= limit) fail(XdrError::Malformed);
        return v;
    }

    // Fixed-length opaque of n bytes plus padding to a multiple of 4.
    std::span<const std::uint8_t> opaque_fixed(std::size_t n) {
        std::size_t padded = pad4(n);
        if (!need(padded)) return {};
        std::span<const std::uint8_t> s(p_, n);
        p_ += padded;
        return s;
    }

    // Variable-length opaque: a length word (at most `max`, else malformed), the
    // bytes, and padding.
    std::span<const std::uint8_t> opaque_var(std::uint32_t max) {
        std::uint32_t n = u32();
        if (!ok()) return {};
        if (n > max) {
            fail(XdrError::Malformed);
            return {};
        }
        return opaque_fixed(n);
    }

    std::string_view string(std::uint32_t max) {
        auto s = opaque_var(max);
        return {reinterpret_cast<const char*>(s.data()), s.size()};
    }

    // Skips n raw bytes (no padding).
    bool skip(std::size_t n) {
        if (!need(n)) return false;
        p_ += n;
        return true;
    }

    // Bulk data (READ reply, WRITE call): a length word then that many bytes that
    // need not have been captured. Returns the declared length; skips what is there
    // without failing when the payload was not kept.
    std::uint32_t bulk(std::uint32_t max) {
        std::uint32_t n = u32();
        if (!ok()) return 0;
        if (n > max) {
            fail(XdrError::Malformed);
            return 0;
        }
        std::size_t take = pad4(n) < remaining() ? pad4(n) : remaining();
        p_ += take;
        return n;
    }

    static constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

private:
    bool need(std::size_t n) {
        if (err_ != XdrError::None) return false;
        if (remaining() < n) {
            fail(XdrError::Truncated);
            return false;
        }
        return true;
    }

    const std::uint8_t* p_ = nullptr;
    const std::uint8_t* end_ = nullptr;
    const std::uint8_t* begin_ = nullptr;
    XdrError err_ = XdrError::None;
};

}  // namespace common
