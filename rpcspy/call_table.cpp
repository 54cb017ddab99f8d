#include "rpcspy/call_table.hpp"

#include "common/free_slots.hpp"

namespace rpcspy {

CallTable::CallTable(std::size_t max_calls) : max_(max_calls < 1 ? 1 : max_calls) {}

PendingCall* CallTable::find(const CallKey& key, const Endpoint& server) {
    std::uint64_t slot = index_.find(hash_call_key(key), [&](std::uint64_t v) {
        const PendingCall& c = slots_[v];
        // For TCP the server address must match too.
        return c.key == key && (key.transport != Transport::Tcp || c.server.addr == server.addr);
    });
    return slot == common::FlatIndex::kNone ? nullptr : &slots_[slot];
}

PendingCall* CallTable::insert(const CallKey& key) {
    std::uint32_t slot = common::take_slot(slots_, free_);
    PendingCall& c = slots_[slot];
    c.key = key;
    c.slot = slot;
    c.in_use = true;
    c.copies = 1;
    c.args.clear();
    ++c.generation;
    index_.insert(hash_call_key(key), slot);
    // Compact the order queue when its consumed prefix dominates, so its size
    // stays below twice the live calls and it stops growing in steady state.
    if (order_head_ * 2 > order_.size()) {
        order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(order_head_));
        order_head_ = 0;
    }
    order_.emplace_back(slot, c.generation);
    ++live_;
    return &c;
}

void CallTable::erase(PendingCall* call) {
    if (!call->in_use) return;
    index_.erase(hash_call_key(call->key), call->slot);
    call->in_use = false;
    free_.push_back(call->slot);
    --live_;
}

PendingCall* CallTable::oldest() {
    while (order_head_ < order_.size()) {
        auto [slot, gen] = order_[order_head_];
        PendingCall& c = slots_[slot];
        if (c.in_use && c.generation == gen) return &c;
        ++order_head_;
    }
    return nullptr;
}

}  // namespace rpcspy
