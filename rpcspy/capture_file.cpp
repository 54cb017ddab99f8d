#include "rpcspy/capture_file.hpp"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rpcspy {

namespace {

// libpcap's largest sane captured length for the link types read here, and
// its largest pcapng block.
constexpr std::uint32_t kMaxSnaplen = 262144, kMaxBlock = 16 * 1024 * 1024;

// pcapng block types.
constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A, kInterface = 1, kObsoletePacket = 2, kSimplePacket = 3,
                        kEnhancedPacket = 6;

// The DLT_ value libpcap gives for a LINKTYPE_ value; -1 for link types this
// reader leaves to libpcap (rpcspy reads none of them).
int dlt_of(std::uint32_t linktype) {
    switch (linktype) {
        case 0: case 1: case 108: case 113: case 228: case 229: case 276: return static_cast<int>(linktype);
        case 101: return DLT_RAW;
        default: return -1;
    }
}

// A pipe holds 64 KiB: its writer (cat, zcat, tcpdump -w -) waits each time
// it is full and each read gets at most that. 1 MiB, the most an unprivileged
// process may ask for (/proc/sys/fs/pipe-max-size), means fewer, longer reads
// and fewer wake-ups: 7 to 11% less CPU time for rpcspy behind cat (measured).
// Never shrinks a pipe; on failure the pipe stays as it was.
void widen_pipe(int fd) {
    constexpr int kPipeSize = 1 << 20;
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return;
    if (const int size = ::fcntl(fd, F_GETPIPE_SZ); size >= 0 && size < kPipeSize) ::fcntl(fd, F_SETPIPE_SZ, kPipeSize);
}

std::uint32_t adjust_snaplen(std::uint32_t snaplen) { return snaplen == 0 || snaplen > kMaxSnaplen ? kMaxSnaplen : snaplen; }

std::string hex32(std::uint32_t v) {
    char s[16];
    std::snprintf(s, sizeof s, "0x%08x", v);
    return s;
}

const char* block_name(std::uint32_t type) {
    switch (type) {
        case kSectionHeader: return "section header block";
        case kInterface: return "interface description block";
        case kObsoletePacket: return "packet block";
        case kSimplePacket: return "simple packet block";
        case kEnhancedPacket: return "enhanced packet block";
        default: return "block";
    }
}

}  // namespace

std::uint32_t CaptureFileParser::u32(std::size_t at) const {
    const std::uint8_t* p = base_ + at;
    return big_endian_ ? std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3]
                       : std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}

std::uint16_t CaptureFileParser::u16(std::size_t at) const {
    const std::uint8_t* p = base_ + at;
    return static_cast<std::uint16_t>(big_endian_ ? p[0] << 8 | p[1] : p[1] << 8 | p[0]);
}

bool CaptureFileParser::fail(std::size_t at, const std::string& what) {
    error_ = "byte " + std::to_string(origin_ + at) + ": " + what;
    return false;
}

CaptureFileParser::Step CaptureFileParser::step_fail(std::size_t at, const std::string& what) {
    fail(at, what);
    return Step::Fail;
}

CaptureFileParser::Next CaptureFileParser::fail_next(std::size_t at, const std::string& what) {
    fail(at, what);
    return Next::Error;
}

CaptureFileParser::Open CaptureFileParser::open(std::span<const std::uint8_t> data, bool final) {
    base_ = data.data();
    size_ = data.size();
    origin_ = 0;
    final_ = final;
    pos_ = 0;
    frames_ = 0;
    error_.clear();
    if (size_ < 24 && !final_) return Open::NeedMore;  // a pcap file header, or a section header's start
    if (size_ == 0) return fail(0, "the file is empty"), Open::Error;
    if (size_ < 4) return fail(0, "only " + std::to_string(size_) + " bytes, too short for a capture file header"), Open::Error;
    const std::uint8_t* m = base_;
    auto magic_is = [m](std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        return m[0] == a && m[1] == b && m[2] == c && m[3] == d;
    };
    if (magic_is(0x0a, 0x0d, 0x0d, 0x0a)) return open_pcapng();
    if (magic_is(0xd4, 0xc3, 0xb2, 0xa1) || magic_is(0x4d, 0x3c, 0xb2, 0xa1)) big_endian_ = false;
    else if (magic_is(0xa1, 0xb2, 0xc3, 0xd4) || magic_is(0xa1, 0xb2, 0x3c, 0x4d)) big_endian_ = true;
    else return Open::NotMine;
    nano_ = m[1] == 0x3c || m[2] == 0x3c;
    return open_pcap();
}

