#include "rpcspy/tcp_reassembly.hpp"

#include <algorithm>
#include <bit>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

Packet TcpReassembler::make_packet(const FlowKey& key, const Timestamp& ts, std::uint32_t seq) {
    Packet p;
    p.ts = ts;
    p.src = key.src;
    p.dst = key.dst;
    p.transport = Transport::Tcp;
    p.seq = seq;
    return p;
}

void TcpReassembler::on_segment(const Packet& pkt) {
    ++stats_.segments;
    if (held_pieces_ > 0 && (pkt.flags & tcp_flags::Ack) && !(pkt.src == pkt.dst)) {
        // The peer acknowledges bytes: those missing before the ack were sent and
        // received, so the capture lost them; they will not come late.
        auto* reverse = find_stream(FlowKey{pkt.dst, pkt.src});
        if (reverse && !reverse->second.held.empty())
            stats_.gaps_acked += declare_gaps(reverse->second, reverse->first, true, pkt.ack);
    }
    FlowKey key{pkt.src, pkt.dst};
    StreamMap::value_type* entry = find_stream(key);
    if (!entry) {
        if (pkt.flags & tcp_flags::Rst) return;
        if (streams_.size() >= limits_.max_streams) {
            auto victim = std::min_element(streams_.begin(), streams_.end(), [](const auto& a, const auto& b) {
                return a.second.last_seen < b.second.last_seen;
            });
            erase_stream(victim);
            ++stats_.streams_evicted;
        }
        entry = &*streams_.emplace(key, Stream{}).first;
        remember(entry);
    }
    Stream& s = entry->second;
    s.last_seen = pkt.ts;

    if (pkt.flags & tcp_flags::Syn) {
        // A new connection: the byte after the SYN starts a record.
        if (!s.held.empty()) declare_gaps(s, key, false, 0);
        desync(s);
        s.have_seq = true;
        s.next_seq = pkt.seq + 1;
        s.synced = true;
        s.was_synced = true;
        return;
    }

    std::size_t wire = pkt.payload_wire;
    if (wire > 0) {
        std::uint32_t seq = pkt.seq;
        if (!s.have_seq) {
            s.have_seq = true;
            s.next_seq = seq;
            s.synced = false;  // joined mid-connection: boundaries unknown
        }
        auto diff = static_cast<std::int32_t>(seq - s.next_seq);
        if (diff <= 0 || !hold(s, key, pkt, static_cast<std::size_t>(diff))) {
            diff = static_cast<std::int32_t>(seq - s.next_seq);  // a full hold was flushed
            const std::uint8_t* p = pkt.payload;
            std::size_t n = pkt.payload_len;
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
                s.next_seq = seq;
                if (s.synced) skip_lost(s, gap, pkt);
            }
            if (fresh) {
                bool filling = !s.held.empty();
                deliver(s, pkt, p, n, wire);
                if (filling) {
                    ++stats_.reordered;
                    drain(s, key);
                }
            }
        }
        if (!s.held.empty() && nanos_between(s.hold_since, pkt.ts) > limits_.hold_ms * 1'000'000)
            stats_.gaps_timeout += declare_gaps(s, key, false, 0);
    }
    if (pkt.flags & (tcp_flags::Fin | tcp_flags::Rst)) {
        if (!s.held.empty()) declare_gaps(s, key, false, 0);
        desync(s);
        erase_stream(streams_.find(key));
    }
}

void TcpReassembler::deliver(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n,
                             std::size_t wire) {
    s.next_seq += static_cast<std::uint32_t>(wire);
    if (s.synced)
        consume(s, pkt, p, n);
    else
        try_resync(s, pkt, p, n);
    if (wire > n) {  // the snapshot length cut the segment
        stats_.bytes_lost += wire - n;
        if (s.synced) skip_lost(s, wire - n, pkt);
    }
}

