// Fuzz target: the rpcspy record-line reader shared with nfstrace
// (common/record_line.hpp): RecordLine::parse on every line, the number parsers,
// and LineBlockReader, whose lines (read with a tiny and a large block) must be those
// of a plain split on '\n'.
//
// Input: text; lines separated by '\n'.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/record_line.hpp"
#include "fuzz_input.hpp"

namespace {

std::vector<std::string_view> split(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) {
            lines.push_back(text);
            break;
        }
        lines.push_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    return lines;
}

void check_line_blocks(std::string_view text, const std::vector<std::string_view>& want, std::size_t block) {
    const int fd = memfd_create("fuzz_record_line", MFD_CLOEXEC);
    if (fd < 0) return;
    std::size_t off = 0;
    while (off < text.size()) {
        const auto n = ::write(fd, text.data() + off, text.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    if (off == text.size() && ::lseek(fd, 0, SEEK_SET) == 0) {
        common::LineBlockReader reader(fd, block);
        std::vector<char> buf;
        std::size_t size = 0;
        std::size_t i = 0;
        bool ended_without_newline = false;
        while (reader.read(buf, size)) {
            FUZZ_CHECK(size > 0 && size <= buf.size() && !ended_without_newline);
            ended_without_newline = buf[size - 1] != '\n';
            std::string_view rest(buf.data(), size);
            while (!rest.empty()) {
                const std::string_view line = common::take_line(rest);
                FUZZ_CHECK(i < want.size() && line == want[i]);
                ++i;
            }
        }
        FUZZ_CHECK(i == want.size());
        FUZZ_CHECK(reader.read_error() == 0);
    }
    ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto lines = split(text);

    common::RecordLine rec;
    volatile std::size_t sink = 0;
    for (const auto line : lines) {
        // A copy of the line alone, so that reading past its end is caught.
        const std::string copy(line);
        switch (rec.parse(copy)) {
            case common::LineKind::Record:
                for (std::size_t f = 0; f < common::RecordLine::kFixedCount; ++f) {
                    const auto v = rec.field(static_cast<common::RecordLine::Fixed>(f));
                    FUZZ_CHECK(!v.empty());
                    FUZZ_CHECK(v.data() >= copy.data() && v.data() + v.size() <= copy.data() + copy.size());
                }
                for (const auto& t : rec.tokens()) {
                    FUZZ_CHECK(!t.key.empty());
                    sink = sink + t.key.size() + t.value.size();
                }
                if (const auto* t = rec.find("fh")) sink = sink + t->value.size();
                if (const auto* t = rec.find_last("name")) sink = sink + t->value.size();
                FUZZ_CHECK(rec.time_digits() >= 0 && rec.time_digits() <= 9);
                break;
            case common::LineKind::Bad:
                FUZZ_CHECK(common::describe(rec.error()) != nullptr);
                FUZZ_CHECK(rec.error_column() <= copy.size() + 1);
                break;
            case common::LineKind::Header:
            case common::LineKind::Comment:
            case common::LineKind::Blank:
                break;
        }
        std::int64_t ns = 0;
        int digits = 0;
        if (common::parse_time_ns(copy, ns, &digits)) FUZZ_CHECK(digits >= 0 && digits <= 9);
        std::uint64_t u64 = 0;
        std::uint32_t u32 = 0;
        sink = sink + common::parse_u64(copy, u64) + common::parse_u32(copy, u32);
    }
    check_line_blocks(text, lines, 16);
    check_line_blocks(text, lines, 1 << 16);
    (void)sink;
    return 0;
}
