// A flightrec ring file: opening and validating it, the one writer, and readers.
// See layout.hpp for the byte layout and the publication protocol.
#pragma once

#include "layout.hpp"

#include <sys/types.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace flightrec {

// Exit statuses, as documented in flightrec(1).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDamaged = 3;

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, int status = kExitError)
      : std::runtime_error(what), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

std::uint64_t now_ns() noexcept;

template <class T>
T load(const T& field, std::memory_order order = std::memory_order_relaxed) noexcept {
  return std::atomic_ref<T>(const_cast<T&>(field)).load(order);
}
template <class T>
void store(T& field, T value, std::memory_order order = std::memory_order_relaxed) noexcept {
  std::atomic_ref<T>(field).store(value, order);
}

// A mapped ring file. Movable, not copyable.
class RingFile {
 public:
  // Opens an existing ring; throws Error on anything that is not a valid ring of this
  // layout version (bad magic, other version, truncated, inconsistent positions).
  static RingFile open(const std::string& path, bool writable);
  // Creates (or, with `replace`, re-creates) a ring of `capacity` data bytes. The file's
  // blocks are allocated up front, so a full disk is reported here and not later.
  static RingFile create(const std::string& path, std::uint64_t capacity, bool replace);

  RingFile(RingFile&& other) noexcept;
  RingFile& operator=(RingFile&&) = delete;
  RingFile(const RingFile&) = delete;
  ~RingFile();

  FileHeader& header() const noexcept { return *header_; }
  unsigned char* data() const noexcept { return data_; }
  std::uint64_t capacity() const noexcept { return capacity_; }
  const std::string& path() const noexcept { return path_; }
  int fd() const noexcept { return fd_; }
  bool writable() const noexcept { return writable_; }

  // OFD locks on single bytes of the file (see layout.hpp).
  bool try_lock(long byte) const;  // false if another open file description holds it
  void lock_wait(long byte) const;
  void unlock(long byte) const;
  bool is_locked_elsewhere(long byte) const;
  // True while a recorder holds the writer lock.
  bool writer_alive() const { return is_locked_elsewhere(kWriterLockByte); }
  void sync() const;  // msync(MS_SYNC) of the whole mapping
  // Write-faults the data bytes [offset, offset + length) in, in one system call (rounded
  // out to pages; offset + length <= capacity). Best effort: a page it misses faults later.
  void prefault_write(std::uint64_t offset, std::uint64_t length) const noexcept;

 private:
  RingFile(std::string path, int fd, void* map, std::size_t map_size, bool writable);
  std::string path_;
  int fd_ = -1;
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  bool writable_ = false;
  FileHeader* header_ = nullptr;
  unsigned char* data_ = nullptr;
  std::uint64_t capacity_ = 0;
};

// What a new writer found in an existing file.
struct Recovery {
  bool existing = false;       // the file already held a ring
  bool previous_died = false;  // the last recorder did not stop cleanly
  std::uint64_t previous_pid = 0;
  std::uint64_t records = 0;           // records kept
  std::uint64_t discarded_bytes = 0;   // damaged bytes cut off the end
  std::string damage;                  // what was wrong, if anything
};

class Writer {
 public:
  struct Options {
    FullPolicy policy = FullPolicy::overwrite;
    std::uint64_t max_record = 65536;  // longest payload append() accepts
    // Block mode waits while the ring is full; it gives up when this becomes non-zero
    // (set by a signal handler, which may run in any thread: hence an atomic).
    const std::atomic<int>* interrupt = nullptr;
  };
  enum class Result { written, dropped, interrupted };

  // Takes the writer lock (Error if another recorder has it), checks and repairs the
  // contents left by a previous recorder, and marks the file open.
  Writer(RingFile& file, const Options& options);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();

  const Recovery& recovery() const noexcept { return recovery_; }

