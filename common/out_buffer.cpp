#include "common/out_buffer.hpp"

#include <cerrno>
#include <unistd.h>

namespace common {

bool OutBuffer::flush() {
    if (fd_ < 0 || buf_.empty()) return !failed_;
    const char* p = buf_.data();
    std::size_t left = buf_.size();
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
    buf_.clear();
    return !failed_;
}

}  // namespace common
