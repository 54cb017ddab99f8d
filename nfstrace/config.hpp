// nfstrace's settings (see man/nfstrace.1 for their meaning and defaults).
#pragma once

#include <cstdint>
#include <string>

#include "nfstrace/siphash.hpp"

namespace nfstrace {

using Time = std::int64_t;  // nanoseconds since 1970-01-01 UTC
inline constexpr Time kSecond = 1'000'000'000;

struct Config {
    Time idle = 30 * kSecond;       // a run of I/O ends after this gap
    Time lead = 1 * kSecond;        // GETATTR/ACCESS/CREATE this close before I/O start its open
    Time window = 2 * kSecond;      // reorder window on call times
    std::size_t window_records = 1 << 18;  // ... and at most this many records in it
    Time expire = 3600 * kSecond;   // forget handles not seen for this long
    std::size_t max_held = 1 << 20;  // finished opens held back for sorting, at most
    Time sweep = 0;                  // sweep interval; 0: a quarter of idle, at least 1 s
    bool cache_hits = true;         // report GETATTR/ACCESS/CREATE-only opens (0 bytes)
    bool json = false;
    bool names = true;               // --no-names clears it
    bool anonymize = false;          // path components (and handles) by keyed hash
    bool anonymize_numbers = false;  // uid, gid, addresses too
    bool short_fh = false;
    SipKey key{};                    // the anonymization key
    bool summary = false;            // --summary instead of opens
    Time interval = 0;               // --interval: summary per interval of call time (0: whole input)
    bool strict = false;
    bool stats = false;
};

}  // namespace nfstrace
