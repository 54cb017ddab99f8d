#include "common/fields.hpp"

#include <cstring>

#include "common/escape.hpp"

namespace common {


const Field* Fields::find(std::string_view key) const {
    for (const Field& f : list_)
        if (key == f.key_view()) return &f;
    return nullptr;
}

void Fields::list(std::string_view key, FieldKind kind, std::size_t start) {
    list_.push_back(Field{key.data(), static_cast<std::uint32_t>(start),
                          static_cast<std::uint32_t>(data_.size() - start), kind,
                          static_cast<std::uint8_t>(key.size())});
}

void Fields::signed_number(std::string_view key, std::int64_t v) {
    std::size_t start = begin(key);
    data_.put_i64(v);
    add(key, FieldKind::Number, start);
}

void Fields::decimal(std::string_view key, std::string_view v) {
    std::size_t start = begin(key);
    data_.put(v);
    add(key, FieldKind::Number, start);
}

void Fields::octal(std::string_view key, std::uint32_t v) {
    std::size_t start = begin(key);
    data_.put_octal(v);
    add(key, FieldKind::Word, start);
}

void Fields::hex(std::string_view key, std::span<const std::uint8_t> bytes) {
    std::size_t start = begin(key);
    data_.put_hex(bytes);
    add(key, FieldKind::Word, start);
}

void Fields::hex32(std::string_view key, std::uint32_t v) {
    std::size_t start = begin(key);
    data_.put_hex32(v);
    add(key, FieldKind::Word, start);
}

void Fields::bytes(std::string_view key, std::span<const std::uint8_t> v) {
    std::size_t start = begin(key);
    if (style_ == FieldStyle::Text)
        escape_token(data_, v);
    else
        data_.put(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
    add(key, FieldKind::Bytes, start);
}

void Fields::bytes(std::string_view key, std::string_view v) { bytes(key, as_bytes(v)); }

void Fields::begin_group(std::string_view key) { add(key, FieldKind::GroupBegin, data_.size()); }

void Fields::end_group() { add("", FieldKind::GroupEnd, data_.size()); }

void Fields::append(const Fields& other) {
    if (style_ == FieldStyle::Text) {
        data_.put(other.data_.view());
        return;
    }
    for (const Field& f : other.list_) {
        std::size_t start = data_.size();
        data_.put(other.value(f));
        add(f.key_view(), f.kind, start);
    }
}

void Fields::render_text(OutBuffer& out) const {
    if (style_ == FieldStyle::Text) {
        out.put(data_.view());
        return;
    }
    for (const Field& f : list_) {
        if (f.kind == FieldKind::GroupBegin || f.kind == FieldKind::GroupEnd) continue;
        if (f.kind == FieldKind::Bytes) {
            out.put_token(f.key_view(), {});
            escape_token(out, as_bytes(value(f)));
        } else {
            out.put_token(f.key_view(), value(f));
        }
    }
}

void Fields::render_json(OutBuffer& out) const {
    auto put_value = [&](const Field& f) {
        switch (f.kind) {
            case FieldKind::Number: out.put(value(f)); break;
            case FieldKind::Word:
                out.put('"');
                out.put(value(f));
                out.put('"');
                break;
            case FieldKind::Bytes: escape_json(out, as_bytes(value(f))); break;
            case FieldKind::GroupBegin:
            case FieldKind::GroupEnd: break;
        }
    };
    auto same_key = [](const Field& a, const Field& b) { return a.key_view() == b.key_view(); };
    bool first_in_object = false;  // no comma before the first member of a group object
    const Field* open_group = nullptr;
    for (std::size_t i = 0; i < list_.size();) {
        const Field& f = list_[i];
        if (f.kind == FieldKind::GroupBegin) {
            // Continue the array of the previous group with the same key, or start one.
            bool continues = i > 0 && list_[i - 1].kind == FieldKind::GroupEnd && open_group &&
                             same_key(*open_group, f);
            if (continues) {
                out.put(",{");
            } else {
                if (!first_in_object) out.put(',');
                out.put('"');
                out.put(f.key_view());
                out.put("\":[{");
            }
            open_group = &f;
            first_in_object = true;
            ++i;
            continue;
        }
        if (f.kind == FieldKind::GroupEnd) {
            out.put('}');
            bool next_continues = i + 1 < list_.size() && list_[i + 1].kind == FieldKind::GroupBegin &&
                                  open_group && same_key(*open_group, list_[i + 1]);
            if (!next_continues) {
                out.put(']');
                open_group = nullptr;
            }
            first_in_object = false;
            ++i;
            continue;
        }
        if (!first_in_object) out.put(',');
        first_in_object = false;
        out.put('"');
        out.put(f.key_view());
        out.put("\":");
        // Consecutive fields with the same key become one array member.
        std::size_t j = i + 1;
        while (j < list_.size() && list_[j].kind == f.kind && same_key(list_[j], f)) ++j;
        if (j - i == 1) {
            put_value(f);
        } else {
            out.put('[');
            for (std::size_t k = i; k < j; ++k) {
                if (k > i) out.put(',');
                put_value(list_[k]);
            }
            out.put(']');
        }
        i = j;
    }
}

}  // namespace common
