// Fuzz target: flightrec's ring file validation, reading and recovery
// (flightrec/ring.hpp): the input becomes a ring file, which is opened
// read-only and read from head to tail as `flightrec dump` does, then opened
// for writing so that a new Writer checks and repairs it, appends a few
// records and closes it; the repaired ring must then read without damage.
//
// Input: byte 0 sets options (bit 0: give the header a valid identity: magic,
// version, header size and a capacity matching the file; bit 1: recompute the
// checksum of every record laid from data offset 0; bit 2: the recovery test;
// bits 4-5: the writer's full policy). Then up to 512 bytes of header (the
// rest of the 4096-byte header is zeros), then the data area (zero-padded to
// a multiple of 8 bytes and at least the minimum capacity).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "layout.hpp"
#include "ring.hpp"

namespace {

constexpr std::size_t kHeaderBytes = 512;

void fix_identity(std::vector<unsigned char>& file) {
    flightrec::FileHeader h;
    std::memcpy(&h, file.data(), sizeof h);
    std::memcpy(h.magic, flightrec::kMagic, sizeof h.magic);
    h.version = flightrec::kLayoutVersion;
    h.header_size = flightrec::kHeaderSize;
    h.capacity = file.size() - flightrec::kHeaderSize;
    std::memcpy(file.data(), &h, sizeof h);
}

void fix_checksums(std::vector<unsigned char>& file) {
    unsigned char* data = file.data() + flightrec::kHeaderSize;
    const std::size_t cap = file.size() - flightrec::kHeaderSize;
    std::size_t pos = 0;
    while (pos + flightrec::kRecordHeaderSize <= cap) {
        flightrec::RecordHeader h;
        std::memcpy(&h, data + pos, sizeof h);
        const std::uint64_t span = flightrec::record_span(h.length);
        if (h.length == 0 && h.kind == 0 && h.sequence == 0) break;  // unused space
        if (span > cap - pos) break;
        h.crc = flightrec::record_crc(h, data + pos + flightrec::kRecordHeaderSize);
        std::memcpy(data + pos, &h, sizeof h);
        pos += span;
    }
}

// Rings with impossible positions (tail far ahead of head, tail_intent a ring
// ahead, positions near 2^64) once made readers and recovery loop for ever; the
// reproducers are in corpus/flightrec_file/crashes and must now end.

// Reads the ring from head to tail; true if it ends without damage.
bool read_all(const flightrec::RingFile& file) {
    flightrec::Reader r(file);
    r.seek_head();
    const std::uint64_t limit = flightrec::load(file.header().tail);
    flightrec::Reader::Record rec;
    volatile std::uint8_t sink = 0;
    for (int n = 0; n < 100000; ++n) {
        switch (r.next(rec, limit)) {
            case flightrec::Reader::Status::record:
                sink = fuzz::touch(rec.payload, rec.header.length);
                FUZZ_CHECK(flightrec::kind_name(static_cast<flightrec::Kind>(rec.header.kind)) != nullptr);
                break;
            case flightrec::Reader::Status::end: return true;
            case flightrec::Reader::Status::damaged: FUZZ_CHECK(!r.damage().empty()); return false;
        }
    }
    (void)sink;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint8_t opts = in.u8();
    const auto header = in.take(kHeaderBytes);
    const auto area = in.rest();
    std::size_t cap = (area.size() + flightrec::kRecordAlign - 1) & ~(flightrec::kRecordAlign - 1);
    if (cap < flightrec::kMinCapacity) cap = flightrec::kMinCapacity;
    std::vector<unsigned char> file(flightrec::kHeaderSize + cap, 0);
    std::memcpy(file.data(), header.data(), header.size());
    std::memcpy(file.data() + flightrec::kHeaderSize, area.data(), area.size());
    if (opts & 1) fix_identity(file);
    if (opts & 2) fix_checksums(file);

    const int fd = memfd_create("fuzz_flightrec", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (::write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
        ::close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    try {
        const auto ring = flightrec::RingFile::open(path, false);
        (void)read_all(ring);
    } catch (const flightrec::Error& e) {
        FUZZ_CHECK(e.what()[0] != '\0');
    }
    if (opts & 4) {
        try {
            auto ring = flightrec::RingFile::open(path, true);
            flightrec::Writer::Options wo;
            wo.policy = static_cast<flightrec::FullPolicy>((opts >> 4) % 2);  // overwrite or drop, never block
            wo.max_record = 512;
            {
                flightrec::Writer w(ring, wo);
                const std::string text(area.size() % 700, 'x');
                for (int i = 0; i < 3; ++i) (void)w.append_text(flightrec::Kind::data, text);
                w.close();
            }
            // What a writer left after its repair reads cleanly.
            FUZZ_CHECK(read_all(ring));
        } catch (const flightrec::Error& e) {
            FUZZ_CHECK(e.what()[0] != '\0');
        }
    }
    ::close(fd);
    return 0;
}
