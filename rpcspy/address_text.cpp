#include "rpcspy/address_text.hpp"

namespace rpcspy {

namespace {

constexpr char kHex[] = "0123456789abcdef";

char* put_byte_decimal(std::uint8_t v, char* p) {
    if (v >= 100) {
        *p++ = static_cast<char>('0' + v / 100);
        v %= 100;
        *p++ = static_cast<char>('0' + v / 10);
    } else if (v >= 10) {
        *p++ = static_cast<char>('0' + v / 10);
    }
    *p++ = static_cast<char>('0' + v % 10);
    return p;
}

// A 16-bit group in lower-case hex without leading zeros.
char* put_group(unsigned v, char* p) {
    if (v >= 0x1000) *p++ = kHex[v >> 12];
    if (v >= 0x100) *p++ = kHex[(v >> 8) & 0xf];
    if (v >= 0x10) *p++ = kHex[(v >> 4) & 0xf];
    *p++ = kHex[v & 0xf];
    return p;
}

}  // namespace

char* put_ipv4_text(const std::uint8_t* a, char* p) {
    p = put_byte_decimal(a[0], p);
    for (int i = 1; i < 4; ++i) {
        *p++ = '.';
        p = put_byte_decimal(a[i], p);
    }
    return p;
}

char* put_ipv6_text(const std::uint8_t* a, char* p) {
    unsigned groups[8];
    for (int i = 0; i < 8; ++i) groups[i] = unsigned{a[2 * i]} << 8 | a[2 * i + 1];
    // The longest run of zero groups; the first one wins a tie.
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && groups[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best = -1;
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d).
    bool v4_tail = best == 0 && (best_len == 6 || (best_len == 5 && groups[5] == 0xffff));
    for (int i = 0; i < 8; ++i) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) *p++ = ':';
            continue;
        }
        if (i != 0) *p++ = ':';
        if (i == 6 && v4_tail) return put_ipv4_text(a + 12, p);
        p = put_group(groups[i], p);
    }
    if (best >= 0 && best + best_len == 8) *p++ = ':';
    return p;
}

}  // namespace rpcspy
