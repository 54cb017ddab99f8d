#include "common/record_line.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
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
    for (const RecordToken& t : tokens())
        if (t.key == key) return &t;
    return nullptr;
}

const RecordToken* RecordLine::find_last(std::string_view key) const {
    for (std::size_t i = token_count_; i-- > 0;)
        if (token_store_[i].key == key) return &token_store_[i];
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
// The bytes of a 64-byte block of a line that matter to the split, one bit
// per byte (bit i: byte i of the block).
struct ByteClasses {
    std::uint64_t space = 0;
    std::uint64_t eq = 0;   // '='
    std::uint64_t bad = 0;  // a control byte, DEL or a byte >= 0x80 (allowed nowhere)
};
#if defined(__SSE2__)
inline __m128i bad_bytes(__m128i v) {
    // Signed compare: bytes >= 0x80 are negative, so below 0x20 too.
    return _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
}
// The 64 bits of four vectors of compare results, the first in the low bits.
inline std::uint64_t bits(__m128i a, __m128i b, __m128i c, __m128i d) {
    auto m = [](__m128i x) { return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(x))); };
    return m(a) | m(b) << 16 | m(c) << 32 | m(d) << 48;
}
#endif
[[gnu::always_inline]] inline ByteClasses classify_block(const char* p) {
    ByteClasses c;
#if defined(__SSE2__)
    auto load = [p](int i) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)); };
    const __m128i v0 = load(0), v1 = load(1), v2 = load(2), v3 = load(3);
    const __m128i space = _mm_set1_epi8(' '), eq = _mm_set1_epi8('=');
    c.space = bits(_mm_cmpeq_epi8(v0, space), _mm_cmpeq_epi8(v1, space), _mm_cmpeq_epi8(v2, space),
                   _mm_cmpeq_epi8(v3, space));
    c.eq = bits(_mm_cmpeq_epi8(v0, eq), _mm_cmpeq_epi8(v1, eq), _mm_cmpeq_epi8(v2, eq), _mm_cmpeq_epi8(v3, eq));
    // Bad bytes are rare: one test for the block, their places only if any.
    const __m128i b0 = bad_bytes(v0), b1 = bad_bytes(v1), b2 = bad_bytes(v2), b3 = bad_bytes(v3);
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(b0, b1), _mm_or_si128(b2, b3)))) c.bad = bits(b0, b1, b2, b3);
#else
    for (unsigned i = 0; i < 64; ++i) {
        auto b = static_cast<unsigned char>(p[i]);
        std::uint64_t bit = std::uint64_t{1} << i;
        if (b == ' ')
            c.space |= bit;
        else if (b == '=')
            c.eq |= bit;
        else if (b < 0x20 || b >= 0x7f)
            c.bad |= bit;
    }
