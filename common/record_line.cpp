#include "common/record_line.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace common {

const std::string_view RecordLine::kFixedNames[kFixedCount] = {
    "time", "dur", "client", "server", "proto", "xid", "uid", "gid", "prog", "vers", "proc", "status"};

const char* describe(LineError e) {
    switch (e) {
        case LineError::None: return "no error";
        case LineError::UnknownVersion: return "unknown record format version";
        case LineError::BadHeader: return "malformed #rpcspy-records header line";
        case LineError::Json:
            return "a JSON record (rpcspy --json); this program reads the text form";
        case LineError::BadByte: return "tab, control or non-ASCII byte";
        case LineError::EmptyField: return "empty field (two spaces in a row, or a leading or trailing space)";
        case LineError::TooFewFields: return "fewer than 12 fixed fields";
        case LineError::BadTime: return "time is not seconds.fraction";
        case LineError::BadDur: return "dur is neither seconds.fraction nor -";
        case LineError::BadProto: return "proto is neither tcp nor udp";
        case LineError::BadXid: return "xid is not 8 lower-case hex digits";
        case LineError::BadUid: return "uid is neither a decimal number nor -";
        case LineError::BadGid: return "gid is neither a decimal number nor -";
        case LineError::BadVers: return "vers is not a decimal number";
        case LineError::BadToken: return "token is not key=value";
    }
    return "unknown error";
}

// Digits only, no sign; exactly as std::from_chars (faster for the short
// numbers of records): on overflow `v` is left alone, and digits followed by
// other bytes are stored but give false.
template <class U, unsigned Base>
static bool parse_digits(std::string_view s, U& v) {
    // Up to this many digits cannot overflow: no checks (the usual case).
    constexpr std::size_t kSafe = Base == 10 ? (sizeof(U) == 8 ? 19 : 9) : (sizeof(U) == 8 ? 21 : 10);
    U x = 0;
    bool overflow = false;
    std::size_t i = 0;
    if (s.size() <= kSafe) {
        for (; i < s.size(); ++i) {
            auto d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
            if (d >= Base) break;
            x = x * Base + d;
        }
    } else {
        for (; i < s.size(); ++i) {
            auto d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
            if (d >= Base) break;
            overflow = overflow || __builtin_mul_overflow(x, U{Base}, &x) || __builtin_add_overflow(x, U(d), &x);
        }
    }
    if (i == 0 || overflow) return false;
    v = x;
    return i == s.size();
}

bool parse_u64(std::string_view s, std::uint64_t& v) { return parse_digits<std::uint64_t, 10>(s, v); }

bool parse_u32(std::string_view s, std::uint32_t& v) { return parse_digits<std::uint32_t, 10>(s, v); }

bool parse_u32_octal(std::string_view s, std::uint32_t& v) { return parse_digits<std::uint32_t, 8>(s, v); }

