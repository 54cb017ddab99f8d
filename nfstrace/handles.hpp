// What nfstrace knows about file handles: per (server, handle) a node with the
// name it had last (parent handle + component, or the export path of a root
// handle from a MOUNT MNT reply), its attributes, and the I/O runs open on it.
//
// Nodes live in a slab; a HandleRef names a slot and its generation, so a
// reference to an expired node is recognised as such and never resolves to
// whatever reuses the slot. Names are bound and unbound as LOOKUP, CREATE, ...,
// RENAME and REMOVE go by, so a path is always the one valid at that moment;
// parts that were never seen (or have expired) show as "?".
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.hpp"
#include "nfstrace/config.hpp"

namespace nfstrace {

// (generation << 32) | (slot + 1); 0: none.
using HandleRef = std::uint64_t;
inline constexpr std::uint32_t kNoRun = 0xffffffff;

enum class FileType : std::uint8_t { Unknown, Reg, Dir, Lnk, Blk, Chr, Sock, Fifo };
FileType parse_ftype(std::string_view word);
const char* ftype_name(FileType t);

// Are a and b the same bytes? Inline for the short strings of addresses (up
// to 16 bytes: two overlapping 8-byte loads each), memcmp beyond.
inline bool same_bytes(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    auto load8 = [](const char* p) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    };
    if (n >= 8 && n <= 16)
        return load8(a.data()) == load8(b.data()) && load8(a.data() + n - 8) == load8(b.data() + n - 8);
    return a == b;
}

// Interned host addresses (client or server address without the port).
class HostTable {
public:
    // A caller's memory of its last lookup (records come in runs of one host).
    struct Cache {
        std::string host;
        std::uint32_t id = 0xffffffff;
    };
    std::uint32_t intern(std::string_view host);
    std::uint32_t intern(std::string_view host, Cache& cache) {
        if (cache.id != 0xffffffff && same_bytes(host, cache.host)) return cache.id;
        cache.host.assign(host);
        return cache.id = intern(host);
    }
    const std::string& name(std::uint32_t id) const { return names_[id]; }
    std::size_t size() const { return names_.size(); }
    // The names of ids `first` on, in id order (to bring another table, interning
    // them in this order, to the same ids).
    std::span<const std::string> names_from(std::size_t first) const { return std::span(names_).subspan(first); }

private:
    common::FlatIndex ids_{256};  // hash of the name -> id
    std::vector<std::string> names_;
};

// "10.0.0.2.812" -> "10.0.0.2", "fd00::2.812" -> "fd00::2" (port after the last dot).
std::string_view host_part(std::string_view address);

// A handle in hex, kept inline when short (the usual case): inside a node, so
// that confirming an index hit touches no other memory; inside a held open, so
// that writing and printing it does not either.
class NodeKey {
public:
    static constexpr std::size_t kInline = 72;
    NodeKey() = default;
    // Copies and moves take only the bytes in use.
    NodeKey(const NodeKey& o) { assign(o.view()); }
    NodeKey(NodeKey&& o) noexcept { take(o); }
    NodeKey& operator=(const NodeKey& o) {
        if (this != &o) assign(o.view());
        return *this;
    }
    NodeKey& operator=(NodeKey&& o) noexcept {
        if (this != &o) take(o);
        return *this;
    }
    void assign(std::string_view k) {
        size_ = static_cast<std::uint32_t>(k.size());
        if (k.size() <= kInline) {
            k.copy(inline_, k.size());
            long_.clear();
        } else {
            long_.assign(k);
        }
    }
    std::string_view view() const { return size_ <= kInline ? std::string_view(inline_, size_) : long_; }

private:
    void take(NodeKey& o) noexcept {
        size_ = o.size_;
        if (size_ <= kInline)
            std::memcpy(inline_, o.inline_, size_);
        else
            long_ = std::move(o.long_);
    }

    std::uint32_t size_ = 0;
    char inline_[kInline]{};
    std::string long_;
};

struct Node {
    // First cache line (192-byte nodes start on one): what processing an
    // event reads (generation, use, attributes, runs) and lookups (server,
    // last seen). The key follows, within the first two lines.
    std::uint32_t gen = 0;
    bool in_use = false;
    FileType ftype = FileType::Unknown;
    bool have_size = false;
    bool have_mode = false;
    std::uint32_t server_id = 0;
    std::uint32_t first_run = kNoRun;  // runs open on this node (OpenTracker's)
    Time last_seen = 0;
    std::uint64_t size = 0;
    std::uint32_t mode = 0;
    bool named = false;  // name (and parent, unless root) valid
    bool root = false;   // name is an export path
    NodeKey key;  // the handle (with server_id, the key of the node)
    std::string name;     // last component (raw bytes); the export path if root
    HandleRef parent = 0;

