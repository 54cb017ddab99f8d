#include "nfstrace/anonymize.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace nfstrace {

namespace {
void append_hex64(std::string& out, std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    for (int i = 60; i >= 0; i -= 4) out.push_back(digits[(v >> i) & 0xf]);
}
}  // namespace

SipKey derive_key(std::string_view bytes) {
    // Two fixed, distinct keys (the ASCII of "nfstrace-key-k0/k1") hash the file.
    const SipKey d0{0x6e66737472616365ULL, 0x2d6b65792d6b3000ULL};
    const SipKey d1{0x6e66737472616365ULL, 0x2d6b65792d6b3100ULL};
    return SipKey{siphash24(d0, bytes), siphash24(d1, bytes)};
}

bool load_key_file(const std::string& path, SipKey& key, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    std::string bytes;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = path + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        bytes.append(buf, static_cast<std::size_t>(n));
        if (bytes.size() > (1u << 20)) break;
    }
    ::close(fd);
    if (bytes.size() < 16) {
        error = path + ": a key file needs at least 16 bytes (e.g. head -c 32 /dev/urandom > " + path + ")";
        return false;
    }
    key = derive_key(bytes);
    return true;
}

void append_component_hash(const SipKey& key, std::string& out, std::string_view component) {
    append_hex64(out, siphash24(key, component));
}

std::uint32_t anonymize_id(const SipKey& key, char domain, std::uint32_t id) {
    char b[5] = {domain, static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8),
                 static_cast<char>(id)};
    return static_cast<std::uint32_t>(siphash24(key, std::string_view(b, 5)) & 0x7fffffff);
}

void append_hash_hex(const SipKey& key, char domain, std::string_view text, std::string& out) {
    std::string tmp;
    tmp.reserve(text.size() + 1);
    tmp.push_back(domain);
    tmp.append(text);
    append_hex64(out, siphash24(key, tmp));
}

}  // namespace nfstrace