namespace {
// The seconds of a time, up to its '.' or end (`p` is left there).
bool parse_seconds(const char*& p, const char* end, std::uint64_t& sec) {
    const char* const begin = p;
    sec = 0;
    for (; p != end && *p != '.'; ++p) {
        auto d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
        if (d > 9) return false;
        sec = sec * 10 + d;
        if (sec > 9'000'000'000ULL) return false;  // keeps sec * 1e9 inside int64
    }
    return p != begin;
}
// The rest of a time after its seconds: nothing, or '.' and 1 to 9 digits.
bool parse_fraction(const char* p, const char* end, std::uint64_t sec, std::int64_t& ns, int* digits) {
    std::uint64_t frac = 0;
    int n = 0;
    if (p != end) {
        ++p;  // the '.'
        if (p == end || end - p > 9) return false;
        for (; p != end; ++p, ++n) {
            auto d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
            if (d > 9) return false;
            frac = frac * 10 + d;
        }
        static constexpr std::uint64_t kScale[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                                   10000,      1000,      100,      10,      1};
        frac *= kScale[n];
    }
    ns = static_cast<std::int64_t>(sec * 1'000'000'000ULL + frac);
    if (digits) *digits = n;
    return true;
}
}  // namespace

bool parse_time_ns(std::string_view s, std::int64_t& ns, int* digits) {
    const char* p = s.data();
    const char* const end = p + s.size();
    std::uint64_t sec = 0;
    return parse_seconds(p, end, sec) && parse_fraction(p, end, sec, ns, digits);
}

bool RecordLine::parse_time(std::string_view s) {
    // Consecutive records mostly share the seconds: reuse them if the text
    // before the '.' is the same as last time.
    const char* p = s.data();
    const char* const end = p + s.size();
    std::uint64_t sec = 0;
    if (s.size() > last_seconds_len_ && s[last_seconds_len_] == '.' &&
        std::memcmp(p, last_seconds_, last_seconds_len_) == 0) {
        sec = last_seconds_value_;
        p += last_seconds_len_;
    } else {
        if (!parse_seconds(p, end, sec)) return false;
        auto len = static_cast<std::size_t>(p - s.data());
        if (p != end && len <= sizeof last_seconds_) {
            std::memcpy(last_seconds_, s.data(), len);
            last_seconds_len_ = len;
            last_seconds_value_ = sec;
        }
    }
    return parse_fraction(p, end, sec, time_ns_, &time_digits_);
}

const RecordToken* RecordLine::find(std::string_view key) const {
    for (const RecordToken& t : tokens_)
        if (t.key == key) return &t;
    return nullptr;
}

const RecordToken* RecordLine::find_last(std::string_view key) const {
    for (auto it = tokens_.rbegin(); it != tokens_.rend(); ++it)
        if (it->key == key) return &*it;
    return nullptr;
}

LineKind RecordLine::parse_comment(std::string_view line) {
    if (line.substr(0, kRecordHeaderTag.size()) != kRecordHeaderTag) return LineKind::Comment;
    std::string_view rest = line.substr(kRecordHeaderTag.size());
    if (rest.empty()) return fail(LineError::BadHeader, 0);
    if (rest[0] != ' ') return LineKind::Comment;  // e.g. "#rpcspy-recordsX": not our tag
    rest.remove_prefix(1);
    std::size_t sp = rest.find(' ');
    std::string_view ver = rest.substr(0, sp);
    std::uint32_t v = 0;
    if (!parse_u32(ver, v)) return fail(LineError::BadHeader, kRecordHeaderTag.size() + 2);
    header_version_ = static_cast<long>(v);
    if (header_version_ != kRecordFormatVersion) return fail(LineError::UnknownVersion, kRecordHeaderTag.size() + 2);
    // Version 1: the fixed field names must follow, in order.
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    for (std::string_view name : kFixedNames) {
        std::size_t e = rest.find(' ');
        if (rest.substr(0, e) != name) return fail(LineError::BadHeader, 0);
        rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 1);
    }
    return LineKind::Header;
}

namespace {
// A uid or gid: a number, or "-" (then -1).
bool parse_id(std::string_view s, std::int64_t& id) {
    std::uint32_t v = 0;
    if (s == "-") {
        id = -1;
        return true;
    }
    if (!parse_u32(s, v)) return false;
    id = v;
    return true;
}
// Bit i set if byte i of the 16 at p is special (not printable ASCII other than
// space: a space, a control byte, DEL or a byte >= 0x80) or '='; `n` (at most
// 16) bytes are looked at.
inline unsigned special_or_eq(const char* p, std::size_t n) {
#if defined(__SSE2__)
    if (n == 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed compare: bytes >= 0x80 are negative, so below 0x21 too.
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('=')));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));
    }
#endif
    unsigned mask = 0;
    for (std::size_t i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(p[i]);
        if (c <= 0x20 || c >= 0x7f || c == '=') mask |= 1u << i;
    }
    return mask;
}

bool is_xid(std::string_view s) {
    if (s.size() != 8) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
}  // namespace

LineKind RecordLine::check_fixed() {
    // Columns of errors are those of the field's first byte.
    auto col = [this](Fixed f) { return static_cast<std::size_t>(fixed_[f].data() - line_begin_) + 1; };
    if (!parse_time(fixed_[Time])) return fail(LineError::BadTime, col(Time));
    dur_ns_ = -1;
    if (fixed_[Dur] != "-" && !parse_time_ns(fixed_[Dur], dur_ns_)) return fail(LineError::BadDur, col(Dur));
    if (fixed_[Proto] != "tcp" && fixed_[Proto] != "udp") return fail(LineError::BadProto, col(Proto));
    if (!is_xid(fixed_[Xid])) return fail(LineError::BadXid, col(Xid));
    if (!parse_id(fixed_[Uid], uid_)) return fail(LineError::BadUid, col(Uid));
    if (!parse_id(fixed_[Gid], gid_)) return fail(LineError::BadGid, col(Gid));
    if (!parse_u32(fixed_[Vers], vers_)) return fail(LineError::BadVers, col(Vers));
    return LineKind::Record;
}

