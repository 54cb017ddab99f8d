#include "ring.hpp"

#include "crc32c.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace flightrec {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string u64(std::uint64_t v) { return std::to_string(v); }

bool valid_kind(std::uint16_t k) noexcept { return k <= static_cast<std::uint16_t>(Kind::stop); }

void sleep_ns(long ns) noexcept {
  timespec ts{0, ns};
  nanosleep(&ts, nullptr);
}

struct flock ofd_lock(short type, long byte) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  return fl;
}

// Reads a header into `out` and checks the identity fields; returns "" or what is wrong.
std::string check_identity(const FileHeader& h, std::uint64_t file_size) {
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return "not a flightrec ring file (bad magic)";
  if (h.version != kLayoutVersion)
    return "ring file layout version " + u64(h.version) + ", this flightrec reads version " +
           u64(kLayoutVersion);
  if (h.header_size != kHeaderSize) return "damaged header (header size " + u64(h.header_size) + ")";
  if (h.capacity < kMinCapacity || h.capacity % kRecordAlign != 0 || h.capacity > (1ull << 46))
    return "damaged header (capacity " + u64(h.capacity) + ")";
  const std::uint64_t want = kHeaderSize + h.capacity;
  if (file_size < want)
    return "truncated: file is " + u64(file_size) + " bytes, its header says " + u64(want);
  if (file_size > want)
    return "damaged: file is " + u64(file_size) + " bytes, its header says " + u64(want);
  return {};
}

}  // namespace

std::uint64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint32_t record_crc(const RecordHeader& h, const unsigned char* payload) noexcept {
  std::uint32_t c = crc32c(0, &h, offsetof(RecordHeader, crc));
  // A padding record's filler is never written: its checksum covers its header only.
  if (h.kind == static_cast<std::uint16_t>(Kind::pad)) return c;
  return crc32c(c, payload, h.length);
}

const char* kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::pad: return "pad";
    case Kind::data: return "data";
    case Kind::mark: return "mark";
    case Kind::restart: return "restart";
    case Kind::pause: return "pause";
    case Kind::resume: return "resume";
    case Kind::dropped: return "dropped";
    case Kind::stop: return "stop";
  }
  return "unknown";
}

const char* policy_name(FullPolicy policy) noexcept {
  switch (policy) {
    case FullPolicy::overwrite: return "overwrite";
    case FullPolicy::drop: return "drop";
    case FullPolicy::block: return "block";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------
// RingFile

RingFile::RingFile(std::string path, int fd, void* map, std::size_t map_size, bool writable)
    : path_(std::move(path)), fd_(fd), map_(map), map_size_(map_size), writable_(writable),
      header_(static_cast<FileHeader*>(map)),
      data_(static_cast<unsigned char*>(map) + kHeaderSize),
      capacity_(map_size - kHeaderSize) {
  // The writer's mapping asks for huge pages: the page cache then holds the ring in
  // 2 MiB folios where the kernel can (large folios on ext4, xfs), mapped a PMD at a
  // time: far fewer faults and TLB misses than 4 KiB pages. Best effort; readers, which
  // map read-only, are left alone.
  if (writable_) madvise(map_, map_size_, MADV_HUGEPAGE);
}

RingFile::RingFile(RingFile&& o) noexcept
    : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)),
      map_(std::exchange(o.map_, nullptr)), map_size_(o.map_size_), writable_(o.writable_),
      header_(o.header_), data_(o.data_), capacity_(o.capacity_) {}

RingFile::~RingFile() {
  if (map_ != nullptr) munmap(map_, map_size_);
  if (fd_ >= 0) ::close(fd_);
}

