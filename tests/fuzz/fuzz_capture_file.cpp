// Fuzz target: rpcspy's in-place capture file parser (rpcspy/capture_file.hpp),
// pcap and pcapng, against libpcap reading the same bytes.
//
// Input: a whole capture file. Every frame must lie inside the input and be no
// longer than the snapshot length; an error stays an error. CaptureFileReader
// reading the input from a memfd through a buffer of 64 to 1024 bytes (records
// across refills, buffer growth) gives the same frames and the same end, and so
// does reading it from a pipe as a stream (rpcspy -r -); a stream it leaves to
// libpcap is handed over whole (every byte, in order, then the end). When
// libpcap reads the input to its end without an error and the parser opens it,
// the parser must give the same frames (timestamps, lengths, bytes) and end
// cleanly too.
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>

#include "fuzz_input.hpp"
#include "rpcspy/capture_file.hpp"

namespace {

constexpr std::size_t kMaxFrames = 4096;

struct Seen {
    std::int64_t sec;
    std::uint32_t nsec, caplen, len;
    const std::uint8_t* data;
};
Seen g_frames[kMaxFrames];

// The reader gives the `n` frames the parser gave (those kept in g_frames
// compared byte for byte) and ends as it did (`end`), with the same error.
void check_reader_frames(rpcspy::CaptureFileReader& reader, std::size_t n, rpcspy::CaptureFileParser::Next end,
                         const rpcspy::CaptureFileParser& parser) {
    rpcspy::CapturedFrame f;
    std::size_t k = 0;
    auto rn = reader.next(f);
    for (; rn == rpcspy::CaptureFileParser::Next::Frame; rn = reader.next(f), ++k) {
        if (k < kMaxFrames) {
            const Seen& s = g_frames[k];
            FUZZ_CHECK(s.sec == f.ts.sec && s.nsec == f.ts.nsec && s.caplen == f.caplen && s.len == f.len &&
                       std::memcmp(s.data, f.data, f.caplen) == 0);
        }
    }
    FUZZ_CHECK(k == n);
    FUZZ_CHECK(rn == end);
    if (rn == rpcspy::CaptureFileParser::Next::Error) FUZZ_CHECK(reader.error() == parser.error());
}

// The input written into a pipe (all of it first: one thread) and read as a
// stream, through a buffer of 64 to 1084 bytes.
void check_stream(const std::uint8_t* data, std::size_t size, rpcspy::CaptureFileParser::Open opened, std::size_t n,
                  rpcspy::CaptureFileParser::Next end, const rpcspy::CaptureFileParser& parser) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    const bool fits = size <= 65536 || ::fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(size)) >= static_cast<int>(size);
    const bool written = fits && (size == 0 || ::write(fds[1], data, size) == static_cast<ssize_t>(size));
    ::close(fds[1]);
    if (written) {
        rpcspy::CaptureFileReader reader(64 + (size ? data[0] : 0) * 4);
        const auto outcome = reader.open_stream(fds[0]);
        FUZZ_CHECK(outcome == opened);
        FUZZ_CHECK(reader.stream());
        if (outcome == rpcspy::CaptureFileParser::Open::Error) FUZZ_CHECK(reader.error() == parser.error());
        if (outcome == rpcspy::CaptureFileParser::Open::Ok) check_reader_frames(reader, n, end, parser);
        if (outcome == rpcspy::CaptureFileParser::Open::NotMine) {
            std::FILE* f = reader.hand_over_stream();
            FUZZ_CHECK(f != nullptr);
            std::size_t at = 0;
            char chunk[512];
            for (std::size_t got; (got = std::fread(chunk, 1, 1 + at % sizeof chunk, f)) > 0; at += got)
                FUZZ_CHECK(at + got <= size && std::memcmp(chunk, data + at, got) == 0);
            FUZZ_CHECK(at == size);
            FUZZ_CHECK(std::ftell(f) == static_cast<long>(size));
            std::fclose(f);
        }
    }
    ::close(fds[0]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rpcspy::CaptureFileParser parser;
    const auto opened = parser.open(std::span(data, size));
    if (opened == rpcspy::CaptureFileParser::Open::Error) FUZZ_CHECK(!parser.error().empty());
    if (opened != rpcspy::CaptureFileParser::Open::Ok) {
        check_stream(data, size, opened, 0, rpcspy::CaptureFileParser::Next::End, parser);  // (no frames to compare)
        return 0;
    }

    std::size_t n = 0;
    rpcspy::CapturedFrame f;
    auto next = parser.next(f);
    for (; next == rpcspy::CaptureFileParser::Next::Frame; next = parser.next(f)) {
        FUZZ_CHECK(f.data >= data && f.data + f.caplen <= data + size);
        FUZZ_CHECK(f.caplen <= 262144);
        (void)fuzz::touch(f.data, f.caplen);
        if (n < kMaxFrames) g_frames[n] = {f.ts.sec, f.ts.nsec, f.caplen, f.len, f.data};
        ++n;
        FUZZ_CHECK(parser.frames() == n);
    }
    if (next == rpcspy::CaptureFileParser::Next::Error) {
        FUZZ_CHECK(!parser.error().empty());
        FUZZ_CHECK(parser.next(f) == rpcspy::CaptureFileParser::Next::Error);  // stays failed
    } else {
        FUZZ_CHECK(parser.next(f) == rpcspy::CaptureFileParser::Next::End);
    }

    // The reader, from a file, through a small buffer.
    const int fd = memfd_create("capture", 0);
    if (fd < 0) return 0;
    if (size == 0 || ::write(fd, data, size) == static_cast<ssize_t>(size)) {
        rpcspy::CaptureFileReader reader(64 + (size ? data[size - 1] : 0) * 4);
        const auto reopened = reader.open("/proc/self/fd/" + std::to_string(fd));
        FUZZ_CHECK(reopened == opened);
        check_reader_frames(reader, n, next, parser);
    }
    ::close(fd);

    check_stream(data, size, opened, n, next, parser);

    // libpcap on the same bytes.
    std::FILE* file = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
    if (!file) return 0;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        std::fclose(file);
        return 0;
    }
    std::size_t m = 0;
    bool same = true;
    pcap_pkthdr* h = nullptr;
    const u_char* d = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        if (m < n && m < kMaxFrames) {
            const Seen& s = g_frames[m];
            same = same && s.sec == h->ts.tv_sec && s.nsec == static_cast<std::uint32_t>(h->ts.tv_usec) &&
                   s.caplen == h->caplen && s.len == h->len && std::memcmp(s.data, d, h->caplen) == 0;
        }
        ++m;
    }
    if (rc == PCAP_ERROR_BREAK) {  // libpcap read it all: so must the parser, the same way
        FUZZ_CHECK(pcap_datalink(p) == parser.datalink());
        FUZZ_CHECK(next == rpcspy::CaptureFileParser::Next::End);
        FUZZ_CHECK(m == n);
        FUZZ_CHECK(same);
    }
    pcap_close(p);  // closes the FILE
    return 0;
}
