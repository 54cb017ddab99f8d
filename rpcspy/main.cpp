// rpcspy: prints one record per ONC-RPC call/reply pair seen on the network or in a
// capture file. See rpcspy(8).
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "common/out_buffer.hpp"
#include "rpcspy/capture.hpp"
#include "rpcspy/options.hpp"
#include "rpcspy/privileges.hpp"
#include "rpcspy/tracer.hpp"

namespace {
rpcspy::Capture* g_capture = nullptr;
extern "C" void on_signal(int) {
    if (g_capture) g_capture->stop();
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

    rpcspy::Capture capture;
    bool opened = opt.read_file.empty() ? capture.open_live(opt.interface, opt.live) : capture.open_file(opt.read_file);
    if (!opened || (!opt.filter.empty() && !capture.set_filter(opt.filter))) {
        std::fprintf(stderr, "rpcspy: %s\n", capture.error().c_str());
        return 1;
    }

    if (!opt.user.empty()) {
        std::string why;
        if (!rpcspy::drop_privileges(opt.user, why)) {
            std::fprintf(stderr, "rpcspy: -Z %s: %s\n", opt.user.c_str(), why.c_str());
            return 1;
        }
        if (opt.stats) std::fprintf(stderr, "rpcspy: running as %s (uid %u, gid %u)\n", opt.user.c_str(),
                                    static_cast<unsigned>(::getuid()), static_cast<unsigned>(::getgid()));
    }

    g_capture = &capture;
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGALRM, &sa, nullptr);
    if (capture.live() && opt.duration > 0) alarm(static_cast<unsigned>(opt.duration + 0.999));

    common::OutBuffer out(STDOUT_FILENO);
    rpcspy::RecordWriter writer(out, opt.format, opt.time_digits, opt.line_buffered);
    writer.set_no_names(opt.no_names);
    rpcspy::Tracer tracer(writer, opt.tracer);
    writer.header();

    const int dlt = capture.datalink();
    bool have_start = false;
    rpcspy::Timestamp start;
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
        if (tracer.done()) capture.stop();
    });
    tracer.finish();
    bool write_ok = out.flush();

    std::uint64_t received = 0, dropped = 0;
    bool have_kernel = capture.kernel_stats(received, dropped);
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