RingFile RingFile::open(const std::string& path, bool writable) {
  const int fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": " + errno_text(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  FileHeader h{};
  const ssize_t got = pread(fd, &h, sizeof h, 0);
  if (got < 0) {
    const int err = errno;
    ::close(fd);
    throw Error(path + ": " + errno_text(err));
  }
  if (static_cast<std::size_t>(got) < sizeof kMagic + 8) {
    ::close(fd);
    throw Error(path + ": " + (got == 0 ? std::string("empty file, not a flightrec ring")
                                        : std::string("truncated: file is ") + u64(size) +
                                              " bytes, too short for a ring header"));
  }
  // Identity first, so that a foreign file is called foreign rather than truncated.
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) == 0 && h.version == kLayoutVersion &&
      size < kHeaderSize) {
    ::close(fd);
    throw Error(path + ": truncated: file is " + u64(size) + " bytes, too short for a ring header");
  }
  if (std::string why = check_identity(h, size); !why.empty()) {
    ::close(fd);
    throw Error(path + ": " + why);
  }
  void* map = mmap(nullptr, size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    const int err = errno;
    ::close(fd);
    throw Error(path + ": mmap: " + errno_text(err));
  }
  RingFile f(path, fd, map, size, writable);
  const std::uint64_t head = load(f.header().head, std::memory_order_acquire);
  const std::uint64_t tail = load(f.header().tail, std::memory_order_acquire);
  // Positions only grow, by what was written: 2^62 bytes is beyond any real ring, and
  // nearer 2^64 the arithmetic on positions would wrap.
  const std::uint64_t intent = load(f.header().tail_intent, std::memory_order_acquire);
  constexpr std::uint64_t kFarPosition = std::uint64_t{1} << 62;
  if (head >= kFarPosition || tail >= kFarPosition || intent >= kFarPosition)
    throw Error(path + ": damaged header (positions head " + u64(head) + ", tail " + u64(tail) +
                ", intent " + u64(intent) + " are beyond any real ring)");
  // head may pass tail by less than the ring while a ring-sized record is being written.
  if (head > tail && head - tail >= f.capacity())
    throw Error(path + ": damaged header (head " + u64(head) + " > tail " + u64(tail) + ")");
  return f;
}

RingFile RingFile::create(const std::string& path, std::uint64_t capacity, bool replace) {
  if (capacity < kMinCapacity)
    throw Error(path + ": ring size " + u64(capacity) + " is below the minimum of " +
                u64(kMinCapacity) + " bytes");
  capacity &= ~(kRecordAlign - 1);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (replace ? 0 : O_EXCL), 0644);
  if (fd < 0) throw Error(path + ": " + errno_text(errno));
  auto fail = [&](const std::string& what, bool remove) -> Error {
    if (remove) unlink(path.c_str());
    ::close(fd);
    return Error(path + ": " + what);
  };
  if (replace) {
    // Never pull the file from under a live recorder.
    struct flock fl = ofd_lock(F_WRLCK, kWriterLockByte);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
      const std::uint64_t pid = [&] {
        FileHeader h{};
        return pread(fd, &h, sizeof h, 0) == static_cast<ssize_t>(sizeof h) ? h.writer_pid : 0;
      }();
      throw fail("another recorder (pid " + u64(pid) + ") is writing to this file", false);
    }
  }
  const std::uint64_t size = kHeaderSize + capacity;
  // A file of the very size wanted is re-initialised in place: its blocks and cached
  // pages are kept, and only the header is reset (the old records' bytes lie outside the
  // new ring's [head, tail) and are never read). Truncating and re-allocating it cost
  // more than a third of recording 200 MB into a 256 MiB ring.
  bool reuse = false;
  if (replace) {
    struct stat st {};
    if (fstat(fd, &st) != 0) throw fail("fstat: " + errno_text(errno), false);
    reuse = S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == size;
    if (!reuse && ftruncate(fd, 0) != 0) throw fail("ftruncate: " + errno_text(errno), false);
  }
  // Allocates what is not allocated yet (all of a new file; a reused one's holes).
  if (const int err = posix_fallocate(fd, 0, static_cast<off_t>(size)); err != 0)
    throw fail("cannot allocate " + u64(size) + " bytes: " + errno_text(err), !reuse);
  void* map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) throw fail("mmap: " + errno_text(errno), !reuse);
  // No faulting in here: the writer write-faults the ring a chunk ahead of where it writes.
  RingFile f(path, fd, map, size, true);
  FileHeader& h = f.header();
  if (reuse) {
    // Not a ring while its header is reset; then every field starts as in a new file.
    std::memset(h.magic, 0, sizeof h.magic);
    std::atomic_thread_fence(std::memory_order_release);
    std::memset(static_cast<unsigned char*>(map) + sizeof h.magic, 0, kHeaderSize - sizeof h.magic);
  }
  h.version = kLayoutVersion;
  h.header_size = static_cast<std::uint32_t>(kHeaderSize);
  h.capacity = capacity;
  h.created_ns = now_ns();
  // The magic goes last, so a file that was never finished is not taken for a ring.
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  return f;
}