CaptureFileParser::Open CaptureFileParser::open_pcap() {
    constexpr std::size_t kHeader = 24;
    if (size_ < kHeader)
        return fail(0, "truncated pcap file header: 24 bytes needed, only " + std::to_string(size_) + " in the file"), Open::Error;
    const unsigned major = u16(4), minor = u16(6);
    if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
        return fail(4, "pcap version " + std::to_string(major) + "." + std::to_string(minor) +
                           " is not supported (2.0 to 2.4 are)"), Open::Error;
    linktype_ = u32(20) & 0x03FFFFFF;  // the upper bits describe the FCS
    dlt_ = dlt_of(linktype_);
    if (dlt_ < 0) return Open::NotMine;
    snaplen_ = adjust_snaplen(u32(16));
    lengths_swapped_ = major == 543 || minor < 3;
    maybe_swapped_ = major == 2 && minor == 3;
    pcapng_ = false;
    pos_ = kHeader;
    return Open::Ok;
}

CaptureFileParser::Next CaptureFileParser::next_pcap(CapturedFrame& frame) {
    constexpr std::size_t kRecord = 16;
    const std::size_t at = pos_, left = size_ - at;
    if (left < kRecord && !final_) return Next::NeedMore;
    if (left < kRecord)
        return fail_next(at, "frame " + std::to_string(frames_ + 1) + ": truncated record header: 16 bytes needed, only " +
                                 std::to_string(left) + " left in the file (truncated capture?)");
    const std::uint32_t sec = u32(at), frac = u32(at + 4);
    std::uint32_t caplen = u32(at + 8), len = u32(at + 12);
    if (lengths_swapped_ || (maybe_swapped_ && caplen > len)) std::swap(caplen, len);
    if (caplen > kMaxSnaplen)
        return fail_next(at, "frame " + std::to_string(frames_ + 1) + ": record header says " + std::to_string(caplen) +
                                 " captured bytes, more than the maximum of " + std::to_string(kMaxSnaplen) +
                                 " (damaged capture?)");
    if (caplen > left - kRecord && !final_) return Next::NeedMore;
    if (caplen > left - kRecord)
        return fail_next(at, "frame " + std::to_string(frames_ + 1) + ": record header says " + std::to_string(caplen) +
                                 " captured bytes, only " + std::to_string(left - kRecord) +
                                 " left in the file (truncated capture?)");
    // libpcap 1.10 sign-extends the seconds of a file in the host's byte order
    // and zero-extends those of a byte-swapped file: the same here.
    const bool host_order = big_endian_ == (std::endian::native == std::endian::big);
    frame.ts.sec = host_order ? std::int64_t{static_cast<std::int32_t>(sec)} : std::int64_t{sec};
    frame.ts.nsec = nano_ ? frac : frac * 1000;  // the low 32 bits of libpcap's product
    frame.data = base_ + at + kRecord;
    frame.caplen = caplen > snaplen_ ? snaplen_ : caplen;  // as libpcap: cut to the file's snapshot length
    frame.len = len;
    pos_ = at + kRecord + caplen;
    ++frames_;
    return Next::Frame;
}

CaptureFileParser::Next CaptureFileParser::next(CapturedFrame& frame) {
    if (!error_.empty()) return Next::Error;  // stays failed
    if (pos_ >= size_) return final_ ? Next::End : Next::NeedMore;
    return pcapng_ ? next_pcapng(frame) : next_pcap(frame);
}

std::string CaptureFileParser::after() const { return "after " + std::to_string(frames_) + " frames: "; }

