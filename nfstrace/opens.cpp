#include "nfstrace/opens.hpp"

#include <algorithm>

#include "common/free_slots.hpp"
#include "nfstrace/anonymize.hpp"

namespace nfstrace {

const char* end_name(End e) {
    switch (e) {
        case End::Idle: return "idle";
        case End::Commit: return "commit";
        case End::Eof: return "eof";
        case End::Remove: return "remove";
        case End::Rename: return "rename";
        case End::Input: return "input";
        case End::Close: return "close";
        case End::Open: return "open";
    }
    return "idle";
}

namespace {
// Sweeps (ending idle runs, writing opens, expiring handles) run this often in
// trace time: a quarter of the idle time, at least a second. They only finish
// what the next event of the file would finish the same way, so their timing
// changes how soon opens are written, never what is written.
Time sweep_every(const Config& cfg) { return cfg.sweep > 0 ? cfg.sweep : std::max(cfg.idle / 4, kSecond); }

bool is_dot(std::string_view name) { return name == "." || name == ".."; }
}  // namespace

OpenTracker::OpenTracker(const Config& cfg, HandleTable& handles, DirListings& listings, OpenSink& sink)
    : cfg_(cfg), handles_(handles), listings_(listings), sink_(sink) {}

Event& OpenTracker::next_event() {
    if (next_ == kNoRun) next_ = common::take_slot(events_, free_events_);
    return events_[next_];
}

void OpenTracker::add_event() {
    if (next_ == kNoRun) return;
    const Event& ev = events_[next_];
    ++stats_.events;
    if (!started_ || ev.t > newest_) newest_ = ev.t;
    started_ = true;
    window_.insert(Slot{ev.t, next_});
    next_ = kNoRun;
    while (!window_.empty()) {
        bool full = window_.size() > cfg_.window_records;
        if (!full && window_.front().t + cfg_.window > newest_) break;
        if (full) ++stats_.window_full;
        take_front();
    }
}

void OpenTracker::Window::pop_front() {
    ++head_;
    if (head_ == slots_.size()) {
        slots_.clear();
        head_ = 0;
    } else if (head_ >= 4096 && head_ * 2 >= slots_.size()) {
        slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
}

void OpenTracker::Window::insert(const Slot& s) {
    auto before = [this](const Slot& a, const Slot& b) {
        return a.t < b.t || (a.t == b.t && events_[a.index].seq < events_[b.index].seq);
    };
    // Input comes nearly in call-time order: most slots go at the end.
    if (empty() || before(slots_.back(), s)) {
        slots_.push_back(s);
        return;
    }
    // Late slots are mostly only a little late: step back from the end in
    // growing strides to a slot before s, then search between. Before any
    // equal slot, as the insertion from the back always did.
    auto first = slots_.begin() + static_cast<std::ptrdiff_t>(head_);
    auto last = slots_.end() - 1;  // not before s
    for (std::ptrdiff_t stride = 8; last - first > stride; stride *= 2) {
        if (before(last[-stride], s)) {
            first = last - stride + 1;
            break;
        }
        last -= stride;
    }
    // The first slot in [first, last] not before s, by a binary search whose
    // steps are a conditional move, not a branch (which mispredicted about
    // every other step). The answer stays in [at, at + n].
    auto at = first;
    auto n = last - first;
    for (; n > 1; n -= n / 2) at = before(at[n / 2], s) ? at + n / 2 : at;
    if (n == 1 && before(*at, s)) ++at;
    slots_.insert(at, s);
}

void OpenTracker::take_front() {
    std::uint32_t i = window_.front().index;
    window_.pop_front();
    // The events to process were written about a window ago and are cold by
    // now, and so are their nodes and runs: a pipeline of loads, one step per
    // event. Start loading the third event from now; the nodes of the second
    // (its event loaded since the last call); the runs of the next one's node
    // (loaded since the last call).
    if (window_.size() > 2) {
        const char* third = reinterpret_cast<const char*>(&events_[window_.at(2).index]);
        for (std::size_t off = 0; off < sizeof(Event); off += 64) __builtin_prefetch(third + off);
    }
    if (window_.size() > 1) {
        const Event& second = events_[window_.at(1).index];
        handles_.prefetch(second.fh ? second.fh : second.rfh);
        handles_.prefetch(second.dir);
    }
    if (!window_.empty()) {
        const Event& next = events_[window_.front().index];
        if (const Node* n = handles_.get(next.fh ? next.fh : next.rfh); n && n->first_run != kNoRun) {
            const char* run = reinterpret_cast<const char*>(&runs_[n->first_run]);
            __builtin_prefetch(run);
            __builtin_prefetch(run + 64);
        }
    }
    Event& ev = events_[i];
    process(ev);
    listings_.release(ev.listing);
    free_events_.push_back(i);
}

void OpenTracker::finish() {
    while (!window_.empty()) take_front();
    sweep(true);
}

void OpenTracker::process(Event& ev) {
    if (ev.t < now_) {
        // Came too late for the window: take it as of now, so that opens stay sorted.
        ++stats_.late;
        ev.t = now_;
        if (ev.done < ev.t) ev.done = ev.t;
    }
    now_ = ev.t;
    if (now_ >= next_sweep_) sweep(false);

    switch (ev.op) {
        case Op::Read:
        case Op::Write: io(ev); break;
        case Op::Commit: commit(ev); break;
        case Op::Getattr:
        case Op::Access:
            apply_attrs(handles_.get(ev.fh), ev);
            check(ev, ev.fh, false);
            break;
        case Op::Setattr:
        case Op::Readlink: apply_attrs(handles_.get(ev.fh), ev); break;
        case Op::Readdir:
        case Op::Readdirplus: {
            // NFSv2/v3 name the directory "dir"; the NFSv4 READDIR's is the current handle.
            HandleRef dir = ev.dir ? ev.dir : ev.fh;
            apply_attrs(handles_.get(dir), ev);
            if (ev.ok && ev.listing != kNoListing) {
                const DirListing& l = listings_[ev.listing];
                for (const DirEntry& e : l.entries)
                    if (e.fh && !is_dot(l.name(e))) handles_.bind(e.fh, dir, l.name(e));
            }
            break;
        }
        case Op::Lookup:
        case Op::Create:
        case Op::Mkdir:
        case Op::Symlink:
        case Op::Mknod:
            if (!ev.ok || !ev.rfh) break;
            if (ev.op == Op::Create && ev.ftype == FileType::Unknown) ev.ftype = FileType::Reg;
            apply_attrs(handles_.get(ev.rfh), ev);
            if (ev.dir && !is_dot(ev.name)) handles_.bind(ev.rfh, ev.dir, ev.name);
            if (ev.op == Op::Create) check(ev, ev.rfh, true);
            break;
        case Op::Link:
            if (ev.ok && ev.fh && ev.todir) handles_.bind(ev.fh, ev.todir, ev.toname);
            break;
        case Op::Remove:
        case Op::Rmdir:
            if (ev.ok && ev.dir) {
                if (HandleRef h = handles_.lookup(ev.dir, ev.name)) {
                    end_runs(h, End::Remove);
                    handles_.unbind(h);
                }
            }
            break;
        case Op::Rename:
            if (ev.ok && ev.dir && ev.todir) {
                HandleRef h = handles_.lookup(ev.dir, ev.name);
                HandleRef target = handles_.lookup(ev.todir, ev.toname);
                if (target && target != h) {
                    end_runs(target, End::Remove);
                    handles_.unbind(target);
                }
                if (h) {
                    end_runs(h, End::Rename);
                    handles_.bind(h, ev.todir, ev.toname);
                }
            }
            break;
        case Op::MountMnt:
            if (ev.ok && ev.rfh) handles_.set_root(ev.rfh, ev.name);
            break;
        case Op::Open: open4(ev); break;
        case Op::Close: close4(ev); break;
        case Op::Attrs: apply_attrs(handles_.get(ev.fh), ev); break;
        case Op::Other: break;
    }
}

void OpenTracker::apply_attrs(Node* n, const Event& ev) {
    if (!n) return;
    if (ev.ftype != FileType::Unknown) n->ftype = ev.ftype;
    if (ev.have_mode) {
        n->mode = ev.mode;
        n->have_mode = true;
    }
    if (ev.have_size && ev.ok) {
        n->size = ev.size;
        n->have_size = true;
    }
}

std::uint32_t OpenTracker::live_run(Node* n, std::uint32_t client, std::uint32_t uid) {
    for (std::uint32_t r = n->first_run; r != kNoRun; r = runs_[r].next) {
        if (runs_[r].client != client || runs_[r].uid != uid) continue;
        if (!idle_expired(runs_[r])) return r;
        finish_run(r, End::Idle);  // ended by its idle gap, whether or not a sweep saw it yet
        return kNoRun;
    }
    return kNoRun;
}

void OpenTracker::snapshot_path(HandleRef h, std::string& out) const {
    if (!cfg_.names) return;
    if (cfg_.anonymize)
        handles_.path(h, out, [this](std::string& o, std::string_view c) { append_component_hash(cfg_.key, o, c); });
    else
        handles_.path(h, out, [](std::string& o, std::string_view c) { o.append(c); });
}

std::uint32_t OpenTracker::start_run(Node* n, HandleRef h, const Event& ev, bool check_only) {
    std::uint32_t r = common::take_slot(runs_, free_runs_);
    Run& run = runs_[r];
    std::string path = std::move(run.path);
    run = Run{};
    run.path = std::move(path);
    run.path.clear();
    run.in_use = true;
    run.open = ev.t;
    run.last_done = ev.done;
    run.seq = ev.seq;
    run.node = h;
    run.client = ev.client;
    run.uid = ev.uid;
    run.gid = ev.gid;
    run.vers = ev.vers;
    run.check_only = check_only;
    run.size = n->size;
    run.have_size = n->have_size;
    snapshot_path(h, run.path);
    run.next = n->first_run;
    n->first_run = r;
    ++active_;
    stats_.max_runs = std::max<std::uint64_t>(stats_.max_runs, active_);
    return r;
}

void OpenTracker::io(Event& ev) {
    Node* n = handles_.get(ev.fh);
    if (!n) return;
    apply_attrs(n, ev);
    if (n->ftype == FileType::Unknown) n->ftype = FileType::Reg;  // only files are read and written
    std::uint32_t r = live_run(n, ev.client, ev.uid);
    if (r != kNoRun) {
        const Run& run = runs_[r];
        bool end = true;
        End why = End::Idle;
        if (run.check_only || run.explicit_open)
            end = false;  // the check or OPEN that opened it
        else if (run.committed && ev.t >= run.commit_done)
            why = End::Commit;
        else if (ev.op == Op::Read && ev.offset == 0 && run.eof)
            why = End::Eof;
        else
            end = false;
        if (end) {
            finish_run(r, why);
            r = kNoRun;
        }
    }
    if (r == kNoRun) r = start_run(n, ev.fh, ev, false);
    Run& run = runs_[r];
    run.check_only = false;
    ++run.ops;
    if (ev.done > run.last_done) run.last_done = ev.done;
    run.committed = false;
    std::uint64_t moved = ev.ok ? (ev.have_rcount ? ev.rcount : (ev.op == Op::Write ? ev.count : 0)) : 0;
    if (ev.op == Op::Read && ev.ok && ev.eof && ev.have_rcount && (ev.rcount > 0 || ev.offset == 0)) {
        // A READ that returned data up to the end tells the size exactly (one
        // that started beyond the end only says the size is at most its offset).
        n->size = ev.offset + ev.rcount;
        n->have_size = true;
    }
    if (ev.op == Op::Read) {
        run.read = true;
        run.rbytes += moved;
        if (ev.ok && (ev.eof || (n->have_size && ev.have_rcount && ev.offset + ev.rcount >= n->size)))
            run.eof = true;
    } else {
        run.write = true;
        run.wbytes += moved;
        run.eof = false;
    }
    run.size = n->size;
    run.have_size = n->have_size;
}

void OpenTracker::commit(Event& ev) {
    Node* n = handles_.get(ev.fh);
    if (!n) return;
    apply_attrs(n, ev);
    std::uint32_t r = live_run(n, ev.client, ev.uid);
    if (r == kNoRun || !runs_[r].write) {
        // Write-back may run under another credential: any writing run of this client.
        for (r = n->first_run; r != kNoRun; r = runs_[r].next)
            if (runs_[r].client == ev.client && runs_[r].write && !idle_expired(runs_[r])) break;
    }
    if (r == kNoRun || runs_[r].check_only || !runs_[r].write) return;
    Run& run = runs_[r];
    if (!ev.ok) return;
    run.committed = true;
    run.commit_done = ev.done;
    if (ev.done > run.last_done) run.last_done = ev.done;
    run.size = n->size;
    run.have_size = n->have_size;
}

void OpenTracker::check(Event& ev, HandleRef obj, bool hint_write) {
    Node* n = handles_.get(obj);
    if (!n || !ev.ok) return;
    if (n->ftype != FileType::Reg && n->ftype != FileType::Unknown) return;
    std::uint32_t r = live_run(n, ev.client, ev.uid);
    if (r != kNoRun) {
        Run& run = runs_[r];
        if (run.check_only) {  // one more check of the same open
            if (ev.done > run.last_done) run.last_done = ev.done;
            run.hint_write = run.hint_write || hint_write;
            return;
        }
        if (run.committed && ev.t >= run.commit_done)
            finish_run(r, End::Commit);
        else if (run.eof)
            finish_run(r, End::Eof);
        else
            return;  // revalidation inside an open
    }
    r = start_run(n, obj, ev, true);
    runs_[r].hint_write = hint_write;
}

void OpenTracker::end_runs(HandleRef h, End why) {
    Node* n = handles_.get(h);
    if (!n) return;
    while (n->first_run != kNoRun) finish_run(n->first_run, why);
}

bool OpenTracker::idle_expired(const Run& run) const {
    Time limit = run.explicit_open ? cfg_.expire : run.check_only ? cfg_.lead : cfg_.idle;
    return now_ - run.last_done > limit;
}

void OpenTracker::open4(Event& ev) {
    Node* n = handles_.get(ev.fh);
    if (!n || !ev.ok) return;
    if (n->ftype == FileType::Unknown) n->ftype = FileType::Reg;  // OPEN opens regular files only
    std::uint32_t r = live_run(n, ev.client, ev.uid);
    if (r != kNoRun) {
        Run& run = runs_[r];
        if (run.explicit_open) {  // opened again (another OPEN of the same owner): one open
            run.hint_write = run.hint_write || ev.write_hint;
            return;
        }
        finish_run(r, End::Open);
    }
    r = start_run(n, ev.fh, ev, true);
    runs_[r].explicit_open = true;
    runs_[r].hint_write = ev.write_hint;
}

void OpenTracker::close4(Event& ev) {
    Node* n = handles_.get(ev.fh);
    if (!n || !ev.ok) return;
    std::uint32_t r = live_run(n, ev.client, ev.uid);
    if (r == kNoRun) return;
    Run& run = runs_[r];
    if (ev.done > run.last_done) run.last_done = ev.done;
    finish_run(r, End::Close);
}

void OpenTracker::finish_run(std::uint32_t r, End why) {
    Run& run = runs_[r];
    Node* n = handles_.get(run.node);
    // Unlink from the node's list.
    if (n) {
        std::uint32_t* link = &n->first_run;
        while (*link != kNoRun && *link != r) link = &runs_[*link].next;
        if (*link == r) *link = run.next;
    }
    run.in_use = false;
    --active_;
    free_runs_.push_back(r);

    // A run idle for longer than its limit ended then, whatever ends it now: a
    // sweep may or may not have come in between, and the output must not depend
    // on that.
    if (idle_expired(run)) why = End::Idle;
    if (run.committed && why != End::Remove && why != End::Rename && why != End::Close) why = End::Commit;
    bool cache_hit = run.check_only;
    if (cache_hit && !run.explicit_open && (!cfg_.cache_hits || !n || n->ftype != FileType::Reg)) {
        ++stats_.checks_dropped;
        return;
    }
    std::uint32_t slot = common::take_slot(held_pool_, free_held_);
    OpenRecord& rec = held_pool_[slot];  // reused: its strings keep their storage
    rec.open = run.open;
    rec.close = run.last_done;
    rec.seq = run.seq;
    rec.client = run.client;
    rec.uid = run.uid;
    rec.gid = run.gid;
    rec.rbytes = run.rbytes;
    rec.wbytes = run.wbytes;
    rec.ops = run.ops;
    rec.read = run.read || (cache_hit && !run.hint_write);
    rec.write = run.write || (cache_hit && run.hint_write);
    rec.size = run.size;
    rec.have_size = run.have_size;
    rec.vers = run.vers;
    rec.end = why;
    rec.server = n ? n->server() : 0;
    rec.fh.assign(n ? n->hex() : std::string_view{});
    rec.ftype = n ? n->ftype : FileType::Unknown;
    rec.mode = n ? n->mode : 0;
    rec.have_mode = n && n->have_mode;
    rec.have_path = cfg_.names;
    if (cfg_.names) {
        // Copied, not swapped: every string keeps its own storage, so none
        // allocates once it has held its longest path.
        const std::string* path = &run.path;
        if (!run.path.empty() && run.path[0] == '?' && n) {
            // Incomplete when the open began: what is known now may be better.
            snapshot_path(run.node, scratch_);
            if (scratch_[0] != '?' || scratch_.size() > run.path.size()) path = &scratch_;
        }
        rec.path.assign(*path);
    }
    ++stats_.opens;
    if (cache_hit) ++stats_.cache_hits;
    held_.push_back(HeldKey{rec.open, rec.seq, slot});
    std::push_heap(held_.begin(), held_.end(), Later{});
    stats_.max_held = std::max<std::uint64_t>(stats_.max_held, held_.size());
    while (held_.size() > cfg_.max_held) {
        ++stats_.forced_out;
        emit_top();
    }
    // The record the next open will be written to (the slot freed last).
    if (!free_held_.empty()) prefetch_record(&held_pool_[free_held_.back()], true);
}

void OpenTracker::emit_top() {
    std::pop_heap(held_.begin(), held_.end(), Later{});
    std::uint32_t slot = held_.back().index;
    held_.pop_back();
    // Held records are cold by their turn: start loading the next one's while
    // this one is written.
    if (!held_.empty()) prefetch_record(&held_pool_[held_.front().index], false);
    sink_.emit(held_pool_[slot]);
    free_held_.push_back(slot);
}

void OpenTracker::emit_until(Time watermark, bool all) {
    while (!held_.empty() && (all || held_.front().open < watermark)) emit_top();
}

void OpenTracker::sweep(bool final) {
    Time watermark = now_;
    for (std::uint32_t r = 0; r < runs_.size(); ++r) {
        Run& run = runs_[r];
        if (!run.in_use) continue;
        if (final) {
            finish_run(r, run.eof && !run.explicit_open ? End::Eof : End::Input);
        } else if (idle_expired(run)) {
            finish_run(r, End::Idle);
        } else if (run.open < watermark) {
            watermark = run.open;
        }
    }
    emit_until(watermark, final);
    if (now_ >= next_expire_) {
        stats_.handles_expired += handles_.expire(now_ - cfg_.expire);
        next_expire_ = now_ + std::max(cfg_.expire / 16, sweep_every(cfg_));
    }
    next_sweep_ = now_ + sweep_every(cfg_);
}

}  // namespace nfstrace