bool RingFile::try_lock(long byte) const {
  struct flock fl = ofd_lock(writable_ ? F_WRLCK : F_RDLCK, byte);
  if (fcntl(fd_, F_OFD_SETLK, &fl) == 0) return true;
  if (errno == EAGAIN || errno == EACCES) return false;
  throw Error(path_ + ": fcntl: " + errno_text(errno));
}

void RingFile::lock_wait(long byte) const {
  struct flock fl = ofd_lock(writable_ ? F_WRLCK : F_RDLCK, byte);
  while (fcntl(fd_, F_OFD_SETLKW, &fl) != 0) {
    if (errno != EINTR) throw Error(path_ + ": fcntl: " + errno_text(errno));
  }
}

void RingFile::unlock(long byte) const {
  struct flock fl = ofd_lock(F_UNLCK, byte);
  fcntl(fd_, F_OFD_SETLK, &fl);
}

bool RingFile::is_locked_elsewhere(long byte) const {
  struct flock fl = ofd_lock(F_WRLCK, byte);
  if (fcntl(fd_, F_OFD_GETLK, &fl) != 0) throw Error(path_ + ": fcntl: " + errno_text(errno));
  return fl.l_type != F_UNLCK;
}

void RingFile::sync() const {
  if (msync(map_, map_size_, MS_SYNC) != 0) throw Error(path_ + ": msync: " + errno_text(errno));
}

void RingFile::prefault_write(std::uint64_t offset, std::uint64_t length) const noexcept {
#ifdef MADV_POPULATE_WRITE
  const std::uint64_t page = 4096;
  const std::uint64_t begin = offset & ~(page - 1);
  const std::uint64_t end = std::min(capacity_, (offset + length + page - 1) & ~(page - 1));
  if (end > begin) madvise(data_ + begin, end - begin, MADV_POPULATE_WRITE);
#else
  (void)offset;
  (void)length;
#endif
}

// ---------------------------------------------------------------------------------------
// Writer

namespace {
// The writer write-faults the ring in this far ahead of its tail, a chunk at a time: one
// system call per chunk instead of a page fault per page, and no page is dirtied long
// before it is written (a recorder that writes little does not rewrite the whole ring).
constexpr std::uint64_t kPrefaultChunk = 4u << 20;
}  // namespace


Writer::Writer(RingFile& file, const Options& options)
    : file_(file), h_(file.header()), data_(file.data()), cap_(file.capacity()),
      policy_(options.policy), max_record_(options.max_record), interrupt_(options.interrupt) {
  if (!file.writable()) throw Error(file.path() + ": opened read-only");
  if (record_span(max_record_) > cap_)
    throw Error(file.path() + ": the ring (" + u64(cap_) + " data bytes) is smaller than one record of " +
                u64(max_record_) + " bytes; use a larger ring or a smaller --max-record");
  if (!file.try_lock(kWriterLockByte))
    throw Error(file.path() + ": another recorder (pid " + u64(load(h_.writer_pid)) +
                ") is writing to this file");
  recover();
  store(h_.writer_pid, static_cast<std::uint64_t>(getpid()));
  store(h_.full_policy, static_cast<std::uint64_t>(policy_));
  store(h_.max_record, max_record_);
  store(h_.paused, std::uint64_t{0});
  store(h_.sessions, load(h_.sessions) + 1);
  store(h_.writer_started_ns, now_ns());
  // A request left unanswered by the recorder that died is refused, not taken as done.
  if (load(h_.control.ack) != load(h_.control.request)) {
    store(h_.control.result, std::int32_t{ECANCELED});
    store(h_.control.ack, load(h_.control.request), std::memory_order_release);
  }
  input_bytes_ = load(h_.input_bytes);
  store(h_.writer_open, std::uint64_t{1}, std::memory_order_release);
  open_ = true;
}

