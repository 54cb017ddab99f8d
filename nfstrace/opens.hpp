// Inference of user-level opens and closes from NFSv2/v3 operations, which have
// none on the wire (after Blaze's nfstrace, 1992, with Ellard's run gaps).
//
// A run is the I/O of one client host and user on one file: READs and WRITEs
// with no gap longer than Config::idle between them. A run starts at its first
// I/O, or at the GETATTR/ACCESS (close-to-open check) or CREATE that came at
// most Config::lead before it; it ends
//   - after an idle gap                                  (end=idle)
//   - at a COMMIT after its last WRITE: any I/O or check
//     issued after the COMMIT's reply starts a new open  (end=commit)
//   - when reads restart at offset 0, or a check comes,
//     after a READ reached the end of the file           (end=eof)
//   - at a REMOVE or RENAME of the file                  (end=remove, end=rename)
//   - at the end of the input                            (end=input)
// NFSv4 has real opens: an OPEN starts a run that only its CLOSE ends
// (end=close; end=open when an OPEN ends a run inferred from I/O without one);
// I/O without an OPEN (special or delegation state ids) goes by the rules above.
// A check (GETATTR/ACCESS on a regular file, or a CREATE) that no I/O follows is
// an open whose data never crossed the wire: it is reported with 0 bytes
// (a cache hit), unless Config::cache_hits is off.
//
// Events are taken in call-time order through a bounded reorder window; opens
// are written sorted by open time (then by input order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/large_alloc.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/event.hpp"
#include "nfstrace/handles.hpp"

namespace nfstrace {

enum class End : std::uint8_t { Idle, Commit, Eof, Remove, Rename, Input, Close, Open };
const char* end_name(End e);

struct OpenRecord {
    Time open = 0;
    Time close = 0;
    std::uint64_t seq = 0;
    std::uint32_t client = 0;
    std::uint32_t server = 0;
    std::uint32_t uid = kNoId;
    std::uint32_t gid = kNoId;
    std::uint64_t rbytes = 0;
    std::uint64_t wbytes = 0;
    std::uint64_t size = 0;
    std::uint32_t ops = 0;  // READs and WRITEs; 0 for a cache hit
    std::uint32_t mode = 0;
    bool read = false;
    bool write = false;
    bool have_size = false;
    bool have_mode = false;
    bool have_path = false;
    FileType ftype = FileType::Unknown;
    std::uint8_t vers = 0;
    End end = End::Idle;
    NodeKey fh;        // handle in hex
    std::string path;  // raw bytes, components joined by '/', "?" for unknown parts
};

// Starts loading all of a record's lines (its path's bytes stay where they are),
// for reading or, with `write`, for writing.
inline void prefetch_record(const OpenRecord* r, bool write) {
    const char* p = reinterpret_cast<const char*>(r);
    for (std::size_t off = 0; off < sizeof(OpenRecord); off += 64) {
        if (write)
            __builtin_prefetch(p + off, 1);
        else
            __builtin_prefetch(p + off);
    }
}

class OpenSink {
public:
    virtual ~OpenSink() = default;
    virtual void emit(const OpenRecord& r) = 0;
};

struct TrackerStats {
    std::uint64_t events = 0;
    std::uint64_t late = 0;           // arrived after the window had passed their time
    std::uint64_t opens = 0;
    std::uint64_t cache_hits = 0;     // opens with no I/O
    std::uint64_t checks_dropped = 0; // checks not reported (not a regular file, or --no-cache-hits)
    std::uint64_t handles_expired = 0;
    std::uint64_t forced_out = 0;     // opens written before their turn (too many held)
    std::uint64_t window_full = 0;    // events taken early because the window was full
    std::uint64_t max_runs = 0;
    std::uint64_t max_held = 0;
};

class OpenTracker : public EventQueue {
public:
    OpenTracker(const Config& cfg, HandleTable& handles, DirListings& listings, OpenSink& sink);

    // The event to fill next (its storage is reused: no allocation per event once
    // warm). Valid until add_event() or the next call.
    Event& next_event() override;
    // Takes the event filled in next_event() (in input order) into the reorder window.
    void add_event() override;
    // Convenience for tests: copies `ev` into next_event() and adds it.
    void add(const Event& ev) {
        next_event() = ev;
        add_event();
    }
    // End of input: processes everything, ends all runs, writes all opens.
    void finish();

