// libpcap input: a capture file (pcap or pcapng, "-" for standard input) or a
// live interface, with an optional BPF filter. A pcap or pcapng capture that
// rpcspy's own reader (capture_file.hpp) reads is read by it instead, from a
// regular file, a pipe or standard input alike.
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "rpcspy/capture_file.hpp"
#include "rpcspy/packet.hpp"

namespace rpcspy {

struct LiveOptions {
    bool promiscuous = true;
    int snaplen = 262144;
    int buffer_kib = 32768;  // kernel ring: 32 MiB (libpcap: 2 MiB, too small for bursts on lo/any)
    // The kernel hands frames over in blocks (TPACKET_V3) when a block is full or
    // after this long; -l makes it 1 ms.
    int timeout_ms = 100;
    // libpcap's immediate mode (--immediate-mode): a TPACKET_V2 ring and a
    // wake-up per frame, the lowest latency but far lower rates.
    bool immediate = false;
};

class Capture {
public:
    Capture() = default;
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    // Each returns false and sets error() on failure.
    bool open_file(const std::string& path);
    bool open_live(const std::string& device, const LiveOptions& options);
    bool set_filter(const std::string& expression);
    // Live only. A kernel filter that accepts nothing (frames already queued are
    // discarded too): a fanout member takes no frame before it joins its group.
    bool reject_all();
    // Live, Linux only. Joins an AF_PACKET fanout group in hash mode: the
    // kernel's symmetric flow hash sends both directions of a connection to the
    // same member; IPv4 fragments are reassembled first so that they follow
    // their datagram's flow. `group` 0 makes a new group with an id no other
    // socket uses (so that no other program's group is joined by chance) and
    // sets `group` to it, for the other members.
    bool join_fanout(std::uint16_t& group);
    // The id of the fanout group the socket is in, as the kernel says; -1 if none.
    int fanout_group() const;
    // The ring's TPACKET version (2 or 3) of a live capture on Linux, else 0.
    int tpacket_version() const;

    int datalink() const { return file_ ? file_->parser().datalink() : pcap_datalink(p_); }
    bool live() const { return live_; }
    const std::string& error() const { return error_; }
    const std::string& source() const { return source_; }
    // How a capture file is read, for -v: "pcapng, direct reader", "through libpcap".
    std::string file_reader() const;

    using FrameHandler = std::function<void(const Timestamp&, const std::uint8_t*, std::size_t caplen)>;
    enum class End { Eof, Stopped, Error };
    // Reads frames until the end of the input, stop(), or an error (error() says what
    // and where). Given `idle`, a live capture reads without blocking and calls it
    // whenever there is nothing to read (the traffic has paused), then waits for
    // frames itself.
    End run(const FrameHandler& handler, const std::function<void()>& idle = {});
    // Async-signal-safe: makes run() return after the current frame.
    void stop() {
        stop_.store(true, std::memory_order_relaxed);
        if (p_) pcap_breakloop(p_);
    }

    // Kernel counters of a live capture; false when unavailable.
    bool kernel_stats(std::uint64_t& received, std::uint64_t& dropped);
    std::uint64_t frames() const { return frames_; }

private:
    // libpcap on `f` through a large stdio buffer; nullptr with err set (and
    // `f` closed) when libpcap refuses it.
    pcap_t* open_buffered(std::FILE* f, char* err);
    End run_file(const FrameHandler& handler);

    pcap_t* p_ = nullptr;
    std::unique_ptr<char[]> file_buffer_;  // stdio buffer of the file (freed after ~Capture closes p_)
    bool live_ = false;
    std::string error_;
    std::string source_;
    std::uint64_t frames_ = 0;
    std::unique_ptr<CaptureFileReader> file_;  // a capture read without libpcap (p_ is then null)
    bpf_program file_filter_{};                // its filter (no instructions: none)
    std::atomic<bool> stop_{false};            // stop() on such a file
};

}  // namespace rpcspy
