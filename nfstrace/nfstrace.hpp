// nfstrace's driver: lines of rpcspy records in, inferred opens out.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/out_buffer.hpp"
#include "common/record_line.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/event.hpp"
#include "nfstrace/handles.hpp"
#include "nfstrace/opens.hpp"
#include "nfstrace/output.hpp"
#include "nfstrace/summary.hpp"
#include "nfstrace/write_behind.hpp"

namespace nfstrace {

struct InputStats {
    std::uint64_t lines = 0;
    std::uint64_t records = 0;
    std::uint64_t bad_lines = 0;
    std::uint64_t ignored = 0;  // records of no use here (portmap, NULL, ...)
    std::uint64_t nfs4 = 0;     // NFSv4 COMPOUND records
};

class Tracer {
public:
    // Opens go to `out`, diagnostics to `err`.
    Tracer(const Config& cfg, common::OutBuffer& out, common::OutBuffer& err);

    // One input line (without '\n') from `file` at `lineno`. False on a fatal
    // error (unknown format version; a bad line with --strict).
    bool line(std::string_view text, std::string_view file, std::uint64_t lineno);
    // All lines of a file descriptor, read and parsed on a second thread
    // (ParseAhead). False on a fatal error or a read error.
    bool feed(int fd, std::string_view file);
    // End of all input: writes the remaining opens (and --stats to `err`).
    void finish();

    const InputStats& input_stats() const { return in_; }
    const TrackerStats& tracker_stats() const { return tracker_.stats(); }
    const HandleTable& handles() const { return handles_; }

private:
    void bad(std::string_view file, std::uint64_t lineno, std::size_t column, std::string_view why);
    // The rest of line(), once parsed.
    bool take(const ParsedLine& line, std::string_view file, std::uint64_t lineno);

    // Records are taken in groups of this many, so that the memory they need
    // (their handles' index entries and nodes) loads in parallel.
    static constexpr std::size_t kBatch = 32;
    // The input is taken to have run dry once nothing new came for this long.
    static constexpr std::chrono::milliseconds kDryAfter{20};

    const Config& cfg_;
    common::OutBuffer& out_;
    common::OutBuffer& err_;
    HandleTable handles_;
    HostTable hosts_;
    DirListings listings_;
    Extractor extractor_;
    WriteBehind writer_;
    struct NullSink : OpenSink {
        void emit(const OpenRecord&) override {}
    } null_sink_;
    OpenTracker tracker_;
    Summary summary_;
    HostInterner interner_{hosts_, {}, {}};  // line()'s
    ParsedLine line_;  // line()'s
    InputStats in_;
    bool header_written_ = false;
    bool saw_record_ = false;
};

// The program: options, inputs, exit status (0 ok, 1 error, 2 usage).
int nfstrace_main(int argc, char** argv);

}  // namespace nfstrace
