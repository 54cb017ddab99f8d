// flightrec dump, attach, stat, and the control commands (stop, mark, pause, resume).
#include "commands.hpp"
#include "ring.hpp"
#include "text.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace flightrec {
namespace {

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

void sleep_ns(long ns) {
  timespec ts{0, ns};
  nanosleep(&ts, nullptr);
}

bool is_marker(const RecordHeader& h) { return h.kind != static_cast<std::uint16_t>(Kind::data); }

// One record, as flightrec(1) "OUTPUT FORMAT" describes.
void print_record(Output& out, const PrintOptions& p, const Reader::Record& r) {
  const RecordHeader& h = r.header;
  const auto kind = static_cast<Kind>(h.kind);
  if (p.headers) {
    char time[40];
    out.put_u64(h.sequence);
    out.put(' ');
    out.put(time, format_time(h.timestamp, time));
    out.put(' ');
    if (kind == Kind::data && (h.flags & kFlagNewline) == 0) out.put("part");
    else out.put(kind_name(kind));
    out.put(' ');
    out.put(r.payload, h.length);
    out.put('\n');
    return;
  }
  if (kind == Kind::data) {
    out.put(r.payload, h.length);
    if ((h.flags & kFlagNewline) != 0) out.put('\n');
    return;
  }
  out.put("--- flightrec ");
  out.put(kind_name(kind));
  out.put(": ");
  out.put(r.payload, h.length);
  out.put('\n');
}

void report_missed(const std::string& path, std::uint64_t missed, const char* why) {
  std::fprintf(stderr, "flightrec: %s: missed %llu records (%s)\n", path.c_str(),
               static_cast<unsigned long long>(missed), why);
}

int damaged(const std::string& path, const Reader& r, std::uint64_t printed) {
  std::fprintf(stderr, "flightrec: %s: %s; %llu records printed before it\n", path.c_str(),
               r.damage().c_str(), static_cast<unsigned long long>(printed));
  return kExitDamaged;
}

int output_failed(const Output& out) {
  if (out.error() == EPIPE) return kExitOk;  // the reader went away: not our failure
  std::fprintf(stderr, "flightrec: writing output: %s\n", std::strerror(out.error()));
  return kExitError;
}

void send_stop(const std::string& path) {
  try {
    cmd_control(path, Command::stop, "", 10'000'000'000ull);
  } catch (const Error& e) {
    std::fprintf(stderr, "flightrec: %s\n", e.what());
  }
}

}  // namespace

int cmd_dump(const DumpOptions& o) {
  const RingFile file = RingFile::open(o.path, false);
  const std::uint64_t limit = load(file.header().tail, std::memory_order_acquire);
  std::signal(SIGPIPE, SIG_IGN);
  auto wanted = [&](const RecordHeader& h) {
    if (o.print.data_only && is_marker(h)) return false;
    if (o.since_ns && h.timestamp < *o.since_ns) return false;
    if (o.until_ns && h.timestamp > *o.until_ns) return false;
    return true;
  };
  Output out(STDOUT_FILENO);
  if (o.last) {
    // --last N: one pass keeping copies of the newest N wanted records (at most what the
    // ring holds), so a writer lapping the ring meanwhile cannot leave nothing to print.
    if (*o.last == 0) return kExitOk;
    struct Kept {
      RecordHeader header;
      std::string payload;
    };
    std::deque<Kept> kept;
    Reader r(file);
    Reader::Record rec;
    Reader::Status st;
    while ((st = r.next(rec, limit)) == Reader::Status::record) {
      if (rec.missed > 0) report_missed(o.path, rec.missed, "overwritten while dumping");
      if (!wanted(rec.header)) continue;
      if (kept.size() == *o.last) kept.pop_front();
      kept.push_back({rec.header, std::string(reinterpret_cast<const char*>(rec.payload), rec.header.length)});
    }
    for (const Kept& k : kept) {
      Reader::Record view;
      view.header = k.header;
      view.payload = reinterpret_cast<const unsigned char*>(k.payload.data());
      print_record(out, o.print, view);
      if (!out.ok()) return output_failed(out);
    }
    if (!out.flush()) return output_failed(out);
    if (st == Reader::Status::damaged) return damaged(o.path, r, kept.size());
    return kExitOk;
  }
  Reader r(file);
  Reader::Record rec;
  std::uint64_t printed = 0;
  for (;;) {
    const auto st = r.next(rec, limit);
    if (st == Reader::Status::end) break;
    if (st == Reader::Status::damaged) {
      out.flush();
      return damaged(o.path, r, printed);
    }
    if (rec.missed > 0) {
      out.flush();
      report_missed(o.path, rec.missed, "overwritten while dumping");
    }
    if (!wanted(rec.header)) continue;
    print_record(out, o.print, rec);
    ++printed;
    if (!out.ok()) return output_failed(out);
  }
  if (!out.flush()) return output_failed(out);
  return kExitOk;
}

int cmd_attach(const AttachOptions& o) {
  const RingFile file = RingFile::open(o.path, o.consume);
  FileHeader& h = file.header();
  if (o.consume) {
    if (static_cast<FullPolicy>(load(h.full_policy)) == FullPolicy::overwrite)
      throw Error(o.path + ": --consume needs a ring recorded with --when-full drop or block", kExitUsage);
    if (!file.try_lock(kConsumerLockByte)) throw Error(o.path + ": another reader is consuming this ring");
  }
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_signal;  // no SA_RESTART: the idle sleep ends at once
  for (int s : {SIGINT, SIGQUIT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Output out(STDOUT_FILENO, 256 << 10);
  Reader r(file);
  if (o.new_only) r.seek(load(h.tail, std::memory_order_acquire));
  Reader::Record rec;
  long nap = 200000;
  std::uint64_t idle_since = 0;
  std::uint64_t printed = 0;
  std::uint64_t consumed_seq = 0;
  bool consumed_any = false;
  auto consume = [&] {
    if (!o.consume || !consumed_any) return;
    store(h.head_sequence, consumed_seq);
    store(h.head, r.position(), std::memory_order_release);
  };
  for (;;) {
    if (g_signal != 0) {
      const int sig = g_signal;
      out.flush();
      consume();
      if (sig == SIGINT && o.stop_on_interrupt) {
        send_stop(o.path);
        g_signal = 0;
        continue;  // print what the recorder wrote while stopping, then end below
      }
      std::fprintf(stderr, "flightrec: detached from %s%s\n", o.path.c_str(),
                   file.writer_alive() ? "; the recorder goes on" : "");
      return kExitOk;
    }
    const auto st = r.next(rec);
    if (st == Reader::Status::damaged) {
      out.flush();
      return damaged(o.path, r, printed);
    }
    if (st == Reader::Status::record) {
      nap = 200000;
      idle_since = 0;
      if (rec.missed > 0) {
        out.flush();
        report_missed(o.path, rec.missed, "lapped by the writer");
      }
      if (!(o.print.data_only && is_marker(rec.header))) {
        print_record(out, o.print, rec);
        ++printed;
      }
      consumed_seq = rec.header.sequence + 1;
      consumed_any = true;
      if (!out.ok()) return output_failed(out);
      if (o.consume && printed % 4096 == 0) {
        out.flush();
        consume();
      }
      continue;
    }
    // Nothing new: show what we have, then wait without touching the writer.
    if (!out.flush()) return output_failed(out);
    consume();
    const std::uint64_t now = now_ns();
    if (idle_since == 0) idle_since = now;
    if (!file.writer_alive() && r.position() >= load(h.tail, std::memory_order_acquire)) {
      std::fprintf(stderr, "flightrec: %s: the recorder has stopped\n", o.path.c_str());
      return kExitOk;
    }
    sleep_ns(nap);
    nap = std::min(nap * 2, 10'000'000L);
  }
}

int cmd_stat(const std::string& path) {
  const RingFile file = RingFile::open(path, false);
  const FileHeader& h = file.header();
  const std::uint64_t head = load(h.head, std::memory_order_acquire);
  const std::uint64_t tail = load(h.tail, std::memory_order_acquire);
  const std::uint64_t next = load(h.next_sequence);
  const std::uint64_t head_seq = std::min(load(h.head_sequence), next);
  const bool alive = file.writer_alive();
  const bool open = load(h.writer_open) != 0;
  const auto pid = static_cast<unsigned long long>(load(h.writer_pid));
  auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("file:              %s\n", path.c_str());
  std::printf("layout version:    %u\n", h.version);
  std::printf("ring size:         %llu bytes\n", u(file.capacity()));
  std::printf("bytes held:        %llu\n", u(tail - std::min(head, tail)));
  std::printf("records held:      %llu\n", u(next - head_seq));
  if (next > head_seq)
    std::printf("sequence:          %llu to %llu\n", u(head_seq), u(next - 1));
  Reader r(file);
  Reader::Record rec;
  if (next > head_seq && r.next(rec) == Reader::Status::record)
    std::printf("oldest record:     %s\n", format_time(rec.header.timestamp).c_str());
  if (next > head_seq) std::printf("newest record:     %s\n", format_time(load(h.newest_ns)).c_str());
  std::printf("records written:   %llu\n", u(next));
  std::printf("overwritten:       %llu\n", u(load(h.overwritten)));
  std::printf("dropped:           %llu\n", u(load(h.dropped)));
  std::printf("skipped (paused):  %llu\n", u(load(h.paused_skipped)));
  std::printf("input bytes:       %llu\n", u(load(h.input_bytes)));
  std::printf("when full:         %s\n", policy_name(static_cast<FullPolicy>(load(h.full_policy))));
  std::printf("sessions:          %llu\n", u(load(h.sessions)));
  if (alive)
    std::printf("recorder:          running, pid %llu, since %s%s\n", pid,
                format_time(load(h.writer_started_ns)).c_str(), load(h.paused) != 0 ? ", paused" : "");
  else if (open)
    std::printf("recorder:          died (pid %llu did not stop cleanly; a new recorder continues the file)\n", pid);
  else if (load(h.sessions) > 0)
    std::printf("recorder:          none (pid %llu stopped cleanly)\n", pid);
  else
    std::printf("recorder:          none (never recorded)\n");
  std::fflush(stdout);
  return kExitOk;
}

int cmd_control(const std::string& path, Command command, const std::string& text,
                std::uint64_t timeout_ns) {
  const RingFile file = RingFile::open(path, true);
  FileHeader& h = file.header();
  auto not_running = [&] {
    return Error(path + ": no recorder is running (the last one, pid " +
                 std::to_string(load(h.writer_pid)) +
                 (load(h.writer_open) != 0 ? ", died)" : ", stopped)"));
  };
  if (!file.writer_alive()) throw not_running();
  file.lock_wait(kControllerLockByte);
  const std::size_t len = std::min(text.size(), kControlTextMax);
  std::memcpy(h.control.text, text.data(), len);
  store(h.control.text_length, static_cast<std::uint32_t>(len));
  store(h.control.command, static_cast<std::uint32_t>(command));
  const std::uint64_t req = load(h.control.request) + 1;
  store(h.control.request, req, std::memory_order_release);
  const auto pid = static_cast<pid_t>(load(h.writer_pid));
  if (pid > 0) kill(pid, SIGUSR1);
  const std::uint64_t t0 = now_ns();
  for (int i = 0;; ++i) {
    if (load(h.control.ack, std::memory_order_acquire) >= req) break;
    if (i % 16 == 15 && !file.writer_alive()) {
      if (command == Command::stop) return kExitOk;
      throw Error(path + ": the recorder exited before answering");
    }
    if (now_ns() - t0 > timeout_ns)
      throw Error(path + ": the recorder (pid " + std::to_string(pid) + ") did not answer in time");
    sleep_ns(1'000'000);
  }
  const std::int32_t result = load(h.control.result);
  file.unlock(kControllerLockByte);
  if (result != 0) throw Error(path + ": " + std::strerror(result));
  if (command == Command::stop) {
    while (file.writer_alive()) {  // so that what follows sees the final state
      if (now_ns() - t0 > timeout_ns) throw Error(path + ": the recorder did not exit in time");
      sleep_ns(1'000'000);
    }
  }
  return kExitOk;
}

}  // namespace flightrec