    std::string_view hex() const { return key.view(); }
    std::uint32_t server() const { return server_id; }
};

inline std::uint32_t slot_of(HandleRef r) { return static_cast<std::uint32_t>(r & 0xffffffff) - 1; }
inline std::uint32_t gen_of(HandleRef r) { return static_cast<std::uint32_t>(r >> 32); }

class HandleTable {
public:
    // The node of this handle (hex as in records) on this server; created if new.
    // Marks it seen at `now`.
    HandleRef intern(std::uint32_t server, std::string_view hex, Time now) {
        return intern(server, hex, now, key_hash(hex));
    }
    // The same, with hash == key_hash(hex) already known.
    HandleRef intern(std::uint32_t server, std::string_view hex, Time now, std::uint64_t hash);
    // The hash a handle is indexed under: of the handle only (the server is
    // compared when confirming), so that it can be computed before the server
    // is interned.
    static std::uint64_t key_hash(std::string_view hex) { return common::hash_bytes(hex); }
    // For batches of records: start loading the index entry of a handle (of
    // key_hash() `hash`), then, once that has had time to arrive, its node.
    void prefetch_index(std::uint64_t hash) const { index_.prefetch(hash); }
    void prefetch_node(std::uint64_t hash) const;
    // Start loading the first line of a node (for processing an event on it).
    void prefetch(HandleRef ref) const {
        if (ref && slot_of(ref) < slots_.size()) __builtin_prefetch(&slots_[slot_of(ref)]);
    }
    // The node, or nullptr if the reference is stale or none.
    Node* get(HandleRef ref);
    const Node* get(HandleRef ref) const;

    // Names.
    void set_root(HandleRef h, std::string_view export_path);
    void bind(HandleRef h, HandleRef dir, std::string_view name);
    void unbind(HandleRef h);
    // The handle that (dir, name) currently names, or 0.
    HandleRef lookup(HandleRef dir, std::string_view name) const;

    // The path of h as the bytes of its components joined by '/', "?" for
    // unknown parts; components are passed through `component` (for anonymization).
    template <class F>
    void path(HandleRef h, std::string& out, F&& component) const;

    // Forgets nodes not seen since `cutoff` that have no open runs. Returns how many.
    std::size_t expire(Time cutoff);
    std::size_t size() const { return index_.size(); }
    // All slots (for sweeps).
    common::LargeVector<Node>& slots() { return slots_; }

private:
    common::LargeVector<Node> slots_;
    std::vector<std::uint32_t> free_;
    // Hash of a node's key -> slot; a candidate is confirmed against the node's key.
    common::FlatIndex index_;
    // Hash of (directory, name) -> the HandleRef that name currently names; a
    // candidate is confirmed against that node's parent and name, which always
    // hold the pair its entry was made for (every change of them goes through
    // unbind()).
    common::FlatIndex dents_;
    // Is ref a live node named `name` in `dir`?
    bool names(HandleRef ref, HandleRef dir, std::string_view name) const;
    mutable std::vector<const Node*> chain_;  // scratch for path()
};


template <class F>
void HandleTable::path(HandleRef h, std::string& out, F&& component) const {
    out.clear();
    chain_.clear();
    const Node* n = get(h);
    bool complete = false;
    while (n && n->named && chain_.size() < 256) {
        chain_.push_back(n);
        if (n->root) {
            complete = true;
            break;
        }
        n = get(n->parent);
    }
    if (!complete) out.push_back('?');
    for (auto it = chain_.rbegin(); it != chain_.rend(); ++it) {
        const Node* c = *it;
        if (c->root) {
            // The export path, component by component.
            std::string_view p = c->name;
            if (p.empty() || p[0] != '/') out.push_back('/');  // never seen; keeps paths absolute
            std::size_t i = 0;
            while (i < p.size()) {
                if (p[i] == '/') {
                    out.push_back('/');
                    ++i;
                    continue;
                }
                std::size_t j = p.find('/', i);
                if (j == std::string_view::npos) j = p.size();
                component(out, p.substr(i, j - i));
                i = j;
            }
            continue;
        }
        if (out.empty() || out.back() != '/') out.push_back('/');
        component(out, c->name);
    }
}

}  // namespace nfstrace
