// rpcspy's command line.
#pragma once

#include <string>
#include <vector>

#include "rpcspy/capture.hpp"
#include "rpcspy/record_writer.hpp"
#include "rpcspy/tracer.hpp"

namespace rpcspy {

struct Options {
    std::string read_file;   // -r
    std::string interface;   // -i
    LiveOptions live;
    std::string filter;      // trailing arguments, joined
    OutputFormat format = OutputFormat::Text;
    bool line_buffered = false;
    bool no_names = false;   // --no-names
    std::string user;        // -Z: the user to change to after opening the capture
    bool stats = false;
    int time_digits = 6;
    double duration = 0;     // stop after this many seconds (0: no limit)
    int workers = 1;         // --workers: live capture threads in one AF_PACKET fanout group
    TracerOptions tracer;
};

enum class ParseOutcome { Run, Exit, UsageError };

// Parses argv into `o`. On Exit (help or version) `message` is what to print on
// standard output; on UsageError it is the error for standard error.
ParseOutcome parse_options(int argc, char** argv, Options& o, std::string& message);

}  // namespace rpcspy