Writer::~Writer() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing to do in a destructor
  }
}

void Writer::recover() {
  std::uint64_t head = load(h_.head);
  std::uint64_t tail = load(h_.tail);
  const std::uint64_t intent = load(h_.tail_intent);
  std::uint64_t next_seq = load(h_.next_sequence);
  recovery_.existing = load(h_.sessions) > 0 || tail > 0;
  recovery_.previous_died = load(h_.writer_open) != 0;
  recovery_.previous_pid = load(h_.writer_pid);
  // A record as large as the whole ring moves head past tail (to where the record starts)
  // before it is written; killed there, the ring is simply empty.
  if (head > tail && head <= intent && head - tail < cap_) tail = head;
  if (head > tail || tail - head > cap_ || intent < tail) {
    recovery_.damage = "inconsistent positions (head " + u64(head) + ", tail " + u64(tail) +
                       ", intent " + u64(intent) + "); records dropped";
    recovery_.discarded_bytes = tail > head ? tail - head : 0;
    tail = std::max(tail, intent);
    head = tail;
  }
  // Walk the records: never trust the tail without checking what lies before it.
  std::uint64_t pos = head;
  bool first = true;
  std::uint64_t seq = 0;
  std::uint64_t first_seq = next_seq;
  std::vector<unsigned char> payload;
  while (pos < tail) {
    const std::uint64_t off = pos % cap_;
    const std::uint64_t rem = cap_ - off;
    if (rem < kRecordHeaderSize) {
      pos += rem;
      continue;
    }
    RecordHeader rh;
    std::memcpy(&rh, data_ + off, sizeof rh);
    std::string why;
    if (kRecordHeaderSize + rh.length > rem || !valid_kind(rh.kind))
      why = "bad record header";
    else if (record_crc(rh, data_ + off + kRecordHeaderSize) != rh.crc)
      why = "checksum mismatch";
    else if (!first && rh.sequence != seq)
      why = "sequence " + u64(rh.sequence) + " where " + u64(seq) + " was expected";
    else if (rh.kind == static_cast<std::uint16_t>(Kind::pad) && pos + rem > tail)
      why = "padding runs past the tail";
    else if (rh.kind != static_cast<std::uint16_t>(Kind::pad) && pos + record_span(rh.length) > tail)
      why = "record runs past the tail";
    if (!why.empty()) {
      recovery_.damage = "record at position " + u64(pos) + ": " + why;
      recovery_.discarded_bytes += tail - pos;
      tail = pos;
      break;
    }
    if (first) first_seq = rh.sequence;
    first = false;
    if (rh.kind == static_cast<std::uint16_t>(Kind::pad)) {
      seq = rh.sequence;
      pos += rem;
    } else {
      seq = rh.sequence + 1;
      ++recovery_.records;
      pos += record_span(rh.length);
    }
  }
  // After damage, continue from the last good record so the sequence stays consecutive.
  if (!first) next_seq = recovery_.damage.empty() ? std::max(next_seq, seq) : seq;
  head_ = head;
  tail_ = tail;
  head_seq_ = first ? next_seq : first_seq;
  next_seq_ = next_seq;
  store(h_.head, head_, std::memory_order_release);
  store(h_.head_sequence, head_seq_);
  store(h_.tail, tail_, std::memory_order_release);
  store(h_.tail_intent, tail_, std::memory_order_release);
  store(h_.next_sequence, next_seq_);
  prefaulted_ = tail_;
  if (cap_ <= 2 * kPrefaultChunk) {
    // A small ring: all of it at once, and never again (it would be once per lap).
    file_.prefault_write(0, cap_);
    prefaulted_ = UINT64_MAX;
  }
  tail_off_ = tail_ % cap_;
  head_off_ = head_ % cap_;
}