bool TcpReassembler::hold(Stream& s, const FlowKey& key, const Packet& pkt, std::size_t ahead) {
    if (limits_.max_held_segments == 0 || limits_.max_held_bytes == 0) return false;
    std::size_t n = pkt.payload_len, wire = pkt.payload_wire;
    std::size_t e_lo = 0, e_hi = 0;
    for (;;) {
        // Bytes of the current fragment past the message's keep limit will not be
        // kept: of those, only the range is held.
        e_lo = e_hi = 0;
        if (s.synced && s.in_body && (s.hole || s.keep)) {
            e_lo = s.hole || s.kept.size() >= s.keep ? 0 : s.keep - s.kept.size();
            e_hi = s.frag_left;
        }
        std::size_t lo = std::max(ahead, e_lo), hi = std::min(ahead + n, e_hi);
        std::size_t store = n - (lo < hi ? hi - lo : 0);
        if (s.held.size() < limits_.max_held_segments && s.held_bytes + store <= limits_.max_held_bytes &&
            held_total_ + store <= limits_.max_held_total)
            break;
        // A cap: give up waiting for the first hole, then try again.
        ++stats_.gaps_cap;
        if (s.held.empty()) return false;
        std::size_t before = s.held_bytes;
        declare_gaps(s, key, false, 0, 1);
        stats_.held_bytes_evicted += before - s.held_bytes;
        auto diff = static_cast<std::int32_t>(pkt.seq - s.next_seq);
        if (diff <= 0) return false;
        ahead = static_cast<std::size_t>(diff);
    }
    if (s.held.empty()) s.hold_since = pkt.ts;
    ++stats_.held;
    // Cut [a, w_end) at the end of the captured bytes and at the elided range.
    std::size_t a = ahead, c_end = ahead + n, w_end = ahead + wire;
    std::size_t cuts[5] = {a, c_end, std::clamp(e_lo, a, w_end), std::clamp(e_hi, a, w_end), w_end};
    std::sort(cuts, cuts + 5);
    for (std::size_t i = 0; i + 1 < 5; ++i) {
        std::size_t x = cuts[i], y = cuts[i + 1];
        if (x == y) continue;
        Piece::Kind kind = x >= c_end ? Piece::Lost : (x >= e_lo && y <= e_hi) ? Piece::Elided : Piece::Data;
        add_piece(s, s.next_seq + static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y - x), kind, pkt.ts,
                  kind == Piece::Data ? pkt.payload + (x - a) : nullptr);
    }
    return true;
}

void TcpReassembler::add_piece(Stream& s, std::uint32_t seq, std::uint32_t len, Piece::Kind kind,
                               const Timestamp& ts, const std::uint8_t* bytes) {
    // Only the parts not held already (the first copy wins).
    auto rel = [&s](std::uint32_t q) { return static_cast<std::int64_t>(static_cast<std::int32_t>(q - s.next_seq)); };
    const std::int64_t x0 = rel(seq), y = x0 + len;
    std::int64_t x = x0;
    std::size_t i = 0;
    while (x < y) {
        while (i < s.held.size() && rel(s.held[i].seq) + s.held[i].len <= x) ++i;
        std::int64_t stop = y;
        if (i < s.held.size()) {
            std::int64_t ps = rel(s.held[i].seq);
            if (ps <= x) {
                x = ps + s.held[i].len;
                ++i;
                continue;
            }
            stop = std::min(y, ps);
        }
        Piece pc;
        pc.seq = s.next_seq + static_cast<std::uint32_t>(x);
        pc.len = static_cast<std::uint32_t>(stop - x);
        pc.kind = kind;
        pc.ts = ts;
        if (kind == Piece::Data) {
            if (!spare_.empty()) {
                pc.bytes = std::move(spare_.back());
                spare_.pop_back();
            }
            const std::uint8_t* from = bytes + (x - x0);
            pc.bytes.assign(from, from + pc.len);
            s.held_bytes += pc.len;
            held_total_ += pc.len;
        } else if (kind == Piece::Elided) {
            stats_.held_bytes_elided += pc.len;
        }
        ++held_pieces_;
        s.held.insert(s.held.begin() + static_cast<std::ptrdiff_t>(i), std::move(pc));
        ++i;
        x = stop;
    }
}

