// rpcspy's capture file reader against libpcap: same frames, same link type,
// same timestamps (nanosecond precision) on real and synthetic captures, with
// the default buffer and with a tiny one (records across refills, growth); a
// precise error on each kind of damage; filter and stop in Capture. Streams:
// the same frames from a pipe (written whole or a few bytes at a time) as from
// the file, the same errors, and a stream the reader does not read handed to
// libpcap whole.
#include <catch2/catch.hpp>

#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "rpcspy/capture.hpp"
#include "rpcspy/capture_file.hpp"

namespace fs = std::filesystem;
using rpcspy::CaptureFileParser;
using rpcspy::CaptureFileReader;

namespace {

struct Frame {
    std::int64_t sec = 0;
    std::uint32_t nsec = 0;
    std::uint32_t caplen = 0, len = 0;
    std::vector<std::uint8_t> bytes;
    bool operator==(const Frame&) const = default;
};

struct Read {
    int dlt = -1;
    std::vector<Frame> frames;
    bool error = false;  // the read ended with an error (after `frames`)
    std::string message;
};

Read read_libpcap(const std::string& path) {
    Read r;
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        r.error = true;
        r.message = err;
        return r;
    }
    r.dlt = pcap_datalink(p);
    pcap_pkthdr* h = nullptr;
    const u_char* d = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1)
        r.frames.push_back({h->ts.tv_sec, static_cast<std::uint32_t>(h->ts.tv_usec), h->caplen, h->len,
                            std::vector<std::uint8_t>(d, d + h->caplen)});
    if (rc == PCAP_ERROR) {
        r.error = true;
        r.message = pcap_geterr(p);
    }
    pcap_close(p);
    return r;
}

// The frames of an opened reader into `r`, to its end or an error.
void read_frames(CaptureFileReader& reader, Read& r) {
    r.dlt = reader.parser().datalink();
    rpcspy::CapturedFrame f;
    CaptureFileParser::Next n;
    while ((n = reader.next(f)) == CaptureFileParser::Next::Frame)
        r.frames.push_back({f.ts.sec, f.ts.nsec, f.caplen, f.len, std::vector<std::uint8_t>(f.data, f.data + f.caplen)});
    if (n != CaptureFileParser::Next::End) {
        r.error = true;
        r.message = reader.error();
    }
}

Read read_with_reader(const std::string& path, std::size_t buffer) {
    constexpr auto expect = CaptureFileParser::Open::Ok;
    Read r;
    CaptureFileReader file(buffer);
    auto outcome = file.open(path);
    REQUIRE(outcome == expect);
    if (outcome != CaptureFileParser::Open::Ok) {
        r.error = outcome == CaptureFileParser::Open::Error;
        r.message = file.error();
        return r;
    }
    read_frames(file, r);
    return r;
}

void require_same_as_libpcap(const std::string& path) {
    INFO(path);
    Read want = read_libpcap(path);
    INFO("libpcap: " << want.message);
    REQUIRE_FALSE(want.error);
    for (std::size_t buffer : {CaptureFileReader::kDefaultBuffer, std::size_t{100}}) {
        INFO("buffer " << buffer);
        Read got = read_with_reader(path, buffer);
        CHECK(got.message == "");
        CHECK(got.dlt == want.dlt);
        REQUIRE(got.frames.size() == want.frames.size());
        for (std::size_t i = 0; i < want.frames.size(); ++i) {
            INFO("frame " << i + 1);
            CHECK(got.frames[i].sec == want.frames[i].sec);
            CHECK(got.frames[i].nsec == want.frames[i].nsec);
            CHECK(got.frames[i].caplen == want.frames[i].caplen);
            CHECK(got.frames[i].len == want.frames[i].len);
            CHECK(got.frames[i].bytes == want.frames[i].bytes);
        }
    }
}

std::vector<std::string> captures_under(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Little helpers to write capture files byte by byte.
struct Bytes {
    explicit Bytes(bool big_endian = false) : big(big_endian) {}
    bool big;
    std::vector<std::uint8_t> v;
    Bytes& u8(unsigned x) { v.push_back(static_cast<std::uint8_t>(x)); return *this; }
    Bytes& u16(unsigned x) { return big ? u8(x >> 8).u8(x) : u8(x).u8(x >> 8); }
    Bytes& u32(std::uint32_t x) { return big ? u16(x >> 16).u16(x & 0xffff) : u16(x & 0xffff).u16(x >> 16); }
    Bytes& u64(std::uint64_t x) {
        return big ? u32(static_cast<std::uint32_t>(x >> 32)).u32(static_cast<std::uint32_t>(x))
                   : u32(static_cast<std::uint32_t>(x)).u32(static_cast<std::uint32_t>(x >> 32));
    }
    Bytes& raw(const std::vector<std::uint8_t>& b) { v.insert(v.end(), b.begin(), b.end()); return *this; }
    Bytes& pad4() { while (v.size() % 4) u8(0); return *this; }
};

std::vector<std::uint8_t> payload(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i * 7 + seed);
    return p;
}

