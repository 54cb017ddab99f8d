// The on-disk layout of a flightrec ring file, layout version 1.
//
// A ring file is a 4096-byte header followed by `capacity` bytes of record data, mapped
// shared by one writer and any number of readers. Positions are byte counts since the
// ring was created; they only ever grow, and a position's place in the data area is
// position % capacity. The header is little-endian, host layout (x86-64 / aarch64 Linux).
//
// Writer protocol (one writer per file, one record at a time; Agrona broadcast style):
//   1. if the record does not fit before the end of the data area, the rest of the area
//      becomes a padding record and the record starts at the next lap;
//   2. overwrite mode: advance `head` past the oldest records until the new one fits;
//   3. publish `tail_intent` = end of the new record (readers: "these bytes are changing");
//   4. write payload, then the record header with its CRC-32C;
//   5. publish `tail` = end of the new record: the record is committed.
// A reader copies a record and then re-reads `tail_intent`: if it is beyond the record's
// position + capacity, the writer may have overwritten it mid-copy (the reader was lapped)
// and the copy is thrown away. A writer killed at any moment leaves [head, tail) intact.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flightrec {

inline constexpr char kMagic[8] = {'F', 'L', 'I', 'G', 'H', 'T', 'R', 'C'};
inline constexpr std::uint32_t kLayoutVersion = 1;
inline constexpr std::uint64_t kHeaderSize = 4096;
inline constexpr std::uint64_t kRecordAlign = 8;
inline constexpr std::uint64_t kMinCapacity = 4096;

// When the ring is full.
enum class FullPolicy : std::uint32_t { overwrite = 0, drop = 1, block = 2 };

// Record kinds (RecordHeader::kind).
enum class Kind : std::uint16_t {
  pad = 0,      // filler up to the end of the data area; not a record
  data = 1,     // input bytes
  mark = 2,     // `flightrec mark` text
  restart = 3,  // a new recorder took over the file
  pause = 4,
  resume = 5,
  dropped = 6,  // records were dropped (no-overwrite mode); text says how many
  stop = 7,     // the recorder ended; text says why
};

// RecordHeader::flags
inline constexpr std::uint16_t kFlagNewline = 1;  // payload was followed by '\n' in the input

// Control commands (ControlBlock::command).
enum class Command : std::uint32_t { none = 0, mark = 1, pause = 2, resume = 3, stop = 4 };

// 32 bytes, followed by `length` payload bytes, padded to kRecordAlign.
struct RecordHeader {
  std::uint32_t length;     // payload bytes
  std::uint16_t kind;       // Kind
  std::uint16_t flags;      // kFlag*
  std::uint64_t sequence;   // consecutive over the life of the file (pads: next sequence)
  std::uint64_t timestamp;  // CLOCK_REALTIME, ns since the epoch
  std::uint32_t crc;        // CRC-32C of bytes 0..23 of this header, then the payload
                            // (pads: of the header only; their filler is not written)
  std::uint32_t reserved;   // 0
};
static_assert(sizeof(RecordHeader) == 32);
inline constexpr std::uint64_t kRecordHeaderSize = sizeof(RecordHeader);

// Bytes a record with `payload` bytes takes in the data area.
constexpr std::uint64_t record_span(std::uint64_t payload) noexcept {
  return (kRecordHeaderSize + payload + kRecordAlign - 1) & ~(kRecordAlign - 1);
}

inline constexpr std::size_t kControlTextMax = 1024;

struct ControlBlock {
  std::uint64_t request;  // a controller sets command/text, then increments request
  std::uint64_t ack;      // the writer sets ack = request when done
  std::uint32_t command;  // Command
  std::uint32_t text_length;
  std::int32_t result;  // 0 done, else an errno value
  std::uint32_t reserved;
  char text[kControlTextMax];
};

// Fields written while the file is live are only accessed through std::atomic_ref.
struct FileHeader {
  // Identity, written once at creation.
  char magic[8];
  std::uint32_t version;
  std::uint32_t header_size;
  std::uint64_t capacity;
  std::uint64_t created_ns;
  std::uint8_t identity_reserved[32];

  // Writer state.
  alignas(64) std::uint64_t writer_pid;  // last recorder's pid
  std::uint64_t writer_open;  // 1 while a recorder has the file; 0 after a clean stop
  std::uint64_t paused;
  std::uint64_t full_policy;  // FullPolicy
  std::uint64_t max_record;   // longest payload the recorder writes
  std::uint64_t sessions;     // recorders that have written this file
  std::uint64_t writer_started_ns;

  alignas(64) std::uint64_t tail_intent;
  alignas(64) std::uint64_t tail;
  alignas(64) std::uint64_t head;
  std::uint64_t head_sequence;  // sequence of the record at head (next_sequence if empty)

  // Counters; single writer, relaxed.
  alignas(64) std::uint64_t next_sequence;
  std::uint64_t newest_ns;       // timestamp of the newest record
  std::uint64_t overwritten;     // records overwritten (overwrite mode)
  std::uint64_t dropped;         // records dropped (drop mode)
  std::uint64_t paused_skipped;  // input records thrown away while paused
  std::uint64_t input_bytes;     // input bytes seen, over all sessions
  std::uint64_t blocked_ns;      // time the producer was held up (block mode)

  alignas(64) ControlBlock control;
};
static_assert(sizeof(FileHeader) <= kHeaderSize);
static_assert(offsetof(FileHeader, tail_intent) == 128);
static_assert(offsetof(FileHeader, tail) == 192);
static_assert(offsetof(FileHeader, head) == 256);
static_assert(offsetof(FileHeader, next_sequence) == 320);
static_assert(offsetof(FileHeader, control) == 384);

// OFD lock bytes in the file (fcntl F_OFD_SETLK), all outside the data.
inline constexpr long kWriterLockByte = 0;      // held by the recorder while it runs
inline constexpr long kControllerLockByte = 1;  // serialises controllers
inline constexpr long kConsumerLockByte = 2;    // held by the one consuming reader

}  // namespace flightrec
