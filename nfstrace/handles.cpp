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
    if (it != ids_.end()) return it->second;
    auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(host);
    ids_.emplace(std::string(host), id);
    return id;
}

std::uint32_t Node::server() const {
    std::uint32_t v = 0;
    std::memcpy(&v, key.data(), 4);
    return v;
}

HandleRef HandleTable::intern(std::uint32_t server, std::string_view hex, Time now) {
    key_.resize(4);
    std::memcpy(key_.data(), &server, 4);
    key_.append(hex);
    auto it = index_.find(key_);
    std::uint32_t slot;
    if (it != index_.end()) {
        slot = it->second;
    } else {
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
        n.in_use = true;
        index_.emplace(key_, slot);
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
        index_.erase(n.key);
        std::uint32_t gen = n.gen;
        n = Node{};
        n.gen = gen;
        free_.push_back(slot);
        ++count;
    }
    return count;
}

}  // namespace nfstrace
