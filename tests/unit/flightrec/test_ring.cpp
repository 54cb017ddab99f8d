#include "crc32c.hpp"
#include "ring.hpp"
#include "../test_support.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace flightrec;

namespace {

struct TempDir : unit_test::TempDir {
  TempDir() : unit_test::TempDir("frunit") {}
};

std::string payload_for(std::uint64_t n, std::size_t len) {
  std::string s = std::to_string(n) + ":";
  while (s.size() < len) s += static_cast<char>('a' + (n + s.size()) % 26);
  s.resize(len);
  return s;
}

Writer::Options opts(FullPolicy p = FullPolicy::overwrite, std::uint64_t max = 1024) {
  Writer::Options o;
  o.policy = p;
  o.max_record = max;
  return o;
}

std::vector<std::pair<RecordHeader, std::string>> read_all(const RingFile& f) {
  std::vector<std::pair<RecordHeader, std::string>> out;
  Reader r(f);
  Reader::Record rec;
  for (;;) {
    const auto st = r.next(rec);
    REQUIRE(st != Reader::Status::damaged);
    if (st == Reader::Status::end) break;
    out.emplace_back(rec.header, std::string(reinterpret_cast<const char*>(rec.payload), rec.header.length));
  }
  return out;
}

void write_bytes(const std::string& path, std::uint64_t offset, const void* p, std::size_t n) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(pwrite(fd, p, n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n));
  ::close(fd);
}

}  // namespace

TEST_CASE("records come back in order with consecutive sequence numbers", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("a.ring"), 64 * 1024, false);
  Writer w(f, opts());
  for (std::uint64_t i = 0; i < 100; ++i) {
    const auto p = payload_for(i, i % 50);
    REQUIRE(w.append(Kind::data, kFlagNewline, p.data(), p.size()) == Writer::Result::written);
  }
  const auto recs = read_all(f);
  REQUIRE(recs.size() == 100);
  for (std::uint64_t i = 0; i < 100; ++i) {
    CHECK(recs[i].first.sequence == i);
    CHECK(recs[i].second == payload_for(i, i % 50));
    CHECK(recs[i].first.flags == kFlagNewline);
  }
}

TEST_CASE("overwrite keeps the newest records across many laps of odd sizes", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("b.ring"), 4096, false);
  Writer w(f, opts(FullPolicy::overwrite, 900));
  std::mt19937 rng(42);
  std::uint64_t written = 0;
  for (int lap = 0; lap < 200; ++lap) {
    const std::size_t len = rng() % 901;
    const auto p = payload_for(written, len);
    REQUIRE(w.append(Kind::data, 0, p.data(), p.size()) == Writer::Result::written);
    ++written;
    const auto recs = read_all(f);
    REQUIRE(!recs.empty());
    CHECK(recs.back().first.sequence == written - 1);
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const auto seq = recs[i].first.sequence;
      REQUIRE(recs[i].second == payload_for(seq, recs[i].first.length));
      if (i > 0) REQUIRE(seq == recs[i - 1].first.sequence + 1);
      bytes += record_span(recs[i].first.length);
    }
    CHECK(bytes <= f.capacity());
    const FileHeader& h = f.header();
    CHECK(load(h.head_sequence) == recs.front().first.sequence);
    CHECK(load(h.next_sequence) == written);
    CHECK(load(h.overwritten) == written - recs.size());
  }
}

TEST_CASE("a record as large as the ring is the only one it holds", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("c.ring"), 4096, false);
  Writer w(f, opts(FullPolicy::overwrite, 4096 - kRecordHeaderSize));
  const std::string small = "x";
  const std::string big(4096 - kRecordHeaderSize, 'B');
  w.append(Kind::data, 0, small.data(), small.size());
  w.append(Kind::data, 0, big.data(), big.size());
  auto recs = read_all(f);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].second == big);
  w.append(Kind::data, 0, small.data(), small.size());
  recs = read_all(f);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].second == small);
  CHECK(recs[0].first.sequence == 2);
}

