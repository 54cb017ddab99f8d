#include "common/out_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <unistd.h>

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
