// Outstanding calls waiting for their replies, matched by transaction id.
//
// A call is keyed by transport, client address and port, server port and XID.
// The server address is not in the key because a UDP server with several
// addresses may reply from another one; for TCP it is compared on lookup.
// Capacity is bounded: the caller evicts the oldest call when the table is full.
// Slots and their field storage are reused, so steady state allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "common/fields.hpp"
#include "common/flat_index.hpp"
#include "rpcspy/packet.hpp"
#include "rpcspy/program_table.hpp"
#include "rpcspy/rpc_message.hpp"

namespace rpcspy {

struct CallKey {
    Endpoint client;
    std::uint16_t server_port = 0;
    std::uint32_t xid = 0;
    Transport transport = Transport::Udp;
    bool operator==(const CallKey&) const = default;
};

// A 64-bit hash of a call key (never 0).
inline std::uint64_t hash_call_key(const CallKey& k) {
    std::uint64_t seed = std::uint64_t{k.xid} << 24 | std::uint64_t{k.server_port} << 8 |
                         static_cast<std::uint64_t>(k.transport);
    return hash_endpoint(k.client, seed) | 1;
}

struct PendingCall {
    CallKey key;
    Endpoint server;
    Timestamp ts;
    RpcCall header;
    const Program* program = nullptr;      // nullptr: not decoded (generic)
    const Procedure* procedure = nullptr;  // nullptr: unknown procedure number
    common::Fields args;
    std::uint32_t copies = 1;  // >1: retransmissions were seen
    std::uint32_t generation = 0;
    std::uint32_t slot = 0;
    bool in_use = false;
};

class CallTable {
public:
    explicit CallTable(std::size_t max_calls);

    std::size_t size() const { return live_; }
    std::size_t capacity() const { return max_; }
    bool full() const { return live_ >= max_; }

    // The pending call with this key, or nullptr. For TCP the server address must
    // also match.
    PendingCall* find(const CallKey& key, const Endpoint& server);

    // A fresh slot for a new call (the caller fills it in). Must not be called
    // when full().
    PendingCall* insert(const CallKey& key);

    // Frees a slot (after its reply, time-out or eviction).
    void erase(PendingCall* call);

    // The oldest pending call, or nullptr when none.
    PendingCall* oldest();

private:
    std::size_t max_;
    // hash_call_key -> slot number; starts small (cache-resident with a few calls
    // in flight) and grows with the live calls.
    common::FlatIndex index_{256};
    std::deque<PendingCall> slots_;     // stable addresses
    std::vector<std::uint32_t> free_;
    // Insertion order: (slot, generation) pairs, consumed from the front.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> order_;
    std::size_t order_head_ = 0;
    std::size_t live_ = 0;
};

}  // namespace rpcspy