TEST_CASE("a reader lapped by the writer reports exactly what it missed", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("d.ring"), 4096, false);
  Writer w(f, opts());
  Reader r(f);
  Reader::Record rec;
  auto put = [&](std::uint64_t i) {
    const auto p = payload_for(i, 60);
    w.append(Kind::data, 0, p.data(), p.size());
  };
  put(0);
  REQUIRE(r.next(rec) == Reader::Status::record);
  CHECK(rec.missed == 0);
  REQUIRE(r.next(rec) == Reader::Status::end);
  for (std::uint64_t i = 1; i <= 500; ++i) put(i);  // many laps
  REQUIRE(r.next(rec) == Reader::Status::record);
  CHECK(rec.missed > 0);
  CHECK(rec.header.sequence == 1 + rec.missed);
  CHECK(rec.header.sequence == load(f.header().head_sequence));
  std::uint64_t last = rec.header.sequence;
  while (r.next(rec) == Reader::Status::record) {
    CHECK(rec.missed == 0);
    CHECK(rec.header.sequence == ++last);
  }
  CHECK(last == 500);
  CHECK(r.total_missed() == load(f.header().head_sequence) - 1);
}

TEST_CASE("drop policy keeps the oldest and counts the rest", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("e.ring"), 4096, false);
  Writer w(f, opts(FullPolicy::drop));
  int written = 0, dropped = 0;
  for (std::uint64_t i = 0; i < 100; ++i) {
    const auto p = payload_for(i, 100);
    (w.append(Kind::data, 0, p.data(), p.size()) == Writer::Result::written ? written : dropped)++;
  }
  CHECK(written == 4096 / 136);
  CHECK(load(f.header().dropped) == static_cast<std::uint64_t>(dropped));
  const auto recs = read_all(f);
  REQUIRE(recs.size() == static_cast<std::size_t>(written));
  CHECK(recs.front().second == payload_for(0, 100));
}

TEST_CASE("drop policy notes the loss once a consumer makes room", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("e2.ring"), 4096, false);
  Writer w(f, opts(FullPolicy::drop));
  for (std::uint64_t i = 0; i < 40; ++i) {
    const auto p = payload_for(i, 100);
    w.append(Kind::data, 0, p.data(), p.size());
  }
  // What attach --consume does: move head past everything read.
  FileHeader& h = f.header();
  store(h.head, load(h.tail));
  store(h.head_sequence, load(h.next_sequence));
  const std::string p = "after";
  REQUIRE(w.append(Kind::data, 0, p.data(), p.size()) == Writer::Result::written);
  const auto recs = read_all(f);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].first.kind == static_cast<std::uint16_t>(Kind::dropped));
  CHECK(recs[0].second == "10 records dropped: ring full");
  CHECK(recs[1].second == "after");
  CHECK(recs[1].first.sequence == recs[0].first.sequence + 1);
}

TEST_CASE("block policy gives up when interrupted", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("g.ring"), 4096, false);
  std::atomic<int> stop{1};
  auto o = opts(FullPolicy::block);
  o.interrupt = &stop;
  Writer w(f, o);
  const auto p = payload_for(0, 100);
  Writer::Result last = Writer::Result::written;
  for (int i = 0; i < 40 && last == Writer::Result::written; ++i) last = w.append(Kind::data, 0, p.data(), p.size());
  CHECK(last == Writer::Result::interrupted);
  CHECK(load(f.header().dropped) == 0);
}

TEST_CASE("one writer per file", "[ring]") {
  TempDir t;
  const auto path = t.file("h.ring");
  RingFile f = RingFile::create(path, 4096, false);
  Writer w(f, opts());
  RingFile f2 = RingFile::open(path, true);
  CHECK(f2.writer_alive());
  CHECK_THROWS_WITH(Writer(f2, opts()), Catch::Contains("another recorder (pid " + std::to_string(getpid())));
  w.close();
  CHECK_FALSE(f2.writer_alive());
  Writer w2(f2, opts());
  CHECK(w2.recovery().existing);
  CHECK_FALSE(w2.recovery().previous_died);
}