void TcpReassembler::drain(Stream& s, const FlowKey& key) {
    std::size_t i = 0;
    for (; i < s.held.size(); ++i) {
        Piece& pc = s.held[i];
        auto d = static_cast<std::int32_t>(pc.seq - s.next_seq);
        if (d > 0) break;
        auto cut = static_cast<std::size_t>(-static_cast<std::int64_t>(d));
        if (cut < pc.len) {
            Packet pk = make_packet(key, pc.ts, pc.seq);
            std::size_t len = pc.len - cut;
            switch (pc.kind) {
                case Piece::Data: deliver(s, pk, pc.bytes.data() + cut, len, len); break;
                case Piece::Lost: deliver(s, pk, nullptr, 0, len); break;
                case Piece::Elided:
                    s.next_seq += static_cast<std::uint32_t>(len);
                    if (s.synced && s.in_body && len <= s.frag_left &&
                        (s.hole || (s.keep && s.kept.size() >= s.keep))) {
                        s.length += len;
                        s.frag_left -= len;
                        if (s.frag_left == 0) {
                            s.in_body = false;
                            if (s.last_frag) finish_message(s, pk);
                        }
                    } else {
                        // The stream resynchronised elsewhere since: the bytes are gone.
                        stats_.bytes_skipped += len;
                        if (s.synced) skip_lost(s, len, pk);
                    }
                    break;
            }
        }
        if (pc.kind == Piece::Data) {
            s.held_bytes -= pc.len;
            held_total_ -= pc.len;
            if (spare_.size() < 64 && pc.bytes.capacity() <= (256u << 10)) {
                pc.bytes.clear();
                spare_.push_back(std::move(pc.bytes));
            }
        }
        --held_pieces_;
    }
    s.held.erase(s.held.begin(), s.held.begin() + static_cast<std::ptrdiff_t>(i));
    if (!s.held.empty() && i > 0) {
        s.hold_since = s.held.front().ts;
        for (const Piece& pc : s.held)
            if (pc.ts < s.hold_since) s.hold_since = pc.ts;
    }
}

std::uint64_t TcpReassembler::declare_gaps(Stream& s, const FlowKey& key, bool limited, std::uint32_t upto,
                                           std::size_t max_holes) {
    std::uint64_t gaps = 0;
    while (!s.held.empty()) {
        const Piece& f = s.held.front();
        auto d = static_cast<std::int32_t>(f.seq - s.next_seq);
        if (d > 0) {
            auto gap = static_cast<std::size_t>(d);
            // The peer acknowledging the hole and some of the held bytes after it got
            // the hole's bytes before the held ones; an ack of the hole alone may come
            // from a capture that merged interfaces out of order.
            if (limited && static_cast<std::int32_t>(upto - s.next_seq) <= d) break;
            if (gaps == max_holes) break;
            ++gaps;
            stats_.bytes_lost += gap;
            Packet pk = make_packet(key, f.ts, f.seq);
            s.next_seq += static_cast<std::uint32_t>(gap);
            if (s.synced) skip_lost(s, gap, pk);
        }
        drain(s, key);
    }
    return gaps;
}

void TcpReassembler::erase_stream(StreamMap::iterator it) {
    if (!it->second.held.empty()) declare_gaps(it->second, it->first, false, 0);
    forget_recent();
    streams_.erase(it);
}

TcpReassembler::StreamMap::value_type* TcpReassembler::find_stream(const FlowKey& key) {
    for (StreamMap::value_type* r : recent_)
        if (r && r->first == key) return r;
    auto it = streams_.find(key);
    if (it == streams_.end()) return nullptr;
    remember(&*it);
    return &*it;
}

void TcpReassembler::remember(StreamMap::value_type* entry) {
    recent_[1] = recent_[0];
    recent_[0] = entry;
}

void TcpReassembler::expire_holds(const Timestamp& now) {
    if (held_pieces_ == 0) return;
    for (auto& [key, s] : streams_)
        if (!s.held.empty() && nanos_between(s.hold_since, now) > limits_.hold_ms * 1'000'000)
            stats_.gaps_timeout += declare_gaps(s, key, false, 0);
}

