#include "rpcspy/options.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <sstream>

#include <unistd.h>

namespace po = boost::program_options;

namespace rpcspy {

namespace {

std::vector<std::string> split_list(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const std::string& item : items) {
        std::size_t start = 0;
        while (start <= item.size()) {
            std::size_t comma = item.find(',', start);
            if (comma == std::string::npos) comma = item.size();
            if (comma > start) out.push_back(item.substr(start, comma - start));
            start = comma + 1;
        }
    }
    return out;
}

}  // namespace

ParseOutcome parse_options(int argc, char** argv, Options& o, std::string& message) {
    po::options_description visible(
        "Usage: rpcspy (-r FILE | -i INTERFACE) [options] [filter expression]\n"
        "Prints one line per ONC-RPC call/reply pair (NFS, MOUNT, portmap, ...).\n"
        "See rpcspy(8) and rpcspy(5).\n\nOptions");
    std::vector<std::string> progs, procs;
    std::string precision = "micro";
    std::size_t hold_kib = o.tracer.tcp.max_held_bytes / 1024;
    visible.add_options()
        ("read,r", po::value(&o.read_file)->value_name("FILE"), "read a pcap or pcapng capture ('-': standard input)")
        ("interface,i", po::value(&o.interface)->value_name("IFACE"), "capture live on this interface ('any' for all)")
        ("no-promiscuous-mode,p", "do not put the interface into promiscuous mode")
        ("snapshot-length,s", po::value(&o.live.snaplen)->value_name("BYTES"), "bytes captured per frame (live; default 262144)")
        ("buffer-size,B", po::value(&o.live.buffer_kib)->value_name("KIB"), "kernel capture buffer size in KiB (live; default 32768)")
        ("workers", po::value(&o.workers)->value_name("N"),
         "capture with N threads in one AF_PACKET fanout group, a connection per thread (live, Linux; "
         "records are in order per connection only)")
        ("json", "write JSON Lines instead of text records")
        ("line-buffered,l", "write each record as soon as it is complete (live: frames within 1 ms)")
        ("immediate-mode", "live: hand over each frame at once (lowest latency, far lower rates without drops)")
        ("brief,q", "omit arguments and results: fixed fields only")
        ("numeric,n", "print program and procedure numbers instead of names")
        ("no-names", "write every string from the wire (file names, paths, link targets, machine and owner names) as '-'")
        ("creds", "print credential details: AUTH_SYS machine name and groups, RPCSEC_GSS handle")
        ("count,c", po::value(&o.tracer.max_records)->value_name("N"), "stop after writing N records")
        ("duration", po::value(&o.duration)->value_name("SECONDS"), "stop after this many seconds of capture time")
        ("timeout", po::value(&o.tracer.timeout_seconds)->value_name("SECONDS"), "write a call as unanswered after this long (default 60)")
        ("max-calls", po::value(&o.tracer.max_calls)->value_name("N"), "outstanding calls kept at most (default 262144)")
        ("max-streams", po::value(&o.tracer.tcp.max_streams)->value_name("N"), "TCP directions followed at most (default 65536)")
        ("stream-idle", po::value(&o.tracer.tcp.idle_seconds)->value_name("SECONDS"), "forget a TCP direction idle this long (default 600)")
        ("hold-bytes", po::value(&hold_kib)->value_name("KIB"), "out-of-order TCP data held per direction (default 4096 KiB; 64 MiB in all)")
        ("hold-time", po::value(&o.tracer.tcp.hold_ms)->value_name("MS"), "how long a TCP hole is waited for (default 1000 ms of capture time)")
        ("max-datagrams", po::value(&o.tracer.ip_fragments.max_datagrams)->value_name("N"), "fragmented IP datagrams in progress at most (default 512)")
        ("fragment-timeout", po::value(&o.tracer.ip_fragments.timeout_seconds)->value_name("SECONDS"), "give up a fragmented datagram after this long (default 30)")
        ("prog", po::value(&progs)->value_name("LIST")->composing(), "write only these programs (names or numbers, comma-separated)")
        ("proc", po::value(&procs)->value_name("LIST")->composing(), "write only these procedures (names or numbers, comma-separated)")
        ("relinquish-privileges,Z", po::value(&o.user)->value_name("USER"), "after opening the capture, change to this user (and its groups)")
        ("time-precision", po::value(&precision)->value_name("micro|nano"), "time stamp digits: micro (6, default) or nano (9)")
        ("stats,v", "print a summary of counters on standard error at the end")
        ("help,h", "print this help and exit")
        ("version", "print the version and exit");
    po::options_description hidden;
    std::vector<std::string> expr;
    hidden.add_options()("expression", po::value(&expr));
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description pos;
    pos.add("expression", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        message = std::string("rpcspy: ") + e.what() + "\nTry 'rpcspy --help'.";
        return ParseOutcome::UsageError;
    }
    if (vm.count("help")) {
        std::ostringstream s;
        s << visible;
        message = s.str();
        return ParseOutcome::Exit;
    }
    if (vm.count("version")) {
        message = "rpcspy 0.1.0 (record format " + std::to_string(kRecordFormatVersion) + ", " + pcap_lib_version() + ")\n";
        return ParseOutcome::Exit;
    }
    auto usage = [&message](const std::string& what) {
        message = "rpcspy: " + what + "\nTry 'rpcspy --help'.";
        return ParseOutcome::UsageError;
    };
    if (o.read_file.empty() == o.interface.empty()) return usage("give exactly one of -r FILE and -i INTERFACE");
    if (o.workers < 1 || o.workers > 64) return usage("--workers must be between 1 and 64");
    if (o.workers > 1) {
#ifndef __linux__
        return usage("--workers needs Linux (AF_PACKET fanout)");
#endif
        if (!o.read_file.empty()) return usage("--workers needs a live capture (-i): a capture file is read by one thread");
        if (vm.count("count")) return usage("--count cannot be combined with --workers (each worker counts its own records)");
    }
    if (o.live.snaplen <= 0) return usage("snapshot length must be positive");
    if (o.tracer.timeout_seconds <= 0) return usage("--timeout must be positive");
    if (o.tracer.max_calls == 0) return usage("--max-calls must be at least 1");
    if (o.duration < 0) return usage("--duration must not be negative");
    if (o.tracer.tcp.max_streams == 0 || o.tracer.ip_fragments.max_datagrams == 0)
        return usage("--max-streams and --max-datagrams must be at least 1");
    if (o.tracer.tcp.idle_seconds <= 0 || o.tracer.tcp.hold_ms < 0 || o.tracer.ip_fragments.timeout_seconds <= 0)
        return usage("--stream-idle and --fragment-timeout must be positive, --hold-time not negative");
    o.tracer.tcp.max_held_bytes = hold_kib * 1024;
    o.tracer.tcp.max_held_total = std::max(o.tracer.tcp.max_held_total, 16 * o.tracer.tcp.max_held_bytes);
    if (precision == "micro")
        o.time_digits = 6;
    else if (precision == "nano")
        o.time_digits = 9;
    else
        return usage("--time-precision must be micro or nano");
    o.live.promiscuous = !vm.count("no-promiscuous-mode");
    o.format = vm.count("json") ? OutputFormat::Json : OutputFormat::Text;
    o.line_buffered = vm.count("line-buffered") > 0;
    // -l: the kernel hands frames over at least every millisecond; the ring stays
    // TPACKET_V3 (immediate mode, a V2 ring, drops at a third of the rate).
    if (o.line_buffered) o.live.timeout_ms = 1;
    o.live.immediate = vm.count("immediate-mode") > 0;
    o.tracer.brief = vm.count("brief") > 0;
    o.tracer.numeric = vm.count("numeric") > 0;
    o.tracer.creds = vm.count("creds") > 0;
    o.no_names = vm.count("no-names") > 0;
#ifdef TOOLKIT_DEFAULT_USER
    // Like tcpdump built --with-user: root capturing live changes to this user.
    if (o.user.empty() && !o.interface.empty() && ::geteuid() == 0) o.user = TOOLKIT_DEFAULT_USER;
#endif
    o.stats = vm.count("stats") > 0;
    o.tracer.programs = split_list(progs);
    o.tracer.procedures = split_list(procs);
    for (const std::string& word : expr) {
        if (!o.filter.empty()) o.filter += ' ';
        o.filter += word;
    }
    return ParseOutcome::Run;
}

}  // namespace rpcspy