inline bool RecordLine::piece(const char* from, const char* eq, const char* to, std::size_t& n) {
    if (n < kFixedCount) {
        fixed_[n++] = std::string_view(from, static_cast<std::size_t>(to - from));
        return true;
    }
    if (!eq || eq == from) return false;  // no '=', or an empty key
    tokens_.push_back(RecordToken{std::string_view(from, static_cast<std::size_t>(eq - from)),
                                  std::string_view(eq + 1, static_cast<std::size_t>(to - eq - 1))});
    return true;
}

LineKind RecordLine::split(std::string_view line, std::size_t& n) {
    // One pass over the line, 16 bytes at a time: the special bytes end pieces
    // (or the line, if not a space), the first '=' of a token splits it.
    const char* const begin = line.data();
    const char* const end = begin + line.size();
    const char* start = begin;  // of the current piece
    const char* eq = nullptr;   // its first '=', if any yet
    for (std::size_t at = 0; at < line.size(); at += 16) {
        const char* chunk = begin + at;
        std::size_t left = line.size() - at;
        for (unsigned mask = special_or_eq(chunk, left < 16 ? left : 16); mask; mask &= mask - 1) {
            const char* p = chunk + __builtin_ctz(mask);
            if (*p == '=') {
                if (!eq) eq = p;
                continue;
            }
            if (*p != ' ') return fail(LineError::BadByte, static_cast<std::size_t>(p - begin) + 1);
            if (p == start) return fail(LineError::EmptyField, static_cast<std::size_t>(p - begin) + 1);
            if (!piece(start, eq, p, n)) return fail(LineError::BadToken, static_cast<std::size_t>(start - begin) + 1);
            start = p + 1;
            eq = nullptr;
        }
    }
    if (start == end) return fail(LineError::EmptyField, line.size());
    if (!piece(start, eq, end, n)) return fail(LineError::BadToken, static_cast<std::size_t>(start - begin) + 1);
    return LineKind::Record;
}

LineKind RecordLine::parse(std::string_view line) {
    tokens_.clear();
    error_ = LineError::None;
    error_column_ = 0;
    line_begin_ = line.data();
    if (line.empty()) return LineKind::Blank;
    if (line[0] == '#') return parse_comment(line);
    if (line[0] == '{') return fail(LineError::Json, 1);

    std::size_t n = 0;
    if (split(line, n) == LineKind::Bad) return LineKind::Bad;
    if (n < kFixedCount) return fail(LineError::TooFewFields, 0);
    return check_fixed();
}

LineSource::LineSource(int fd, std::size_t block) : fd_(fd), buf_(block < 16 ? 16 : block) {}

bool LineSource::fill() {
    // Move the unconsumed bytes to the front, grow if a line fills the buffer.
    if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        scan_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    for (;;) {
        ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (n < 0) {
            if (errno == EINTR) continue;
            read_error_ = errno;
            eof_ = true;
            return false;
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        end_ += static_cast<std::size_t>(n);
        return true;
    }
}

bool LineSource::take_line(std::string_view& line) {
    if (scan_ >= end_) return false;
    const void* nl = std::memchr(buf_.data() + scan_, '\n', end_ - scan_);
    if (!nl) {
        scan_ = end_;
        return false;
    }
    auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
    line = std::string_view(buf_.data() + begin_, pos - begin_);
    begin_ = scan_ = pos + 1;
    ++line_number_;
    return true;
}

std::size_t LineSource::next_batch(std::string_view* lines, std::size_t max) {
    // Only the first line may need a read (which moves the buffer's bytes); the
    // others are complete lines already in the buffer, so all views stay valid.
    if (max == 0 || !next(lines[0])) return 0;
    std::size_t n = 1;
    while (n < max && take_line(lines[n])) ++n;
    return n;
}

bool LineSource::next(std::string_view& line) {
    for (;;) {
        if (take_line(line)) return true;
        if (eof_ || !fill()) {
            if (begin_ < end_) {  // a last line without '\n'
                line = std::string_view(buf_.data() + begin_, end_ - begin_);
                begin_ = scan_ = end_;
                ++line_number_;
                return true;
            }
            return false;
        }
    }
}

}  // namespace common
