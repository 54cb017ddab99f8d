// Test helpers for the program decoders: build XDR by hand, run a decoder, and
// check its fields, including on every truncated prefix of the input.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/fields.hpp"
#include "common/out_buffer.hpp"
#include "common/xdr.hpp"
#include "rpcspy/program_table.hpp"

namespace testxdr {

// An XDR byte sequence built by hand (RFC 4506 encoding).
class Xdr {
public:
    Xdr& u32(std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) b_.push_back(static_cast<std::uint8_t>(v >> s));
        return *this;
    }
    Xdr& u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v >> 32));
        return u32(static_cast<std::uint32_t>(v));
    }
    Xdr& boolean(bool v) { return u32(v ? 1 : 0); }
    // Fixed-length opaque with padding.
    Xdr& fixed(const std::vector<std::uint8_t>& v) {
        b_.insert(b_.end(), v.begin(), v.end());
        while (b_.size() % 4) b_.push_back(0);
        return *this;
    }
    // Variable-length opaque: length, bytes, padding.
    Xdr& opaque(const std::vector<std::uint8_t>& v) {
        u32(static_cast<std::uint32_t>(v.size()));
        return fixed(v);
    }
    Xdr& str(std::string_view s) { return opaque(std::vector<std::uint8_t>(s.begin(), s.end())); }
    // Appends another sequence.
    Xdr& add(const Xdr& other) {
        b_.insert(b_.end(), other.b_.begin(), other.b_.end());
        return *this;
    }
    // Raw bytes without padding (to build malformed input).
    Xdr& raw(std::initializer_list<std::uint8_t> v) {
        b_.insert(b_.end(), v.begin(), v.end());
        return *this;
    }

    const std::vector<std::uint8_t>& bytes() const { return b_; }
    std::size_t size() const { return b_.size(); }

private:
    std::vector<std::uint8_t> b_;
};

inline std::vector<std::uint8_t> bytes_of(std::initializer_list<std::uint8_t> v) { return v; }

// Renders fields as text tokens without the leading space: "k=v k=v".
inline std::string text(const common::Fields& f) {
    common::OutBuffer out;
    f.render_text(out);
    std::string s(out.view());
    if (!s.empty() && s[0] == ' ') s.erase(0, 1);
    return s;
}

struct Result {
    std::string status;  // reply decoders only
    std::string fields;  // text tokens
    common::XdrError error = common::XdrError::None;
    std::size_t remaining = 0;  // bytes left unread
};

inline Result run_call(rpcspy::CallDecoder dec, const std::uint8_t* p, std::size_t n) {
    common::XdrCursor in(p, n);
    common::Fields f;
    dec(in, f);
    return {"", text(f), in.error(), in.remaining()};
}
inline Result run_reply(rpcspy::ReplyDecoder dec, const std::uint8_t* p, std::size_t n) {
    common::XdrCursor in(p, n);
    common::Fields f;
    std::string st(dec(in, f));
    return {st, text(f), in.error(), in.remaining()};
}
inline Result run_call(rpcspy::CallDecoder dec, const Xdr& x) { return run_call(dec, x.bytes().data(), x.size()); }
inline Result run_reply(rpcspy::ReplyDecoder dec, const Xdr& x) {
    return run_reply(dec, x.bytes().data(), x.size());
}

// True when `part` is `whole` or a prefix of it made of whole tokens.
inline bool token_prefix(const std::string& part, const std::string& whole) {
    if (part.empty()) return true;
    if (part.size() > whole.size() || whole.compare(0, part.size(), part) != 0) return false;
    return part.size() == whole.size() || whole[part.size()] == ' ';
}

// Runs the decoder on every proper prefix of `x` (copied into a buffer of
// exactly that size, so that ASan catches any read beyond it): the cursor must
// report Truncated (or, from `ok_from` bytes on, possibly succeed: bulk data
// need not be captured), and the fields must be whole tokens of the full
// decode, never fewer as the prefix grows.
template <typename Run>
void check_prefixes(Run run, const Xdr& x, std::size_t ok_from = SIZE_MAX) {
    const Result full = run(x.bytes().data(), x.size());
    REQUIRE(full.error == common::XdrError::None);
    std::size_t last_len = 0;
    for (std::size_t n = 0; n < x.size(); ++n) {
        std::vector<std::uint8_t> buf(x.bytes().begin(), x.bytes().begin() + static_cast<std::ptrdiff_t>(n));
        const Result r = run(buf.data(), n);
        INFO("prefix of " << n << " of " << x.size() << " bytes: " << r.fields);
        if (n < ok_from)
            CHECK(r.error == common::XdrError::Truncated);
        else
            CHECK(r.error != common::XdrError::Malformed);
        CHECK(token_prefix(r.fields, full.fields));
        CHECK(r.fields.size() >= last_len);
        last_len = r.fields.size();
    }
}

inline void check_call_prefixes(rpcspy::CallDecoder dec, const Xdr& x, std::size_t ok_from = SIZE_MAX) {
    check_prefixes([dec](const std::uint8_t* p, std::size_t n) { return run_call(dec, p, n); }, x, ok_from);
}
inline void check_reply_prefixes(rpcspy::ReplyDecoder dec, const Xdr& x, std::size_t ok_from = SIZE_MAX) {
    check_prefixes([dec](const std::uint8_t* p, std::size_t n) { return run_reply(dec, p, n); }, x, ok_from);
}

// The procedure `name` of a program's table (fails the test if absent).
inline const rpcspy::Procedure& proc(std::span<const rpcspy::Procedure> table, std::string_view name) {
    for (const auto& p : table)
        if (p.name && name == p.name) return p;
    FAIL("no procedure " << name);
    return table[0];
}

}  // namespace testxdr
