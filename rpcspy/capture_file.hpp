// A capture file read in place: CaptureFileParser walks a pcap or pcapng file
// held in memory and hands out each frame as a pointer into it (no copy, no
// allocation per frame); MappedCaptureFile memory-maps a regular file for it.
// Timestamps are what libpcap gives with PCAP_TSTAMP_PRECISION_NANO.
#pragma once

#include <signal.h>

#include <cstddef>
#include <cstdint>
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
    };
    enum class Next { Frame, End, Error };

    // `data` must outlive the parser.
    Open open(std::span<const std::uint8_t> data);
    Next next(CapturedFrame& frame);

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
    bool fail(std::size_t at, const std::string& what);
    Next fail_next(std::size_t at, const std::string& what);
    Open open_pcap();
    Open open_pcapng();
    Next next_pcap(CapturedFrame& frame);
    Next next_pcapng(CapturedFrame& frame);
    // A pcapng block at pos_: checks its lengths; sets type and length.
    bool block_at(std::size_t at, std::uint32_t& type, std::uint32_t& length);
    bool section_header(std::size_t at, std::uint32_t length);
    bool interface_block(std::size_t at, std::uint32_t length);
    std::string after() const;  // "after N frames: "
    Next packet_block(std::size_t at, std::uint32_t type, std::uint32_t length, CapturedFrame& frame);

    const std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
    std::size_t pos_ = 0;
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

// A regular file mapped read-only, parsed in place.
class MappedCaptureFile {
public:
    MappedCaptureFile() = default;
    ~MappedCaptureFile();
    MappedCaptureFile(const MappedCaptureFile&) = delete;
    MappedCaptureFile& operator=(const MappedCaptureFile&) = delete;

    // NotMine when `path` is not a regular file this parser reads (or cannot be
    // opened: libpcap reports that); Error with error() set on a damaged file.
    CaptureFileParser::Open open(const std::string& path);
    CaptureFileParser& parser() { return parser_; }
    const std::string& error() const { return parser_.error(); }

    // While one exists, a SIGBUS (the file was truncated while mapped) writes
    // "rpcspy: FILE shrank while being read" and exits with status 1.
    class BusGuard {
    public:
        explicit BusGuard(const MappedCaptureFile& file);
        ~BusGuard();
        BusGuard(const BusGuard&) = delete;
        BusGuard& operator=(const BusGuard&) = delete;
    private:
        struct sigaction old_{};
    };

private:
    void* map_ = nullptr;
    std::size_t size_ = 0;
    std::string bus_message_;
    CaptureFileParser parser_;
};

}  // namespace rpcspy
