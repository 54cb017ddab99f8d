// The floor for rpcspy -r: a plain libpcap read loop that touches every byte of
// every captured frame (a checksum, so the loop cannot be optimised away) and
// does nothing else. Prints frames, bytes and the checksum.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: pcap_floor FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(argv[1], err);
    if (!p) {
        std::fprintf(stderr, "pcap_floor: %s\n", err);
        return 1;
    }
    std::uint64_t frames = 0, bytes = 0, sum = 0;
    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(p, &h, &d) == 1) {
        ++frames;
        bytes += h->caplen;
        for (bpf_u_int32 i = 0; i < h->caplen; i += 64) sum += d[i];
    }
    std::printf("frames %llu bytes %llu sum %llu\n", static_cast<unsigned long long>(frames),
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(sum));
    pcap_close(p);
    return 0;
}