void Writer::prefault_to(std::uint64_t end) noexcept {
  const std::uint64_t from = std::max(prefaulted_, tail_);
  const std::uint64_t to = std::min(end + kPrefaultChunk, tail_ + cap_);
  if (to <= from) return;
  const std::uint64_t off = from % cap_;
  const std::uint64_t n = to - from;
  file_.prefault_write(off, std::min(n, cap_ - off));
  if (n > cap_ - off) file_.prefault_write(0, n - (cap_ - off));
  prefaulted_ = to;
}

bool Writer::make_room(std::uint64_t end, std::uint64_t record_start) {
  if (policy_ == FullPolicy::overwrite) {
    // append() calls only when there is no room. Walks the oldest records with
    // head_off_ (= head_ % cap_) kept alongside head_: no division per record.
    std::uint64_t overwritten = 0;
    while (end - head_ > cap_) {
      if (head_ >= tail_) {
        head_ = record_start;
        break;
      }
      const std::uint64_t rem = cap_ - head_off_;
      std::uint64_t step = rem;
      if (rem >= kRecordHeaderSize) {
        std::uint64_t word;  // length and kind
        std::memcpy(&word, data_ + head_off_, sizeof word);
        const auto length = static_cast<std::uint32_t>(word);
        if (static_cast<std::uint16_t>(word >> 32) != static_cast<std::uint16_t>(Kind::pad)) {
          ++overwritten;
          step = record_span(length);
        }
      }
      head_ += step;
      head_off_ += step;
      if (head_off_ >= cap_) head_off_ = head_ % cap_;
    }
    if (head_ < tail_ && cap_ - head_off_ < kRecordHeaderSize) {
      head_ += cap_ - head_off_;
      head_off_ = 0;
    }
    if (head_ >= tail_) {
      head_ = std::max(head_, record_start);
      head_off_ = head_ % cap_;
      head_seq_ = next_seq_;
    } else {
      std::memcpy(&head_seq_, data_ + head_off_ + offsetof(RecordHeader, sequence), sizeof head_seq_);
    }
    store(h_.head_sequence, head_seq_);
    store(h_.head, head_, std::memory_order_release);
    store(h_.overwritten, load(h_.overwritten) + overwritten);
    return true;
  }
  // No-overwrite: only a consuming reader moves head.
  std::uint64_t head = load(h_.head, std::memory_order_acquire);
  if (end - head <= cap_) return true;
  if (policy_ == FullPolicy::drop) return false;
  const std::uint64_t t0 = now_ns();
  long nap = 20000;
  while (end - head > cap_) {
    if (interrupt_ != nullptr && interrupt_->load(std::memory_order_relaxed) != 0) {
      store(h_.blocked_ns, load(h_.blocked_ns) + (now_ns() - t0));
      return false;
    }
    sleep_ns(nap);
    nap = std::min(nap * 2, 2000000L);
    head = load(h_.head, std::memory_order_acquire);
  }
  store(h_.blocked_ns, load(h_.blocked_ns) + (now_ns() - t0));
  return true;
}