CaptureFileParser::Step CaptureFileParser::block_at(std::size_t at, std::uint32_t& type, std::uint32_t& length) {
    const std::size_t left = size_ - at;
    if (left < 12 && !final_) return Step::More;  // the smallest block
    if (left < 8)
        return step_fail(at, after() + "truncated block header: 8 bytes needed, only " + std::to_string(left) +
                            " left in the file (truncated capture?)");
    const std::uint8_t* b = base_ + at;
    if (b[0] == 0x0a && b[1] == 0x0d && b[2] == 0x0d && b[3] == 0x0a) {
        // A section header: its byte-order magic sets the byte order of the section.
        if (left < 12) return step_fail(at, after() + "truncated section header block (truncated capture?)");
        const std::uint8_t* m = b + 8;
        if (m[0] == 0x1a && m[1] == 0x2b && m[2] == 0x3c && m[3] == 0x4d) big_endian_ = true;
        else if (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0x2b && m[3] == 0x1a) big_endian_ = false;
        else return step_fail(at + 8, after() + "section header block without the byte-order magic 0x1a2b3c4d");
        type = kSectionHeader;
    } else {
        type = u32(at);
    }
    length = u32(at + 4);
    const std::uint32_t minimum = type == kSectionHeader ? 28 : 12;
    const std::string name = block_name(type) + (type == kSectionHeader ? std::string() : " (type " + hex32(type) + ")");
    if (length < minimum)
        return step_fail(at, after() + name + " length " + std::to_string(length) + " is less than the minimum of " +
                            std::to_string(minimum));
    if (length % 4 != 0)
        return step_fail(at, after() + name + " length " + std::to_string(length) + " is not a multiple of 4");
    if (length > kMaxBlock)
        return step_fail(at, after() + name + " length " + std::to_string(length) + " is more than the maximum of " +
                                 std::to_string(kMaxBlock) + " (as libpcap)");
    if (length > left && !final_) return Step::More;
    if (length > left)
        return step_fail(at, after() + name + " length " + std::to_string(length) + ", only " + std::to_string(left) +
                            " bytes left in the file (truncated capture?)");
    if (const std::uint32_t trailing = u32(at + length - 4); trailing != length)
        return step_fail(at, after() + name + " length " + std::to_string(length) + " at its start but " +
                                 std::to_string(trailing) + " at its end");
    return Step::Ok;
}

bool CaptureFileParser::section_header(std::size_t at, std::uint32_t) {
    const unsigned major = u16(at + 12), minor = u16(at + 14);
    if (major != 1)
        return fail(at, after() + "pcapng version " + std::to_string(major) + "." + std::to_string(minor) +
                            " is not supported (1.x is)");
    interfaces_.clear();  // each section describes its own interfaces
    return true;
}

bool CaptureFileParser::interface_block(std::size_t at, std::uint32_t length) {
    const std::size_t end = at + length - 4;
    std::size_t p = at + 8;
    const std::string name = "interface description block " + std::to_string(interfaces_.size()) + " of the section";
    if (end - p < 8) return fail(at, after() + name + " is too short");
    if (const std::uint32_t linktype = u16(p); linktype != linktype_)
        return fail(at, after() + name + " has link type " + std::to_string(linktype) + ", the first one " +
                            std::to_string(linktype_) + ": captures of several link types are not supported");
    Interface in;
    in.snaplen = adjust_snaplen(u32(p + 4));
    p += 8;
    bool saw_tsresol = false, saw_tsoffset = false;
    while (p < end) {
        if (end - p < 4) return fail(p, after() + name + ": option header cut short");
        const unsigned code = u16(p), len = u16(p + 2), padded = (len + 3) & ~3u;
        const std::size_t value = p + 4;
        if (end - value < padded)
            return fail(p, after() + name + ": option " + std::to_string(code) + " of " + std::to_string(len) +
                               " bytes runs past the end of the block");
        if (code == 0) {  // opt_endofopt
            if (len != 0) return fail(p, after() + name + ": end-of-options option of length " + std::to_string(len));
            break;
        }
        if (code == 9) {  // if_tsresol
            if (len != 1 || saw_tsresol)
                return fail(p, after() + name + (saw_tsresol ? ": two if_tsresol options" : ": if_tsresol option of length " + std::to_string(len)));
            saw_tsresol = true;
            const unsigned r = base_[value];
            if (r & 0x80) {
                if ((r & 0x7f) > 63) return fail(p, after() + name + ": if_tsresol 2^-" + std::to_string(r & 0x7f) + " is too fine");
                in.tsresol = std::uint64_t{1} << (r & 0x7f);
                in.binary = true;
            } else {
                if (r > 19) return fail(p, after() + name + ": if_tsresol 10^-" + std::to_string(r) + " is too fine");
                in.tsresol = 1;
                for (unsigned i = 0; i < r; ++i) in.tsresol *= 10;
                in.binary = false;
            }
        } else if (code == 14) {  // if_tsoffset
            if (len != 8 || saw_tsoffset)
                return fail(p, after() + name + (saw_tsoffset ? ": two if_tsoffset options" : ": if_tsoffset option of length " + std::to_string(len)));
            saw_tsoffset = true;
            const std::uint64_t hi = u32(big_endian_ ? value : value + 4), lo = u32(big_endian_ ? value + 4 : value);
            in.tsoffset = static_cast<std::int64_t>(hi << 32 | lo);
        }
        p = value + padded;
    }
    interfaces_.push_back(in);
    return true;
}

