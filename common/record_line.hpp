// Reader of rpcspy's text records (man/rpcspy.5, format version 1), shared by the
// tools that consume them (nfstrace, ...).
//
// RecordLine::parse() splits one line into the twelve fixed fields and the
// key=value tokens, as string_views into the caller's line: no allocation per
// line (the tokens go to an array whose storage is reused). It validates the
// syntax of every fixed field so that consumers can trust them, and on a bad line
// says why (LineError) and where (column).
//
// LineBlockReader reads a file descriptor in blocks of whole lines.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace common {

// The version of the text record format this reader understands.
inline constexpr int kRecordFormatVersion = 1;
// The start of the header line: "#rpcspy-records 1 time dur ...".
inline constexpr std::string_view kRecordHeaderTag = "#rpcspy-records";

enum class LineKind : std::uint8_t {
    Record,   // a record: fixed fields and tokens are valid
    Header,   // a valid "#rpcspy-records 1 ..." header line
    Comment,  // any other line starting with '#'
    Blank,    // an empty line (rpcspy never writes one; harmless)
    Bad,      // see error()
};

enum class LineError : std::uint8_t {
    None,
    UnknownVersion,  // header of a format version this reader does not know (fatal for callers)
    BadHeader,       // "#rpcspy-records" without a version number or with other fixed fields
    Json,            // a JSON Lines record (rpcspy --json)
    BadByte,         // tab, control character or non-ASCII byte
    EmptyField,      // two spaces in a row, or a leading or trailing space
    TooFewFields,    // fewer than twelve fixed fields
    BadTime,
    BadDur,
    BadProto,
    BadXid,
    BadUid,
    BadGid,
    BadVers,
    BadToken,  // a token without '=' or with an empty key
};

// A short English description of the error, e.g. "xid is not 8 hex digits".
const char* describe(LineError e);

struct RecordToken {
    std::string_view key;
    std::string_view value;
};

class RecordLine {
public:
    enum Fixed : std::uint8_t { Time, Dur, Client, Server, Proto, Xid, Uid, Gid, Prog, Vers, Proc, Status };
    static constexpr std::size_t kFixedCount = 12;
    // The names of the fixed fields, as in the header line.
    static const std::string_view kFixedNames[kFixedCount];

    // Parses one line, without its newline. The views stay valid as long as the
    // line's bytes do.
    LineKind parse(std::string_view line);

    LineError error() const { return error_; }
    // 1-based column of the error (0 when it concerns the whole line).
    std::size_t error_column() const { return error_column_; }
    // For a header line (or UnknownVersion): the version number it gives.
    long header_version() const { return header_version_; }

    std::string_view field(Fixed f) const { return fixed_[f]; }
    std::string_view time() const { return fixed_[Time]; }
    std::string_view dur() const { return fixed_[Dur]; }
    std::string_view client() const { return fixed_[Client]; }
    std::string_view server() const { return fixed_[Server]; }
    std::string_view proto() const { return fixed_[Proto]; }
    std::string_view xid() const { return fixed_[Xid]; }
    std::string_view uid() const { return fixed_[Uid]; }
    std::string_view gid() const { return fixed_[Gid]; }
    std::string_view prog() const { return fixed_[Prog]; }
    std::string_view vers() const { return fixed_[Vers]; }
    std::string_view proc() const { return fixed_[Proc]; }
    std::string_view status() const { return fixed_[Status]; }

    // time and dur as nanoseconds (dur: -1 for "-"), and the number of fraction
    // digits of time (parsed while checking the line).
    std::int64_t time_ns() const { return time_ns_; }
    std::int64_t dur_ns() const { return dur_ns_; }
    int time_digits() const { return time_digits_; }
    // uid and gid as numbers (-1 for "-"), and vers.
    std::int64_t uid_number() const { return uid_; }
    std::int64_t gid_number() const { return gid_; }
    std::uint32_t vers_number() const { return vers_; }