inline void Writer::write_record(std::uint64_t off, Kind kind, std::uint16_t flags, std::uint64_t seq,
                          std::uint64_t ts, const void* payload, std::size_t length) noexcept {
  unsigned char* at = data_ + off;
  RecordHeader rh{};
  rh.length = static_cast<std::uint32_t>(length);
  rh.kind = static_cast<std::uint16_t>(kind);
  rh.flags = flags;
  rh.sequence = seq;
  rh.timestamp = ts;
  // Checksum the header fields from registers (bytes 0..23 as three little-endian words),
  // then copy the payload and checksum it in the same pass.
  static_assert(offsetof(RecordHeader, kind) == 4 && offsetof(RecordHeader, flags) == 6 &&
                offsetof(RecordHeader, sequence) == 8 && offsetof(RecordHeader, timestamp) == 16);
  const std::uint64_t w0 = std::uint64_t{rh.length} | std::uint64_t{rh.kind} << 32 |
                           std::uint64_t{rh.flags} << 48;
  rh.crc = crc32c_words_copy(w0, seq, ts, at + kRecordHeaderSize, payload, length);
  std::memcpy(at, &rh, sizeof rh);
}

// Says how many records were lost, ahead of the first record that fits again; false if
// that does not fit either (and the record that was to follow is dropped too).
bool Writer::note_dropped() {
  char text[64];
  const int len = std::snprintf(text, sizeof text, "%llu records dropped: ring full",
                                static_cast<unsigned long long>(dropped_since_note_));
  if (append(Kind::dropped, 0, text, static_cast<std::size_t>(len)) != Result::written) {
    ++dropped_since_note_;
    store(h_.dropped, load(h_.dropped) + 1);
    return false;
  }
  dropped_since_note_ = 0;
  return true;
}

