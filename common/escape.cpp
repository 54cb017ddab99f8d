#include "common/escape.hpp"

namespace common {

namespace {
constexpr char kHex[] = "0123456789ABCDEF";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
}  // namespace

void escape_token(OutBuffer& out, std::span<const std::uint8_t> bytes) {
    // Most names need no escaping: copy the longest plain prefix at once.
    std::size_t plain = 0;
    while (plain < bytes.size() && bytes[plain] > 0x20 && bytes[plain] < 0x7f && bytes[plain] != '%') ++plain;
    out.put(std::string_view(reinterpret_cast<const char*>(bytes.data()), plain));
    for (std::uint8_t b : bytes.subspan(plain)) {
        if (b > 0x20 && b < 0x7f && b != '%') {
            out.put(static_cast<char>(b));
        } else {
            out.put('%');
            out.put(kHex[b >> 4]);
            out.put(kHex[b & 0xf]);
        }
    }
}

void escape_json(OutBuffer& out, std::span<const std::uint8_t> bytes) {
    out.put('"');
    for (std::uint8_t b : bytes) {
        if (b == '"' || b == '\\') {
            out.put('\\');
            out.put(static_cast<char>(b));
        } else if (b < 0x20 || b >= 0x7f) {
            out.put("\\u00");
            out.put(kHex[b >> 4]);
            out.put(kHex[b & 0xf]);
        } else {
            out.put(static_cast<char>(b));
        }
    }
    out.put('"');
}

bool unescape_token(std::string_view token, std::string& out) {
    out.clear();
    std::size_t i = 0;
    while (i < token.size()) {
        // A run of plain bytes goes in with one append.
        std::size_t run = i;
        while (run < token.size()) {
            auto u = static_cast<unsigned char>(token[run]);
            if (u <= 0x20 || u >= 0x7f || u == '%') break;
            ++run;
        }
        out.append(token.data() + i, run - i);
        i = run;
        if (i == token.size()) break;
        if (token[i] != '%') return false;
        if (i + 2 >= token.size()) return false;
        int hi = hex_value(token[i + 1]);
        int lo = hex_value(token[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 3;
    }
    return true;
}

}  // namespace common
