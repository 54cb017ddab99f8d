#include "rpcspy/tcp_reassembly.hpp"

#include <algorithm>

namespace rpcspy {

std::size_t TcpReassembler::FlowHash::operator()(const FlowKey& k) const {
    std::uint64_t h = 1469598103934665603ULL;
    auto feed = [&h](const Endpoint& e) {
        for (std::uint8_t b : e.addr) h = (h ^ b) * 1099511628211ULL;
        h = (h ^ e.port) * 1099511628211ULL;
    };
    feed(k.src);
    feed(k.dst);
    return static_cast<std::size_t>(h ^ (h >> 29));
}

void TcpReassembler::on_segment(const Packet& pkt) {
    ++stats_.segments;
    FlowKey key{pkt.src, pkt.dst};
    auto it = streams_.find(key);
    if (it == streams_.end()) {
        if (pkt.flags & tcp_flags::Rst) return;
        if (streams_.size() >= limits_.max_streams) {
            auto victim = std::min_element(streams_.begin(), streams_.end(), [](const auto& a, const auto& b) {
                return a.second.last_seen < b.second.last_seen;
            });
            streams_.erase(victim);
            ++stats_.streams_evicted;
        }
        it = streams_.emplace(key, Stream{}).first;
    }
    Stream& s = it->second;
    s.last_seen = pkt.ts;

    if (pkt.flags & tcp_flags::Syn) {
        // A new connection: the byte after the SYN starts a record.
        desync(s);
        s.have_seq = true;
        s.next_seq = pkt.seq + 1;
        s.synced = true;
        return;
    }

    const std::uint8_t* p = pkt.payload;
    std::size_t n = pkt.payload_len;
    std::size_t wire = pkt.payload_wire;
    if (wire > 0) {
        std::uint32_t seq = pkt.seq;
        if (!s.have_seq) {
            s.have_seq = true;
            s.next_seq = seq;
            s.synced = false;  // joined mid-connection: boundaries unknown
        }
        auto diff = static_cast<std::int32_t>(seq - s.next_seq);
        bool fresh = true;
        if (diff < 0) {
            auto overlap = static_cast<std::size_t>(-static_cast<std::int64_t>(diff));
            if (overlap >= wire) {
                ++stats_.retransmitted;
                fresh = false;
            } else {
                std::size_t cut = std::min(overlap, n);
                p += cut;
                n -= cut;
                wire -= overlap;
            }
        } else if (diff > 0) {
            auto gap = static_cast<std::size_t>(diff);
            stats_.bytes_lost += gap;
            if (s.synced) skip_lost(s, gap, pkt);
        }
        if (fresh) {
            // After trimming an overlap, the data starts at next_seq.
            s.next_seq = (diff < 0 ? s.next_seq : seq) + static_cast<std::uint32_t>(wire);
            if (s.synced)
                consume(s, pkt, p, n);
            else
                try_resync(s, pkt, p, n);
            if (wire > n) {  // the snapshot length cut the segment
                stats_.bytes_lost += wire - n;
                if (s.synced) skip_lost(s, wire - n, pkt);
            }
        }
    }
    if (pkt.flags & (tcp_flags::Fin | tcp_flags::Rst)) {
        desync(s);
        streams_.erase(it);
    }
}

void TcpReassembler::skip_lost(Stream& s, std::size_t n, const Packet& pkt) {
    if (!s.in_body || n > s.frag_left) {
        // The loss covers a record mark: the record structure is lost.
        ++stats_.desyncs;
        desync(s, &pkt);
        return;
    }
    s.frag_left -= n;
    s.length += n;
    s.incomplete = true;
    s.hole = true;
    if (s.frag_left == 0) {
        s.in_body = false;
        if (s.last_frag) finish_message(s, pkt);
    }
}

void TcpReassembler::desync(Stream& s, const Packet* pkt) {
    // A message cut short still has its header: report what was kept.
    if (pkt && s.in_message && !s.kept.empty()) {
        s.incomplete = true;
        finish_message(s, *pkt);
    }
    s.synced = false;
    s.in_body = false;
    s.mark_have = 0;
    s.in_message = false;
}

void TcpReassembler::try_resync(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n) {
    if (n >= 4 && sink_.plausible_record(pkt, {p, n})) {
        ++stats_.resyncs;
        s.synced = true;
        s.in_body = false;
        s.mark_have = 0;
        s.in_message = false;
        consume(s, pkt, p, n);
    } else {
        stats_.bytes_skipped += n;
    }
}

void TcpReassembler::consume(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        if (!s.in_body) {
            std::size_t take = std::min(4 - s.mark_have, n);
            std::copy_n(p, take, s.mark + s.mark_have);
            s.mark_have += take;
            p += take;
            n -= take;
            if (s.mark_have < 4) return;
            s.mark_have = 0;
            std::uint32_t m = std::uint32_t{s.mark[0]} << 24 | std::uint32_t{s.mark[1]} << 16 |
                              std::uint32_t{s.mark[2]} << 8 | s.mark[3];
            if (!s.in_message) {
                s.in_message = true;
                s.kept.clear();
                s.keep = 0;
                s.hole = false;
                s.length = 0;
                s.incomplete = false;
                s.first_ts = pkt.ts;
            }
            s.frag_left = m & 0x7fffffffu;
            s.last_frag = (m >> 31) != 0;
            if (s.length + s.frag_left > limits_.max_message) {
                ++stats_.oversized;
                s.in_message = false;
                desync(s);
                stats_.bytes_skipped += n;
                return;
            }
            s.in_body = true;
        }
        std::size_t take = std::min(s.frag_left, n);
        if (!s.hole) {
            std::size_t used = 0;
            while (used < take) {
                std::size_t cap = s.keep ? s.keep : kDecideAt;
                if (s.kept.size() >= cap) break;
                std::size_t c = std::min(take - used, cap - s.kept.size());
                s.kept.insert(s.kept.end(), p + used, p + used + c);
                used += c;
                if (!s.keep && s.kept.size() >= kDecideAt) {
                    s.keep = std::max<std::size_t>(1, sink_.keep_limit(pkt, s.kept));
                    if (s.kept.size() > s.keep) s.kept.resize(s.keep);
                }
            }
        }
        s.length += take;
        s.frag_left -= take;
        p += take;
        n -= take;
        if (s.frag_left == 0) {
            s.in_body = false;
            if (s.last_frag) finish_message(s, pkt);
        }
    }
}

void TcpReassembler::finish_message(Stream& s, const Packet& pkt) {
    TcpMessage m;
    m.first_ts = s.first_ts;
    m.last_ts = pkt.ts;
    m.kept = s.kept;
    m.length = s.length;
    m.incomplete = s.incomplete;
    s.in_message = false;
    sink_.on_message(pkt, m);
}

void TcpReassembler::expire(const Timestamp& now) {
    for (auto it = streams_.begin(); it != streams_.end();) {
        if (now.sec - it->second.last_seen.sec > limits_.idle_seconds) {
            it = streams_.erase(it);
            ++stats_.streams_evicted;
        } else {
            ++it;
        }
    }
}

}  // namespace rpcspy
