// Helpers shared by the fuzz targets: a reader over the fuzz input that never
// fails (reads past the end give zeros / empty spans), so a target can decode a
// structured input (flags, lengths, a sequence of frames or segments) from any
// bytes the fuzzer produces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace fuzz {

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

    bool empty() const { return p_ == end_; }
    std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

    std::uint8_t u8() { return p_ == end_ ? 0 : *p_++; }
    std::uint16_t u16() {
        const auto hi = u8();
        return static_cast<std::uint16_t>((hi << 8) | u8());
    }
    std::uint32_t u32() {
        const std::uint32_t hi = u16();
        return (hi << 16) | u16();
    }
    // Up to n bytes (fewer at the end of the input).
    std::span<const std::uint8_t> take(std::size_t n) {
        if (n > remaining()) n = remaining();
        std::span<const std::uint8_t> s(p_, n);
        p_ += n;
        return s;
    }
    std::span<const std::uint8_t> rest() { return take(remaining()); }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
};

// Reads every byte of `s` so that the sanitizers check that the whole range is
// valid memory; the result is meaningless.
inline std::uint8_t touch(std::span<const std::uint8_t> s) {
    std::uint8_t x = 0;
    for (auto b : s) x = static_cast<std::uint8_t>(x ^ b);
    return x;
}
inline std::uint8_t touch(const std::uint8_t* p, std::size_t n) { return touch(std::span(p, n)); }

// A broken invariant: stop here so the fuzzer (or the replay test) reports it.
[[noreturn]] inline void invariant_failed() { std::abort(); }
#define FUZZ_CHECK(cond)                                  \
    do {                                                  \
        if (!(cond)) ::fuzz::invariant_failed();          \
    } while (0)

}  // namespace fuzz