  // The hot path: no allocation, and no system call but one madvise per
  // kPrefaultChunk bytes written. `timestamp` 0 means now (clock_gettime);
  // the recorder passes the time it read the input, once per read.
  Result append(Kind kind, std::uint16_t flags, const void* payload, std::size_t length,
                std::uint64_t timestamp = 0);
  Result append_text(Kind kind, const std::string& text) {
    return append(kind, 0, text.data(), text.size());
  }
  void note_input(std::uint64_t bytes) noexcept { input_bytes_ += bytes; }
  void note_paused_skip() noexcept;
  void flush_counters() noexcept;
  // msync the whole mapping (sync policy).
  void sync();
  // Marks the file closed cleanly and releases the writer lock.
  void close();

  std::uint64_t max_record() const noexcept { return max_record_; }

 private:
  void recover();
  bool make_room(std::uint64_t end, std::uint64_t record_start);  // overwrite/drop/block
  [[gnu::noinline, gnu::cold]] bool note_dropped();
  // Inlined into append, its one caller.
  [[gnu::always_inline]] inline void write_record(std::uint64_t offset, Kind kind,
                                                  std::uint16_t flags, std::uint64_t seq,
                                                  std::uint64_t ts, const void* payload,
                                                  std::size_t length) noexcept;
  void prefault_to(std::uint64_t end) noexcept;

  RingFile& file_;
  FileHeader& h_;
  unsigned char* data_;
  std::uint64_t cap_;
  FullPolicy policy_;
  std::uint64_t max_record_;
  const std::atomic<int>* interrupt_;
  Recovery recovery_;
  bool open_ = false;
  // Writer-private copies of the shared positions.
  std::uint64_t tail_ = 0;
  std::uint64_t head_ = 0;
  std::uint64_t tail_off_ = 0;  // tail_ % cap_
  std::uint64_t head_off_ = 0;  // head_ % cap_
  std::uint64_t head_seq_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t input_bytes_ = 0;
  std::uint64_t dropped_since_note_ = 0;
  std::uint64_t prefaulted_ = 0;  // the data up to this position is mapped writable
};

// One reader. Reads never write to the file (except consume() in no-overwrite mode).
class Reader {
 public:
  explicit Reader(const RingFile& file);

  struct Record {
    RecordHeader header{};
    const unsigned char* payload = nullptr;  // valid until the next call
    std::uint64_t position = 0;
    std::uint64_t missed = 0;  // records lost to the writer just before this one
  };
  enum class Status { record, end, damaged };

  void seek_head() noexcept;
  void seek(std::uint64_t position) noexcept { pos_ = position; }
  std::uint64_t position() const noexcept { return pos_; }
  // Reads the next committed record below `limit`. `end` when there is none (yet).
  Status next(Record& out, std::uint64_t limit = UINT64_MAX);
  const std::string& damage() const noexcept { return damage_; }
  std::uint64_t total_missed() const noexcept { return total_missed_; }
  // Test seam: called between copying a record's header and its payload, so a test can
  // have the writer overwrite the record exactly mid-copy.
  void set_mid_copy_hook(void (*hook)(void*), void* arg) noexcept {
    mid_copy_hook_ = hook;
    mid_copy_arg_ = arg;
  }

 private:
  bool lapped(std::uint64_t pos) const noexcept;

  const FileHeader& h_;
  const unsigned char* data_;
  std::uint64_t cap_;
  std::uint64_t pos_ = 0;
  std::uint64_t expected_seq_ = 0;
  bool have_expected_ = false;
  std::uint32_t stalls_ = 0;  // consecutive passes that found no way forward
  std::uint64_t total_missed_ = 0;
  std::vector<unsigned char> buf_;
  std::string damage_;
  void (*mid_copy_hook_)(void*) = nullptr;
  void* mid_copy_arg_ = nullptr;
};

// Checks one record's header and payload checksum.
std::uint32_t record_crc(const RecordHeader& h, const unsigned char* payload) noexcept;

const char* kind_name(Kind kind) noexcept;
const char* policy_name(FullPolicy policy) noexcept;

}  // namespace flightrec