    // Tokens in the order of the line (a key may repeat).
    std::span<const RecordToken> tokens() const { return {token_store_.data(), token_count_}; }
    // The first / last token with this key, or nullptr.
    const RecordToken* find(std::string_view key) const;
    const RecordToken* find_last(std::string_view key) const;

private:
    LineKind fail(LineError e, std::size_t column) {
        error_ = e;
        error_column_ = column;
        return LineKind::Bad;
    }
    LineKind parse_comment(std::string_view line);
    LineKind check_fixed();
    // Splits the line into fixed fields and tokens (`pieces` counts them):
    // Record, or Bad and the first error in the line.
    LineKind split(std::string_view line, std::size_t& pieces);
    // Makes room for more tokens; returns where the one at `end` goes now.
    [[gnu::noinline]] RecordToken* grow_tokens(RecordToken* end);
    // Sets time_ns_ and time_digits_ from the time field.
    bool parse_time(std::string_view s);

    std::string_view fixed_[kFixedCount];
    std::vector<RecordToken> token_store_;  // [0, token_count_): this line's tokens
    std::size_t token_count_ = 0;
    LineError error_ = LineError::None;
    std::size_t error_column_ = 0;
    long header_version_ = 0;
    const char* line_begin_ = nullptr;
    std::int64_t time_ns_ = 0;
    std::int64_t dur_ns_ = -1;
    int time_digits_ = 0;
    // The seconds of the last time parsed (text before its '.', and value).
    char last_seconds_[16] = {};
    std::size_t last_seconds_len_ = sizeof last_seconds_;  // none yet: never matches
    std::uint64_t last_seconds_value_ = 0;
    std::int64_t uid_ = -1;
    std::int64_t gid_ = -1;
    std::uint32_t vers_ = 0;
};

// Numbers in records. Each returns false (leaving the output unspecified) if the
// text is not exactly of the expected form.
//
// "seconds[.fraction]" with up to 9 fraction digits, as nanoseconds; `digits`
// (if not null) receives the number of fraction digits.
bool parse_time_ns(std::string_view s, std::int64_t& ns, int* digits = nullptr);
// Decimal digits only (as std::from_chars: digits followed by other bytes give
// false but are stored; an overflow leaves `v` alone).
bool parse_u64(std::string_view s, std::uint64_t& v);
bool parse_u32(std::string_view s, std::uint32_t& v);
// Octal digits only, likewise.
bool parse_u32_octal(std::string_view s, std::uint32_t& v);

// Reads a file descriptor in blocks of whole lines: each read() goes into the
// caller's block after the partial line the previous block ended with, and the
// block ends after its last '\n' (it grows until it holds at least one whole
// line). The blocks are the caller's, so several can be in use at once (one
// being parsed while another is read, say).
class LineBlockReader {
public:
    static constexpr std::size_t kReadSize = std::size_t{64} << 10;

    explicit LineBlockReader(int fd, std::size_t read_size = kReadSize);
    ~LineBlockReader();
    LineBlockReader(const LineBlockReader&) = delete;
    LineBlockReader& operator=(const LineBlockReader&) = delete;

    // Fills `block` (its storage reused, grown as needed) with the next whole
    // lines, `size` bytes of it; the last line of the input may lack its '\n'.
    // False, with size 0, at the end of the input, on a read error, or when
    // interrupted.
    bool read(std::vector<char>& block, std::size_t& size);
    // errno of a read error, 0 if none.
    int read_error() const { return read_error_; }
    // Makes read() interruptible: once interrupt() is called (from any
    // thread), a read waiting for input that is not a regular file gives up,
    // as does every later one. Waits in poll(2) on the input and an eventfd,
    // so an idle reader costs nothing; without an eventfd (none left), it
    // looks for interrupt() every tenth of a second instead.
    void make_interruptible();
    void interrupt();
    bool interrupted() const { return interrupted_; }

private:
    // read(2) into `to`, waiting in poll() when interruptible; 0 at the end.
    std::size_t read_some(char* to, std::size_t n);

    int fd_;
    std::size_t read_size_;
    std::vector<char> carry_;  // the partial line after the last block's end
    bool regular_ = false;     // a regular file: read() never waits
    bool eof_ = false;
    int read_error_ = 0;
    bool interruptible_ = false;
    int wake_fd_ = -1;  // the eventfd interrupt() writes to
    std::atomic<bool> interrupt_{false};
    bool interrupted_ = false;
};

// The next line of `text` (without its '\n'), removed from it; `text` must not
// be empty.
inline std::string_view take_line(std::string_view& text) {
    const void* nl = std::memchr(text.data(), '\n', text.size());
    std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    std::string_view line = text.substr(0, len);
    text.remove_prefix(nl ? len + 1 : len);
    return line;
}

}  // namespace common
