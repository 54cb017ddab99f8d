// A capture file read without libpcap: CaptureFileParser walks a pcap or pcapng
// file held in memory (whole, or a window of it) and hands out each frame as a
// pointer into it (no copy, no allocation per frame); CaptureFileReader reads a
// file, a pipe or standard input into one reused buffer for it (one copy,
// kernel to buffer, instead of libpcap's two). Timestamps are what libpcap
// gives with PCAP_TSTAMP_PRECISION_NANO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rpcspy/packet.hpp"

namespace rpcspy {

struct CapturedFrame {
    Timestamp ts;
    const std::uint8_t* data = nullptr;
    std::uint32_t caplen = 0;
    std::uint32_t len = 0;  // length on the wire
};

class CaptureFileParser {
public:
    enum class Open {
        Ok,
        NotMine,  // not a format (or link type) this parser reads: leave it to libpcap
        Error,    // a pcap or pcapng file that is damaged: error() says where and what
        NeedMore, // `data` is not the whole file and the header goes on past it
    };
    // NeedMore: the next record goes on past the window (never when it is final).
    enum class Next { Frame, End, Error, NeedMore };

    // `data` (the file from its start; `final`: all of it) must stay valid
    // until refill() or the next open().
    Open open(std::span<const std::uint8_t> data, bool final = true);
    Next next(CapturedFrame& frame);
    // The bytes of the window done with (the rest begins the next record).
    std::size_t consumed() const { return pos_; }
    // A new window: the file's bytes from offset `origin` (the first byte not
    // consumed), `final` if they reach its end.
    void refill(std::span<const std::uint8_t> data, std::uint64_t origin, bool final);

    int datalink() const { return dlt_; }
    std::uint32_t snaplen() const { return snaplen_; }
    bool pcapng() const { return pcapng_; }
    // "byte N: what was wrong" (with the frame number when reading a frame).
    const std::string& error() const { return error_; }
    std::uint64_t frames() const { return frames_; }

private:
    struct Interface {
        std::uint64_t tsresol = 1000000;  // units per second
        std::int64_t tsoffset = 0;        // seconds
        bool binary = false;              // tsresol is a power of 2
        std::uint32_t snaplen = 0;        // adjusted as libpcap does
    };

    std::uint32_t u32(std::size_t at) const;
    std::uint16_t u16(std::size_t at) const;
    enum class Step { Ok, More, Fail };
    bool fail(std::size_t at, const std::string& what);
    Step step_fail(std::size_t at, const std::string& what);
    Next fail_next(std::size_t at, const std::string& what);
    Open open_pcap();
    Open open_pcapng();
    Next next_pcap(CapturedFrame& frame);
    Next next_pcapng(CapturedFrame& frame);
    // The pcapng block at `at`: checks its lengths; sets type and length.
    Step block_at(std::size_t at, std::uint32_t& type, std::uint32_t& length);
    bool section_header(std::size_t at, std::uint32_t length);
    bool interface_block(std::size_t at, std::uint32_t length);
    std::string after() const;  // "after N frames: "
    Next packet_block(std::size_t at, std::uint32_t type, std::uint32_t length, CapturedFrame& frame);

    const std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
    std::size_t pos_ = 0;
    std::uint64_t origin_ = 0;  // file offset of base_
    bool final_ = true;         // the window reaches the end of the file
    bool big_endian_ = false;
    bool pcapng_ = false;
    bool nano_ = false;             // pcap: nanosecond timestamps
    bool lengths_swapped_ = false;  // pcap 2.0-2.2 (and maybe 2.3): caplen and len interchanged
    bool maybe_swapped_ = false;
    int dlt_ = -1;
    std::uint32_t linktype_ = 0;    // the file's LINKTYPE_ value
    std::uint32_t snaplen_ = 0;
    std::vector<Interface> interfaces_;  // pcapng: of the current section
    std::uint64_t frames_ = 0;
    std::string error_;
};

// A capture read through one buffer (grown only for a record longer than it):
// a regular file, or a stream (a pipe, a FIFO, standard input) read once from
// start to end.
class CaptureFileReader {
public:
    // 256 KiB: the kernel's copy costs the same into 64 KiB to 1 MiB buffers
    // (measured), and this one stays in the CPU's L2 cache.
    static constexpr std::size_t kDefaultBuffer = std::size_t{256} << 10;
    static constexpr std::size_t kMaxOpenScan = std::size_t{64} << 20;

    explicit CaptureFileReader(std::size_t buffer = kDefaultBuffer) : cap_(buffer < 64 ? 64 : buffer) {}
    ~CaptureFileReader();
    CaptureFileReader(const CaptureFileReader&) = delete;
    CaptureFileReader& operator=(const CaptureFileReader&) = delete;

    // NotMine when `path` cannot be opened, is a directory, or is not in a
    // format and link type the parser reads (libpcap then reads it, or says
    // why not); Error with error() set on a damaged capture. A path that is not
    // a regular file (a FIFO, /dev/stdin on a pipe) is read as a stream.
    CaptureFileParser::Open open(const std::string& path);
    // The same on `fd`, already open (standard input), read as a stream from
    // where it stands; the reader does not close it.
    CaptureFileParser::Open open_stream(int fd);
    // A frame is valid until the next call. NeedMore: a signal interrupted the
    // wait for the next record (on a pipe); calling again goes on waiting.
    CaptureFileParser::Next next(CapturedFrame& frame);
    const CaptureFileParser& parser() const { return parser_; }
    const std::string& error() const { return read_error_.empty() ? parser_.error() : read_error_; }

    // After open() said NotMine on a stream: its bytes cannot be read a second
    // time, so libpcap must get those the reader took. True then.
    bool stream() const { return stream_; }
    // A stdio stream for libpcap that gives the bytes the reader took and then
    // the rest of the stream (no byte lost; ftell works). It owns what the
    // reader held (buffer, descriptor): the reader is empty afterwards.
    // nullptr with errno set if it cannot be made.
    std::FILE* hand_over_stream();

private:
    enum class Fill { Read, Interrupted, Failed };
    Fill fill();  // reads more after the buffer's len_ bytes (growing a full buffer)
    CaptureFileParser::Open read_header();
    void drop_consumed();  // moves the unread tail (part of a record) to the buffer's start

    int fd_ = -1;
    bool owns_fd_ = false;  // false for standard input
    bool stream_ = false;   // read once: a pipe, a FIFO, standard input
    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t cap_;
    std::size_t len_ = 0;       // bytes in buf_
    std::uint64_t origin_ = 0;  // file offset of buf_[0]
    bool eof_ = false;
    std::string read_error_;
    CaptureFileParser parser_;
};

}  // namespace rpcspy