TEST_CASE("a new writer after a crash keeps every intact record and cuts a damaged tail", "[ring]") {
  TempDir t;
  const auto path = t.file("i.ring");
  {
    RingFile f = RingFile::create(path, 8192, false);
    Writer w(f, opts());
    for (std::uint64_t i = 0; i < 20; ++i) {
      const auto p = payload_for(i, 40);
      w.append(Kind::data, 0, p.data(), p.size());
    }
    w.close();
  }
  // The crash: the file says a recorder has it open, a record was half-written past the
  // tail (tail_intent ahead), and the last committed record has a bad byte.
  RingFile f = RingFile::open(path, true);
  FileHeader& h = f.header();
  store(h.writer_open, std::uint64_t{1});
  const std::uint64_t tail = load(h.tail);
  store(h.tail_intent, tail + 200);
  std::memset(f.data() + tail, 0x5A, 200);
  const std::uint64_t last_pos = tail - record_span(40);
  f.data()[last_pos + kRecordHeaderSize + 3] ^= 1;
  {
    Writer w(f, opts());
    const Recovery& rec = w.recovery();
    CHECK(rec.previous_died);
    CHECK(rec.records == 19);
    CHECK(rec.discarded_bytes == record_span(40));
    CHECK_THAT(rec.damage, Catch::Contains("checksum mismatch"));
    const std::string p = "next";
    w.append(Kind::data, 0, p.data(), p.size());
  }
  const auto recs = read_all(f);
  REQUIRE(recs.size() == 20);
  CHECK(recs[18].second == payload_for(18, 40));
  CHECK(recs[19].second == "next");
  CHECK(recs[19].first.sequence == 19);
}

TEST_CASE("readers stop at a damaged record", "[ring]") {
  TempDir t;
  RingFile f = RingFile::create(t.file("j.ring"), 8192, false);
  Writer w(f, opts());
  for (std::uint64_t i = 0; i < 5; ++i) {
    const auto p = payload_for(i, 40);
    w.append(Kind::data, 0, p.data(), p.size());
  }
  f.data()[2 * record_span(40) + kRecordHeaderSize] ^= 0x40;
  Reader r(f);
  Reader::Record rec;
  REQUIRE(r.next(rec) == Reader::Status::record);
  REQUIRE(r.next(rec) == Reader::Status::record);
  REQUIRE(r.next(rec) == Reader::Status::damaged);
  CHECK_THAT(r.damage(), Catch::Contains("sequence 2") && Catch::Contains("checksum mismatch"));
}

TEST_CASE("files that are not rings of this version are refused clearly", "[ring]") {
  TempDir t;
  const auto path = t.file("k.ring");
  { RingFile f = RingFile::create(path, 4096, false); }
  SECTION("bad magic") {
    write_bytes(path, 0, "NOTARING", 8);
    CHECK_THROWS_WITH(RingFile::open(path, false), Catch::Contains("not a flightrec ring file"));
  }
  SECTION("other version") {
    const std::uint32_t v = 2;
    write_bytes(path, 8, &v, 4);
    CHECK_THROWS_WITH(RingFile::open(path, false), Catch::Contains("layout version 2"));
  }
  SECTION("truncated") {
    fs::resize_file(path, 6000);
    CHECK_THROWS_WITH(RingFile::open(path, false), Catch::Contains("truncated: file is 6000 bytes"));
    fs::resize_file(path, 20);
    CHECK_THROWS_WITH(RingFile::open(path, false), Catch::Contains("truncated"));
  }
  SECTION("empty") {
    fs::resize_file(path, 0);
    CHECK_THROWS_WITH(RingFile::open(path, false), Catch::Contains("empty file"));
  }
  SECTION("impossible positions") {
    const std::uint64_t head = 100000;
    write_bytes(path, offsetof(FileHeader, head), &head, 8);
    CHECK_THROWS_WITH(RingFile::open(path, false), Catch::Contains("damaged header"));
  }
  SECTION("ring too small for the longest record") {
    RingFile f = RingFile::open(path, true);
    CHECK_THROWS_WITH(Writer(f, opts(FullPolicy::overwrite, 8192)), Catch::Contains("smaller than one record"));
  }
  CHECK_THROWS_WITH(RingFile::create(t.file("tiny.ring"), 1024, false), Catch::Contains("below the minimum"));
  CHECK_FALSE(fs::exists(t.file("tiny.ring")));
}