#endif
    return c;
}
// The last n (< 64) bytes of a line, copied into a block of spaces so that
// nothing past the line is read; the bits past n cleared.
[[gnu::always_inline]] inline ByteClasses classify_tail(const char* p, std::size_t n) {
    char block[64];
    std::memset(block, ' ', sizeof block);
    std::memcpy(block, p, n);
    ByteClasses c = classify_block(block);
    c.space &= (std::uint64_t{1} << n) - 1;
    return c;
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

RecordToken* RecordLine::grow_tokens(RecordToken* end) {
    auto used = static_cast<std::size_t>(end - token_store_.data());
    token_store_.resize(token_store_.empty() ? 64 : token_store_.size() * 2);
    return token_store_.data() + used;
}

LineKind RecordLine::split(std::string_view line, std::size_t& pieces) {
    // One pass over the line, 64 bytes at a time, from space to space: each
    // ends a piece, whose first '=' (if a token) splits it. Errors come in the
    // order of the line, as if each byte were looked at in turn.
    const char* const begin = line.data();
    const std::size_t size = line.size();
    const char* start = begin;  // of the current piece
    const char* eq = nullptr;   // its first '=', once seen
    std::size_t fixed = 0;
    RecordToken* out = token_store_.data();
    RecordToken* out_end = out + token_store_.size();
    // Ends the current piece at `to`: false if a token without a key.
    auto end_piece = [&](const char* to) {
        if (fixed < kFixedCount) {
            fixed_[fixed++] = std::string_view(start, static_cast<std::size_t>(to - start));
            return true;
        }
        if (!eq || eq == start) return false;  // no '=', or an empty key
        if (out == out_end) {
            out = grow_tokens(out);
            out_end = token_store_.data() + token_store_.size();
        }
        out->key = std::string_view(start, static_cast<std::size_t>(eq - start));
        out->value = std::string_view(eq + 1, static_cast<std::size_t>(to - eq - 1));
        ++out;
        return true;
    };
    auto finish = [&](LineKind kind) {
        token_count_ = static_cast<std::size_t>(out - token_store_.data());
        pieces = fixed + token_count_;
        return kind;
    };
    for (std::size_t at = 0; at < size; at += 64) {
        const char* block = begin + at;
        ByteClasses c = size - at >= 64 ? classify_block(block) : classify_tail(block, size - at);
        std::uint64_t spaces = c.space;
        std::uint64_t eqs = c.eq;  // those in the current piece or after
        if (c.bad) {               // only what comes before the first bad byte counts
            std::uint64_t before = (c.bad & (0 - c.bad)) - 1;
            spaces &= before;
            eqs &= before;
        }
        while (spaces) {
            auto bit = static_cast<unsigned>(__builtin_ctzll(spaces));
            const char* p = block + bit;
            std::uint64_t through = spaces ^ (spaces - 1);  // bits 0 to bit
            spaces &= spaces - 1;
            if (!eq && (eqs & through)) eq = block + __builtin_ctzll(eqs);
            eqs &= ~through;
            if (p == start) return finish(fail(LineError::EmptyField, at + bit + 1));
            if (!end_piece(p)) return finish(fail(LineError::BadToken, static_cast<std::size_t>(start - begin) + 1));
            start = p + 1;
            eq = nullptr;
        }
        if (c.bad) return finish(fail(LineError::BadByte, at + static_cast<std::size_t>(__builtin_ctzll(c.bad)) + 1));
        if (!eq && eqs) eq = block + __builtin_ctzll(eqs);
    }
    if (start == begin + size) return finish(fail(LineError::EmptyField, size));
    if (!end_piece(begin + size)) return finish(fail(LineError::BadToken, static_cast<std::size_t>(start - begin) + 1));
    return finish(LineKind::Record);
}

LineKind RecordLine::parse(std::string_view line) {
    token_count_ = 0;
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

LineBlockReader::LineBlockReader(int fd, std::size_t read_size) : fd_(fd), read_size_(read_size ? read_size : 1) {
    struct stat st {};
    regular_ = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

LineBlockReader::~LineBlockReader() {
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void LineBlockReader::make_interruptible() {
    interruptible_ = true;
    if (wake_fd_ < 0) wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void LineBlockReader::interrupt() {
    interrupt_.store(true, std::memory_order_release);
    if (wake_fd_ >= 0) {
        std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    }
}

std::size_t LineBlockReader::read_some(char* to, std::size_t n) {
    for (;;) {
        if (interruptible_ && !regular_) {
            if (interrupt_.load(std::memory_order_acquire)) {
                interrupted_ = true;
                return 0;
            }
            pollfd p[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
            int ready = wake_fd_ >= 0 ? ::poll(p, 2, -1) : ::poll(p, 1, 100);
            if (ready == 0 || (ready < 0 && errno == EINTR) || (ready > 0 && p[0].revents == 0)) continue;
            // Anything else (readable, hung up, an error, or an fd poll does
            // not know): the read says what it is.
        }
        ssize_t got = ::read(fd_, to, n);
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno == EINTR) continue;
        read_error_ = errno;
        return 0;
    }
}

bool LineBlockReader::read(std::vector<char>& block, std::size_t& size) {
    size = 0;
    if (interrupted_) return false;
    std::size_t have = carry_.size();
    if (block.size() < have + read_size_) block.resize(have + read_size_);
    if (have) std::memcpy(block.data(), carry_.data(), have);  // (an empty carry_ may have no storage)
    carry_.clear();
    for (;;) {
        std::size_t got = 0;
        if (!eof_) {
            if (block.size() == have) block.resize(block.size() * 2);  // a line longer than the block
            got = read_some(block.data() + have, block.size() - have);
            if (interrupted_) return false;
            if (got == 0) eof_ = true;  // the end, or a read error (read_error() says)
        }
        if (eof_) {  // the rest, a last line without '\n' included
            size = have;
            return size > 0;
        }
        const char* nl = static_cast<const char*>(::memrchr(block.data() + have, '\n', got));
        have += got;
        if (nl) {
            size = static_cast<std::size_t>(nl - block.data()) + 1;
            carry_.assign(block.data() + size, block.data() + have);
            return true;
        }
    }
}

}  // namespace common