void TcpReassembler::flush() {
    if (held_pieces_ == 0) return;
    for (auto& [key, s] : streams_)
        if (!s.held.empty()) declare_gaps(s, key, false, 0);
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
    // A record can start anywhere in a segment. Search every offset of streams that
    // lost sync, and of new streams for their first segments only, so that a long
    // stream of something else costs one check per segment.
    constexpr std::uint32_t kSearchedSegments = 64;
    std::size_t last = 0;
    if (s.was_synced || s.unsynced_segments++ < kSearchedSegments) last = n >= 16 ? n - 16 : 0;
    // Offset 0 is checked in full; later ones first pass a cheap filter: a message
    // type word of 0 or 1 after the mark and XID, and RPC version 2 after a call's
    // type (the filter reads q[8..15]: off <= last keeps that inside the segment).
    auto found = [&](std::size_t off) {
        const std::uint8_t* q = p + off;
        if (off != 0 && q[11] == 0 && (q[12] | q[13] | q[14] | (q[15] ^ 2)) != 0) return false;
        if (!sink_.plausible_record(pkt, {q, n - off})) return false;
        ++stats_.resyncs;
        stats_.bytes_skipped += off;
        s.synced = true;
        s.was_synced = true;
        s.in_body = false;
        s.mark_have = 0;
        s.in_message = false;
        consume(s, pkt, q, n - off);
        return true;
    };
    if (n >= 4 && found(0)) return;
    std::size_t off = 1;
#if defined(__SSE2__)
    // The same filter on 16 offsets at a time (runs of zeros, as in written file
    // data, pass its first half everywhere): bytes 8-10 zero, and byte 11 one (a
    // reply) or zero with bytes 12-15 a version of 2 (a call).
    const __m128i zero = _mm_setzero_si128();
    const __m128i one = _mm_set1_epi8(1);
    const __m128i two = _mm_set1_epi8(2);
    for (; off + 15 <= last; off += 16) {
        const std::uint8_t* q = p + off;
        auto at = [q](int k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + k)); };
        const __m128i head = _mm_cmpeq_epi8(_mm_or_si128(_mm_or_si128(at(8), at(9)), at(10)), zero);
        const __m128i type = at(11);
        const __m128i call = _mm_and_si128(
            _mm_cmpeq_epi8(_mm_or_si128(_mm_or_si128(type, at(12)), _mm_or_si128(at(13), at(14))), zero),
            _mm_cmpeq_epi8(at(15), two));
        const __m128i pass = _mm_and_si128(head, _mm_or_si128(_mm_cmpeq_epi8(type, one), call));
        for (unsigned m = static_cast<unsigned>(_mm_movemask_epi8(pass)); m != 0; m &= m - 1)
            if (found(off + static_cast<std::size_t>(std::countr_zero(m)))) return;
    }
#endif
    for (; off <= last && n - off >= 4; ++off) {
        const std::uint8_t* q = p + off;
        if ((q[8] | q[9] | q[10] | (q[11] & 0xfe)) == 0 && found(off)) return;
    }
    stats_.bytes_skipped += n;
}

void TcpReassembler::consume(Stream& s, const Packet& pkt, const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        // The usual small call or reply: a whole single-fragment message (below
        // kDecideAt, so no keep limit applies) from its record mark on in this
        // segment. It is handed over in place, with the state the general path
        // below would leave, without copying it into s.kept.
        if (!s.in_body && !s.in_message && s.mark_have == 0 && n >= 4) {
            std::uint32_t m = std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                              std::uint32_t{p[2]} << 8 | p[3];
            std::size_t len = m & 0x7fffffffu;
            if ((m >> 31) != 0 && len < kDecideAt && len <= n - 4 && len <= limits_.max_message) {
                s.kept.clear();
                s.keep = 0;
                s.hole = false;
                s.incomplete = false;
                s.first_ts = pkt.ts;
                s.frag_left = 0;
                s.last_frag = true;
                s.length = len;
                finish_message(s, pkt, {p + 4, len});
                p += 4 + len;
                n -= 4 + len;
                continue;
            }
        }
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

void TcpReassembler::finish_message(Stream& s, const Packet& pkt, std::span<const std::uint8_t> kept) {
    TcpMessage m;
    m.first_ts = s.first_ts;
    m.last_ts = pkt.ts;
    m.kept = kept;
    m.length = s.length;
    m.incomplete = s.incomplete;
    s.in_message = false;
    sink_.on_message(pkt, m);
}

void TcpReassembler::expire(const Timestamp& now) {
    for (auto it = streams_.begin(); it != streams_.end();) {
        if (now.sec - it->second.last_seen.sec > limits_.idle_seconds) {
            if (!it->second.held.empty()) declare_gaps(it->second, it->first, false, 0);
            forget_recent();
            it = streams_.erase(it);
            ++stats_.streams_evicted;
        } else {
            ++it;
        }
    }
}

}  // namespace rpcspy
