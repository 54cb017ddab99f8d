// Writes inferred opens, one line each: the text form (header line, fixed
// fields, key=value tokens, escaped like rpcspy records) or JSON Lines.
#pragma once

#include <string>

#include "common/out_buffer.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/handles.hpp"
#include "nfstrace/opens.hpp"

namespace nfstrace {

inline constexpr std::string_view kOpensHeader =
    "#nfstrace-opens 1 open close dir server fh client uid rbytes wbytes size [key=value...]";

class OpenWriter : public OpenSink {
public:
    OpenWriter(common::OutBuffer& out, const Config& cfg, const HostTable& hosts)
        : out_(out), cfg_(cfg), hosts_(hosts) {}
    // Fraction digits of times (6 or 9); set before the first emit.
    void set_time_digits(int digits) { digits_ = digits; }
    void header();
    void emit(const OpenRecord& r) override;

private:
    void put_time(Time t);
    void put_host(std::uint32_t id, char domain);
    void put_fh(const OpenRecord& r);
    void put_id(std::uint32_t id, char domain);

    common::OutBuffer& out_;
    const Config& cfg_;
    const HostTable& hosts_;
    int digits_ = 6;
    std::string scratch_;
};

}  // namespace nfstrace