TEST_CASE("a reader racing a writer that laps it never returns a torn record", "[ring][race]") {
  // The writer laps this 4 KiB ring every 4 records, so the reader is often overwritten
  // mid-copy; only the re-check of tail_intent after the copy keeps it from returning (or
  // calling damaged) a half-overwritten record.
  TempDir t;
  RingFile f = RingFile::create(t.file("race.ring"), 4096, false);
  Writer w(f, opts(FullPolicy::overwrite, 1000));
  constexpr std::uint64_t kRecords = 20000;
  constexpr std::size_t kPayload = 1000;  // long copies: a wide window for the writer
  std::uint64_t read = 0, missed = 0, last = 0, first = UINT64_MAX;
  bool damaged = false;
  std::thread reader([&] {
    Reader r(f);
    Reader::Record rec;
    while (last + 1 < kRecords) {
      const auto st = r.next(rec);
      if (st == Reader::Status::end) {
        std::this_thread::yield();
        continue;
      }
      if (st == Reader::Status::damaged) {
        damaged = true;
        return;
      }
      const std::string p(reinterpret_cast<const char*>(rec.payload), rec.header.length);
      if (p != payload_for(rec.header.sequence, kPayload)) {
        damaged = true;
        return;
      }
      if (first == UINT64_MAX) first = rec.header.sequence;
      ++read;
      missed += rec.missed;
      last = rec.header.sequence;
    }
  });
  for (std::uint64_t i = 0; i < kRecords; ++i) {
    const auto p = payload_for(i, kPayload);
    w.append(Kind::data, 0, p.data(), p.size());
  }
  reader.join();
  CHECK_FALSE(damaged);
  CHECK(last == kRecords - 1);
  CHECK(missed > 0);
  CHECK(first + read + missed == kRecords);  // every record read or reported missed
}

TEST_CASE("a writer killed while a ring-sized record moved head past tail leaves an empty ring",
          "[ring]") {
  TempDir t;
  const auto path = t.file("l.ring");
  {
    RingFile f = RingFile::create(path, 4096, false);
    Writer w(f, opts());
    const std::string p(100, 'p');
    for (int i = 0; i < 3; ++i) w.append(Kind::data, 0, p.data(), p.size());
  }
  RingFile f = RingFile::open(path, true);
  FileHeader& h = f.header();
  const std::uint64_t tail = load(h.tail);
  store(h.head, tail + 64);  // where the big record would start
  store(h.tail_intent, tail + 64 + 4096);
  store(h.writer_open, std::uint64_t{1});
  RingFile reader_view = RingFile::open(path, false);  // not refused as damaged
  CHECK(read_all(reader_view).empty());
  Writer w(f, opts());
  CHECK(w.recovery().damage.empty());
  CHECK(w.recovery().records == 0);
  const std::string p = "after";
  w.append(Kind::data, 0, p.data(), p.size());
  const auto recs = read_all(f);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].second == "after");
  CHECK(recs[0].first.sequence == 3);
}

TEST_CASE("a record overwritten in the middle of a reader's copy is thrown away", "[ring][race]") {
  // Deterministic version of the race above: the writer laps the reader between the
  // reader's copy of a record header and its copy of the payload.
  TempDir t;
  RingFile f = RingFile::create(t.file("mid.ring"), 4096, false);
  Writer w(f, opts());
  struct Ctx {
    Writer* w;
    std::uint64_t next = 0;
    bool done = false;
  } ctx{&w};
  auto put = [](Ctx& c) {
    const auto p = payload_for(c.next, 100);
    c.w->append(Kind::data, 0, p.data(), p.size());
    ++c.next;
  };
  put(ctx);
  Reader r(f);
  r.set_mid_copy_hook(
      [](void* arg) {
        auto& c = *static_cast<Ctx*>(arg);
        if (c.done) return;
        c.done = true;
        for (int i = 0; i < 40; ++i) {  // more than a lap, and the reader's record is hit
          const auto p = payload_for(c.next, 100);
          c.w->append(Kind::data, 0, p.data(), p.size());
          ++c.next;
        }
      },
      &ctx);
  Reader::Record rec;
  REQUIRE(r.next(rec) == Reader::Status::record);
  CHECK(rec.header.sequence == load(f.header().head_sequence));
  CHECK(std::string(reinterpret_cast<const char*>(rec.payload), rec.header.length) ==
        payload_for(rec.header.sequence, 100));
  CHECK(ctx.done);
}
