// Escaping of arbitrary bytes (file names, machine names, tags) so that a value is
// always one whitespace-free token on one line, and its reverse.
//
// Token form (text records): bytes 0x21..0x7e stand for themselves, except '%';
// every other byte is written as %XX (two upper-case hex digits). The empty string
// is the empty token value.
// JSON form: a JSON string; '"' and '\\' are backslash-escaped; bytes below 0x20
// and from 0x7f up are written as \u00XX, one per byte, so the bytes can be
// recovered exactly (each byte is one code point U+0000..U+00FF).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/out_buffer.hpp"

namespace common {

void escape_token(OutBuffer& out, std::span<const std::uint8_t> bytes);
void escape_json(OutBuffer& out, std::span<const std::uint8_t> bytes);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Decodes a token written by escape_token into `out`. Returns false (and leaves
// `out` unspecified) if the token has a malformed %-escape or a raw byte that
// escape_token never writes.
bool unescape_token(std::string_view token, std::string& out);

}  // namespace common