Bytes pcap_header(bool big, bool nano, std::uint32_t linktype, std::uint32_t snaplen = 262144, unsigned minor = 4) {
    Bytes b{big};
    b.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(minor).u32(0).u32(0).u32(snaplen).u32(linktype);
    return b;
}

void pcap_record(Bytes& b, std::uint32_t sec, std::uint32_t frac, const std::vector<std::uint8_t>& data, std::uint32_t len = 0) {
    b.u32(sec).u32(frac).u32(static_cast<std::uint32_t>(data.size())).u32(len ? len : static_cast<std::uint32_t>(data.size())).raw(data);
}

// A pcapng block: type, total length, body (padded), total length.
void block(Bytes& b, std::uint32_t type, const Bytes& body) {
    Bytes padded = body;
    padded.pad4();
    const auto total = static_cast<std::uint32_t>(12 + padded.v.size());
    b.u32(type).u32(total).raw(padded.v).u32(total);
}

void shb(Bytes& b) {
    Bytes body{b.big};
    body.u32(0x1a2b3c4d).u16(1).u16(0).u64(~std::uint64_t{0});
    block(b, 0x0A0D0D0A, body);
}

// tsresol < 0: no option; tsoffset 0: no option.
void idb(Bytes& b, unsigned linktype, std::uint32_t snaplen, int tsresol = -1, std::int64_t tsoffset = 0) {
    Bytes body{b.big};
    body.u16(linktype).u16(0).u32(snaplen);
    body.u16(2).u16(4).u8('e').u8('t').u8('h').u8('0');  // if_name
    if (tsresol >= 0) body.u16(9).u16(1).u8(static_cast<unsigned>(tsresol)).u8(0).u8(0).u8(0);
    if (tsoffset) body.u16(14).u16(8).u64(static_cast<std::uint64_t>(tsoffset));
    body.u16(0).u16(0);
    block(b, 1, body);
}

void epb(Bytes& b, std::uint32_t iface, std::uint64_t t, const std::vector<std::uint8_t>& data, std::uint32_t len = 0) {
    Bytes body{b.big};
    body.u32(iface).u32(static_cast<std::uint32_t>(t >> 32)).u32(static_cast<std::uint32_t>(t));
    body.u32(static_cast<std::uint32_t>(data.size())).u32(len ? len : static_cast<std::uint32_t>(data.size())).raw(data).pad4();
    body.u16(1).u16(3).u8('a').u8('b').u8('c').u8(0).u16(0).u16(0);  // opt_comment, end
    block(b, 6, body);
}

void spb(Bytes& b, const std::vector<std::uint8_t>& data, std::uint32_t len) {
    Bytes body{b.big};
    body.u32(len).raw(data);
    block(b, 3, body);
}

void obsolete_pb(Bytes& b, unsigned iface, std::uint64_t t, const std::vector<std::uint8_t>& data) {
    Bytes body{b.big};
    body.u16(iface).u16(0).u32(static_cast<std::uint32_t>(t >> 32)).u32(static_cast<std::uint32_t>(t));
    body.u32(static_cast<std::uint32_t>(data.size())).u32(static_cast<std::uint32_t>(data.size())).raw(data);
    block(b, 2, body);
}

struct TempDir : unit_test::TempDir {
    TempDir() : unit_test::TempDir("rpcspy-capfile") {}
    // `bytes` as the file `name` in it; its path.
    std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
        const std::string p = file(name);
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        return p;
    }
};

// The error of reading `bytes` with the reader (open or read); the same with
// the default buffer and with a tiny one.
std::string reader_error(const std::string& path, std::size_t buffer, std::size_t* frames) {
    CaptureFileReader file(buffer);
    auto outcome = file.open(path);
    if (outcome == CaptureFileParser::Open::Ok) {
        rpcspy::CapturedFrame f;
        CaptureFileParser::Next n;
        std::size_t count = 0;
        while ((n = file.next(f)) == CaptureFileParser::Next::Frame) ++count;
        if (frames) *frames = count;
        if (n == CaptureFileParser::Next::End) return "no error";
    } else if (outcome == CaptureFileParser::Open::NotMine) {
        return "not mine";
    }
    return file.error();
}

std::string read_error_of(const TempDir& dir, const std::vector<std::uint8_t>& bytes, std::size_t* frames = nullptr) {
    const std::string p = dir.write("bad", bytes);
    std::size_t tiny_frames = 0;
    const std::string e = reader_error(p, CaptureFileReader::kDefaultBuffer, frames);
    CHECK(reader_error(p, 64, &tiny_frames) == e);
    if (frames) CHECK(tiny_frames == *frames);
    return e;
}

