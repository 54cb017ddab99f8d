// A replayer for rpcspy-live-bench when tcpreplay cannot offer the rate: sends
// the frames of an Ethernet capture on an interface (AF_PACKET, qdisc bypassed,
// sendmmsg batches of 64) LOOPS times at PPS frames per second (0: as fast as
// possible). Each loop after the first XORs the loop number into the same bytes
// of the source and destination IP addresses, so a loop is new connections
// whose replies still match their calls (IPv4 header checksums are fixed; TCP
// and UDP checksums are not: nothing on the receiving veth checks them).
// Prints "sent N frames in S seconds, R pps".
#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

struct Frame {
    std::size_t offset, len;
    int ip_offset;  // -1: not IPv4 or IPv6
    bool v4;
};

int ip_offset(const std::uint8_t* d, std::size_t len, bool& v4) {
    std::size_t off = 12;
    while (off + 2 <= len && (d[off] == 0x81 || d[off] == 0x88) && (d[off + 1] == 0x00 || d[off + 1] == 0xa8)) off += 4;
    if (off + 2 > len) return -1;
    std::uint16_t type = static_cast<std::uint16_t>(d[off] << 8 | d[off + 1]);
    v4 = type == 0x0800;
    if ((type != 0x0800 && type != 0x86dd) || off + 2 + 40 > len) return -1;
    if (v4 && ((d[off + 2] & 0xf) < 5 || off + 2 + (d[off + 2] & 0xfu) * 4 > len)) return -1;
    return static_cast<int>(off + 2);
}

// New addresses for loop `k` (XOR is its own inverse: undo with the same k).
void retag(std::uint8_t* ip, bool v4, unsigned k) {
    const std::uint8_t hi = static_cast<std::uint8_t>(k >> 8), lo = static_cast<std::uint8_t>(k);
    if (v4) {
        ip[13] ^= hi, ip[14] ^= lo, ip[17] ^= hi, ip[18] ^= lo;  // second and third octets
        ip[10] = ip[11] = 0;
        std::uint32_t sum = 0;
        for (int i = 0; i < (ip[0] & 0xf) * 4; i += 2) sum += static_cast<std::uint32_t>(ip[i] << 8 | ip[i + 1]);
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        ip[10] = static_cast<std::uint8_t>(~sum >> 8), ip[11] = static_cast<std::uint8_t>(~sum);
    } else {
        ip[8 + 6] ^= hi, ip[8 + 7] ^= lo, ip[24 + 6] ^= hi, ip[24 + 7] ^= lo;  // inside the /64 prefix
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: pcap_blast IFACE CAPTURE LOOPS PPS\n");
        return 2;
    }
    const unsigned loops = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10));
    const double pps = std::strtod(argv[4], nullptr);
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(argv[2], err);
    if (!p) return std::fprintf(stderr, "pcap_blast: %s\n", err), 1;
    if (pcap_datalink(p) != DLT_EN10MB) return std::fprintf(stderr, "pcap_blast: %s: not Ethernet\n", argv[2]), 1;
    std::vector<std::uint8_t> bytes;
    std::vector<Frame> frames;
    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(p, &h, &d) == 1) {
        Frame f{bytes.size(), h->caplen, -1, false};
        f.ip_offset = ip_offset(d, h->caplen, f.v4);
        bytes.insert(bytes.end(), d, d + h->caplen);
        frames.push_back(f);
    }
    pcap_close(p);

    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) return std::perror("pcap_blast: AF_PACKET socket"), 1;
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_ifindex = static_cast<int>(if_nametoindex(argv[1]));
    if (!addr.sll_ifindex) return std::fprintf(stderr, "pcap_blast: %s: no such interface\n", argv[1]), 1;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return std::perror("pcap_blast: bind"), 1;
    int one = 1;
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);

    constexpr std::size_t kBatch = 64;
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::uint64_t sent = 0;
    for (unsigned loop = 0; loop < loops; ++loop) {
        for (const Frame& f : frames)
            if (f.ip_offset >= 0 && loop > 0) {
                retag(&bytes[f.offset + static_cast<std::size_t>(f.ip_offset)], f.v4, loop - 1);  // undo
                retag(&bytes[f.offset + static_cast<std::size_t>(f.ip_offset)], f.v4, loop);
            }
        for (std::size_t i = 0; i < frames.size();) {
            std::size_t n = std::min(kBatch, frames.size() - i);
            for (std::size_t j = 0; j < n; ++j) {
                iov[j] = {&bytes[frames[i + j].offset], frames[i + j].len};
                msgs[j] = {};
                msgs[j].msg_hdr.msg_iov = &iov[j];
                msgs[j].msg_hdr.msg_iovlen = 1;
            }
            if (pps > 0) {  // wait until this batch is due
                auto due = start + std::chrono::duration<double>(static_cast<double>(sent) / pps);
                if (due > Clock::now()) std::this_thread::sleep_until(due);
            }
            int r = sendmmsg(fd, msgs, static_cast<unsigned>(n), 0);
            if (r < 0) {
                if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
                return std::perror("pcap_blast: sendmmsg"), 1;
            }
            sent += static_cast<unsigned>(r);
            i += static_cast<unsigned>(r);
        }
    }
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("sent %llu frames in %.3f seconds, %.0f pps\n", static_cast<unsigned long long>(sent), secs,
                static_cast<double>(sent) / secs);
    return 0;
}
