#include "nfstrace/handles.hpp"

#include <cstring>

#include "common/free_slots.hpp"

namespace nfstrace {

FileType parse_ftype(std::string_view w) {
    if (w == "reg") return FileType::Reg;
    if (w == "dir") return FileType::Dir;
    if (w == "lnk") return FileType::Lnk;
    if (w == "blk") return FileType::Blk;
    if (w == "chr") return FileType::Chr;
    if (w == "sock") return FileType::Sock;
    if (w == "fifo") return FileType::Fifo;
    return FileType::Unknown;
}

const char* ftype_name(FileType t) {
    switch (t) {
        case FileType::Unknown: return "-";
        case FileType::Reg: return "reg";
        case FileType::Dir: return "dir";
        case FileType::Lnk: return "lnk";
        case FileType::Blk: return "blk";
        case FileType::Chr: return "chr";
        case FileType::Sock: return "sock";
        case FileType::Fifo: return "fifo";
    }
    return "-";
}

std::string_view host_part(std::string_view address) {
    std::size_t dot = address.rfind('.');
    return dot == std::string_view::npos ? address : address.substr(0, dot);
}

std::uint32_t HostTable::intern(std::string_view host) {
    std::uint64_t h = common::hash_bytes(host);
    std::uint64_t id = ids_.find(h, [&](std::uint64_t i) { return same_bytes(names_[i], host); });
    if (id == common::FlatIndex::kNone) {
        id = names_.size();
        names_.emplace_back(host);
        ids_.insert(h, id);
    }
    return static_cast<std::uint32_t>(id);
}


namespace {
std::uint64_t dent_hash(HandleRef dir, std::string_view name) { return common::hash_bytes(name, dir); }
}  // namespace

HandleRef HandleTable::intern(std::uint32_t server, std::string_view hex, Time now, std::uint64_t h) {
    std::uint64_t found =
        index_.find(h, [&](std::uint64_t s) { return slots_[s].server_id == server && slots_[s].hex() == hex; });
    std::uint32_t slot = found == common::FlatIndex::kNone ? kNoRun : static_cast<std::uint32_t>(found);
    if (slot == kNoRun) {
        slot = common::take_slot(slots_, free_);
        Node& n = slots_[slot];
        std::uint32_t gen = n.gen + 1;
        n = Node{};
        n.gen = gen;
        n.key.assign(hex);
        n.server_id = server;
        n.in_use = true;
        index_.insert(h, slot);
    }
    Node& n = slots_[slot];
    if (now > n.last_seen) n.last_seen = now;
    return (static_cast<HandleRef>(n.gen) << 32) | (static_cast<HandleRef>(slot) + 1);
}

void HandleTable::prefetch_node(std::uint64_t hash) const {
    std::uint64_t slot = index_.first_candidate(hash);
    if (slot == common::FlatIndex::kNone) return;
    const char* p = reinterpret_cast<const char*>(&slots_[slot]);
    __builtin_prefetch(p);       // generation, server, last seen, start of the key
    __builtin_prefetch(p + 64);  // the rest of a short key
}

Node* HandleTable::get(HandleRef ref) {
    if (ref == 0) return nullptr;
    std::uint32_t slot = slot_of(ref);
    if (slot >= slots_.size()) return nullptr;
    Node& n = slots_[slot];
    return n.in_use && n.gen == gen_of(ref) ? &n : nullptr;
}

const Node* HandleTable::get(HandleRef ref) const { return const_cast<HandleTable*>(this)->get(ref); }

void HandleTable::set_root(HandleRef h, std::string_view export_path) {
    Node* n = get(h);
    if (!n) return;
    unbind(h);
    n->name.assign(export_path);
    n->parent = 0;
    n->root = true;
    n->named = true;
}

void HandleTable::bind(HandleRef h, HandleRef dir, std::string_view name) {
    Node* n = get(h);
    if (!n || !get(dir) || h == dir) return;
    if (n->root) return;  // an export root keeps its export path
    if (n->named && n->parent == dir && n->name == name) return;
    unbind(h);
    n->parent = dir;
    n->name.assign(name);
    n->named = true;
    std::uint64_t hash = dent_hash(dir, name);
    std::uint64_t* named = dents_.find_value(hash, [&](std::uint64_t ref) { return names(ref, dir, name); });
    if (!named) {
        dents_.insert(hash, h);
    } else if (*named != h) {
        // The name now names another file: the old one lost it.
        get(*named)->named = false;
        *named = h;
    }
}

void HandleTable::unbind(HandleRef h) {
    Node* n = get(h);
    if (!n || !n->named) return;
    if (!n->root) {
        dents_.erase(dent_hash(n->parent, n->name), h);
    }
    n->named = false;
    n->root = false;
    n->parent = 0;
    n->name.clear();
}

bool HandleTable::names(HandleRef ref, HandleRef dir, std::string_view name) const {
    const Node* n = get(ref);
    return n && n->named && !n->root && n->parent == dir && n->name == name;
}

HandleRef HandleTable::lookup(HandleRef dir, std::string_view name) const {
    std::uint64_t ref = dents_.find(dent_hash(dir, name), [&](std::uint64_t r) { return names(r, dir, name); });
    return ref == common::FlatIndex::kNone ? 0 : ref;
}

std::size_t HandleTable::expire(Time cutoff) {
    std::size_t count = 0;
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
        Node& n = slots_[slot];
        if (!n.in_use || n.last_seen >= cutoff || n.first_run != kNoRun) continue;
        unbind((static_cast<HandleRef>(n.gen) << 32) | (static_cast<HandleRef>(slot) + 1));
        index_.erase(key_hash(n.hex()), slot);
        std::uint32_t gen = n.gen;
        n = Node{};
        n.gen = gen;
        free_.push_back(slot);
        ++count;
    }
    return count;
}

}  // namespace nfstrace
