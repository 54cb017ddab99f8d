#include "text.hpp"

#include <catch2/catch.hpp>

using flightrec::format_time;
using flightrec::parse_duration_ns;
using flightrec::parse_size;
using flightrec::parse_time_ns;

TEST_CASE("sizes", "[text]") {
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("64K") == 65536u);
  CHECK(parse_size("64KiB") == 65536u);
  CHECK(parse_size("256M") == 256u << 20);
  CHECK(parse_size("256MB") == 256u << 20);
  CHECK(parse_size("1G") == 1ull << 30);
  CHECK(parse_size("1.5K") == 1536u);
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("M"));
  CHECK_FALSE(parse_size("12Q"));
  CHECK_FALSE(parse_size("-1"));
  CHECK_FALSE(parse_size("99999999999999999999"));
  CHECK_FALSE(parse_size("16777216T"));  // overflows 64 bits
}

TEST_CASE("durations", "[text]") {
  CHECK(parse_duration_ns("1s") == 1000000000u);
  CHECK(parse_duration_ns("2") == 2000000000u);
  CHECK(parse_duration_ns("250ms") == 250000000u);
  CHECK(parse_duration_ns("1.5m") == 90000000000u);
  CHECK(parse_duration_ns("2h") == 7200000000000u);
  CHECK(parse_duration_ns("0.000000001s") == 1u);
  CHECK_FALSE(parse_duration_ns("s"));
  CHECK_FALSE(parse_duration_ns("5 min"));
  CHECK_FALSE(parse_duration_ns("1.0000000001s"));  // below a nanosecond
}

TEST_CASE("times", "[text]") {
  const std::uint64_t now = 1763781300000000000ull;  // 2025-11-22T03:15:00Z
  CHECK(parse_time_ns("@1763781300", now) == now);
  CHECK(parse_time_ns("@1763781300.5", now) == now + 500000000u);
  CHECK(parse_time_ns("2025-11-22T03:15:00Z", now) == now);
  CHECK(parse_time_ns("2025-11-22T03:15:00", now) == now);
  CHECK(parse_time_ns("2025-11-22 03:15:00.000000001Z", now) == now + 1);
  CHECK(parse_time_ns("-10m", now) == now - 600000000000ull);
  CHECK_FALSE(parse_time_ns("yesterday", now));
  CHECK_FALSE(parse_time_ns("2025-13-22T03:15:00Z", now));
  CHECK_FALSE(parse_time_ns("2025-11-22T03:15:00.Z", now));
  CHECK_FALSE(parse_time_ns("", now));
}

TEST_CASE("printed times parse back to the same nanosecond", "[text]") {
  for (std::uint64_t ns : {0ull, 1ull, 999999999ull, 1763781300123456789ull, 4102444799999999999ull}) {
    const std::string s = format_time(ns);
    INFO(s);
    CHECK(s.size() == 30);
    CHECK(parse_time_ns(s, 0) == ns);
  }
  CHECK(format_time(1763781300123456789ull) == "2025-11-22T03:15:00.123456789Z");
}
