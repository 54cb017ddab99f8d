// Fuzz target: every program decoder of the registry (rpcspy/program_table.hpp):
// the call (arguments) and reply (results) decoder of every procedure of every
// (program, version) find_program() knows, then the fields rendered as text and
// as JSON.
//
// Input: byte 0 picks the (program, version) (modulo their number), byte 1 the
// procedure (modulo the table's size), byte 2 bit 0 reply rather than call, bit 1
// JSON; the rest is the body: the bytes after the RPC call or reply header.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/fields.hpp"
#include "common/out_buffer.hpp"
#include "common/xdr.hpp"
#include "fuzz_input.hpp"
#include "rpcspy/program_table.hpp"

namespace {

// The registry, enumerated once by asking find_program() about every version of
// every program number it might know.
const std::vector<const rpcspy::Program*>& programs() {
    static const std::vector<const rpcspy::Program*> list = [] {
        std::vector<const rpcspy::Program*> v;
        const std::uint32_t numbers[] = {100000, 100003, 100005, 100011, 100021, 100024, 100227,
                                         rpcspy::kNfs4CbFirst};
        for (auto n : numbers)
            for (std::uint32_t vers = 0; vers < 16; ++vers)
                if (const auto* p = rpcspy::find_program(n, vers)) v.push_back(p);
        return v;
    }();
    return list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const auto& progs = programs();
    const auto* prog = progs[in.u8() % progs.size()];
    if (prog->procedures.empty()) return 0;
    const auto& proc = prog->procedures[in.u8() % prog->procedures.size()];
    const std::uint8_t how = in.u8();
    const auto body = in.rest();

    common::XdrCursor cur(body);
    common::Fields fields;
    if (how & 1) {
        if (proc.reply) {
            const auto status = proc.reply(cur, fields);
            FUZZ_CHECK(!status.empty());
        }
    } else if (proc.call) {
        proc.call(cur, fields);
    }
    FUZZ_CHECK(cur.offset() <= body.size());
    common::OutBuffer out(-1);
    if (how & 2)
        fields.render_json(out);
    else
        fields.render_text(out);
    return 0;
}
