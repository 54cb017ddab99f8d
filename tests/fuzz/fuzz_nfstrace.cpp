// Fuzz target: nfstrace's whole processing of rpcspy records (nfstrace::Tracer:
// line parsing, event extraction for NFSv2/v3/v4 and MOUNT, handle and host
// tables, open inference, output and summary), line by line, then finish();
// then the same text through Tracer::feed (read and parsed on a second thread,
// written on a third), which must give the same output and messages.
//
// Input: byte 0 sets options (bit 0 JSON, 1 --summary, 2 --anonymize, 3
// anonymize numbers, 4 short handles, 5 no cache hits, 6 --no-names, 7 small
// windows and limits); the rest is text, lines separated by '\n'.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/out_buffer.hpp"
#include "fuzz_input.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/nfstrace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint8_t opts = in.u8();
    const auto rest = in.rest();
    const std::string text(reinterpret_cast<const char*>(rest.data()), rest.size());

    nfstrace::Config cfg;
    cfg.json = opts & 1;
    cfg.summary = opts & 2;
    cfg.anonymize = opts & 4;
    cfg.anonymize_numbers = opts & 8;
    cfg.short_fh = opts & 16;
    cfg.cache_hits = !(opts & 32);
    cfg.names = !(opts & 64);
    if (opts & 128) {
        cfg.idle = nfstrace::kSecond;
        cfg.lead = nfstrace::kSecond / 10;
        cfg.window = nfstrace::kSecond / 2;
        cfg.window_records = 3;
        cfg.expire = 5 * nfstrace::kSecond;
        cfg.max_held = 2;
        cfg.interval = 2 * nfstrace::kSecond;
    }
    cfg.stats = true;

    // Line by line (Tracer::line), then the same text read from a file by
    // Tracer::feed (parsed on its own thread): the same output and messages.
    common::OutBuffer out(-1), err(-1);
    {
        nfstrace::Tracer tracer(cfg, out, err);
        std::string_view all(text);
        std::uint64_t lineno = 0;
        while (!all.empty()) {
            const auto nl = all.find('\n');
            // A copy of the line alone, so that reading past its end is caught.
            const std::string line(all.substr(0, nl));
            all.remove_prefix(nl == std::string_view::npos ? all.size() : nl + 1);
            if (!tracer.line(line, "fuzz", ++lineno)) break;
        }
        tracer.finish();
    }
    const int fd = memfd_create("fuzz_nfstrace", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::lseek(fd, 0, SEEK_SET) == 0) {
        common::OutBuffer fed_out(-1), fed_err(-1);
        {
            nfstrace::Tracer tracer(cfg, fed_out, fed_err);
            tracer.feed(fd, "fuzz");
            tracer.finish();
        }
        FUZZ_CHECK(fed_out.view() == out.view());
        FUZZ_CHECK(fed_err.view() == err.view());
    }
    ::close(fd);
    return 0;
}
