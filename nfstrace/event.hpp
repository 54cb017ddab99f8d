// One rpcspy record reduced to what nfstrace's inference uses: an Event, with
// handles interned in the HandleTable and hosts in the HostTable. Extraction is
// per program and version (NFSv2/v3 and MOUNT now; an NFSv4 COMPOUND will give
// one event per relevant operation).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/record_line.hpp"
#include "nfstrace/config.hpp"
#include "nfstrace/handles.hpp"

namespace nfstrace {

enum class Op : std::uint8_t {
    Other,
    Getattr,
    Setattr,
    Access,
    Lookup,
    Readlink,
    Read,
    Write,
    Create,
    Mkdir,
    Symlink,
    Mknod,
    Remove,
    Rmdir,
    Rename,
    Link,
    Readdir,
    Readdirplus,
    Commit,
    MountMnt,
    // NFSv4 only:
    Open,   // OPEN: an explicit open (fh: the file; ok; hint: write if access=write/both or create)
    Close,  // CLOSE
    Attrs,  // attributes of fh from a GETATTR (not a close-to-open check in v4)
};

inline constexpr std::uint32_t kNoId = 0xffffffff;

// A directory entry of a READDIR(PLUS) reply; its name is in its listing's
// names (one buffer for all entries: no allocation per entry).
struct DirEntry {
    HandleRef fh = 0;
    std::uint32_t name_at = 0;
    std::uint32_t name_size = 0;
};

// The entries of a READDIR(PLUS) reply.
struct DirListing {
    std::vector<DirEntry> entries;
    std::string names;  // the entries' names, one after the other

    std::string_view name(const DirEntry& e) const { return std::string_view(names).substr(e.name_at, e.name_size); }
};

inline constexpr std::uint32_t kNoListing = 0xffffffff;

// The listings of the events in flight. Few events have one, so they are kept
// here rather than in every event: a pool whose listings keep their storage,
// which then stays small and warm instead of spread over all pooled events.
class DirListings {
public:
    // A cleared listing; valid until release(). References to listings are
    // valid until the next acquire().
    std::uint32_t acquire();
    // Gives an event's listing back, if it has one, and leaves it without.
    void release(std::uint32_t& listing) {
        if (listing == kNoListing) return;
        free_.push_back(listing);
        listing = kNoListing;
    }
    DirListing& operator[](std::uint32_t i) { return pool_[i]; }
    const DirListing& operator[](std::uint32_t i) const { return pool_[i]; }
    std::size_t size() const { return pool_.size(); }

private:
    std::vector<DirListing> pool_;
    std::vector<std::uint32_t> free_;
};

struct Event {
    Time t = 0;     // call time
    Time done = 0;  // reply time (t + dur), or t without a reply
    std::uint64_t seq = 0;  // input order, breaks ties
    std::uint32_t client = 0;
    std::uint32_t server = 0;
    std::uint32_t uid = kNoId;
    std::uint32_t gid = kNoId;
    Op op = Op::Other;
    std::uint8_t vers = 0;
    bool ok = false;
    bool replied = false;
    bool eof = false;
    bool have_rcount = false;
    bool have_count = false;
    bool have_size = false;
    bool have_mode = false;
    bool write_hint = false;  // Open: for writing
    FileType ftype = FileType::Unknown;
    std::uint32_t mode = 0;
    HandleRef fh = 0;     // call side: the object (or directory of READDIR)
    HandleRef dir = 0;    // call side: directory of name
    HandleRef todir = 0;  // RENAME/LINK target directory
    HandleRef rfh = 0;    // reply side: new or found object
    std::uint64_t offset = 0;
    std::uint64_t count = 0;
    std::uint64_t rcount = 0;
    std::uint64_t size = 0;
    std::string name;    // raw bytes (MOUNT MNT: the path)
    std::string toname;  // raw bytes
    std::uint32_t listing = kNoListing;  // READDIR(PLUS) entries, in DirListings
};

enum class Extract : std::uint8_t {
    Event,     // `ev` holds an event
    Ignored,   // a record nfstrace has no use for (portmap, NULL, ...)
    Compound,  // an NFSv4 COMPOUND: `ev` holds its common fields; see extract_nfs4()
    BadValue,  // a token value nfstrace needs is malformed (e.g. a bad escape)
};

// What an NFSv2/v3 record says, decoded from its tokens without the handle and
// host tables, so that it can be done on the reading thread, ahead of the
// tracer (ParseAhead); Extractor::extract() then interns what it names. The
// storage is reused from record to record.
struct Nfs23Decoded {
    enum class Role : std::uint8_t { Fh, Rfh, Dir, Todir };
    // 24 bytes (the first fits in a record's first two lines).
    struct Handle {
        std::uint64_t hash;  // HandleTable::key_hash(hex())
        const char* hex_data;
        std::uint32_t hex_size;
        std::uint32_t token : 30;  // index in the record's tokens (kMaxToken at most)
        Role role : 2;
        std::string_view hex() const { return {hex_data, hex_size}; }
    };
    static constexpr std::size_t kMaxToken = (std::size_t{1} << 30) - 1;
    // The fields come in the order a record without names is read by the
    // tracer, so that it reads only the record's first two lines (with the
    // ParsedLine fields before them): each line was written on the reading
    // thread's core, and is fetched from there and later taken back by it.
    // Event; Ignored (a procedure nfstrace has no use for); BadValue (the
    // token at bad_token is malformed: what comes before it is decoded).
    Extract what = Extract::Ignored;
    Op op = Op::Other;
    bool eof = false;
    bool have_rcount = false;
    bool have_count = false;
    bool have_size = false;
    bool have_mode = false;
    bool entries = false;  // READDIR(PLUS) entry tokens, taken by extract()
    // name or toname is not empty: without this the tracer would read their
    // sizes, two more lines of the record (most records have no name).
    bool names = false;
    FileType ftype = FileType::Unknown;
    std::uint32_t bad_token = 0;
    std::uint32_t mode = 0;
    std::uint32_t handle_count = 0;
    std::uint64_t offset = 0;
    std::uint64_t count = 0;
    std::uint64_t rcount = 0;
    std::uint64_t size = 0;
    // The handles, in the order of the record's tokens: the first few here,
    // next to the rest (read on the tracer's core: no line elsewhere to fetch).
    static constexpr std::size_t kInlineHandles = 3;
    std::array<Handle, kInlineHandles> inline_handles{};
    std::vector<Handle> more_handles;  // those after the first kInlineHandles
    std::string name;                  // raw bytes, if any
    std::string toname;