std::vector<std::uint8_t> file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A child process that writes `bytes` into a pipe, `piece` bytes per write(2)
// (pausing now and then, so that the reader finds the pipe empty and reads
// short pieces), then closes it. The reader gets read_fd.
struct PipeWriter {
    int read_fd = -1;
    pid_t pid = -1;
    PipeWriter(const std::vector<std::uint8_t>& bytes, std::size_t piece) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            std::size_t writes = 0;
            for (std::size_t at = 0; at < bytes.size(); at += piece) {
                const std::size_t n = std::min(piece, bytes.size() - at);
                if (::write(fds[1], bytes.data() + at, n) != static_cast<ssize_t>(n)) ::_exit(1);
                if (++writes % 64 == 0) ::usleep(50);
            }
            ::_exit(0);
        }
        ::close(fds[1]);
        read_fd = fds[0];
    }
    ~PipeWriter() {
        ::close(read_fd);  // a writer still writing (the reader stopped early) gets EPIPE
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
    PipeWriter(const PipeWriter&) = delete;
    PipeWriter& operator=(const PipeWriter&) = delete;
};

// The frames (or the error) of `bytes` written into a pipe `piece` bytes at a time.
Read read_through_pipe(const std::vector<std::uint8_t>& bytes, std::size_t piece, std::size_t buffer) {
    PipeWriter writer(bytes, piece);
    Read r;
    CaptureFileReader stream(buffer);
    const auto outcome = stream.open_stream(writer.read_fd);
    if (outcome != CaptureFileParser::Open::Ok) {
        r.error = true;
        r.message = outcome == CaptureFileParser::Open::NotMine ? "not mine" : stream.error();
        return r;
    }
    read_frames(stream, r);
    return r;
}

void require_pipe_reads_as_file(const std::string& path, std::size_t piece, std::size_t buffer) {
    INFO(path << ", written " << piece << " bytes at a time, read through a buffer of " << buffer);
    const Read want = read_with_reader(path, CaptureFileReader::kDefaultBuffer);
    const Read got = read_through_pipe(file_bytes(path), piece, buffer);
    CHECK(got.message == want.message);
    CHECK(got.dlt == want.dlt);
    CHECK(got.frames.size() == want.frames.size());
    CHECK(got.frames == want.frames);
}

// Standard input replaced by `fd` for the life of the object.
struct StdinFrom {
    int saved = ::dup(STDIN_FILENO);
    explicit StdinFrom(int fd) { REQUIRE(::dup2(fd, STDIN_FILENO) == STDIN_FILENO); }
    ~StdinFrom() {
        ::dup2(saved, STDIN_FILENO);
        ::close(saved);
    }
    StdinFrom(const StdinFrom&) = delete;
    StdinFrom& operator=(const StdinFrom&) = delete;
};

// v3-udp.pcap (Ethernet) with its Ethernet headers cut off, as a pcap of
// LINKTYPE `linktype` (101 or 12, both raw IP).
std::vector<std::uint8_t> raw_ip_copy(std::uint32_t linktype) {
    const auto eth = file_bytes(std::string(TOOLKIT_SOURCE_DIR) + "/tests/captures/lab/v3-udp.pcap");
    REQUIRE(eth.size() > 24);
    Bytes out = pcap_header(false, false, linktype);
    auto u32_at = [&](std::size_t at) {
        return std::uint32_t{eth[at]} | std::uint32_t{eth[at + 1]} << 8 | std::uint32_t{eth[at + 2]} << 16 |
               std::uint32_t{eth[at + 3]} << 24;
    };
    for (std::size_t at = 24; at + 16 <= eth.size();) {
        const std::uint32_t caplen = u32_at(at + 8), len = u32_at(at + 12);
        REQUIRE(caplen >= 14);
        REQUIRE(at + 16 + caplen <= eth.size());
        const std::vector<std::uint8_t> ip(eth.begin() + static_cast<long>(at + 16 + 14), eth.begin() + static_cast<long>(at + 16 + caplen));
        pcap_record(out, u32_at(at), u32_at(at + 4), ip, len - 14);
        at += 16 + caplen;
    }
    return out.v;
}

}  // namespace

TEST_CASE("capture_file: the project's captures read as libpcap reads them", "[capture_file]") {
    const auto files = captures_under(fs::path(TOOLKIT_SOURCE_DIR) / "tests/captures");
    REQUIRE(files.size() >= 5);
    for (const auto& f : files) require_same_as_libpcap(f);
}

TEST_CASE("capture_file: the shared sample captures read as libpcap reads them", "[capture_file]") {
    const fs::path shared = fs::path(TOOLKIT_SOURCE_DIR) / "../shared/captures";
    if (!fs::is_directory(shared)) {
        WARN("skipped: no " << shared.string() << " (the shared sample captures)");
        return;
    }
    // The uncompressed ones (small); the .bz2 files are left alone.
    const auto files = captures_under(shared);
    int pcapng = 0, big_endian = 0;
    for (const auto& f : files) {
        require_same_as_libpcap(f);
        CaptureFileReader m;
        REQUIRE(m.open(f) == CaptureFileParser::Open::Ok);
        pcapng += m.parser().pcapng();
        std::ifstream in(f, std::ios::binary);
        big_endian += in.get() == 0xa1;
    }
    CHECK(pcapng >= 1);
    CHECK(big_endian >= 1);
}