CaptureFileParser::Next CaptureFileParser::packet_block(std::size_t at, std::uint32_t type, std::uint32_t length,
                                                        CapturedFrame& frame) {
    const std::size_t body = at + 8, end = at + length - 4;
    const std::size_t fixed = type == kSimplePacket ? 4 : 20;
    auto frame_no = [this] { return "frame " + std::to_string(frames_ + 1) + ": "; };
    if (end - body < fixed)
        return fail_next(at, frame_no() + block_name(type) + " of " + std::to_string(length) + " bytes is too short");
    std::uint32_t iface = 0, caplen = 0, len = 0;
    std::uint64_t t = 0;
    if (type == kSimplePacket) {
        len = u32(body);
    } else {
        iface = type == kEnhancedPacket ? u32(body) : u16(body);
        t = std::uint64_t{u32(body + 4)} << 32 | u32(body + 8);
        caplen = u32(body + 12);
        len = u32(body + 16);
    }
    if (iface >= interfaces_.size())
        return fail_next(at, frame_no() + block_name(type) + " on interface " + std::to_string(iface) + ", but the section has " +
                                 (interfaces_.empty() ? std::string("no") : "only " + std::to_string(interfaces_.size())) +
                                 " interface description blocks");
    const Interface& in = interfaces_[iface];
    if (type == kSimplePacket) caplen = len < in.snaplen ? len : in.snaplen;
    if (caplen > in.snaplen)
        return fail_next(at, frame_no() + block_name(type) + " says " + std::to_string(caplen) +
                                 " captured bytes, more than the interface's snapshot length " + std::to_string(in.snaplen));
    if (caplen > end - body - fixed)
        return fail_next(at, frame_no() + block_name(type) + " says " + std::to_string(caplen) + " captured bytes, but holds only " +
                                 std::to_string(end - body - fixed));
    // Seconds and fraction in the interface's units, the fraction then in
    // nanoseconds: libpcap's arithmetic (including its wrap-arounds).
    constexpr std::uint64_t kNano = 1000000000;
    std::uint64_t sec = t / in.tsresol + static_cast<std::uint64_t>(in.tsoffset);
    std::uint64_t frac = t % in.tsresol;
    if (in.tsresol != kNano) {
        if (in.binary) frac = frac * kNano / in.tsresol;
        else if (in.tsresol > kNano) frac /= in.tsresol / kNano;
        else frac *= kNano / in.tsresol;
    }
    frame.ts.sec = static_cast<std::int64_t>(sec);
    frame.ts.nsec = static_cast<std::uint32_t>(frac);
    frame.data = base_ + body + fixed;
    frame.caplen = caplen;
    frame.len = len;
    ++frames_;
    return Next::Frame;
}

