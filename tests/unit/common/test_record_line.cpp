#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "../test_support.hpp"
#include "common/record_line.hpp"

using common::LineError;
using common::LineKind;
using common::RecordLine;

namespace {
const char* kHeader =
    "#rpcspy-records 1 time dur client server proto xid uid gid prog vers proc status [key=value...]";
const char* kRead =
    "1700000000.123456 0.000210 10.0.0.2.812 10.0.0.1.2049 tcp 0a1b2c3d 1000 100 nfs 3 read ok "
    "fh=01020304 offset=0 count=4096 rcount=4096 eof=true name=a%20b=c";
}  // namespace

TEST_CASE("record line: a record's fixed fields and tokens") {
    RecordLine r;
    REQUIRE(r.parse(kRead) == LineKind::Record);
    CHECK(r.time() == "1700000000.123456");
    CHECK(r.dur() == "0.000210");
    CHECK(r.client() == "10.0.0.2.812");
    CHECK(r.server() == "10.0.0.1.2049");
    CHECK(r.proto() == "tcp");
    CHECK(r.xid() == "0a1b2c3d");
    CHECK(r.uid() == "1000");
    CHECK(r.gid() == "100");
    CHECK(r.prog() == "nfs");
    CHECK(r.vers() == "3");
    CHECK(r.proc() == "read");
    CHECK(r.status() == "ok");
    REQUIRE(r.tokens().size() == 6);
    CHECK(r.tokens()[0].key == "fh");
    CHECK(r.tokens()[0].value == "01020304");
    // The key ends at the first '='; the value keeps the others.
    CHECK(r.tokens()[5].key == "name");
    CHECK(r.tokens()[5].value == "a%20b=c");
    REQUIRE(r.find("eof"));
    CHECK(r.find("eof")->value == "true");
    CHECK(r.find("nothere") == nullptr);
}

TEST_CASE("record line: repeated keys, empty values, no tokens") {
    RecordLine r;
    REQUIRE(r.parse("1.5 - fd00::2.812 fd00::1.2049 udp ffffffff - - 100003 3 0 timeout fh=aa name= fh=bb") ==
            LineKind::Record);
    CHECK(r.dur() == "-");
    CHECK(r.uid() == "-");
    CHECK(r.find("fh")->value == "aa");
    CHECK(r.find_last("fh")->value == "bb");
    CHECK(r.find("name")->value.empty());
    REQUIRE(r.parse("1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok") == LineKind::Record);
    CHECK(r.tokens().empty());
}

TEST_CASE("record line: header, comments, blank lines") {
    RecordLine r;
    CHECK(r.parse(kHeader) == LineKind::Header);
    CHECK(r.header_version() == 1);
    CHECK(r.parse("#rpcspy-records 1 time dur client server proto xid uid gid prog vers proc status") ==
          LineKind::Header);
    CHECK(r.parse("# calls=10 replies=9") == LineKind::Comment);
    CHECK(r.parse("") == LineKind::Blank);

    CHECK(r.parse("#rpcspy-records 2 time dur client server proto xid uid gid prog vers proc status") ==
          LineKind::Bad);
    CHECK(r.error() == LineError::UnknownVersion);
    CHECK(r.header_version() == 2);
    CHECK(r.parse("#rpcspy-records x") == LineKind::Bad);
    CHECK(r.error() == LineError::BadHeader);
    CHECK(r.parse("#rpcspy-records 1 time client") == LineKind::Bad);
    CHECK(r.error() == LineError::BadHeader);
}