TEST_CASE("capture_file: synthetic pcap files read as libpcap reads them", "[capture_file]") {
    TempDir dir;
    for (bool big : {false, true})
        for (bool nano : {false, true})
            for (std::uint32_t linktype : {1u, 101u, 113u, 276u, 0u, 228u}) {
                Bytes b = pcap_header(big, nano, linktype);
                pcap_record(b, 1700000000, nano ? 999999999 : 999999, payload(60, 1));
                pcap_record(b, 1700000001, 0, payload(1514, 2), 9000);
                pcap_record(b, 0x80000001, 123, payload(0, 3));  // a negative 32-bit second, no data
                pcap_record(b, 5, 42, payload(200, 4));
                require_same_as_libpcap(dir.write("s.pcap", b.v));
            }
    // Snapshot length 64: libpcap cuts longer records to it.
    Bytes b = pcap_header(false, false, 1, 64);
    pcap_record(b, 1, 2, payload(100, 5));
    pcap_record(b, 1, 3, payload(64, 6));
    require_same_as_libpcap(dir.write("snap.pcap", b.v));
    // Version 2.2: caplen and len interchanged.
    Bytes old = pcap_header(true, false, 1, 65535, 2);
    old.u32(1).u32(2).u32(1514).u32(60).raw(payload(60, 7));
    require_same_as_libpcap(dir.write("v22.pcap", old.v));
    // A header alone: no frames.
    require_same_as_libpcap(dir.write("header.pcap", pcap_header(false, true, 1).v));
}

