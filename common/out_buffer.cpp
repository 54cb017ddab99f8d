#include "common/out_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace common {

void OutBuffer::reserve(std::size_t cap) {
    if (cap <= cap_) return;
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    cap_ = cap;
}

void OutBuffer::grow(std::size_t n) { reserve(std::max(cap_ * 2, size_ + n)); }

void OutBuffer::put_growing(std::string_view s) {
    std::size_t cap = std::max(cap_ * 2, size_ + s.size());
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    std::memcpy(bigger.get() + size_, s.data(), s.size());  // before the old storage goes
    data_ = std::move(bigger);
    cap_ = cap;
    size_ += s.size();
}

#ifdef __SSE2__
namespace {
// The 32 hex digits of 16 bytes: each nibble n becomes '0' + n, plus 'a' - '9' - 1
// where n > 9; high and low nibbles are then interleaved.
void hex16(const std::uint8_t* in, char* out) {
    const __m128i low_nibbles = _mm_set1_epi8(0x0f);
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
    __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_nibbles);
    __m128i low = _mm_and_si128(bytes, low_nibbles);
    auto digits = [](__m128i n) {
        __m128i letter = _mm_cmpgt_epi8(n, _mm_set1_epi8(9));
        return _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8('0')), _mm_and_si128(letter, _mm_set1_epi8('a' - '9' - 1)));
    };
    high = digits(high);
    low = digits(low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi8(high, low));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_unpackhi_epi8(high, low));
}
}  // namespace
#endif

void OutBuffer::put_hex(std::span<const std::uint8_t> bytes) {
    char* p = room(bytes.size() * 2);
    std::size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= bytes.size(); i += 16) hex16(bytes.data() + i, p + 2 * i);
#endif
    for (; i < bytes.size(); ++i) {
        p[2 * i] = kHexDigits[bytes[i] >> 4];
        p[2 * i + 1] = kHexDigits[bytes[i] & 0xf];
    }
    size_ += bytes.size() * 2;
}

bool OutBuffer::flush() {
    if (fd_ < 0 || size_ == 0) return !failed_;
    const char* p = data_.get();
    std::size_t left = size_;
    while (left > 0) {
        ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            failed_ = true;
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    size_ = 0;
    return !failed_;
}

}  // namespace common
