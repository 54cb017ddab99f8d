// flightrec record: standard input (or a command's output) into a ring file.
#include "commands.hpp"
#include "pump.hpp"
#include "ring.hpp"
#include "text.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace flightrec {
namespace {

// Set by signal handlers, which may run in the input thread as well as the main
// one: lock-free atomics are safe in both roles.
std::atomic<int> g_stop_signal{0};
std::atomic<int> g_wake{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
  g_stop_signal.store(sig);
  g_wake.store(1);
}
extern "C" void on_wake_signal(int) { g_wake.store(1); }

constexpr std::uint64_t kDefaultSize = 64ull << 20;
constexpr std::uint64_t kDrainNs = 3'000'000'000ull;  // a stopped command's last output

std::string errno_text() { return std::strerror(errno); }

// Opens the ring named by the options, creating it if needed.
RingFile open_ring(const RecordOptions& o) {
  struct stat st {};
  const bool exists = ::stat(o.path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) throw Error(o.path + ": " + errno_text());
  if (exists && !o.force) {
    try {
      RingFile f = RingFile::open(o.path, true);
      if (o.size && (*o.size & ~(kRecordAlign - 1)) != f.capacity())
        throw Error(o.path + ": holds a ring of " + std::to_string(f.capacity()) +
                    " bytes, not " + std::to_string(*o.size) +
                    " (use --force to re-create it, losing its records)");
      return f;
    } catch (const Error& e) {
      if (std::string(e.what()).find("use --force") != std::string::npos) throw;
      throw Error(std::string(e.what()) + " (use --force to replace the file)");
    }
  }
  return RingFile::create(o.path, o.size.value_or(kDefaultSize), o.force);
}

struct Child {
  pid_t pid = -1;
  int fd = -1;
};

Child start_command(const RecordOptions& o) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  int ready[2];  // reports an exec failure to the parent
  if (pipe2(ready, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  const pid_t pid = fork();
  if (pid < 0) throw Error("fork: " + errno_text());
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::signal(SIGPIPE, SIG_DFL);
    dup2(p[1], STDOUT_FILENO);
    if (o.with_stderr) dup2(p[1], STDERR_FILENO);
    std::vector<char*> argv;
    for (const auto& a : o.command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    const int err = errno;
    [[maybe_unused]] auto n = write(ready[1], &err, sizeof err);
    _exit(127);
  }
  ::close(p[1]);
  ::close(ready[1]);
  int err = 0;
  ssize_t n;
  do n = read(ready[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  ::close(ready[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    ::close(p[0]);
    waitpid(pid, nullptr, 0);
    throw Error(o.command[0] + ": " + std::strerror(err));
  }
  return Child{pid, p[0]};
}

void install_signals(sigset_t& run_mask) {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop_signal;  // no SA_RESTART: ppoll and sleeps return early
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  sa.sa_handler = on_wake_signal;
  sigaction(SIGUSR1, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t block;
  sigemptyset(&block);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &run_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigdelset(&run_mask, s);
}

class Recorder {
 public:
  Recorder(RingFile& file, Writer& writer, const RecordOptions& o)
      : w_(writer), h_(file.header()), o_(o) {}

  // Records input until end of input or a stop; returns why it ended. With a deadline
  // (after a stop, to take in a command's last output) it goes on until end of input or
  // the deadline, whatever else happens, and returns "" at the deadline.
  std::string run(int fd, const sigset_t& run_mask, std::uint64_t deadline_ns = 0);

 private:
  [[gnu::always_inline]] inline bool put(Kind kind, std::uint16_t flags, const char* p, std::size_t n);
  std::uint64_t read_ns_ = 0;  // when the current input was read: its records' timestamp
  void handle_control();
  bool service();  // signals and control requests; false once stopping

  Writer& w_;
  FileHeader& h_;
  const RecordOptions& o_;
  bool paused_ = false;
  bool stopping_ = false;
  std::string reason_;
  enum class Took { all, interrupted, ended };
  Took take(InputPump::Chunk& c);
  static constexpr std::size_t kChunk = 1 << 20;  // one read()
  static constexpr unsigned kChunks = 3;             // read ahead of the records
  std::unique_ptr<InputPump> pump_;
  std::unique_ptr<char[]> carry_;  // the start of an unfinished line
  std::size_t have_ = 0;           // bytes in carry_
};

bool Recorder::service() {
  if (g_wake.exchange(0) != 0) {
    if (const int sig = g_stop_signal.load(); sig != 0 && !stopping_) {
      stopping_ = true;
      reason_ = std::string("stopped by signal SIG") + sigabbrev_np(sig);
    }
  }
  if (load(h_.control.request, std::memory_order_acquire) != load(h_.control.ack)) handle_control();
  // Once stopping, the flag stays raised: a full block-mode ring that nobody reads
  // must not hold what is left (read-ahead input, a command's last output, the stop
  // record) forever, so each of those is written only if it fits.
  if (stopping_) g_wake.store(1);
  return !stopping_;
}

void Recorder::handle_control() {
  const std::uint64_t req = load(h_.control.request, std::memory_order_acquire);
  const auto cmd = static_cast<Command>(load(h_.control.command));
  const std::size_t len = std::min<std::size_t>(load(h_.control.text_length), kControlTextMax);
  std::int32_t result = 0;
  auto add = [&](Kind k, const char* text, std::size_t n) {
    if (w_.append(k, 0, text, n) != Writer::Result::written) result = ENOSPC;
  };
  switch (cmd) {
    case Command::mark: {
      char text[kControlTextMax];
      std::memcpy(text, h_.control.text, len);
      add(Kind::mark, text, len);
      break;
    }
    case Command::pause:
      if (!paused_) {
        add(Kind::pause, "paused", 6);
        paused_ = true;
        store(h_.paused, std::uint64_t{1});
      }
      break;
    case Command::resume:
      if (paused_) {
        paused_ = false;
        store(h_.paused, std::uint64_t{0});
        add(Kind::resume, "resumed", 7);
      }
      break;
    case Command::stop:
      stopping_ = true;
      reason_ = "stopped by flightrec stop";
      break;
    case Command::none: break;
    default: result = EINVAL;
  }
  store(h_.control.result, result);
  store(h_.control.ack, req, std::memory_order_release);
}

inline bool Recorder::put(Kind kind, std::uint16_t flags, const char* p, std::size_t n) {
  if (paused_) {
    w_.note_paused_skip();
    return true;
  }
  for (;;) {
    const auto r = w_.append(kind, flags, p, n, read_ns_);
    if (r != Writer::Result::interrupted) return true;
    // Block policy, woken by a signal or a controller while the ring was full.
    if (!service()) return false;
    if (paused_) return true;
  }
}

std::string Recorder::run(int fd, const sigset_t& run_mask, std::uint64_t deadline_ns) {
  const std::size_t max = static_cast<std::size_t>(w_.max_record());
  if (!pump_) {
    // Input is read by a thread a few chunks ahead; a chunk has room before it for the
    // unfinished line carried over from the chunk before (at most max bytes).
    pump_ = std::make_unique<InputPump>(max, std::max<std::size_t>(kChunk, max), kChunks);
    carry_ = std::make_unique_for_overwrite<char[]>(max);
  }
  pump_->start(fd, run_mask);
  std::uint64_t last_sync = now_ns();
  const std::uint64_t sync_every = o_.sync_interval_ns;
  bool stopped = false;  // by a signal, a stop request or the deadline
  for (;;) {
    if (!service() && deadline_ns == 0) {
      stopped = true;
      break;
    }
    std::uint64_t wait = UINT64_MAX;
    const std::uint64_t now = now_ns();
    if (deadline_ns != 0) {
      if (now >= deadline_ns) {
        stopped = true;
        break;
      }
      wait = deadline_ns - now;
    }
    if (sync_every != 0) {
      if (now - last_sync >= sync_every) {
        w_.sync();
        last_sync = now;
      }
      wait = std::min(wait, sync_every - (now - last_sync));
    }
    InputPump::Chunk* c = pump_->next();
    if (c == nullptr) {
      timespec ts{};
      if (wait != UINT64_MAX) {
        ts.tv_sec = static_cast<time_t>(wait / 1000000000u);
        ts.tv_nsec = static_cast<long>(wait % 1000000000u);
      }
      pump_->wait(wait != UINT64_MAX ? &ts : nullptr, run_mask);
      continue;
    }
    const Took t = take(*c);
    if (t == Took::ended) return "end of input";
    if (t == Took::interrupted) break;
  }
  pump_->stop();
  if (stopped) {
    // What the thread had read already is recorded as well, unless the ring is full
    // in block mode (the wake flag, raised while stopping, makes it give up at once).
    for (InputPump::Chunk* c; (c = pump_->next()) != nullptr && c->length != 0;)
      if (take(*c) != Took::all) break;
  }
  return reason_;
}

// Records one chunk of input (with the unfinished line carried before it) and releases it.
Recorder::Took Recorder::take(InputPump::Chunk& c) {
  const std::size_t max = static_cast<std::size_t>(w_.max_record());
  std::size_t& have = have_;
  read_ns_ = c.read_ns;
  if (c.length == 0) {
    if (c.error != 0) {
      errno = c.error;
      throw Error("reading input: " + errno_text());
    }
    pump_->release();
    if (have > 0 && !put(Kind::data, 0, carry_.get(), have)) return Took::interrupted;
    have = 0;
    return Took::ended;
  }
  const std::size_t n = c.length;
  w_.note_input(static_cast<std::uint64_t>(n));
  char* const buf = c.data - have;
  if (have > 0) std::memcpy(buf, carry_.get(), have);
  const std::size_t end = have + n;
  std::size_t start = 0;
  const Took cut = Took::interrupted;
  auto done = [&](Took t) {
    pump_->release();
    return t;
  };
  if (o_.binary) {
    for (; start < end; start += std::min(max, end - start))
      if (!put(Kind::data, 0, buf + start, std::min(max, end - start))) return done(cut);
    have = 0;
    w_.flush_counters();
    return done(Took::all);
  }
  const char* scan = buf + have;
  const char* const stop = buf + end;
  while (scan < stop) {
    const auto* nl = static_cast<const char*>(std::memchr(scan, '\n', static_cast<std::size_t>(stop - scan)));
    if (nl == nullptr) break;
    const char* line = buf + start;
    std::size_t len = static_cast<std::size_t>(nl - line);
    // A line longer than a record goes in pieces; only the last carries the newline.
    while (len > max) {
      if (!put(Kind::data, 0, line, max)) return done(cut);
      line += max;
      len -= max;
    }
    if (!put(Kind::data, kFlagNewline, line, len)) return done(cut);
    start = static_cast<std::size_t>(nl + 1 - buf);
    scan = nl + 1;
  }
  while (end - start > max) {  // an unfinished line already longer than a record
    if (!put(Kind::data, 0, buf + start, max)) return done(cut);
    start += max;
  }
  have = end - start;
  if (have > 0) std::memcpy(carry_.get(), buf + start, have);
  w_.flush_counters();
  return done(Took::all);
}

int record_now(const RecordOptions& o, int ready_fd) {
  auto report_ready = [&](const std::string& msg) {
    if (ready_fd < 0) return;
    [[maybe_unused]] auto n = write(ready_fd, msg.data(), msg.size());
    ::close(ready_fd);
    ready_fd = -1;
  };
  try {
    sigset_t run_mask;
    install_signals(run_mask);
    RingFile file = open_ring(o);
    Writer::Options wo;
    wo.policy = o.policy;
    wo.max_record = o.max_record.value_or(std::min<std::uint64_t>(
        65536, file.capacity() / 4 > kRecordHeaderSize ? file.capacity() / 4 - kRecordHeaderSize : 1));
    wo.interrupt = &g_wake;
    Writer w(file, wo);
    const Recovery& rec = w.recovery();
    if (rec.existing) {
      std::string text = "previous recorder (pid " + std::to_string(rec.previous_pid) +
                         (rec.previous_died ? ") died" : ") stopped cleanly") + "; " +
                         std::to_string(rec.records) + " records kept";
      if (!rec.damage.empty()) {
        text += "; cut " + std::to_string(rec.discarded_bytes) + " damaged bytes: " + rec.damage;
        std::fprintf(stderr, "flightrec: %s: %s\n", o.path.c_str(), text.c_str());
      }
      w.append_text(Kind::restart, text);
    }
    Child child;
    if (!o.command.empty()) child = start_command(o);
    report_ready("ok");
    Recorder r(file, w, o);
    std::string why = r.run(child.fd >= 0 ? child.fd : STDIN_FILENO, run_mask);
    if (why.empty()) why = "stopped";
    if (child.pid > 0) {
      // Stopped before the command ended: end it with SIGTERM and record what it writes
      // until it closes its output (at most kDrainNs). Then say how it ended.
      if (why != "end of input") {
        kill(child.pid, SIGTERM);
        r.run(child.fd, run_mask, now_ns() + kDrainNs);
      }
      ::close(child.fd);
      int status = 0;
      pid_t done = 0;
      for (int i = 0; i < 200 && (done = waitpid(child.pid, &status, WNOHANG)) == 0; ++i) {
        timespec ts{0, 10'000'000};
        nanosleep(&ts, nullptr);
      }
      if (done == 0) {
        kill(child.pid, SIGKILL);
        done = waitpid(child.pid, &status, 0);
      }
      if (done == child.pid && WIFEXITED(status))
        why += "; " + o.command[0] + " exited with status " + std::to_string(WEXITSTATUS(status));
      else if (done == child.pid && WIFSIGNALED(status))
        why += "; " + o.command[0] + " ended by signal SIG" + sigabbrev_np(WTERMSIG(status));
    }
    if (w.append_text(Kind::stop, why) == Writer::Result::interrupted)
      std::fprintf(stderr, "flightrec: %s: ring full (block mode): stop record not written (%s)\n",
                   o.path.c_str(), why.c_str());
    w.close();
    if (o.sync_interval_ns != 0) file.sync();
    return kExitOk;
  } catch (const Error& e) {
    report_ready(std::string("flightrec: ") + e.what());
    std::fprintf(stderr, "flightrec: %s\n", e.what());
    return e.status();
  }
}

}  // namespace

int cmd_record(const RecordOptions& o) {
  if (!o.launch) return record_now(o, -1);
  if (o.command.empty() && isatty(STDIN_FILENO))
    throw Error("record -L reads a command's output (-- CMD) or redirected input, not a terminal",
                kExitUsage);
  // -L: the recorder runs in a new session; this process waits until it is recording
  // (or has failed) and says how to reach it.
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text());
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw Error("fork: " + errno_text());
  if (pid == 0) {
    ::close(ready[0]);
    setsid();
    const int null = ::open("/dev/null", O_RDWR);
    const int log = o.log_path.empty() ? null
                                       : ::open(o.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (!o.command.empty() && null >= 0) dup2(null, STDIN_FILENO);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    _exit(record_now(o, ready[1]));
  }
  ::close(ready[1]);
  std::string msg;
  char buf[512];
  for (;;) {
    const ssize_t n = read(ready[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(buf, static_cast<std::size_t>(n));
  }
  ::close(ready[0]);
  if (msg != "ok") {
    if (msg.empty()) msg = "flightrec: the recorder exited before it started";
    std::fprintf(stderr, "%s\n", msg.c_str());
    waitpid(pid, nullptr, 0);
    return kExitError;
  }
  std::printf("flightrec: recording to %s in the background (pid %d)\n"
              "  attach:  flightrec attach %s\n"
              "  stop:    flightrec stop %s\n",
              o.path.c_str(), static_cast<int>(pid), o.path.c_str(), o.path.c_str());
  return kExitOk;
}

}  // namespace flightrec
