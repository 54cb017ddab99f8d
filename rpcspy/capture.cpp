#include "rpcspy/capture.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

namespace rpcspy {

Capture::~Capture() {
    if (p_) pcap_close(p_);
    pcap_freecode(&file_filter_);
}

namespace {
// libpcap reads a file through stdio, whose buffer is one file system block
// (4 KiB): a read system call per few frames. A larger buffer makes those
// calls rare (on a metadata-heavy capture they cost ~10% of rpcspy's time).
constexpr std::size_t kFileBuffer = std::size_t{1} << 20;
}  // namespace

pcap_t* Capture::open_buffered(std::FILE* f, char* err) {
    file_buffer_ = std::make_unique_for_overwrite<char[]>(kFileBuffer);
    std::setvbuf(f, file_buffer_.get(), _IOFBF, kFileBuffer);
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) std::fclose(f);  // on failure the FILE stays ours
    return p;
}

bool Capture::open_file(const std::string& path) {
    char err[PCAP_ERRBUF_SIZE] = "";
    const bool standard_input = path == "-";
    source_ = standard_input ? "standard input" : path;
    auto unreadable = [this](const std::string& why) {
        error_ = source_ + ": cannot read as a pcap or pcapng capture: " + why;
        return false;
    };
    // A capture in a format and link type rpcspy's reader knows is read by it,
    // whether a file, a pipe or standard input; anything else by libpcap.
    file_ = std::make_unique<CaptureFileReader>();
    switch (standard_input ? file_->open_stream(STDIN_FILENO) : file_->open(path)) {
        case CaptureFileParser::Open::Ok: return true;  // its link types are all supported
        case CaptureFileParser::Open::Error:
        case CaptureFileParser::Open::NeedMore:  // (not from a reader)
            return unreadable(file_->error());
        case CaptureFileParser::Open::NotMine: break;
    }
    if (file_->stream()) {
        // The reader has taken the stream's first bytes: libpcap reads them
        // from it, then the rest of the stream.
        std::FILE* f = file_->hand_over_stream();
        if (!f) return unreadable(std::string("cannot hand the stream to libpcap: ") + std::strerror(errno));
        file_.reset();
        p_ = open_buffered(f, err);
    } else {
        file_.reset();
        if (std::FILE* f = std::fopen(path.c_str(), "rb")) p_ = open_buffered(f, err);
        // A file fopen refuses: libpcap's own open (and its error message).
        if (!p_ && !err[0]) p_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
    }
    if (!p_) return unreadable(err);
    if (!link_type_supported(pcap_datalink(p_))) {
        const char* name = pcap_datalink_val_to_name(pcap_datalink(p_));
        error_ = source_ + ": link type " + std::to_string(pcap_datalink(p_)) + " (" + (name ? name : "unknown") +
                 ") is not supported (Ethernet, Linux cooked SLL/SLL2, BSD loopback and raw IP are)";
        return false;
    }
    return true;
}

bool Capture::open_live(const std::string& device, const LiveOptions& o) {
    char err[PCAP_ERRBUF_SIZE] = "";
    source_ = device;
    live_ = true;
    p_ = pcap_create(device.c_str(), err);
    if (!p_) {
        error_ = device + ": " + err;
        return false;
    }
    pcap_set_snaplen(p_, o.snaplen);
    pcap_set_promisc(p_, o.promiscuous ? 1 : 0);
    pcap_set_timeout(p_, o.timeout_ms);
    if (o.buffer_kib > 0) pcap_set_buffer_size(p_, o.buffer_kib * 1024);
    if (o.immediate) pcap_set_immediate_mode(p_, 1);
    pcap_set_tstamp_precision(p_, PCAP_TSTAMP_PRECISION_NANO);  // falls back to micro if unsupported
    int rc = pcap_activate(p_);
    if (rc < 0) {
        error_ = device + ": cannot capture: " + pcap_statustostr(rc) + (rc == PCAP_ERROR ? std::string(": ") + pcap_geterr(p_) : "");
        if (rc == PCAP_ERROR_PERM_DENIED) error_ += " (capturing needs root or CAP_NET_RAW)";
        return false;
    }
    if (!link_type_supported(pcap_datalink(p_))) {
        error_ = device + ": link type " + std::to_string(pcap_datalink(p_)) + " is not supported";
        return false;
    }
    return true;
}

