#include "nfstrace/handles.hpp"

#include <cstring>

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
    auto it = ids_.find(host);
    std::uint32_t id;
    if (it != ids_.end()) {
        id = it->second;
    } else {
        id = static_cast<std::uint32_t>(names_.size());
        names_.emplace_back(host);
        ids_.emplace(std::string(host), id);
    }
    return id;
}


namespace {
std::uint64_t key_hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
}  // namespace

std::uint32_t HandleTable::index_find(std::uint64_t hash, std::string_view key) const {
    std::size_t mask = index_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const IndexEntry& e = index_[i];
        if (e.slot == kNoRun) return kNoRun;
        if (e.hash == hash && slots_[e.slot].key == key) return e.slot;
    }
}

void HandleTable::index_insert(std::uint64_t hash, std::uint32_t slot) {
    if ((index_count_ + 1) * 4 > index_.size() * 3) {  // keep the load under 3/4
        std::vector<IndexEntry> old(index_.size() * 2, IndexEntry{0, kNoRun});
        old.swap(index_);
        std::size_t mask = index_.size() - 1;
        for (const IndexEntry& e : old) {
            if (e.slot == kNoRun) continue;
            std::size_t i = e.hash & mask;
            while (index_[i].slot != kNoRun) i = (i + 1) & mask;
            index_[i] = e;
        }
    }
    std::size_t mask = index_.size() - 1;
    std::size_t i = hash & mask;
    while (index_[i].slot != kNoRun) i = (i + 1) & mask;
    index_[i] = IndexEntry{hash, slot};
    ++index_count_;
}

void HandleTable::index_erase(std::uint64_t hash, std::uint32_t slot) {
    std::size_t mask = index_.size() - 1;
    std::size_t i = hash & mask;
    while (index_[i].slot != slot) {
        if (index_[i].slot == kNoRun) return;
        i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the cluster into the hole when their
    // home position allows it.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask; index_[j].slot != kNoRun; j = (j + 1) & mask) {
        std::size_t home = index_[j].hash & mask;
        // Can entry j move to the hole? Only if its home is not in (hole, j].
        bool in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!in_range) {
            index_[hole] = index_[j];
            hole = j;
        }
    }
    index_[hole] = IndexEntry{0, kNoRun};
    --index_count_;
}

HandleRef HandleTable::intern(std::uint32_t server, std::string_view hex, Time now) {
    key_.resize(4);
    std::memcpy(key_.data(), &server, 4);
    key_.append(hex);
    std::uint64_t h = key_hash(key_);
    std::uint32_t slot = index_find(h, key_);
    if (slot == kNoRun) {
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(slots_.size());
            slots_.emplace_back();
        }
        Node& n = slots_[slot];
        std::uint32_t gen = n.gen + 1;
        n = Node{};
        n.gen = gen;
        n.key = key_;
        n.server_id = server;
        n.in_use = true;
        index_insert(h, slot);
    }
    Node& n = slots_[slot];
    if (now > n.last_seen) n.last_seen = now;
    return (static_cast<HandleRef>(n.gen) << 32) | (static_cast<HandleRef>(slot) + 1);
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
    auto [it, inserted] = dents_.try_emplace(DentKey{dir, std::string(name)}, h);
    if (!inserted && it->second != h) {
        // The name now names another file: the old one lost it.
        if (Node* old = get(it->second); old && old->parent == dir && old->name == name) old->named = false;
        it->second = h;
    }
}

void HandleTable::unbind(HandleRef h) {
    Node* n = get(h);
    if (!n || !n->named) return;
    if (!n->root) {
        auto it = dents_.find(DentKey{n->parent, n->name});
        if (it != dents_.end() && it->second == h) dents_.erase(it);
    }
    n->named = false;
    n->root = false;
    n->parent = 0;
    n->name.clear();
}

HandleRef HandleTable::lookup(HandleRef dir, std::string_view name) const {
    auto it = dents_.find(DentKey{dir, std::string(name)});
    if (it == dents_.end()) return 0;
    const Node* n = get(it->second);
    return n && n->named && n->parent == dir ? it->second : 0;
}

std::size_t HandleTable::expire(Time cutoff) {
    std::size_t count = 0;
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
        Node& n = slots_[slot];
        if (!n.in_use || n.last_seen >= cutoff || n.first_run != kNoRun) continue;
        unbind((static_cast<HandleRef>(n.gen) << 32) | (static_cast<HandleRef>(slot) + 1));
        index_erase(key_hash(n.key), slot);
        std::uint32_t gen = n.gen;
        n = Node{};
        n.gen = gen;
        free_.push_back(slot);
        ++count;
    }
    return count;
}

}  // namespace nfstrace