CaptureFileParser::Open CaptureFileParser::open_pcapng() {
    pcapng_ = true;
    interfaces_.clear();
    // The first interface description block gives the capture's link type.
    std::size_t at = 0;
    for (;;) {
        if (at >= size_ && !final_) return Open::NeedMore;
        if (at >= size_) return fail(at, "no interface description block in the file"), Open::Error;
        std::uint32_t type = 0, length = 0;
        if (const Step st = block_at(at, type, length); st != Step::Ok) return st == Step::More ? Open::NeedMore : Open::Error;
        if (type == kSectionHeader && !section_header(at, length)) return Open::Error;
        if (type == kInterface) {
            if (length < 20) return fail(at, "interface description block 0 is too short"), Open::Error;
            linktype_ = u16(at + 8);
            dlt_ = dlt_of(linktype_);
            if (dlt_ < 0) return Open::NotMine;
            snaplen_ = adjust_snaplen(u32(at + 12));
            break;
        }
        if (type == kEnhancedPacket || type == kSimplePacket || type == kObsoletePacket)
            return fail(at, std::string(block_name(type)) + " before any interface description block"), Open::Error;
        at += length;
    }
    // Reading starts again at the first section header.
    interfaces_.clear();
    pos_ = 0;
    return Open::Ok;
}

CaptureFileParser::Next CaptureFileParser::next_pcapng(CapturedFrame& frame) {
    while (pos_ < size_) {
        const std::size_t at = pos_;
        std::uint32_t type = 0, length = 0;
        if (const Step st = block_at(at, type, length); st != Step::Ok) return st == Step::More ? Next::NeedMore : Next::Error;
        pos_ = at + length;
        switch (type) {
            case kSectionHeader:
                if (!section_header(at, length)) return Next::Error;
                break;
            case kInterface:
                if (!interface_block(at, length)) return Next::Error;
                break;
            case kEnhancedPacket: case kSimplePacket: case kObsoletePacket:
                return packet_block(at, type, length, frame);
            default:
                break;  // any other block: skipped
        }
    }
    return final_ ? Next::End : Next::NeedMore;
}

void CaptureFileParser::refill(std::span<const std::uint8_t> data, std::uint64_t origin, bool final) {
    base_ = data.data();
    size_ = data.size();
    origin_ = origin;
    final_ = final;
    pos_ = 0;
}

// CaptureFileReader

CaptureFileReader::~CaptureFileReader() {
    if (fd_ >= 0 && owns_fd_) ::close(fd_);
}

CaptureFileReader::Fill CaptureFileReader::fill() {
    if (len_ == cap_) {
        // A record longer than the buffer: grow it (pcapng blocks stop at 16 MiB).
        auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(cap_ * 2);
        std::memcpy(bigger.get(), buf_.get(), len_);
        buf_ = std::move(bigger);
        cap_ *= 2;
    }
    // One read: on a pipe it returns what the writer has written so far, so
    // that frames are handed on as they arrive (tcpdump -w - | rpcspy -r -).
    const ssize_t n = ::read(fd_, buf_.get() + len_, cap_ - len_);
    if (n > 0) {
        len_ += static_cast<std::size_t>(n);
        return Fill::Read;
    }
    if (n == 0) {
        eof_ = true;
        return Fill::Read;
    }
    // rpcspy's signal handlers do not restart system calls: a SIGINT while
    // waiting on a quiet pipe must let the caller see that it is to stop.
    if (errno == EINTR) return Fill::Interrupted;
    read_error_ = "byte " + std::to_string(origin_ + len_) + ": cannot read: " + std::strerror(errno);
    return Fill::Failed;
}

CaptureFileParser::Open CaptureFileReader::open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return CaptureFileParser::Open::NotMine;  // libpcap says why
    owns_fd_ = true;
    struct stat st{};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) return CaptureFileParser::Open::NotMine;
    stream_ = !S_ISREG(st.st_mode);
    return read_header();
}

CaptureFileParser::Open CaptureFileReader::open_stream(int fd) {
    fd_ = fd;
    owns_fd_ = false;
    stream_ = true;
    return read_header();
}