    const TrackerStats& stats() const { return stats_; }
    std::size_t active_runs() const { return active_; }

private:
    struct Run {
        Time open = 0;
        Time last_done = 0;
        Time commit_done = 0;
        std::uint64_t seq = 0;
        std::uint64_t rbytes = 0;
        std::uint64_t wbytes = 0;
        std::uint64_t size = 0;
        HandleRef node = 0;
        std::uint32_t client = 0;
        std::uint32_t uid = kNoId;
        std::uint32_t gid = kNoId;
        std::uint32_t ops = 0;
        std::uint32_t next = kNoRun;  // next run on the same node
        bool in_use = false;
        bool check_only = true;  // no I/O yet
        bool read = false;
        bool write = false;
        bool hint_write = false;  // started by CREATE
        bool explicit_open = false;  // an NFSv4 OPEN: ends at its CLOSE
        bool eof = false;
        bool committed = false;
        bool have_size = false;
        std::uint8_t vers = 0;
        std::string path;
    };

    void take_front();
    void process(Event& ev);
    void apply_attrs(Node* n, const Event& ev);
    void io(Event& ev);
    void commit(Event& ev);
    void check(Event& ev, HandleRef obj, bool hint_write);
    void open4(Event& ev);
    void close4(Event& ev);
    void end_runs(HandleRef h, End why);
    void sweep(bool final);

    // The run of this client and user on n, unless it has ended by its idle gap
    // (then it is finished here).
    std::uint32_t live_run(Node* n, std::uint32_t client, std::uint32_t uid);
    std::uint32_t start_run(Node* n, HandleRef h, const Event& ev, bool check_only);
    bool idle_expired(const Run& run) const;
    void finish_run(std::uint32_t r, End why);
    void snapshot_path(HandleRef h, std::string& out) const;
    void emit_top();
    void emit_until(Time watermark, bool all);

    const Config& cfg_;
    HandleTable& handles_;
    DirListings& listings_;
    OpenSink& sink_;
    common::LargeVector<Event> events_;
    std::vector<std::uint32_t> free_events_;
    // 16 bytes: the event's seq, which breaks ties of t, is looked up in
    // events_ only for a tie.
    struct Slot {
        Time t;
        std::uint32_t index;  // in events_
    };
    // The reorder window: slots sorted on (t, seq) in a vector consumed from
    // the front (compacted when half is consumed; no allocation once warm). A
    // late slot is placed by binary search and one memmove.
    class Window {
    public:
        explicit Window(const common::LargeVector<Event>& events) : events_(events) {}
        bool empty() const { return head_ == slots_.size(); }
        std::size_t size() const { return slots_.size() - head_; }
        const Slot& front() const { return slots_[head_]; }
        const Slot& at(std::size_t i) const { return slots_[head_ + i]; }  // i < size()
        void pop_front();
        void insert(const Slot& s);

    private:
        const common::LargeVector<Event>& events_;
        common::LargeVector<Slot> slots_;  // [head_, end) in the window
        std::size_t head_ = 0;
    };
    Window window_{events_};
    std::uint32_t next_ = kNoRun;  // index of the event handed out by next_event()
    Time newest_ = 0;  // newest call time taken into the window
    Time now_ = 0;     // call time of the event being processed (never decreases)
    bool started_ = false;
    Time next_sweep_ = 0;
    Time next_expire_ = 0;
    common::LargeVector<Run> runs_;
    std::vector<std::uint32_t> free_runs_;
    std::size_t active_ = 0;
    // Finished opens waiting for their turn: records in a pool, and a heap of keys.
    struct HeldKey {
        Time open;
        std::uint64_t seq;
        std::uint32_t index;  // in held_pool_
    };
    // Heap order, earliest on top (a type, not a function pointer, so that the
    // heap algorithms inline it).
    struct Later {
        bool operator()(const HeldKey& a, const HeldKey& b) const {
            return a.open != b.open ? a.open > b.open : a.seq > b.seq;
        }
    };
    common::LargeVector<OpenRecord> held_pool_;
    std::vector<std::uint32_t> free_held_;
    common::LargeVector<HeldKey> held_;
    std::string scratch_;
    TrackerStats stats_;
};

}  // namespace nfstrace
