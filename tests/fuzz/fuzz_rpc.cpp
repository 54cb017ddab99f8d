// Fuzz target: ONC-RPC message headers (parse_rpc), the AUTH_SYS and RPCSEC_GSS
// credentials, RPCSEC_GSS integrity unwrapping and the GSS init result
// (rpcspy/rpc_message.hpp). Input: one RPC message (a UDP payload, or a TCP
// record without its mark).
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_input.hpp"
#include "rpcspy/program_table.hpp"
#include "rpcspy/rpc_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> msg(data, size);
    rpcspy::RpcCall call;
    rpcspy::RpcReply reply;
    volatile std::uint8_t sink = 0;
    volatile const void* name = nullptr;
    switch (rpcspy::parse_rpc(msg, call, reply)) {
        case rpcspy::RpcParse::Call: {
            FUZZ_CHECK(call.args_offset <= size);
            const auto cred = rpcspy::credential(msg, call);
            FUZZ_CHECK(cred.size() <= rpcspy::kMaxAuthBytes);
            sink = fuzz::touch(cred);
            rpcspy::AuthSysParms sys;
            if (rpcspy::parse_auth_sys(cred, sys)) {
                FUZZ_CHECK(sys.ngids <= sys.gids.size());
                FUZZ_CHECK(sys.machine.size() <= 255);
                sink = fuzz::touch(sys.machine);
            }
            rpcspy::GssCred gss;
            if (rpcspy::parse_gss_cred(cred, gss)) {
                sink = fuzz::touch(gss.handle);
                name = rpcspy::gss_proc_name(gss.proc);
                name = rpcspy::gss_service_name(gss.service);
            }
            const auto args = msg.subspan(call.args_offset);
            std::span<const std::uint8_t> body;
            std::uint32_t seq = 0;
            if (rpcspy::unwrap_gss_integ(args, body, seq) == rpcspy::GssUnwrap::Ok) sink = fuzz::touch(body);
            name = rpcspy::program_name(call.prog);
            break;
        }
        case rpcspy::RpcParse::Reply: {
            name = rpcspy::reply_outcome_name(reply.outcome);
            FUZZ_CHECK(reply.results_offset <= size);
            const auto results = msg.subspan(reply.results_offset);
            rpcspy::GssInitRes init;
            if (rpcspy::parse_gss_init_res(results, init)) sink = fuzz::touch(init.handle);
            std::span<const std::uint8_t> body;
            std::uint32_t seq = 0;
            if (rpcspy::unwrap_gss_integ(results, body, seq) == rpcspy::GssUnwrap::Ok) sink = fuzz::touch(body);
            break;
        }
        case rpcspy::RpcParse::Truncated:
        case rpcspy::RpcParse::NotRpc:
            break;
    }
    (void)sink;
    (void)name;
    return 0;
}
