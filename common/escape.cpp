#include "common/escape.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace common {

namespace {
// The end of the run of plain bytes (0x21..0x7e but '%') from p: 16 at a time.
const char* plain_run(const char* p, const char* end) {
#if defined(__SSE2__)
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed compares: bytes >= 0x80 are negative, so below 0x21 too.
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('%')));
        if (auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad))) return p + __builtin_ctz(mask);
    }
#endif
    for (; p != end; ++p) {
        auto u = static_cast<unsigned char>(*p);
        if (u <= 0x20 || u >= 0x7f || u == '%') break;
    }
    return p;
}

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
        auto run = static_cast<std::size_t>(plain_run(token.data() + i, token.data() + token.size()) - token.data());
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
