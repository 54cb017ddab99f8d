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

bool parse_u64(std::string_view s, std::uint64_t& v) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_u32(std::string_view s, std::uint32_t& v) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_time_ns(std::string_view s, std::int64_t& ns, int* digits) {
    std::size_t dot = s.find('.');
    std::string_view sec_part = s.substr(0, dot);
    std::uint64_t sec = 0;
    if (sec_part.empty() || sec_part[0] == '+' || !parse_u64(sec_part, sec)) return false;
    if (sec > 9'000'000'000ULL) return false;  // keeps sec * 1e9 inside int64
    std::uint64_t frac = 0;
    int n = 0;
    if (dot != std::string_view::npos) {
        std::string_view f = s.substr(dot + 1);
        if (f.empty() || f.size() > 9) return false;
        for (char c : f) {
            if (c < '0' || c > '9') return false;
            frac = frac * 10 + static_cast<std::uint64_t>(c - '0');
        }
        n = static_cast<int>(f.size());
        for (int i = n; i < 9; ++i) frac *= 10;
    }
    ns = static_cast<std::int64_t>(sec * 1'000'000'000ULL + frac);
    if (digits) *digits = n;
    return true;
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
bool is_id(std::string_view s) {
    std::uint32_t v = 0;
    return s == "-" || parse_u32(s, v);
}
// The first byte at or after p that is not printable ASCII other than space
// (i.e. a space, a control byte, DEL or a byte >= 0x80), or end.
inline const char* next_special(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i limit = _mm_set1_epi8(0x21);
    const __m128i del = _mm_set1_epi8(0x7f);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed compare: bytes >= 0x80 are negative, so below 0x21 too.
        __m128i special = _mm_or_si128(_mm_cmplt_epi8(v, limit), _mm_cmpeq_epi8(v, del));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
        if (mask) return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    for (; p != end; ++p) {
        auto c = static_cast<unsigned char>(*p);
        if (c <= 0x20 || c >= 0x7f) return p;
    }
    return end;
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
    if (!parse_time_ns(fixed_[Time], time_ns_, &time_digits_)) return fail(LineError::BadTime, col(Time));
    dur_ns_ = -1;
    if (fixed_[Dur] != "-" && !parse_time_ns(fixed_[Dur], dur_ns_)) return fail(LineError::BadDur, col(Dur));
    if (fixed_[Proto] != "tcp" && fixed_[Proto] != "udp") return fail(LineError::BadProto, col(Proto));
    if (!is_xid(fixed_[Xid])) return fail(LineError::BadXid, col(Xid));
    if (!is_id(fixed_[Uid])) return fail(LineError::BadUid, col(Uid));
    if (!is_id(fixed_[Gid])) return fail(LineError::BadGid, col(Gid));
    std::uint32_t v = 0;
    if (!parse_u32(fixed_[Vers], v)) return fail(LineError::BadVers, col(Vers));
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

    const char* const begin = line.data();
    const char* const end = begin + line.size();
    const char* start = begin;
    std::size_t n = 0;
    auto piece = [&](const char* from, const char* to) -> bool {
        std::string_view s(from, static_cast<std::size_t>(to - from));
        if (n < kFixedCount) {
            fixed_[n++] = s;
            return true;
        }
        std::size_t eq = s.find('=');
        if (eq == 0 || eq == std::string_view::npos) return false;
        tokens_.push_back(RecordToken{s.substr(0, eq), s.substr(eq + 1)});
        return true;
    };
    for (const char* p = begin; (p = next_special(p, end)) != end; ++p) {
        auto c = static_cast<unsigned char>(*p);
        auto column = static_cast<std::size_t>(p - begin) + 1;
        if (c != ' ') return fail(LineError::BadByte, column);
        if (p == start) return fail(LineError::EmptyField, column);
        if (!piece(start, p)) return fail(LineError::BadToken, static_cast<std::size_t>(start - begin) + 1);
        start = p + 1;
    }
    if (start == end) return fail(LineError::EmptyField, line.size());
    if (!piece(start, end)) return fail(LineError::BadToken, static_cast<std::size_t>(start - begin) + 1);
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

bool LineSource::next(std::string_view& line) {
    for (;;) {
        if (scan_ < end_) {
            const void* nl = std::memchr(buf_.data() + scan_, '\n', end_ - scan_);
            if (nl) {
                auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
                line = std::string_view(buf_.data() + begin_, pos - begin_);
                begin_ = scan_ = pos + 1;
                ++line_number_;
                return true;
            }
            scan_ = end_;
        }
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
