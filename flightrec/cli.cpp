#include "cli.hpp"

#include "commands.hpp"
#include "ring.hpp"
#include "text.hpp"

// GCC 12 reports a "potential null pointer dereference" inside Boost.Program_options'
// typed_value<std::string>::notify (inlined std::string assignment); the instantiation
// lands at the end of this file, so the diagnostic is switched off for the file.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace po = boost::program_options;

namespace flightrec {
namespace {

constexpr const char* kUsage =
    "usage: flightrec COMMAND [options] FILE\n"
    "\n"
    "Keeps the last N bytes of a stream in a crash-safe ring file.\n"
    "\n"
    "commands:\n"
    "  record [options] FILE [-- CMD [ARGS...]]  record standard input or CMD's output\n"
    "  attach [options] FILE   print what is buffered, then follow (Ctrl-\\ detaches)\n"
    "  dump [options] FILE     print the buffered records in order and exit\n"
    "  stat FILE               size, records held, times, counters, recorder state\n"
    "  mark FILE TEXT...       insert a marker record\n"
    "  pause FILE | resume FILE   stop and restart recording, input is still read\n"
    "  stop FILE               stop the recorder\n"
    "\n"
    "'flightrec COMMAND --help' lists a command's options; see flightrec(1).\n";

struct Parsed {
  po::variables_map vm;
  std::vector<std::string> positional;
};

Parsed parse(const std::vector<std::string>& args, const po::options_description& opts) {
  po::options_description all;
  all.add(opts);
  all.add_options()("help,h", "show this help")("positional", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("positional", -1);
  Parsed p;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), p.vm);
  po::notify(p.vm);
  if (p.vm.count("positional") != 0) p.positional = p.vm["positional"].as<std::vector<std::string>>();
  return p;
}

std::string help_text(const std::string& synopsis, const po::options_description& opts) {
  std::ostringstream s;
  s << "usage: flightrec " << synopsis << "\n\n" << opts;
  return s.str();
}

std::string one_file(const Parsed& p, const char* command) {
  if (p.positional.size() != 1)
    throw Error(std::string(command) + ": expected one FILE (see flightrec " + command + " --help)",
                kExitUsage);
  return p.positional[0];
}

std::uint64_t size_arg(const po::variables_map& vm, const char* name) {
  const auto text = vm[name].as<std::string>();
  const auto v = parse_size(text);
  if (!v) throw Error(std::string("--") + name + ": not a size: " + text + " (e.g. 4096, 64K, 256M, 1G)", kExitUsage);
  return *v;
}

std::uint64_t time_arg(const po::variables_map& vm, const char* name) {
  const auto text = vm[name].as<std::string>();
  const auto v = parse_time_ns(text, now_ns());
  if (!v)
    throw Error(std::string("--") + name + ": not a time: " + text +
                    " (e.g. 2026-11-22T03:15:00Z, @1763781300, -10m)",
                kExitUsage);
  return *v;
}

po::options_description print_options() {
  po::options_description o("output");
  o.add_options()("headers,H", "print sequence number, UTC time and kind before each record")(
      "data-only,D", "leave out marker records (mark, pause, restart...)");
  return o;
}

PrintOptions print_from(const po::variables_map& vm) {
  PrintOptions p;
  p.headers = vm.count("headers") != 0;
  p.data_only = vm.count("data-only") != 0;
  return p;
}

int run_record(const std::vector<std::string>& args, const std::vector<std::string>& command) {
  po::options_description o("record options");
  o.add_options()("size,s", po::value<std::string>()->value_name("SIZE"), "ring size for a new file (default 64M)")(
      "when-full,w", po::value<std::string>()->default_value("overwrite")->value_name("POLICY"),
      "overwrite (oldest records go), drop (new records go, counted) or block (hold the producer)")(
      "max-record", po::value<std::string>()->value_name("SIZE"), "longest record; longer lines are split (default 64K)")(
      "binary,b", "record input in chunks as read, not one record per line")(
      "launch,L", "run in the background, detached from the terminal")(
      "force,f", "re-create FILE even if it holds a ring or something else")(
      "stderr", "with -- CMD, record its standard error too")(
      "sync", po::value<std::string>()->default_value("none")->value_name("INTERVAL"),
      "none, or an interval (e.g. 1s) at which to msync the file to disk")(
      "log", po::value<std::string>()->value_name("FILE"), "with -L, append the recorder's messages to this file");
  const Parsed p = parse(args, o);
  if (p.vm.count("help") != 0) {
    std::cout << help_text("record [options] FILE [-- CMD [ARGS...]]", o);
    return kExitOk;
  }
  RecordOptions r;
  r.path = one_file(p, "record");
  r.command = command;
  if (p.vm.count("size") != 0) r.size = size_arg(p.vm, "size");
  if (p.vm.count("max-record") != 0) {
    r.max_record = size_arg(p.vm, "max-record");
    if (*r.max_record == 0 || *r.max_record > (1u << 30))
      throw Error("--max-record: must be between 1 and 1G", kExitUsage);
  }
  const auto policy = p.vm["when-full"].as<std::string>();
  if (policy == "overwrite") r.policy = FullPolicy::overwrite;
  else if (policy == "drop") r.policy = FullPolicy::drop;
  else if (policy == "block") r.policy = FullPolicy::block;
  else throw Error("--when-full: expected overwrite, drop or block, not " + policy, kExitUsage);
  r.binary = p.vm.count("binary") != 0;
  r.launch = p.vm.count("launch") != 0;
  r.force = p.vm.count("force") != 0;
  r.with_stderr = p.vm.count("stderr") != 0;
  if (r.with_stderr && command.empty()) throw Error("--stderr needs -- CMD", kExitUsage);
  const auto sync = p.vm["sync"].as<std::string>();
  if (sync != "none") {
    const auto d = parse_duration_ns(sync);
    if (!d || *d == 0) throw Error("--sync: expected none or an interval such as 500ms or 1s", kExitUsage);
    r.sync_interval_ns = *d;
  }
  if (p.vm.count("log") != 0) r.log_path = p.vm["log"].as<std::string>();
  return cmd_record(r);
}

int run_dump(const std::vector<std::string>& args) {
  po::options_description o("dump options");
  o.add_options()("since", po::value<std::string>()->value_name("TIME"), "only records at or after this time")(
      "until", po::value<std::string>()->value_name("TIME"), "only records at or before this time")(
      "last,n", po::value<std::uint64_t>()->value_name("N"), "only the last N records (after the other filters)");
  o.add(print_options());
  const Parsed p = parse(args, o);
  if (p.vm.count("help") != 0) {
    std::cout << help_text("dump [options] FILE", o);
    return kExitOk;
  }
  DumpOptions d;
  d.path = one_file(p, "dump");
  d.print = print_from(p.vm);
  if (p.vm.count("since") != 0) d.since_ns = time_arg(p.vm, "since");
  if (p.vm.count("until") != 0) d.until_ns = time_arg(p.vm, "until");
  if (p.vm.count("last") != 0) d.last = p.vm["last"].as<std::uint64_t>();
  return cmd_dump(d);
}

int run_attach(const std::vector<std::string>& args) {
  po::options_description o("attach options");
  o.add_options()("new", "skip what is already buffered; print only new records")(
      "stop-on-interrupt,k", "Ctrl-C (SIGINT) stops the recorder as well as detaching")(
      "consume", "advance the ring's oldest position as records are printed, so a recorder "
                 "with --when-full drop or block can go on (one such reader at a time)");
  o.add(print_options());
  const Parsed p = parse(args, o);
  if (p.vm.count("help") != 0) {
    std::cout << help_text("attach [options] FILE", o);
    return kExitOk;
  }
  AttachOptions a;
  a.path = one_file(p, "attach");
  a.print = print_from(p.vm);
  a.new_only = p.vm.count("new") != 0;
  a.stop_on_interrupt = p.vm.count("stop-on-interrupt") != 0;
  a.consume = p.vm.count("consume") != 0;
  return cmd_attach(a);
}

int run_control(const std::string& name, Command command, const std::vector<std::string>& args) {
  po::options_description o(name + " options");
  o.add_options()("timeout", po::value<std::string>()->default_value("10s")->value_name("DURATION"),
                  "how long to wait for the recorder to answer");
  const Parsed p = parse(args, o);
  const std::string synopsis = name + (command == Command::mark ? " FILE TEXT..." : " FILE");
  if (p.vm.count("help") != 0) {
    std::cout << help_text(synopsis, o);
    return kExitOk;
  }
  const auto timeout = parse_duration_ns(p.vm["timeout"].as<std::string>());
  if (!timeout) throw Error("--timeout: not a duration", kExitUsage);
  std::string text;
  if (command == Command::mark) {
    if (p.positional.size() < 2) throw Error("usage: flightrec " + synopsis, kExitUsage);
    for (std::size_t i = 1; i < p.positional.size(); ++i) text += (i > 1 ? " " : "") + p.positional[i];
    if (text.size() > kControlTextMax)
      throw Error("mark: text longer than " + std::to_string(kControlTextMax) + " bytes", kExitUsage);
  } else if (p.positional.size() != 1) {
    throw Error("usage: flightrec " + synopsis, kExitUsage);
  }
  return cmd_control(p.positional[0], command, text, *timeout);
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
      std::fputs(kUsage, args.empty() ? stderr : stdout);
      return args.empty() ? kExitUsage : kExitOk;
    }
    if (args[0] == "--version") {
      std::printf("flightrec 0.1.0 (ring layout version %u)\n", kLayoutVersion);
      return kExitOk;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    // Everything after "--" is the command to run (record only).
    std::vector<std::string> tail;
    if (const auto dd = std::find(args.begin(), args.end(), "--"); dd != args.end()) {
      tail.assign(dd + 1, args.end());
      args.erase(dd, args.end());
      if (command != "record") throw Error(command + ": unexpected '--'", kExitUsage);
      if (tail.empty()) throw Error("record: no command after '--'", kExitUsage);
    }
    if (command == "record") return run_record(args, tail);
    if (command == "dump") return run_dump(args);
    if (command == "attach") return run_attach(args);
    if (command == "stat") {
      po::options_description o("stat options");
      const Parsed p = parse(args, o);
      if (p.vm.count("help") != 0) {
        std::cout << help_text("stat FILE", o);
        return kExitOk;
      }
      return cmd_stat(one_file(p, "stat"));
    }
    if (command == "stop") return run_control(command, Command::stop, args);
    if (command == "mark") return run_control(command, Command::mark, args);
    if (command == "pause") return run_control(command, Command::pause, args);
    if (command == "resume") return run_control(command, Command::resume, args);
    throw Error("unknown command '" + command + "' (try flightrec --help)", kExitUsage);
  } catch (const Error& e) {
    std::fprintf(stderr, "flightrec: %s\n", e.what());
    return e.status();
  } catch (const po::error& e) {
    std::fprintf(stderr, "flightrec: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flightrec: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace flightrec
