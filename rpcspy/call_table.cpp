#include "rpcspy/call_table.hpp"

#include <algorithm>
#include <bit>

namespace rpcspy {

namespace {
constexpr std::size_t kFirstBuckets = 256;
}  // namespace

CallTable::CallTable(std::size_t max_calls) : max_(max_calls < 1 ? 1 : max_calls) {
    // The index grows with the live calls (up to twice max_ buckets), so that a
    // few calls in flight use a small, cache-resident index.
    std::size_t buckets = std::min(kFirstBuckets, std::bit_ceil(max_ * 2));
    mask_ = buckets - 1;
    index_.assign(buckets, 0);
}

void CallTable::grow_index() {
    index_.assign(index_.size() * 2, 0);
    mask_ = index_.size() - 1;
    for (const PendingCall& c : slots_) {
        if (!c.in_use) continue;
        std::size_t b = bucket_of(c.key);
        while (index_[b] != 0) b = (b + 1) & mask_;
        index_[b] = c.slot + 1;
    }
}

std::size_t CallTable::bucket_of(const CallKey& k) const {
    return static_cast<std::size_t>(hash_call_key(k)) & mask_;
}

PendingCall* CallTable::find(const CallKey& key, const Endpoint& server) {
    for (std::size_t b = bucket_of(key);; b = (b + 1) & mask_) {
        std::uint32_t v = index_[b];
        if (v == 0) return nullptr;
        PendingCall& c = slots_[v - 1];
        if (c.key == key) {
            if (key.transport == Transport::Tcp && !(c.server.addr == server.addr)) continue;
            return &c;
        }
    }
}

PendingCall* CallTable::insert(const CallKey& key) {
    // Load at most one half.
    if ((live_ + 1) * 2 > index_.size() && index_.size() < std::bit_ceil(max_ * 2)) grow_index();
    std::uint32_t slot;
    if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    PendingCall& c = slots_[slot];
    c.key = key;
    c.slot = slot;
    c.in_use = true;
    c.copies = 1;
    c.args.clear();
    ++c.generation;
    std::size_t b = bucket_of(key);
    while (index_[b] != 0) b = (b + 1) & mask_;
    index_[b] = slot + 1;
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

void CallTable::index_remove(std::uint32_t slot) {
    std::size_t b = bucket_of(slots_[slot].key);
    while (index_[b] != slot + 1) b = (b + 1) & mask_;
    // Backward-shift deletion keeps linear probing free of tombstones.
    std::size_t hole = b;
    for (std::size_t i = (hole + 1) & mask_; index_[i] != 0; i = (i + 1) & mask_) {
        std::size_t home = bucket_of(slots_[index_[i] - 1].key);
        // Move entry i into the hole if its home is not in (hole, i].
        bool home_between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!home_between) {
            index_[hole] = index_[i];
            hole = i;
        }
    }
    index_[hole] = 0;
}

void CallTable::erase(PendingCall* call) {
    if (!call->in_use) return;
    index_remove(call->slot);
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