TEST_CASE("record line: bad lines give a specific reason and column") {
    RecordLine r;
    struct Case {
        const char* line;
        LineError error;
        std::size_t column;
    };
    const Case cases[] = {
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null", LineError::TooFewFields, 0},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok ", LineError::EmptyField, 43},
        {"1 0  a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::EmptyField, 5},
        {" 1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::EmptyField, 1},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok\tx=1", LineError::BadByte, 43},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok x=1\r", LineError::BadByte, 47},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok name=\xc3\xa9", LineError::BadByte, 49},
        {"x 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::BadTime, 1},
        {"1. 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::BadTime, 1},
        {"1.0000000001 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::BadTime, 1},
        {"-1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::BadTime, 1},
        {"1 0.x a.1 b.2 tcp 00000000 0 0 nfs 3 null ok", LineError::BadDur, 3},
        {"1 0 a.1 b.2 sctp 00000000 0 0 nfs 3 null ok", LineError::BadProto, 13},
        {"1 0 a.1 b.2 tcp 0000000 0 0 nfs 3 null ok", LineError::BadXid, 17},
        {"1 0 a.1 b.2 tcp 0000000G 0 0 nfs 3 null ok", LineError::BadXid, 17},
        {"1 0 a.1 b.2 tcp 0000000A 0 0 nfs 3 null ok", LineError::BadXid, 17},
        {"1 0 a.1 b.2 tcp 00000000 x 0 nfs 3 null ok", LineError::BadUid, 26},
        {"1 0 a.1 b.2 tcp 00000000 0 4294967296 nfs 3 null ok", LineError::BadGid, 28},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs v3 null ok", LineError::BadVers, 34},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok fh", LineError::BadToken, 44},
        {"1 0 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok =1", LineError::BadToken, 44},
        {"{\"ts\":1.0}", LineError::Json, 1},
    };
    for (const Case& c : cases) {
        INFO(c.line);
        CHECK(r.parse(c.line) == LineKind::Bad);
        CHECK(r.error() == c.error);
        CHECK(r.error_column() == c.column);
        CHECK(std::string(common::describe(r.error())).size() > 5);
    }
}

TEST_CASE("record line: times as nanoseconds") {
    std::int64_t ns = 0;
    int digits = 0;
    REQUIRE(common::parse_time_ns("1700000000.123456", ns, &digits));
    CHECK(ns == 1700000000123456000LL);
    CHECK(digits == 6);
    REQUIRE(common::parse_time_ns("0.000000001", ns, &digits));
    CHECK(ns == 1);
    CHECK(digits == 9);
    REQUIRE(common::parse_time_ns("12", ns, &digits));
    CHECK(ns == 12'000'000'000LL);
    CHECK(digits == 0);
    CHECK_FALSE(common::parse_time_ns("", ns));
    CHECK_FALSE(common::parse_time_ns(".5", ns));
    CHECK_FALSE(common::parse_time_ns("1.5e3", ns));
    CHECK_FALSE(common::parse_time_ns("99999999999", ns));
    CHECK_FALSE(common::parse_time_ns("9000000001", ns));
    REQUIRE(common::parse_time_ns("9000000000.999999999", ns));
    CHECK(ns == 9'000'000'000'999'999'999LL);
    REQUIRE(common::parse_time_ns("000000000001.5", ns, &digits));  // leading zeros
    CHECK(ns == 1'500'000'000LL);
    CHECK(digits == 1);
    CHECK_FALSE(common::parse_time_ns("+1.5", ns));
    CHECK_FALSE(common::parse_time_ns("1.2.3", ns));
    CHECK_FALSE(common::parse_time_ns("1.", ns));
}

TEST_CASE("record line: decimal numbers, with overflow") {
    std::uint64_t v64 = 0;
    std::uint32_t v32 = 0;
    CHECK(common::parse_u64("18446744073709551615", v64));
    CHECK(v64 == 18446744073709551615ULL);
    CHECK_FALSE(common::parse_u64("18446744073709551616", v64));
    CHECK(common::parse_u64("0000000000000000000000042", v64));
    CHECK(v64 == 42);
    CHECK(common::parse_u32("4294967295", v32));
    CHECK(v32 == 4294967295U);
    CHECK_FALSE(common::parse_u32("4294967296", v32));
    CHECK_FALSE(common::parse_u32("", v32));
    CHECK_FALSE(common::parse_u32("+1", v32));
    CHECK_FALSE(common::parse_u32("-1", v32));
    CHECK_FALSE(common::parse_u32("1a", v32));
    // As std::from_chars: leading digits are stored, an overflow is not.
    v64 = 7;
    CHECK_FALSE(common::parse_u64("12x", v64));
    CHECK(v64 == 12);
    CHECK_FALSE(common::parse_u64("99999999999999999999x", v64));
    CHECK(v64 == 12);
    CHECK_FALSE(common::parse_u64("x1", v64));
    CHECK(v64 == 12);
    CHECK(common::parse_u32_octal("0644", v32));
    CHECK(v32 == 0644);
    CHECK(common::parse_u32_octal("37777777777", v32));
    CHECK(v32 == 0xffffffffU);
    CHECK_FALSE(common::parse_u32_octal("40000000000", v32));
    CHECK_FALSE(common::parse_u32_octal("8", v32));
}

TEST_CASE("record line: uid, gid and vers as numbers; '=' inside values") {
    RecordLine r;
    REQUIRE(r.parse("1.5 - a.1 b.2 tcp 0000002a 1000 - nfs 3 read ok k=v=w x==") == LineKind::Record);
    CHECK(r.uid_number() == 1000);
    CHECK(r.gid_number() == -1);
    CHECK(r.vers_number() == 3);
    REQUIRE(r.tokens().size() == 2);
    CHECK(r.tokens()[0].key == "k");
    CHECK(r.tokens()[0].value == "v=w");
    CHECK(r.tokens()[1].key == "x");
    CHECK(r.tokens()[1].value == "=");
}

namespace {
// Every line of `fd` read through a LineBlockReader with `read_size`, checking
// that each block holds whole lines only (ends with '\n' unless it is the last).
std::vector<std::string> read_lines(int fd, std::size_t read_size, std::size_t* blocks = nullptr) {
    common::LineBlockReader reader(fd, read_size);
    std::vector<std::string> lines;
    std::vector<char> block;
    std::size_t size = 0;
    bool ended_without_newline = false;
    while (reader.read(block, size)) {
        REQUIRE(size > 0);
        REQUIRE_FALSE(ended_without_newline);  // only the very last block may
        ended_without_newline = block[size - 1] != '\n';
        std::string_view text(block.data(), size);
        while (!text.empty()) lines.emplace_back(common::take_line(text));
        if (blocks) ++*blocks;
    }
    CHECK(size == 0);
    CHECK(reader.read_error() == 0);
    return lines;
}
}  // namespace

TEST_CASE("line blocks: lines across reads, a line longer than a read, no final newline") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string longline(100, 'x');
    std::string input = "a\n\nbc\n" + longline + "\nlast";
    REQUIRE(::write(fds[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
    ::close(fds[1]);
    std::size_t blocks = 0;
    CHECK(read_lines(fds[0], 16, &blocks) == std::vector<std::string>{"a", "", "bc", longline, "last"});
    CHECK(blocks >= 3);  // 16-byte reads: the long line needed a block of its own
    ::close(fds[0]);
}

TEST_CASE("line blocks: every line once and in order, from a pipe written in small pieces") {
    std::string input;
    std::vector<std::string> want;
    for (int i = 0; i < 3000; ++i) {
        want.push_back(std::string(static_cast<std::size_t>(i % 97), static_cast<char>('a' + i % 26)) +
                       std::to_string(i));
        input += want.back() + "\n";
    }
    input += "tail";
    want.emplace_back("tail");
    unit_test::PipeWriter writer(input);
    CHECK(read_lines(writer.fd(), 64) == want);
}

TEST_CASE("line blocks: a read error is reported after the lines before it") {
    int fd = ::open(".", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    common::LineBlockReader reader(fd);
    std::vector<char> block;
    std::size_t size = 7;
    CHECK_FALSE(reader.read(block, size));
    CHECK(size == 0);
    CHECK(reader.read_error() == EISDIR);
    ::close(fd);
}

TEST_CASE("line blocks: a read waiting on a pipe gives up when interrupted") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], "one\ntw", 6) == 6);  // the writer stays open, silent
    common::LineBlockReader reader(fds[0]);
    reader.make_interruptible();
    std::vector<char> block;
    std::size_t size = 0;
    REQUIRE(reader.read(block, size));
    CHECK(std::string_view(block.data(), size) == "one\n");
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        reader.interrupt();
    });
    CHECK_FALSE(reader.read(block, size));  // would wait for ever without interrupt()
    stopper.join();
    CHECK(reader.interrupted());
    CHECK(reader.read_error() == 0);
    CHECK_FALSE(reader.read(block, size));  // and stays interrupted
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST_CASE("record line: time and dur parsed while checking") {
    RecordLine r;
    REQUIRE(r.parse("1700000000.123456789 0.000210000 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok") ==
            LineKind::Record);
    CHECK(r.time_ns() == 1700000000123456789LL);
    CHECK(r.dur_ns() == 210000);
    CHECK(r.time_digits() == 9);
    REQUIRE(r.parse("1.5 - a.1 b.2 tcp 00000000 0 0 nfs 3 null timeout") == LineKind::Record);
    CHECK(r.time_ns() == 1'500'000'000);
    CHECK(r.dur_ns() == -1);
    CHECK(r.time_digits() == 1);
}

TEST_CASE("record line: times sharing or not sharing the previous line's seconds") {
    RecordLine r;
    auto rec = [](std::string_view time) {
        return std::string(time) + " 0.1 a.1 b.2 tcp 00000000 0 0 nfs 3 null ok";
    };
    struct Case {
        const char* time;
        bool ok;
        std::int64_t ns;
        int digits;
    };
    const Case cases[] = {
        {"1700000000.5", true, 1700000000'500000000LL, 1},
        {"1700000000.25", true, 1700000000'250000000LL, 2},  // same seconds
        {"17000000001.5", false, 0, 0},                      // same start, more digits: too large
        {"1700000000.5", true, 1700000000'500000000LL, 1},
        {"170000000.5", true, 170000000'500000000LL, 1},  // a prefix of the last seconds
        {"1700000000", true, 1700000000'000000000LL, 0},  // no fraction
        {"1700000000.", false, 0, 0},
        {"1700000000.1234567890", false, 0, 0},
        {"1700000000.x", false, 0, 0},
        {"01700000000.5", true, 1700000000'500000000LL, 1},  // leading zero
        {"1700000000.000000001", true, 1700000000'000000001LL, 9},
        {"9000000000.5", true, 9000000000'500000000LL, 1},
        {"9000000001.5", false, 0, 0},
        {".5", false, 0, 0},
    };
    for (const Case& c : cases) {
        INFO(c.time);
        std::string line = rec(c.time);
        if (!c.ok) {
            CHECK(r.parse(line) == LineKind::Bad);
            CHECK(r.error() == common::LineError::BadTime);
            continue;
        }
        REQUIRE(r.parse(line) == LineKind::Record);
        CHECK(r.time_ns() == c.ns);
        CHECK(r.time_digits() == c.digits);
        std::int64_t ns = 0;
        int digits = -1;
        REQUIRE(common::parse_time_ns(c.time, ns, &digits));
        CHECK(ns == c.ns);
        CHECK(digits == c.digits);
    }
}

namespace {
// The splitting rules of man/rpcspy.5, one byte at a time: what RecordLine's
// SIMD split must give. Returns the error (None if the line splits) and its
// column; `tokens` gets the tokens after the twelve fixed fields.
struct ReferenceSplit {
    LineError error = LineError::None;
    std::size_t column = 0;
    std::size_t pieces = 0;
    std::vector<std::pair<std::string, std::string>> tokens;
};
ReferenceSplit reference_split(const std::string& line) {
    ReferenceSplit out;
    std::size_t start = 0;
    auto end_piece = [&](std::size_t to) {
        std::string piece = line.substr(start, to - start);
        if (out.pieces++ < RecordLine::kFixedCount) return true;
        std::size_t eq = piece.find('=');
        if (eq == std::string::npos || eq == 0) return false;
        out.tokens.emplace_back(piece.substr(0, eq), piece.substr(eq + 1));
        return true;
    };
    for (std::size_t i = 0; i < line.size(); ++i) {
        auto c = static_cast<unsigned char>(line[i]);
        if (c < 0x20 || c >= 0x7f) {
            out.error = LineError::BadByte;
            out.column = i + 1;
            return out;
        }
        if (c != ' ') continue;
        if (i == start) {
            out.error = LineError::EmptyField;
            out.column = i + 1;
            return out;
        }
        if (!end_piece(i)) {
            out.error = LineError::BadToken;
            out.column = start + 1;
            return out;
        }
        start = i + 1;
    }
    if (start == line.size()) {
        out.error = LineError::EmptyField;
        out.column = line.size();
    } else if (!end_piece(line.size())) {
        out.error = LineError::BadToken;
        out.column = start + 1;
    }
    return out;
}
}  // namespace

TEST_CASE("record line: the SIMD split agrees with a byte-by-byte one on random lines") {
    // Valid fixed fields, then up to 200 random bytes (mostly token-like), so
    // that pieces and errors fall at every place in and across 16-byte chunks;
    // also without the fixed fields.
    const std::string fixed = "1700000000.123456 0.000210 10.0.0.2.812 10.0.0.1.2049 tcp 0a1b2c3d 1000 100 nfs 3 read ok";
    const char alphabet[] = {'a', 'b', '0', '9', '=', '=', ' ', ' ', ' ', '%', '.', '\t', '\x7f', '\x80', '\xff', '\0', '~', '!'};
    std::uint64_t state = 12345;
    auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state >> 33);
    };
    RecordLine r;
    for (int round = 0; round < 20000; ++round) {
        std::string line = round % 4 == 0 ? std::string() : fixed;
        std::size_t len = next() % 200;
        bool rare = next() % 4 == 0;  // else only letters, digits, '=' and spaces
        for (std::size_t i = 0; i < len; ++i)
            line.push_back(alphabet[next() % (rare ? sizeof alphabet : 7)]);
        if (!line.empty() && (line[0] == '#' || line[0] == '{')) continue;
        ReferenceSplit want = reference_split(line);
        INFO(line);
        LineKind kind = r.parse(line);
        if (line.empty()) {
            CHECK(kind == LineKind::Blank);
        } else if (want.error != LineError::None) {
            CHECK(kind == LineKind::Bad);
            CHECK(r.error() == want.error);
            CHECK(r.error_column() == want.column);
        } else if (want.pieces < RecordLine::kFixedCount) {
            CHECK(kind == LineKind::Bad);
            CHECK(r.error() == LineError::TooFewFields);
        } else if (line.compare(0, fixed.size(), fixed) == 0) {
            REQUIRE(kind == LineKind::Record);
            REQUIRE(r.tokens().size() == want.tokens.size());
            for (std::size_t i = 0; i < want.tokens.size(); ++i) {
                CHECK(r.tokens()[i].key == want.tokens[i].first);
                CHECK(r.tokens()[i].value == want.tokens[i].second);
            }
        }
    }
}