TEST_CASE("capture_file: synthetic pcapng files read as libpcap reads them", "[capture_file]") {
    TempDir dir;
    for (bool big : {false, true}) {
        // Several resolutions: 10^-6 (default), 10^-9, 10^-3, 10^-12, 2^-20, 2^-32; an offset.
        for (int tsresol : {-1, 9, 3, 12, 0x80 | 20, 0x80 | 32, 0}) {
            INFO("tsresol " << tsresol << (big ? " big-endian" : ""));
            Bytes b{big};
            shb(b);
            block(b, 0x0BAD, Bytes{big}.u32(7).u32(8));  // a custom block: skipped
            idb(b, 1, 0, tsresol, tsresol == 9 ? 1000 : 0);
            idb(b, 1, 0, 6);
            epb(b, 0, 0x0001'8000'1234'5678ull, payload(60, 1));
            epb(b, 1, 1'700'000'000'123'456ull, payload(1514, 2), 9000);
            spb(b, payload(100, 3), 100);
            obsolete_pb(b, 1, 1'700'000'001'000'000ull, payload(42, 4));
            block(b, 5, Bytes{big}.u32(0).u32(1).u32(2).u16(0).u16(0));  // interface statistics: skipped
            // A second section with its own interface.
            shb(b);
            idb(b, 1, 0, 9);
            epb(b, 0, 1'700'000'002'000'000'001ull, payload(80, 5));
            require_same_as_libpcap(dir.write("s.pcapng", b.v));
        }
    }
    // Link types rpcspy reads; a snapshot length that cuts simple packet blocks.
    for (unsigned linktype : {101u, 113u, 276u, 0u, 229u}) {
        Bytes b;
        shb(b);
        idb(b, linktype, 64);
        epb(b, 0, 1, payload(64, 6));
        spb(b, payload(64, 7), 1500);
        require_same_as_libpcap(dir.write("lt.pcapng", b.v));
    }
}

TEST_CASE("capture_file: other formats and link types are left to libpcap", "[capture_file]") {
    TempDir dir;
    std::string text = "this is not a capture file\n";
    CHECK(read_error_of(dir, std::vector<std::uint8_t>(text.begin(), text.end())) == "not mine");
    CHECK(read_error_of(dir, pcap_header(false, false, 105).v) == "not mine");  // 802.11
    Bytes b;
    shb(b);
    idb(b, 127, 0);  // radiotap
    CHECK(read_error_of(dir, b.v) == "not mine");
    CaptureFileReader device;  // not a regular file: read as a stream
    CHECK(device.open("/dev/null") == CaptureFileParser::Open::Error);
    CHECK(device.error() == "byte 0: the file is empty");
    CaptureFileReader directory;
    CHECK(directory.open("/") == CaptureFileParser::Open::NotMine);
    CaptureFileReader missing;
    CHECK(missing.open("/no/such/file") == CaptureFileParser::Open::NotMine);
}

TEST_CASE("capture_file: each kind of damage is an error saying where and what", "[capture_file]") {
    TempDir dir;
    std::size_t frames = 0;
    CHECK(read_error_of(dir, {}) == "byte 0: the file is empty");
    CHECK(read_error_of(dir, {0xd4, 0xc3}) == "byte 0: only 2 bytes, too short for a capture file header");
    Bytes h = pcap_header(false, false, 1);
    CHECK(read_error_of(dir, std::vector<std::uint8_t>(h.v.begin(), h.v.begin() + 10)) ==
          "byte 0: truncated pcap file header: 24 bytes needed, only 10 in the file");
    CHECK(read_error_of(dir, pcap_header(false, false, 1, 0, 5).v) == "byte 4: pcap version 2.5 is not supported (2.0 to 2.4 are)");

    Bytes two = pcap_header(false, false, 1);
    pcap_record(two, 1, 0, payload(100, 1));
    pcap_record(two, 2, 0, payload(100, 2));
    const auto whole = two.v;
    auto cut = [&](std::size_t n) { return std::vector<std::uint8_t>(whole.begin(), whole.end() - static_cast<long>(n)); };
    CHECK(read_error_of(dir, cut(110), &frames) ==
          "byte 140: frame 2: truncated record header: 16 bytes needed, only 6 left in the file (truncated capture?)");
    CHECK(frames == 1);
    CHECK(read_error_of(dir, cut(30), &frames) ==
          "byte 140: frame 2: record header says 100 captured bytes, only 70 left in the file (truncated capture?)");
    CHECK(frames == 1);
    Bytes huge = pcap_header(false, false, 1);
    pcap_record(huge, 1, 0, payload(10, 1));
    huge.u32(1).u32(0).u32(70000000).u32(70000000).raw(payload(10, 2));
    CHECK(read_error_of(dir, huge.v) ==
          "byte 50: frame 2: record header says 70000000 captured bytes, more than the maximum of 262144 (damaged capture?)");

    // pcapng blocks.
    Bytes ok;
    shb(ok);
    idb(ok, 1, 0);
    const std::size_t first_packet = ok.v.size();
    epb(ok, 0, 1, payload(60, 1));
    auto with_u32_at = [&](std::size_t at, std::uint32_t value) {
        auto v = ok.v;
        for (int i = 0; i < 4; ++i) v[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
        return v;
    };
    const std::string at = "byte " + std::to_string(first_packet) + ": ";
    CHECK(read_error_of(dir, with_u32_at(first_packet + 4, 99)) ==
          at + "after 0 frames: enhanced packet block (type 0x00000006) length 99 is not a multiple of 4");
    CHECK(read_error_of(dir, with_u32_at(ok.v.size() - 4, 96)) ==
          at + "after 0 frames: enhanced packet block (type 0x00000006) length " +
              std::to_string(ok.v.size() - first_packet) + " at its start but 96 at its end");
    CHECK(read_error_of(dir, with_u32_at(first_packet + 4, 4096)) ==
          at + "after 0 frames: enhanced packet block (type 0x00000006) length 4096, only " +
              std::to_string(ok.v.size() - first_packet) + " bytes left in the file (truncated capture?)");
    CHECK(read_error_of(dir, with_u32_at(first_packet + 4, 8)) ==
          at + "after 0 frames: enhanced packet block (type 0x00000006) length 8 is less than the minimum of 12");
    CHECK(read_error_of(dir, with_u32_at(first_packet + 8, 3)) ==
          at + "frame 1: enhanced packet block on interface 3, but the section has only 1 interface description blocks");
    CHECK(read_error_of(dir, with_u32_at(first_packet + 20, 73)) ==  // 60 bytes and 12 of options
          at + "frame 1: enhanced packet block says 73 captured bytes, but holds only 72");
    CHECK(read_error_of(dir, with_u32_at(first_packet + 20, 300000)) ==
          at + "frame 1: enhanced packet block says 300000 captured bytes, more than the interface's snapshot length 262144");
    auto truncated = ok.v;
    truncated.resize(ok.v.size() - 3);
    CHECK(read_error_of(dir, truncated, &frames).ends_with("bytes left in the file (truncated capture?)"));

    Bytes no_idb;
    shb(no_idb);
    CHECK(read_error_of(dir, no_idb.v) == "byte 28: no interface description block in the file");
    Bytes packet_first;
    shb(packet_first);
    epb(packet_first, 0, 1, payload(4, 1));
    CHECK(read_error_of(dir, packet_first.v) == "byte 28: enhanced packet block before any interface description block");
    Bytes two_links;
    shb(two_links);
    idb(two_links, 1, 0);
    const std::size_t second = two_links.v.size();
    idb(two_links, 113, 0);
    CHECK(read_error_of(dir, two_links.v) ==
          "byte " + std::to_string(second) +
              ": after 0 frames: interface description block 1 of the section has link type 113, the first one 1: "
              "captures of several link types are not supported");
    Bytes bad_bom;
    shb(bad_bom);
    bad_bom.v[8] = 0;
    CHECK(read_error_of(dir, bad_bom.v) == "byte 8: after 0 frames: section header block without the byte-order magic 0x1a2b3c4d");
    Bytes bad_resol;
    shb(bad_resol);
    idb(bad_resol, 1, 0, 20);
    CHECK(read_error_of(dir, bad_resol.v).ends_with("interface description block 0 of the section: if_tsresol 10^-20 is too fine"));
}

TEST_CASE("capture_file: Capture reads a file with a filter, stops, and describes it", "[capture_file]") {
    const std::string lab = std::string(TOOLKIT_SOURCE_DIR) + "/tests/captures/lab/v3-udp.pcap";
    // The frames a filter lets through, as libpcap's own filtering gives them.
    auto libpcap_count = [&](const char* filter) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* p = pcap_open_offline_with_tstamp_precision(lab.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
        REQUIRE(p);
        bpf_program prog{};
        REQUIRE(pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0);
        REQUIRE(pcap_setfilter(p, &prog) == 0);
        pcap_freecode(&prog);
        pcap_pkthdr* h;
        const u_char* d;
        std::uint64_t n = 0;
        while (pcap_next_ex(p, &h, &d) == 1) ++n;
        pcap_close(p);
        return n;
    };
    for (const char* filter : {"udp port 2049", "greater 200", "ip[9] = 17 and len < 300"}) {
        INFO(filter);
        rpcspy::Capture c;
        REQUIRE(c.open_file(lab));
        CHECK(c.file_reader() == "pcap, direct reader");
        REQUIRE(c.set_filter(filter));
        CHECK(c.run([](const rpcspy::Timestamp&, const std::uint8_t*, std::size_t) {}) == rpcspy::Capture::End::Eof);
        CHECK(c.frames() == libpcap_count(filter));
        CHECK(c.frames() > 0);
    }
    rpcspy::Capture bad;
    REQUIRE(bad.open_file(lab));
    CHECK_FALSE(bad.set_filter("port port"));
    CHECK(bad.error().starts_with("filter expression 'port port': "));

    rpcspy::Capture c;
    REQUIRE(c.open_file(lab));
    CHECK(c.datalink() == read_libpcap(lab).dlt);
    std::uint64_t seen = 0;
    CHECK(c.run([&](const rpcspy::Timestamp&, const std::uint8_t*, std::size_t) {
        if (++seen == 3) c.stop();
    }) == rpcspy::Capture::End::Eof);
    CHECK(seen == 3);
    CHECK(c.frames() == 3);
}

TEST_CASE("capture_file: Capture reports where a file is damaged", "[capture_file]") {
    TempDir dir;
    Bytes b = pcap_header(false, false, 1);
    pcap_record(b, 1, 0, payload(100, 1));
    pcap_record(b, 2, 0, payload(100, 2));
    b.v.resize(b.v.size() - 30);
    const std::string p = dir.write("cut.pcap", b.v);
    rpcspy::Capture c;
    REQUIRE(c.open_file(p));
    std::uint64_t seen = 0;
    CHECK(c.run([&](const rpcspy::Timestamp&, const std::uint8_t*, std::size_t) { ++seen; }) == rpcspy::Capture::End::Error);
    CHECK(seen == 1);
    CHECK(c.error() == p + ": byte 140: frame 2: record header says 100 captured bytes, only 70 left in the file (truncated capture?)");

    rpcspy::Capture empty;
    CHECK_FALSE(empty.open_file(dir.write("empty.pcap", {})));
    CHECK(empty.error() == (dir.path / "empty.pcap").string() + ": cannot read as a pcap or pcapng capture: byte 0: the file is empty");
}

TEST_CASE("capture_file: a long pcapng block grows the buffer; one past libpcap's maximum is refused", "[capture_file]") {
    TempDir dir;
    Bytes b;
    shb(b);
    block(b, 0x0BAD, Bytes().raw(payload(300000, 1)));  // longer than the default buffer
    idb(b, 1, 0);
    epb(b, 0, 1, payload(262144, 2));
    require_same_as_libpcap(dir.write("long.pcapng", b.v));
    Bytes huge;
    shb(huge);
    idb(huge, 1, 0);
    huge.u32(0x0BAD).u32(32u << 20).raw(payload(100, 3));
    CHECK(read_error_of(dir, huge.v) ==
          "byte 60: after 0 frames: block (type 0x00000bad) length 33554432 is more than the maximum of 16777216 (as libpcap)");
}

TEST_CASE("capture_file: a file truncated while being read ends with the truncation error", "[capture_file]") {
    TempDir dir;
    Bytes b = pcap_header(false, false, 1);
    for (int i = 0; i < 1000; ++i) pcap_record(b, 1, static_cast<std::uint32_t>(i), payload(1000, static_cast<unsigned>(i)));
    const std::string p = dir.write("shrinking.pcap", b.v);
    rpcspy::Capture c;
    REQUIRE(c.open_file(p));  // has read the first buffer
    constexpr std::size_t kCut = 400000;  // inside record 394 (24 + 393 * 1016 = 399312)
    REQUIRE(truncate(p.c_str(), kCut) == 0);
    std::uint64_t seen = 0;
    CHECK(c.run([&](const rpcspy::Timestamp&, const std::uint8_t*, std::size_t) { ++seen; }) == rpcspy::Capture::End::Error);
    CHECK(seen == 393);
    CHECK(c.error() == p + ": byte 399312: frame 394: record header says 1000 captured bytes, only 672 left in the file (truncated capture?)");
}

TEST_CASE("capture_file: a pipe reads as the file, written whole or a few bytes at a time", "[capture_file][stream]") {
    const auto files = captures_under(fs::path(TOOLKIT_SOURCE_DIR) / "tests/captures");
    REQUIRE(files.size() >= 5);
    for (const auto& f : files) require_pipe_reads_as_file(f, std::size_t{1} << 20, CaptureFileReader::kDefaultBuffer);
    // Short reads: records cut across reads, the buffer's tail kept, the buffer grown.
    require_pipe_reads_as_file(files.front(), 7, CaptureFileReader::kDefaultBuffer);
    require_pipe_reads_as_file(files.front(), 1000, 100);
}

TEST_CASE("capture_file: pcapng through a pipe, written a few bytes at a time", "[capture_file][stream]") {
    TempDir dir;
    for (bool big : {false, true}) {
        Bytes b{big};
        shb(b);
        idb(b, 1, 0, 9);
        for (unsigned i = 0; i < 50; ++i) epb(b, 0, 1'700'000'000'000'000'000ull + i, payload(60 + i * 10, i));
        spb(b, payload(100, 3), 100);
        shb(b);  // a second section
        idb(b, 1, 0);
        epb(b, 0, 1, payload(1514, 9));
        const std::string p = dir.write("s.pcapng", b.v);
        require_same_as_libpcap(p);
        for (std::size_t piece : {std::size_t{3}, std::size_t{1} << 20}) require_pipe_reads_as_file(p, piece, 64);
    }
    const fs::path shared = fs::path(TOOLKIT_SOURCE_DIR) / "../shared/captures/malformed/tcpdump_nfs-seg-fault-1.pcapng";
    if (fs::exists(shared)) require_pipe_reads_as_file(shared.string(), 5, CaptureFileReader::kDefaultBuffer);
    else WARN("skipped: no " << shared.string() << " (a real pcapng among the shared sample captures)");
}

TEST_CASE("capture_file: a pipe closed in the middle of a record ends with the file's truncation error", "[capture_file][stream]") {
    Bytes b = pcap_header(false, false, 1);
    pcap_record(b, 1, 0, payload(100, 1));
    pcap_record(b, 2, 0, payload(100, 2));
    b.v.resize(b.v.size() - 30);
    for (std::size_t piece : {std::size_t{1}, std::size_t{1} << 20}) {
        const Read r = read_through_pipe(b.v, piece, CaptureFileReader::kDefaultBuffer);
        CHECK(r.frames.size() == 1);
        CHECK(r.message == "byte 140: frame 2: record header says 100 captured bytes, only 70 left in the file (truncated capture?)");
    }
    Bytes ng;
    shb(ng);
    idb(ng, 1, 0);
    const std::size_t cut_block = ng.v.size();
    epb(ng, 0, 1, payload(60, 1));
    ng.v.resize(ng.v.size() - 3);
    const Read r = read_through_pipe(ng.v, 5, 64);
    CHECK(r.frames.empty());
    CHECK(r.message == "byte " + std::to_string(cut_block) + ": after 0 frames: enhanced packet block (type 0x00000006) length " +
                           std::to_string(ng.v.size() + 3 - cut_block) + ", only " + std::to_string(ng.v.size() - cut_block) +
                           " bytes left in the file (truncated capture?)");
    const Read empty = read_through_pipe({}, 1, CaptureFileReader::kDefaultBuffer);
    CHECK(empty.message == "byte 0: the file is empty");
}

TEST_CASE("capture_file: a stream the reader does not read goes to libpcap whole", "[capture_file][stream]") {
    std::string text_s = "this is not a capture file\n";
    const std::vector<std::uint8_t> text(text_s.begin(), text_s.end());
    Bytes wifi = pcap_header(false, false, 105);  // 802.11
    pcap_record(wifi, 1, 0, payload(100, 1));
    Bytes radiotap_ng;
    shb(radiotap_ng);
    idb(radiotap_ng, 127, 0);
    epb(radiotap_ng, 0, 1, payload(60, 1));
    const auto raw12 = raw_ip_copy(12);  // DLT_RAW as LINKTYPE 12: rpcspy decodes it, its reader leaves it to libpcap
    Bytes big_text;
    big_text.raw(payload(CaptureFileReader::kDefaultBuffer * 3 + 5, 4));  // more than the reader's first read
    const std::vector<const std::vector<std::uint8_t>*> inputs = {&text, &wifi.v, &radiotap_ng.v, &raw12, &big_text.v};
    for (const auto* bytes : inputs) {
        for (std::size_t piece : {std::size_t{3}, std::size_t{1} << 20}) {
            INFO(bytes->size() << " bytes, written " << piece << " at a time");
            PipeWriter writer(*bytes, piece);
            CaptureFileReader stream(64);
            REQUIRE(stream.open_stream(writer.read_fd) == CaptureFileParser::Open::NotMine);
            REQUIRE(stream.stream());
            std::FILE* f = stream.hand_over_stream();
            REQUIRE(f);
            std::vector<std::uint8_t> got;
            char chunk[4096];
            for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) got.insert(got.end(), chunk, chunk + n);
            CHECK(std::ftell(f) == static_cast<long>(bytes->size()));
            std::fclose(f);
            CHECK(got == *bytes);
        }
    }
}

TEST_CASE("capture_file: Capture reads standard input with rpcspy's reader, and falls back to libpcap", "[capture_file][stream]") {
    const std::string lab = std::string(TOOLKIT_SOURCE_DIR) + "/tests/captures/lab/v3-udp.pcap";
    auto frames_of = [](rpcspy::Capture& c) {
        std::vector<Frame> frames;
        CHECK(c.run([&](const rpcspy::Timestamp& ts, const std::uint8_t* d, std::size_t caplen) {
            frames.push_back({ts.sec, ts.nsec, static_cast<std::uint32_t>(caplen), 0, std::vector<std::uint8_t>(d, d + caplen)});
        }) == rpcspy::Capture::End::Eof);
        return frames;
    };
    rpcspy::Capture file;
    REQUIRE(file.open_file(lab));
    const auto want = frames_of(file);
    {
        PipeWriter writer(file_bytes(lab), 4096);
        StdinFrom in(writer.read_fd);
        rpcspy::Capture c;
        REQUIRE(c.open_file("-"));
        CHECK(c.source() == "standard input");
        CHECK(c.file_reader() == "pcap, direct reader");
        CHECK(frames_of(c) == want);
    }
    {
        // Raw IP as LINKTYPE 12: libpcap reads it, with the bytes the reader took first.
        TempDir dir;
        rpcspy::Capture raw101;
        REQUIRE(raw101.open_file(dir.write("raw101.pcap", raw_ip_copy(101))));
        CHECK(raw101.file_reader() == "pcap, direct reader");
        const auto want_raw = frames_of(raw101);
        CHECK(want_raw.size() == want.size());
        for (std::size_t piece : {std::size_t{3}, std::size_t{1} << 20}) {
            PipeWriter writer(raw_ip_copy(12), piece);
            StdinFrom in(writer.read_fd);
            rpcspy::Capture c;
            REQUIRE(c.open_file("-"));
            CHECK(c.file_reader() == "through libpcap");
            CHECK(c.datalink() == DLT_RAW);
            CHECK(frames_of(c) == want_raw);
        }
        // libpcap's errors say where, through the stream too.
        auto cut = raw_ip_copy(12);
        cut.resize(cut.size() - 10);
        PipeWriter writer(cut, 1 << 20);
        StdinFrom in(writer.read_fd);
        rpcspy::Capture c;
        REQUIRE(c.open_file("-"));
        CHECK(c.run([](const rpcspy::Timestamp&, const std::uint8_t*, std::size_t) {}) == rpcspy::Capture::End::Error);
        CHECK(c.error().starts_with("standard input: near byte "));
        CHECK(c.error().find(": after " + std::to_string(want_raw.size() - 1) + " frames: truncated dump file") != std::string::npos);
    }
    {
        Bytes b = pcap_header(false, false, 1);
        pcap_record(b, 1, 0, payload(100, 1));
        pcap_record(b, 2, 0, payload(100, 2));
        b.v.resize(b.v.size() - 30);
        PipeWriter writer(b.v, 1);
        StdinFrom in(writer.read_fd);
        rpcspy::Capture c;
        REQUIRE(c.open_file("-"));
        CHECK(c.run([](const rpcspy::Timestamp&, const std::uint8_t*, std::size_t) {}) == rpcspy::Capture::End::Error);
        CHECK(c.error() == "standard input: byte 140: frame 2: record header says 100 captured bytes, only 70 left in the file (truncated capture?)");
    }
    {
        std::string text = "this is not a capture file\n";
        PipeWriter writer({text.begin(), text.end()}, 5);
        StdinFrom in(writer.read_fd);
        rpcspy::Capture c;
        CHECK_FALSE(c.open_file("-"));
        CHECK(c.error().starts_with("standard input: cannot read as a pcap or pcapng capture: "));
    }
}
