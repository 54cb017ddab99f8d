#include "rpcspy/ip_fragments.hpp"

#include <algorithm>
#include <cstring>

#include "common/free_slots.hpp"

namespace rpcspy {

IpReassembler::IpReassembler(IpFragmentLimits limits) : limits_(limits) {
    limits_.max_datagrams = std::max<std::size_t>(1, limits_.max_datagrams);
    slots_.reserve(limits_.max_datagrams);
    active_.reserve(limits_.max_datagrams);
    free_.reserve(limits_.max_datagrams);
}

void IpReassembler::release(std::size_t pos) {
    free_.push_back(active_[pos]);
    active_[pos] = active_.back();
    active_.pop_back();
}

PacketStatus IpReassembler::on_fragment(Packet& pkt) {
    ++stats_.fragments;
    const IpFragmentInfo& f = pkt.frag;
    if (f.wire == 0 || (f.more && f.wire % 8 != 0) || f.len > f.wire) {
        ++stats_.malformed;
        return PacketStatus::IpFragment;
    }
    Key key;
    key.src = pkt.src.addr;
    key.dst = pkt.dst.addr;
    key.id = f.id;
    key.family = pkt.src.family;
    key.proto = key.family == 4 ? f.proto : 0;

    std::size_t pos = 0;
    while (pos < active_.size() && !(slots_[active_[pos]].key == key)) ++pos;
    const std::size_t lo = f.offset, hi = lo + f.wire;
    if (hi > limits_.max_size) {
        ++stats_.too_big;
        if (pos < active_.size()) release(pos);
        return PacketStatus::IpFragment;
    }
    if (pos == active_.size()) {
        if (active_.size() >= limits_.max_datagrams) {
            std::size_t oldest = 0;
            for (std::size_t i = 1; i < active_.size(); ++i)
                if (slots_[active_[i]].first_seen < slots_[active_[oldest]].first_seen) oldest = i;
            release(oldest);
            ++stats_.evicted;
        }
        std::uint32_t idx = common::take_slot(slots_, free_);
        Datagram& n = slots_[idx];
        n.key = key;
        n.first_seen = pkt.ts;
        n.ranges.clear();
        n.total = 0;
        n.have_last = false;
        n.first_proto = 0;
        n.captured_end = limits_.max_size;
        n.fragments = 0;
        pos = active_.size();
        active_.push_back(idx);
    }
    Datagram& d = slots_[active_[pos]];
    if (++d.fragments > limits_.max_fragments) {
        ++stats_.too_many;
        release(pos);
        return PacketStatus::IpFragment;
    }
    if (!f.more) {
        if ((d.have_last && d.total != hi) || (!d.ranges.empty() && d.ranges.back().hi > hi)) {
            ++stats_.inconsistent;
            release(pos);
            return PacketStatus::IpFragment;
        }
        d.have_last = true;
        d.total = hi;
    } else if (d.have_last && hi > d.total) {
        ++stats_.inconsistent;
        release(pos);
        return PacketStatus::IpFragment;
    }
    if (lo == 0) d.first_proto = f.proto;
    if (d.buf.size() < hi) d.buf.resize(hi);

    // Copy the bytes not received yet; compare the others (the first copy wins).
    const std::size_t cap_hi = lo + f.len;  // captured bytes of this fragment end here
    bool overlap = false, conflict = false;
    auto copy = [&](std::size_t a, std::size_t b) {
        b = std::min(b, cap_hi);
        if (a < b) std::memcpy(d.buf.data() + a, f.data + (a - lo), b - a);
    };
    std::size_t x = lo, covered = 0;
    for (const Range& r : d.ranges) {
        if (r.hi <= x) continue;
        if (r.lo >= hi) break;
        if (r.lo > x) copy(x, r.lo);
        std::size_t a = std::max(x, r.lo), b = std::min(hi, r.hi);
        overlap = true;
        covered += b - a;
        std::size_t cb = std::min({b, cap_hi, d.captured_end});
        if (a < cb && std::memcmp(d.buf.data() + a, f.data + (a - lo), cb - a) != 0) conflict = true;
        x = b;
        if (x >= hi) break;
    }
    if (x < hi) copy(x, hi);
    if (f.len < f.wire) d.captured_end = std::min(d.captured_end, cap_hi);
    if (overlap) ++(covered == hi - lo ? stats_.duplicates : stats_.overlaps);
    if (conflict) ++stats_.conflicts;

    // Merge [lo, hi) into the received ranges.
    auto it = std::lower_bound(d.ranges.begin(), d.ranges.end(), lo,
                               [](const Range& r, std::size_t v) { return r.hi < v; });
    auto last = it;
    std::size_t nlo = lo, nhi = hi;
    while (last != d.ranges.end() && last->lo <= hi) {
        nlo = std::min(nlo, last->lo);
        nhi = std::max(nhi, last->hi);
        ++last;
    }
    if (it == last) {
        d.ranges.insert(it, Range{nlo, nhi});
    } else {
        *it = Range{nlo, nhi};
        d.ranges.erase(it + 1, last);
    }

    if (!d.have_last || d.ranges.size() != 1 || d.ranges[0].lo != 0 || d.ranges[0].hi != d.total)
        return PacketStatus::IpFragment;
    ++stats_.reassembled;
    std::uint8_t proto = d.key.family == 4 ? d.key.proto : d.first_proto;
    std::size_t captured = std::min(d.captured_end, d.total);
    release(pos);  // the buffer stays intact until the slot is reused
    PacketStatus st = decode_ip_payload(d.key.family, proto, d.buf.data(), captured, d.total, pkt);
    if (st != PacketStatus::Ok) ++stats_.undecoded;
    return st;
}

void IpReassembler::expire(const Timestamp& now) {
    for (std::size_t pos = active_.size(); pos-- > 0;) {
        if (now.sec - slots_[active_[pos]].first_seen.sec > limits_.timeout_seconds) {
            ++stats_.timed_out;
            release(pos);
        }
    }
}

}  // namespace rpcspy
