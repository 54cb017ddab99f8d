// Writes call/reply records in the text or JSON Lines form of rpcspy(5).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/fields.hpp"
#include "common/out_buffer.hpp"
#include "rpcspy/packet.hpp"

namespace rpcspy {

enum class OutputFormat : std::uint8_t { Text, Json };

constexpr int kRecordFormatVersion = 1;

// The fixed fields of one record.
struct RecordHead {
    Timestamp call_ts;
    bool replied = false;
    std::int64_t dur_ns = 0;
    Endpoint client, server;
    Transport transport = Transport::Udp;
    std::uint32_t xid = 0;
    bool has_unix_cred = false;
    std::uint32_t uid = 0, gid = 0;
    const char* prog_name = nullptr;  // nullptr: print the number
    std::uint32_t prog = 0, vers = 0;
    const char* proc_name = nullptr;  // nullptr: print the number
    std::uint32_t proc = 0;
    std::string_view status;
    std::uint32_t copies = 1;  // > 1 adds a dup token
};

// -l on a live capture: the records buffered go out once the oldest of them is
// a millisecond old in capture time, or when the traffic pauses (Capture::run's
// idle), rather than with a write per record, which at high rates is most of
// rpcspy's CPU time.
class LiveFlush {
public:
    static constexpr std::int64_t kMaxDelayNs = 1'000'000;
    // After a frame of time `now` was handled, `buffered` bytes wait: should
    // they go out now?
    bool after_frame(const Timestamp& now, std::size_t buffered) {
        if (buffered == 0) {
            waiting_ = false;
            return false;
        }
        if (!waiting_) {
            waiting_ = true;
            since_ = now;
            return false;
        }
        if (nanos_between(since_, now) < kMaxDelayNs) return false;
        waiting_ = false;
        return true;
    }
    // What was buffered has gone out.
    void flushed() { waiting_ = false; }

private:
    bool waiting_ = false;
    Timestamp since_{};  // time of the frame after which the oldest buffered record was written
};

class RecordWriter {
public:
    // time_digits: 6 (microseconds) or 9 (nanoseconds).
    RecordWriter(common::OutBuffer& out, OutputFormat format, int time_digits, bool line_buffered)
        : out_(out), format_(format), digits_(time_digits), line_buffered_(line_buffered) {}

    // The header comment line (text form only).
    void header();
    // --no-names: every string from the wire (names, paths, link targets, machine
    // and owner names, tags) is written as "-"; directory entries keep their file
    // id and handle ("entry=<fileid>/<fh>/-").
    void set_no_names(bool on) { no_names_ = on; }
    // The style for the call and reply fields handed to write(): plain text records
    // are written once in their final form; JSON and --no-names need the list.
    common::FieldStyle field_style() const {
        return format_ == OutputFormat::Text && !no_names_ ? common::FieldStyle::Text
                                                           : common::FieldStyle::Structured;
    }

    // One record: fixed fields, then the call's fields, then the reply's.
    void write(const RecordHead& head, const common::Fields& call, const common::Fields& reply);
    // A comment line (text form) or nothing (JSON).
    void comment(std::string_view text);
    std::uint64_t written() const { return written_; }

private:
    void put_time(const Timestamp& ts);
    void put_duration(std::int64_t ns);
    void end_record();
    const common::Fields& redacted(const common::Fields& in, common::Fields& scratch) const;
    // "address.port" of an endpoint, formatted once while it stays the same
    // (records of one conversation repeat their client and server).
    struct EndpointText {
        Endpoint endpoint;
        bool valid = false;
        std::size_t address_len = 0;  // "address"
        std::size_t len = 0;          // "address.port"
        char text[48];
    };
    static const EndpointText& endpoint_text(const Endpoint& e, EndpointText& cache);

    common::OutBuffer& out_;
    OutputFormat format_;
    int digits_;
    bool line_buffered_;
    bool no_names_ = false;
    common::Fields call_scratch_, reply_scratch_;
    EndpointText client_text_, server_text_;
    std::uint64_t written_ = 0;
};

}  // namespace rpcspy
