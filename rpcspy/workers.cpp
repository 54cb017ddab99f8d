#include "rpcspy/workers.hpp"

#include <cerrno>
#include <thread>

#include <unistd.h>

namespace rpcspy {

namespace {
// A worker hands its records to the output once it holds this much (or, with
// -l, by LiveFlush's rule).
constexpr std::size_t kBlockBytes = 1 << 16;
}  // namespace

bool BlockOutput::write(common::OutBuffer& block) {
    std::string_view data = block.view();
    std::lock_guard lock(mutex_);
    while (!failed_ && !data.empty()) {
        ssize_t n = ::write(fd_, data.data(), data.size());
        if (n < 0) {
            if (errno != EINTR) failed_ = true;
            continue;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    block.clear();
    return !failed_;
}

bool open_fanout(const std::string& device, const LiveOptions& live, const std::string& filter, int n,
                 std::vector<std::unique_ptr<Capture>>& captures, std::string& error) {
    auto fail = [&error, n](const Capture& c, int i) {
        error = c.error() + " (worker " + std::to_string(i + 1) + " of " + std::to_string(n) + ")";
        return false;
    };
    // Until it joins the group a socket gets every frame: all but the first take
    // none until then, so that no frame is seen twice.
    for (int i = 0; i < n; ++i) {
        captures.push_back(std::make_unique<Capture>());
        Capture& c = *captures.back();
        if (!c.open_live(device, live) || (i > 0 && !c.reject_all())) return fail(c, i);
    }
    std::uint16_t group = 0;  // the first member makes a new group
    for (int i = 0; i < n; ++i) {
        Capture& c = *captures[static_cast<std::size_t>(i)];
        if (!c.join_fanout(group) || ((i > 0 || !filter.empty()) && !c.set_filter(filter))) return fail(c, i);
    }
    // Every member must be in the one group, or each would see every frame.
    for (int i = 0; i < n; ++i) {
        const int in = captures[static_cast<std::size_t>(i)]->fanout_group();
        if (in != group) {
            error = device + ": worker " + std::to_string(i + 1) + " of " + std::to_string(n) + " is in AF_PACKET fanout group " +
                    std::to_string(in) + ", not " + std::to_string(group);
            return false;
        }
    }
    return true;
}

struct Workers::Worker {
    Worker(Capture& c, const Options& o)
        : capture(c), out(-1), writer(out, o.format, o.time_digits, false), tracer(writer, o.tracer) {
        writer.set_no_names(o.no_names);
    }
    Capture& capture;
    common::OutBuffer out;  // no descriptor: emptied into the shared output by the worker
    RecordWriter writer;
    Tracer tracer;
    LiveFlush flush;  // -l
    std::thread thread;
};

Workers::Workers(std::span<const std::unique_ptr<Capture>> captures, const Options& options, int fd)
    : captures_(captures), line_buffered_(options.line_buffered), output_(fd) {
    for (const auto& c : captures) workers_.push_back(std::make_unique<Worker>(*c, options));
}

Workers::~Workers() {
    for (auto& w : workers_)
        if (w->thread.joinable()) w->thread.join();
}

void Workers::run() {
    for (auto& w : workers_) w->thread = std::thread([this, &w] { work(*w); });
    for (auto& w : workers_) w->thread.join();
}

void Workers::work(Worker& w) {
    const int dlt = w.capture.datalink();
    std::function<void()> idle;  // -l: the traffic paused, what waits goes out
    if (line_buffered_)
        idle = [&] {
            if (w.out.size() > 0 && !output_.write(w.out)) stop_all();
            w.flush.flushed();
        };
    auto end = w.capture.run([&](const Timestamp& ts, const std::uint8_t* frame, std::size_t caplen) {
        w.tracer.on_frame(dlt, ts, frame, caplen);
        if (w.out.size() >= kBlockBytes || (line_buffered_ && w.flush.after_frame(ts, w.out.size()))) {
            if (!output_.write(w.out)) stop_all();
        }
    }, idle);
    w.tracer.finish();
    if (!output_.write(w.out)) stop_all();
    if (end == Capture::End::Error) {
        std::lock_guard lock(error_mutex_);
        if (error_.empty()) error_ = w.capture.error();
        stop_all();
    }
}

void Workers::stop_all() {
    for (const auto& c : captures_) c->stop();
}

std::string Workers::summary(std::int64_t kernel_drops, std::int64_t kernel_received) const {
    std::string s = "workers " + std::to_string(workers_.size()) + "\n";
    std::vector<const Tracer*> tracers;
    for (const auto& w : workers_) {
        tracers.push_back(&w->tracer);
        s += "worker" + std::to_string(tracers.size()) + "_packets " + std::to_string(w->tracer.stats().packets) + "\n";
    }
    return s + Tracer::summary(tracers, kernel_drops, kernel_received);
}

}  // namespace rpcspy