Writer::Result Writer::append(Kind kind, std::uint16_t flags, const void* payload, std::size_t length,
                              std::uint64_t timestamp) {
  if (dropped_since_note_ > 0 && kind != Kind::dropped && !note_dropped()) return Result::dropped;
  if (length > max_record_) length = max_record_;
  const std::uint64_t span = record_span(length);
  const std::uint64_t pos = tail_;
  const std::uint64_t rem = cap_ - tail_off_;
  const std::uint64_t start = span > rem ? pos + rem : pos;
  const std::uint64_t start_off = span > rem ? 0 : tail_off_;
  const std::uint64_t end = start + span;
  // Overwriting with room already, the common case, needs no call to make_room.
  const bool fits = policy_ == FullPolicy::overwrite && end - head_ <= cap_;
  if (!fits && !make_room(end, start)) {
    if (policy_ == FullPolicy::drop) {
      if (kind != Kind::dropped) {
        ++dropped_since_note_;
        store(h_.dropped, load(h_.dropped) + 1);
      }
      return Result::dropped;
    }
    return Result::interrupted;
  }
  if (end > prefaulted_) prefault_to(end);
  const std::uint64_t seq = next_seq_;
  const std::uint64_t ts = timestamp != 0 ? timestamp : now_ns();
  // Tell readers these bytes are about to change, before changing any of them.
  store(h_.tail_intent, end, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  if (start != pos && rem >= kRecordHeaderSize) {
    RecordHeader pad{};
    pad.length = static_cast<std::uint32_t>(rem - kRecordHeaderSize);
    pad.kind = static_cast<std::uint16_t>(Kind::pad);
    pad.sequence = seq;
    pad.timestamp = ts;
    pad.crc = crc32c(0, &pad, offsetof(RecordHeader, crc));
    std::memcpy(data_ + tail_off_, &pad, sizeof pad);
  }
  write_record(start_off, kind, flags, seq, ts, payload, length);
  store(h_.tail, end, std::memory_order_release);
  tail_ = end;
  tail_off_ = start_off + span == cap_ ? 0 : start_off + span;
  next_seq_ = seq + 1;
  store(h_.next_sequence, next_seq_);
  store(h_.newest_ns, ts);
  return Result::written;
}

void Writer::note_paused_skip() noexcept { store(h_.paused_skipped, load(h_.paused_skipped) + 1); }

void Writer::flush_counters() noexcept { store(h_.input_bytes, input_bytes_); }

void Writer::sync() { file_.sync(); }

void Writer::close() {
  if (!open_) return;
  open_ = false;
  flush_counters();
  store(h_.writer_open, std::uint64_t{0}, std::memory_order_release);
  file_.unlock(kWriterLockByte);
}

// ---------------------------------------------------------------------------------------
// Reader

Reader::Reader(const RingFile& file) : h_(file.header()), data_(file.data()), cap_(file.capacity()) {
  buf_.resize(4096);
  seek_head();
}

void Reader::seek_head() noexcept { pos_ = load(h_.head, std::memory_order_acquire); }

// Passes of Reader::next that may wait for a writer between publishing its intent
// and moving head (each yields the processor once).
constexpr std::uint32_t kMaxStalls = 100000;

bool Reader::lapped(std::uint64_t pos) const noexcept {
  return load(h_.tail_intent, std::memory_order_relaxed) > pos + cap_;
}

Reader::Status Reader::next(Record& out, std::uint64_t limit) {
  for (;;) {
    const std::uint64_t tail = std::min(load(h_.tail, std::memory_order_acquire), limit);
    if (pos_ >= tail) return Status::end;
    std::atomic_thread_fence(std::memory_order_acquire);
    if (lapped(pos_)) {
      const std::uint64_t head = load(h_.head, std::memory_order_acquire);
      if (head > pos_) {
        pos_ = head;
        stalls_ = 0;
        continue;
      }
      // A live writer publishes its intent just before it moves head: give it a
      // moment. Positions that stay this way are damage, not a race.
      if (++stalls_ < kMaxStalls) {
        sched_yield();
        continue;
      }
      stalls_ = 0;
      damage_ = "inconsistent positions: tail_intent " + u64(load(h_.tail_intent)) +
                " is more than the ring ahead of head " + u64(head);
      return Status::damaged;
    }
    stalls_ = 0;
    if (tail - pos_ > cap_) {  // not lapped, yet the records would not fit in the ring
      damage_ = "inconsistent positions: tail " + u64(tail) + " is more than the ring ahead of " +
                u64(pos_);
      return Status::damaged;
    }
    const std::uint64_t off = pos_ % cap_;
    const std::uint64_t rem = cap_ - off;
    if (rem < kRecordHeaderSize) {
      pos_ += rem;
      continue;
    }
    RecordHeader rh;
    std::memcpy(&rh, data_ + off, sizeof rh);
    const bool is_pad = rh.kind == static_cast<std::uint16_t>(Kind::pad);
    const bool fits = kRecordHeaderSize + rh.length <= rem;
    if (mid_copy_hook_ != nullptr) mid_copy_hook_(mid_copy_arg_);
    if (fits && !is_pad) {
      if (buf_.size() < rh.length) buf_.resize(rh.length);
      std::memcpy(buf_.data(), data_ + off + kRecordHeaderSize, rh.length);
    }
    // Anything copied above is only good if the writer did not reach it meanwhile.
    std::atomic_thread_fence(std::memory_order_acquire);
    if (lapped(pos_)) {
      pos_ = std::max(pos_, load(h_.head, std::memory_order_acquire));
      continue;
    }
    if (!fits || !valid_kind(rh.kind)) {
      damage_ = "record at position " + u64(pos_) + ": bad record header";
      return Status::damaged;
    }
    if (is_pad) {
      pos_ += rem;
      continue;
    }
    if (record_crc(rh, buf_.data()) != rh.crc) {
      damage_ = "record at position " + u64(pos_) + " (sequence " + u64(rh.sequence) +
                "): checksum mismatch";
      return Status::damaged;
    }
    out.missed = 0;
    if (have_expected_ && rh.sequence != expected_seq_) {
      if (rh.sequence < expected_seq_) {
        damage_ = "record at position " + u64(pos_) + ": sequence " + u64(rh.sequence) +
                  " goes backwards (expected " + u64(expected_seq_) + ")";
        return Status::damaged;
      }
      out.missed = rh.sequence - expected_seq_;
      total_missed_ += out.missed;
    }
    out.header = rh;
    out.payload = buf_.data();
    out.position = pos_;
    pos_ += record_span(rh.length);
    expected_seq_ = rh.sequence + 1;
    have_expected_ = true;
    return Status::record;
  }
}

}  // namespace flightrec