bool Capture::set_filter(const std::string& expression) {
    if (file_) {
        // Compiled for the file's link type and snapshot length, as libpcap
        // would for the file; each frame is then tested by pcap_offline_filter.
        pcap_t* dead = pcap_open_dead_with_tstamp_precision(datalink(), static_cast<int>(file_->parser().snaplen()),
                                                            PCAP_TSTAMP_PRECISION_NANO);
        if (!dead) {
            error_ = "filter expression '" + expression + "': cannot allocate a pcap handle";
            return false;
        }
        pcap_freecode(&file_filter_);
        bool ok = pcap_compile(dead, &file_filter_, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
        if (!ok) error_ = "filter expression '" + expression + "': " + pcap_geterr(dead);
        pcap_close(dead);
        return ok;
    }
    bpf_program prog{};
    if (pcap_compile(p_, &prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
        error_ = "filter expression '" + expression + "': " + pcap_geterr(p_);
        return false;
    }
    int rc = pcap_setfilter(p_, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        error_ = "cannot set filter: " + std::string(pcap_geterr(p_));
        return false;
    }
    return true;
}

bool Capture::reject_all() {
    bpf_insn reject = {0x06, 0, 0, 0};  // BPF_RET | BPF_K: accept 0 bytes
    bpf_program prog{1, &reject};
    if (pcap_setfilter(p_, &prog) < 0) {
        error_ = source_ + ": cannot set the reject-all filter: " + pcap_geterr(p_);
        return false;
    }
    return true;
}

bool Capture::join_fanout(std::uint16_t& group) {
#ifdef __linux__
    const int fd = pcap_fileno(p_);
    int mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG | (group == 0 ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
    int arg = group | mode << 16;
    socklen_t len = sizeof arg;
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) == 0 &&
        (group != 0 || getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) == 0)) {
        group = static_cast<std::uint16_t>(arg & 0xffff);
        return true;
    }
    error_ = source_ + ": cannot " + (group ? "join AF_PACKET fanout group " + std::to_string(group) : "create an AF_PACKET fanout group") +
             " (PACKET_FANOUT_HASH): " + std::strerror(errno);
#else
    (void)group;
    error_ = source_ + ": --workers needs Linux (AF_PACKET fanout)";
#endif
    return false;
}

int Capture::fanout_group() const {
#ifdef __linux__
    int arg = 0;
    socklen_t len = sizeof arg;
    if (getsockopt(pcap_fileno(p_), SOL_PACKET, PACKET_FANOUT, &arg, &len) == 0 && arg != 0) return arg & 0xffff;
#endif
    return -1;
}

int Capture::tpacket_version() const {
#ifdef __linux__
    int version = -1;
    socklen_t len = sizeof version;
    if (live_ && p_ && getsockopt(pcap_fileno(p_), SOL_PACKET, PACKET_VERSION, &version, &len) == 0)
        return version + 1;  // TPACKET_V1 is 0
#endif
    return 0;
}

std::string Capture::file_reader() const {
    if (!file_) return "through libpcap";
    return std::string(file_->parser().pcapng() ? "pcapng" : "pcap") + ", direct reader";
}

Capture::End Capture::run_file(const FrameHandler& handler) {
    CaptureFileReader& reader = *file_;
    CapturedFrame f;
    for (;;) {
        // As pcap_breakloop on a file: the read ends as at the end of the file.
        if (stop_.load(std::memory_order_relaxed)) {
            stop_.store(false, std::memory_order_relaxed);
            return End::Eof;
        }
        switch (reader.next(f)) {
            case CaptureFileParser::Next::Frame: break;
            case CaptureFileParser::Next::End: return End::Eof;
            case CaptureFileParser::Next::NeedMore: continue;  // a signal cut a wait on a pipe: to the stop check
            case CaptureFileParser::Next::Error:
                error_ = source_ + ": " + reader.error();
                return End::Error;
        }
        if (file_filter_.bf_insns) {
            pcap_pkthdr h{};
            h.caplen = f.caplen;
            h.len = f.len;
            if (pcap_offline_filter(&file_filter_, &h, f.data) == 0) continue;
        }
        ++frames_;
        handler(f.ts, f.data, f.caplen);
    }
}

Capture::End Capture::run(const FrameHandler& handler, const std::function<void()>& idle) {
    if (file_) return run_file(handler);
    bool nano = pcap_get_tstamp_precision(p_) == PCAP_TSTAMP_PRECISION_NANO;
    // To call `idle` when the traffic pauses, the capture reads without
    // blocking and waits here: with TPACKET_V3, libpcap's own wait has no
    // time-out (the kernel hands over partly filled blocks on its timer), so a
    // blocking read never comes back empty.
    const int wait_fd = idle && live_ && pcap_setnonblock(p_, 1, nullptr) == 0 ? pcap_get_selectable_fd(p_) : -1;
    for (;;) {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        int rc = pcap_next_ex(p_, &hdr, &data);
        if (rc == 1) {
            ++frames_;
            Timestamp ts{hdr->ts.tv_sec,
                         static_cast<std::uint32_t>(nano ? hdr->ts.tv_usec : hdr->ts.tv_usec * 1000)};
            handler(ts, data, hdr->caplen);
            continue;
        }
        if (rc == 0) {  // live: a read time-out, or nothing to read without blocking
            if (idle) idle();
            if (wait_fd >= 0) {
                // A read without blocking does not see pcap_breakloop() when
                // there is nothing to read: stop() is looked for here.
                if (stop_.load(std::memory_order_relaxed)) return End::Stopped;
                // Until frames come; a tenth of a second at most, so that a
                // stop() from another thread is seen (a signal cuts it short).
                pollfd pfd{wait_fd, POLLIN, 0};
                ::poll(&pfd, 1, 100);
            }
            continue;
        }
        if (rc == PCAP_ERROR_BREAK) return live_ ? End::Stopped : End::Eof;
        error_ = source_;
        long offset = live_ ? -1 : std::ftell(pcap_file(p_));
        if (offset >= 0) error_ += ": near byte " + std::to_string(offset);
        error_ += ": after " + std::to_string(frames_) + " frames: " + pcap_geterr(p_);
        return End::Error;
    }
}

bool Capture::kernel_stats(std::uint64_t& received, std::uint64_t& dropped) {
    if (!live_ || !p_) return false;
    pcap_stat st{};
    if (pcap_stats(p_, &st) != 0) return false;
    received = st.ps_recv;
    dropped = st.ps_drop + st.ps_ifdrop;
    return true;
}

}  // namespace rpcspy
