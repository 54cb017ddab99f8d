#include "nfstrace/nfstrace.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <unistd.h>

#include "nfstrace/anonymize.hpp"
#include "nfstrace/parse_ahead.hpp"

namespace nfstrace {

namespace {
constexpr std::uint64_t kMaxBadLineMessages = 20;
}

Tracer::Tracer(const Config& cfg, common::OutBuffer& out, common::OutBuffer& err)
    : cfg_(cfg),
      out_(out),
      err_(err),
      extractor_(handles_, listings_),
      writer_(out, cfg, hosts_),
      tracker_(cfg, handles_, listings_, cfg.summary ? static_cast<OpenSink&>(null_sink_) : writer_),
      summary_(cfg, out, hosts_, handles_) {}

void Tracer::bad(std::string_view file, std::uint64_t lineno, std::size_t column, std::string_view why) {
    ++in_.bad_lines;
    if (in_.bad_lines > kMaxBadLineMessages && !cfg_.strict) {
        if (in_.bad_lines == kMaxBadLineMessages + 1)
            err_.put("nfstrace: more bad lines: counted, not shown\n");
        return;
    }
    err_.put("nfstrace: ");
    err_.put(file);
    err_.put(':');
    err_.put_u64(lineno);
    if (column) {
        err_.put(':');
        err_.put_u64(column);
    }
    err_.put(": ");
    err_.put(why);
    err_.put('\n');
    err_.flush();
}

bool Tracer::line(std::string_view text, std::string_view file, std::uint64_t lineno) {
    line_.parse(text, interner_);
    return take(line_, file, lineno);
}

bool Tracer::take(const ParsedLine& line, std::string_view file, std::uint64_t lineno) {
    const common::RecordLine& rec = line.rec;
    ++in_.lines;
    switch (line.kind) {
        case common::LineKind::Header:
        case common::LineKind::Comment:
        case common::LineKind::Blank: return true;
        case common::LineKind::Bad:
            if (rec.error() == common::LineError::UnknownVersion) {
                err_.put("nfstrace: ");
                err_.put(file);
                err_.put(':');
                err_.put_u64(lineno);
                err_.put(": rpcspy record format version ");
                err_.put_i64(rec.header_version());
                err_.put(" is not supported (this nfstrace reads version ");
                err_.put_u64(common::kRecordFormatVersion);
                err_.put(")\n");
                err_.flush();
                return false;
            }
            bad(file, lineno, rec.error_column(),
                std::string("bad record: ") + common::describe(rec.error()));
            return !cfg_.strict;
        case common::LineKind::Record: break;
    }
    ++in_.records;
    Event& ev = tracker_.next_event();
    Extract what = extractor_.extract(line, ev);
    if (!saw_record_) {
        saw_record_ = true;
        writer_.set_time_digits(extractor_.time_digits());
        if (!header_written_) {
            header_written_ = true;
            if (!cfg_.summary) writer_.header();
        }
    }
    if (cfg_.summary)
        summary_.add(rec, line.client, line.server, extractor_.time_digits());
    if (what == Extract::Compound) {
        ++in_.nfs4;
        Event base = ev;
        what = extractor_.extract_nfs4(rec, base, tracker_);
        if (what == Extract::Event) return true;  // queued already
    }
    switch (what) {
        case Extract::Event: tracker_.add_event(); break;
        case Extract::Ignored:
        case Extract::Compound: ++in_.ignored; break;
        case Extract::BadValue:
            bad(file, lineno, 0, "bad record: malformed handle, name or directory entry value");
            return !cfg_.strict;
    }
    return true;
}

bool Tracer::feed(int fd, std::string_view file) {
    ParseAhead input(fd, hosts_);
    for (;;) {
        // Input that runs dry (a live rpcspy | nfstrace): what is inferred so
        // far is written out now, rather than when the output buffer fills.
        // Not at every wait for the reading thread, which on a busy machine
        // can be many a second: each flush is a write and a wake-up of the
        // writing thread.
        const ParsedBlock* next = input.next_within(kDryAfter);
        if (!next) {
            if (cfg_.summary)
                out_.flush();
            else
                writer_.flush();
            next = &input.next();
        }
        const ParsedBlock& block = *next;
        if (block.last) {
            if (!block.read_error) return true;
            err_.put("nfstrace: ");
            err_.put(file);
            err_.put(": ");
            err_.put(std::strerror(block.read_error));
            err_.put('\n');
            err_.flush();
            return false;
        }
        // The hosts the reading thread met first in this block, in its order:
        // the same ids here.
        for (const std::string& host : block.new_hosts) hosts_.intern(host);
        // In groups: start loading the index entries of the first handle of
        // each record, then their nodes, then take the records.
        for (std::size_t at = 0; at < block.count; at += kBatch) {
            std::size_t end = std::min(block.count, at + kBatch);
            for (std::size_t i = at; i < end; ++i)
                if (block.lines[i].has_handle) handles_.prefetch_index(block.lines[i].handle_hash());
            for (std::size_t i = at; i < end; ++i) {
                const ParsedLine& line = block.lines[i];
                if (!line.has_handle) continue;
                handles_.prefetch_node(line.handle_hash());
                // The handles' text, to confirm their nodes (only an NFSv2/v3
                // line's decoding is its own; others keep an earlier line's).
                if (!line.nfs23) continue;
                const Nfs23Decoded& d = line.decoded;
                for (std::size_t h = 0; h < std::min<std::size_t>(d.handle_count, Nfs23Decoded::kInlineHandles); ++h) {
                    const char* p = d.inline_handles[h].hex_data;
                    __builtin_prefetch(p);
                    __builtin_prefetch(p + d.inline_handles[h].hex_size - 1);
                }
            }
            for (std::size_t i = at; i < end; ++i)
                if (!take(block.lines[i], file, block.first_line + i)) return false;
        }
        input.done();
    }
}

void Tracer::finish() {
    if (!header_written_) {
        header_written_ = true;
        if (!cfg_.summary) writer_.header();
    }
    writer_.set_time_digits(extractor_.time_digits());
    tracker_.finish();
    writer_.finish();
    if (cfg_.summary) summary_.finish();
    out_.flush();
    const TrackerStats& t = tracker_.stats();
    if (in_.bad_lines) {
        err_.put("nfstrace: ");
        err_.put_u64(in_.bad_lines);
        err_.put(" bad lines skipped\n");
    }
    if (cfg_.stats) {
        auto kv = [this](const char* k, std::uint64_t v) {
            err_.put(' ');
            err_.put(k);
            err_.put('=');
            err_.put_u64(v);
        };
        err_.put("# nfstrace:");
        kv("lines", in_.lines);
        kv("records", in_.records);
        kv("bad_lines", in_.bad_lines);
        kv("ignored", in_.ignored);
        kv("nfs4", in_.nfs4);
        kv("events", t.events);
        kv("late", t.late);
        kv("window_full", t.window_full);
        kv("opens", t.opens);
        kv("cache_hits", t.cache_hits);
        kv("checks_dropped", t.checks_dropped);
        kv("handles", handles_.size());
        kv("handles_expired", t.handles_expired);
        kv("max_runs", t.max_runs);
        kv("max_held", t.max_held);
        kv("forced_out", t.forced_out);
        err_.put('\n');
    }
    err_.flush();
}

namespace {

namespace po = boost::program_options;

bool seconds(const po::variables_map& vm, const char* name, Time& out, std::string& error) {
    if (!vm.count(name)) return true;
    double s = vm[name].as<double>();
    if (!std::isfinite(s) || s < 0 || s > 1e9) {
        error = std::string("--") + name + ": not a number of seconds";
        return false;
    }
    out = static_cast<Time>(std::llround(s * 1e9));
    return true;
}

const char* kUsage =
    "Usage: nfstrace [OPTION]... [FILE]...\n"
    "Infer user-level opens and closes of files from rpcspy(8) records (FILE, or\n"
    "standard input if none or -) and print one line per open, sorted by open time.\n";

}  // namespace

int nfstrace_main(int argc, char** argv) {
    Config cfg;
    po::options_description opts("Options");
    // clang-format off
    opts.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("idle", po::value<double>()->value_name("SECONDS"), "a gap this long ends an open (default 30)")
        ("lead", po::value<double>()->value_name("SECONDS"),
         "GETATTR/ACCESS/CREATE at most this long before I/O start its open (default 1)")
        ("window", po::value<double>()->value_name("SECONDS"), "reorder window on call times (default 2)")
        ("expire", po::value<double>()->value_name("SECONDS"),
         "forget handles not seen for this long (default 3600)")
        ("no-cache-hits", "do not report opens without I/O (GETATTR/ACCESS/CREATE only)")
        ("json", "write JSON Lines instead of text")
        ("no-names", "print no file names or paths")
        ("anonymize", po::value<std::string>()->value_name("KEYFILE"),
         "replace path components and file handles by keyed hashes")
        ("anonymize-numbers", "with --anonymize: also uids, gids and addresses")
        ("short-fh", "print a 16-digit hash instead of the whole file handle")
        ("summary", "print per client, user, procedure and file: calls, errors, bytes, latency "
                    "percentiles (instead of opens)")
        ("interval", po::value<double>()->value_name("SECONDS"), "with --summary: one summary per interval")
        ("strict", "a bad input line is a fatal error")
        ("stats", "print counters to standard error at the end");
    po::options_description hidden;
    hidden.add_options()("input", po::value<std::vector<std::string>>());
    // clang-format on
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("input", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "nfstrace: " << e.what() << "\n" << kUsage << "Try 'nfstrace --help'.\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << kUsage << "\n" << opts << "\nSee nfstrace(1).\n";
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "nfstrace (rpcspy toolkit) 0.1.0\n";
        return 0;
    }
    std::string error;
    if (!seconds(vm, "idle", cfg.idle, error) || !seconds(vm, "lead", cfg.lead, error) ||
        !seconds(vm, "window", cfg.window, error) || !seconds(vm, "expire", cfg.expire, error) ||
        !seconds(vm, "interval", cfg.interval, error)) {
        std::cerr << "nfstrace: " << error << "\n";
        return 2;
    }
    if (cfg.expire < cfg.window + cfg.idle) {
        std::cerr << "nfstrace: --expire must be at least --window plus --idle\n";
        return 2;
    }
    cfg.cache_hits = !vm.count("no-cache-hits");
    cfg.json = vm.count("json") > 0;
    cfg.names = !vm.count("no-names");
    cfg.short_fh = vm.count("short-fh") > 0;
    cfg.strict = vm.count("strict") > 0;
    cfg.summary = vm.count("summary") > 0;
    if (vm.count("interval") && (!cfg.summary || cfg.interval <= 0)) {
        std::cerr << "nfstrace: --interval needs --summary and a positive number of seconds\n";
        return 2;
    }
    cfg.stats = vm.count("stats") > 0;
    if (vm.count("anonymize")) {
        if (!load_key_file(vm["anonymize"].as<std::string>(), cfg.key, error)) {
            std::cerr << "nfstrace: --anonymize: " << error << "\n";
            return 2;
        }
        cfg.anonymize = true;
    }
    if (vm.count("anonymize-numbers")) {
        if (!cfg.anonymize) {
            std::cerr << "nfstrace: --anonymize-numbers needs --anonymize KEYFILE\n";
            return 2;
        }
        cfg.anonymize_numbers = true;
    }
    std::vector<std::string> inputs;
    if (vm.count("input")) inputs = vm["input"].as<std::vector<std::string>>();
    if (inputs.empty()) inputs.emplace_back("-");

    common::OutBuffer out(1, 1 << 18);
    common::OutBuffer err(2, 0);
    Tracer tracer(cfg, out, err);
    int status = 0;
    for (const std::string& name : inputs) {
        int fd = 0;
        if (name != "-") {
            fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                std::cerr << "nfstrace: " << name << ": " << std::strerror(errno) << "\n";
                status = 1;
                break;
            }
        }
        bool ok = tracer.feed(fd, name == "-" ? "(stdin)" : name);
        if (fd != 0) ::close(fd);
        if (!ok) {
            status = 1;
            break;
        }
    }
    tracer.finish();
    if (!out.flush()) {
        std::cerr << "nfstrace: write error: " << std::strerror(errno) << "\n";
        return 1;
    }
    if (status == 0 && cfg.strict && tracer.input_stats().bad_lines) status = 1;
    return status;
}

}  // namespace nfstrace
