// rpcspy: prints one record per ONC-RPC call/reply pair seen on the network or in a
// capture file. See rpcspy(8).
#include <csignal>
#include <cstdio>
#include <memory>
#include <vector>
#include <unistd.h>

#include "common/out_buffer.hpp"
#include "rpcspy/capture.hpp"
#include "rpcspy/options.hpp"
#include "rpcspy/privileges.hpp"
#include "rpcspy/tracer.hpp"
#include "rpcspy/workers.hpp"

namespace {

std::vector<std::unique_ptr<rpcspy::Capture>> g_captures;  // set up before the handler is installed
extern "C" void on_signal(int) {
    for (auto& c : g_captures) c->stop();
}

// The capture file, the live capture, or with --workers the live captures in
// one fanout group; false with `error` set on failure.
bool open_inputs(const rpcspy::Options& opt, std::string& error) {
    if (opt.workers > 1) return rpcspy::open_fanout(opt.interface, opt.live, opt.filter, opt.workers, g_captures, error);
    auto& c = *g_captures.emplace_back(std::make_unique<rpcspy::Capture>());
    bool ok = opt.read_file.empty() ? c.open_live(opt.interface, opt.live) : c.open_file(opt.read_file);
    if (ok && !opt.filter.empty()) ok = c.set_filter(opt.filter);
    if (!ok) error = c.error();
    return ok;
}

// Kernel counters summed over the live captures; false when unavailable.
bool kernel_stats(std::uint64_t& received, std::uint64_t& dropped) {
    received = dropped = 0;
    for (auto& c : g_captures) {
        std::uint64_t r = 0, d = 0;
        if (!c->kernel_stats(r, d)) return false;
        received += r;
        dropped += d;
    }
    return true;
}

// What -v says about a live capture's kernel ring.
void describe_ring(const rpcspy::Capture& c, const rpcspy::LiveOptions& live) {
    const char* handover = live.immediate ? "immediate mode" : live.timeout_ms == 1 ? "1 ms block timeout" : "100 ms block timeout";
    std::fprintf(stderr, "rpcspy: %s: TPACKET_V%d ring, %d KiB, %s\n", c.source().c_str(), c.tpacket_version(),
                 live.buffer_kib, handover);
}

// --workers: every capture read by its own thread; returns the exit status.
int run_workers(const rpcspy::Options& opt, common::OutBuffer& out) {
    bool header_ok = out.flush();
    rpcspy::Workers workers(g_captures, opt, STDOUT_FILENO);
    workers.run();
    std::uint64_t received = 0, dropped = 0;
    bool have_kernel = kernel_stats(received, dropped);
    if (opt.stats)
        std::fputs(workers.summary(have_kernel ? static_cast<std::int64_t>(dropped) : -1,
                                   have_kernel ? static_cast<std::int64_t>(received) : -1).c_str(), stderr);
    if (!workers.error().empty()) {
        std::fprintf(stderr, "rpcspy: %s\n", workers.error().c_str());
        return 1;
    }
    if (!header_ok || !workers.write_ok()) {
        std::perror("rpcspy: writing records");
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    rpcspy::Options opt;
    std::string message;
    switch (rpcspy::parse_options(argc, argv, opt, message)) {
        case rpcspy::ParseOutcome::Exit: std::fputs(message.c_str(), stdout); return 0;
        case rpcspy::ParseOutcome::UsageError: std::fprintf(stderr, "%s\n", message.c_str()); return 2;
        case rpcspy::ParseOutcome::Run: break;
    }

    std::string error;
    if (!open_inputs(opt, error)) {
        std::fprintf(stderr, "rpcspy: %s\n", error.c_str());
        return 1;
    }
    rpcspy::Capture& capture = *g_captures.front();

    if (!opt.user.empty()) {
        std::string why;
        if (!rpcspy::drop_privileges(opt.user, why)) {
            std::fprintf(stderr, "rpcspy: -Z %s: %s\n", opt.user.c_str(), why.c_str());
            return 1;
        }
        if (opt.stats) std::fprintf(stderr, "rpcspy: running as %s (uid %u, gid %u)\n", opt.user.c_str(),
                                    static_cast<unsigned>(::getuid()), static_cast<unsigned>(::getgid()));
    }

    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGALRM, &sa, nullptr);
    if (capture.live() && opt.duration > 0) alarm(static_cast<unsigned>(opt.duration + 0.999));

    common::OutBuffer out(STDOUT_FILENO);
    // -l: reading a file or pipe, each record is written at once; in a live
    // capture, by LiveFlush's rule.
    const bool live_lines = opt.line_buffered && capture.live();
    rpcspy::RecordWriter writer(out, opt.format, opt.time_digits, opt.line_buffered && !live_lines);
    writer.set_no_names(opt.no_names);
    writer.header();
    if (live_lines) out.flush();
    if (opt.stats && capture.live()) describe_ring(capture, opt.live);
    if (opt.stats && !capture.live())
        std::fprintf(stderr, "rpcspy: reading %s (%s)\n", capture.source().c_str(), capture.file_reader().c_str());
    if (g_captures.size() > 1) return run_workers(opt, out);

    rpcspy::Tracer tracer(writer, opt.tracer);
    const int dlt = capture.datalink();
    bool have_start = false;
    rpcspy::Timestamp start;
    rpcspy::LiveFlush live_flush;
    std::function<void()> idle;  // -l live: the traffic paused, what waits goes out
    if (live_lines)
        idle = [&] {
            if (out.size() > 0) out.flush();
            live_flush.flushed();
        };
    auto end = capture.run([&](const rpcspy::Timestamp& ts, const std::uint8_t* frame, std::size_t caplen) {
        if (!have_start) {
            start = ts;
            have_start = true;
        }
        if (!capture.live() && opt.duration > 0 && static_cast<double>(rpcspy::nanos_between(start, ts)) > opt.duration * 1e9) {
            capture.stop();
            return;
        }
        tracer.on_frame(dlt, ts, frame, caplen);
        if (live_lines && live_flush.after_frame(ts, out.size())) out.flush();
        if (tracer.done()) capture.stop();
    }, idle);
    tracer.finish();
    bool write_ok = out.flush();

    std::uint64_t received = 0, dropped = 0;
    bool have_kernel = kernel_stats(received, dropped);
    if (opt.stats) {
        std::string s = tracer.summary(have_kernel ? static_cast<std::int64_t>(dropped) : -1,
                                       have_kernel ? static_cast<std::int64_t>(received) : -1);
        std::fprintf(stderr, "%s", s.c_str());
    }
    if (end == rpcspy::Capture::End::Error) {
        std::fprintf(stderr, "rpcspy: %s\n", capture.error().c_str());
        return 1;
    }
    if (!write_ok) {
        std::perror("rpcspy: writing records");
        return 1;
    }
    return 0;
}