    void add_handle(const Handle& h) {
        if (handle_count < kInlineHandles)
            inline_handles[handle_count] = h;
        else
            more_handles.push_back(h);
        ++handle_count;
    }
    const Handle& handle(std::size_t i) const {
        return i < kInlineHandles ? inline_handles[i] : more_handles[i - kInlineHandles];
    }
};

enum class Program : std::uint8_t { Other, Nfs, Mount };

// Interns the hosts of records' addresses into a HostTable: the tracer's own,
// or on the reading thread a copy that stays in step with it (ParseAhead).
struct HostInterner {
    HostTable& table;
    HostTable::Cache client;  // records come in runs of one client and server
    HostTable::Cache server;
};

// A line parsed, and if it is an NFSv2/v3 record, decoded: all the work on a
// line that needs none of the tracer's tables. What every event takes from its
// record comes first, copied out of the RecordLine: parsed on one core and
// read on another, a line costs a cache-to-cache transfer per 64 bytes.
struct alignas(64) ParsedLine {
    common::LineKind kind = common::LineKind::Blank;
    Program program = Program::Other;  // of a record
    bool ok = false;                   // status "ok"
    bool nfs23 = false;                // `decoded` holds the record's NFSv2/v3 decoding
    bool has_handle = false;           // a handle to load ahead: of the first fh= or dir= token
    std::uint8_t time_digits = 0;
    std::uint8_t first_handle = 0;  // of an NFSv2/v3 record: that handle's index in `decoded`
    std::uint32_t vers = 0;
    std::uint32_t uid = kNoId;
    std::uint32_t gid = kNoId;
    std::uint32_t client = 0;  // host ids of the addresses (HostInterner's table)
    std::uint32_t server = 0;
    Time t = 0;
    Time dur = -1;  // -1: no reply
    Nfs23Decoded decoded;
    std::uint64_t other_hash = 0;  // of another record: HandleTable::key_hash() of that handle
    common::RecordLine rec;        // views into the line

    // HandleTable::key_hash() of the handle to load ahead (if has_handle).
    std::uint64_t handle_hash() const { return nfs23 ? decoded.handle(first_handle).hash : other_hash; }

    void parse(std::string_view line, HostInterner& hosts);
};

// Where extracted events go (OpenTracker): the event to fill, then "take it".
// The queue releases an event's listing once done with it; an event filled but
// not added keeps its listing until refilled.
class EventQueue {
public:
    virtual ~EventQueue() = default;
    virtual Event& next_event() = 0;
    virtual void add_event() = 0;
};

class Extractor {
public:
    Extractor(HandleTable& handles, DirListings& listings) : handles_(handles), listings_(listings) {}
    // Fills `ev` (reusing its storage) from a parsed record.
    Extract extract(const ParsedLine& line, Event& ev);
    // An NFSv4 COMPOUND: one event per operation of interest (PUTFH, LOOKUP,
    // GETFH, ... keep the current and saved handles as the server does), with
    // the common fields of `base`. Returns Event if any was queued.
    Extract extract_nfs4(const common::RecordLine& r, const Event& base, EventQueue& q);
    // Fraction digits of the first record's time (6 or 9), for output.
    int time_digits() const { return digits_ < 0 ? 6 : digits_; }

private:
    Extract extract_nfs23(const ParsedLine& line, Event& ev);
    Extract extract_mount(const ParsedLine& line, Event& ev);
    // Adds the entry of an "entry" token (<fileid>/<fh hex or ->/<name>, escaped
    // as a whole) to ev's listing (made if none); false if malformed. `hex`
    // validates the handle, which intern_entries() interns.
    bool add_entry(Event& ev, std::string_view token, bool (*hex)(std::string_view));
    // Interns the handles of the entries added since the last call: first the
    // index entries and nodes of all are loaded (a directory's files are
    // mostly cold), then each is interned.
    void intern_entries(Event& ev, std::uint32_t server, Time t);

    HandleTable& handles_;
    DirListings& listings_;
    // Entries whose handle intern_entries() is to intern; its text is
    // names[hex_at, hex_at + hex_size) of the event's listing.
    struct PendingEntry {
        std::uint32_t entry = 0;  // index in the listing's entries
        std::uint32_t hex_at = 0;
        std::uint32_t hex_size = 0;
        std::uint64_t hash = 0;
    };
    std::vector<PendingEntry> pending_;
    int digits_ = -1;
    std::uint64_t seq_ = 0;
    std::string scratch_;
};

Op op_from_proc(std::string_view proc);

}  // namespace nfstrace
