// The flightrec subcommands, with their options already parsed (see cli.cpp).
#pragma once

#include "layout.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flightrec {

struct RecordOptions {
  std::string path;
  std::optional<std::uint64_t> size;  // ring data bytes; default 64 MiB for a new file
  FullPolicy policy = FullPolicy::overwrite;
  std::optional<std::uint64_t> max_record;  // default min(64 KiB, size / 4)
  bool binary = false;
  bool launch = false;        // -L: run in the background, detached
  bool force = false;         // re-create the file
  bool with_stderr = false;   // -- CMD: record its standard error too
  std::uint64_t sync_interval_ns = 0;  // 0: never msync
  std::string log_path;       // -L: where the recorder's own messages go
  std::vector<std::string> command;
};

struct PrintOptions {
  bool headers = false;    // -H: sequence, time and kind before each record
  bool data_only = false;  // leave out markers
};

struct DumpOptions {
  std::string path;
  PrintOptions print;
  std::optional<std::uint64_t> since_ns, until_ns;
  std::optional<std::uint64_t> last;
};

struct AttachOptions {
  std::string path;
  PrintOptions print;
  bool new_only = false;           // skip what is already buffered
  bool stop_on_interrupt = false;  // Ctrl-C stops the recorder too
  bool consume = false;            // advance the ring's head (no-overwrite policies)
};

int cmd_record(const RecordOptions& o);
int cmd_dump(const DumpOptions& o);
int cmd_attach(const AttachOptions& o);
int cmd_stat(const std::string& path);
// stop, mark, pause, resume
int cmd_control(const std::string& path, Command command, const std::string& text,
                std::uint64_t timeout_ns);

}  // namespace flightrec