// Reads until the parser has the capture's header (pcapng: up to the first
// interface), and no further: on a pipe the rest may not be written yet.
CaptureFileParser::Open CaptureFileReader::read_header() {
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);  // (fails harmlessly on a pipe)
    if (stream_) widen_pipe(fd_);
    buf_ = std::make_unique_for_overwrite<std::uint8_t[]>(cap_);
    for (;;) {
        if (fill() == Fill::Failed) return CaptureFileParser::Open::Error;  // (Interrupted: read again)
        const auto outcome = parser_.open({buf_.get(), len_}, eof_);
        if (outcome != CaptureFileParser::Open::NeedMore) return outcome;
        if (len_ == cap_ && cap_ >= kMaxOpenScan) {
            read_error_ = "byte 0: no interface description block in the first " + std::to_string(cap_) + " bytes";
            return CaptureFileParser::Open::Error;
        }
    }
}

void CaptureFileReader::drop_consumed() {
    const std::size_t done = parser_.consumed();
    std::memmove(buf_.get(), buf_.get() + done, len_ - done);
    len_ -= done;
    origin_ += done;
}

CaptureFileParser::Next CaptureFileReader::next(CapturedFrame& frame) {
    for (;;) {
        const auto n = parser_.next(frame);
        if (n != CaptureFileParser::Next::NeedMore) return n;
        drop_consumed();
        const Fill got = fill();
        parser_.refill({buf_.get(), len_}, origin_, eof_);  // (the bytes moved even if nothing was read)
        if (got == Fill::Failed) return CaptureFileParser::Next::Error;
        if (got == Fill::Interrupted) return CaptureFileParser::Next::NeedMore;
    }
}

// hand_over_stream

namespace {

// What a stream's stdio FILE reads: first the bytes the reader took, then the
// rest of the descriptor.
struct Replay {
    std::unique_ptr<std::uint8_t[]> taken;
    std::size_t taken_len = 0;
    std::size_t taken_pos = 0;
    int fd = -1;
    bool owns_fd = false;
    std::uint64_t offset = 0;  // bytes given so far: what ftell says
};

ssize_t replay_read(void* cookie, char* out, std::size_t size) {
    Replay& r = *static_cast<Replay*>(cookie);
    if (r.taken_pos < r.taken_len) {
        const std::size_t n = std::min(size, r.taken_len - r.taken_pos);
        std::memcpy(out, r.taken.get() + r.taken_pos, n);
        r.taken_pos += n;
        r.offset += n;
        return static_cast<ssize_t>(n);
    }
    for (;;) {
        const ssize_t n = ::read(r.fd, out, size);
        if (n >= 0) r.offset += static_cast<std::uint64_t>(n);
        if (n >= 0 || errno != EINTR) return n;
    }
}

// Only where the stream stands (ftell, for "near byte N" in libpcap's errors):
// a stream cannot go back.
int replay_seek(void* cookie, off64_t* position, int whence) {
    if (whence != SEEK_CUR || *position != 0) {
        errno = ESPIPE;
        return -1;
    }
    *position = static_cast<off64_t>(static_cast<Replay*>(cookie)->offset);
    return 0;
}

int replay_close(void* cookie) {
    auto* r = static_cast<Replay*>(cookie);
    const int rc = r->owns_fd ? ::close(r->fd) : 0;
    delete r;
    return rc;
}

}  // namespace

std::FILE* CaptureFileReader::hand_over_stream() {
    auto replay = std::make_unique<Replay>();
    replay->taken = std::move(buf_);
    replay->taken_len = len_;
    replay->fd = fd_;
    replay->owns_fd = owns_fd_;
    replay->offset = origin_;
    std::FILE* f = fopencookie(replay.get(), "rb", {replay_read, nullptr, replay_seek, replay_close});
    if (!f) {
        buf_ = std::move(replay->taken);  // still the reader's, closed by it
        return nullptr;
    }
    replay.release();  // now the FILE's: freed by fclose (pcap_close)
    fd_ = -1;
    len_ = 0;
    return f;
}

}  // namespace rpcspy
