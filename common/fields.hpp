// An ordered list of key=value fields for one record, built without per-record
// allocation (storage is reused after clear()) and rendered either as text tokens
// (" key=value") or as JSON members (',"key":value').
//
// Keys are string literals (static storage; passed as string_view so that a
// literal's length is known where it is written) of at most 255 bytes. Values are kept as bytes with a kind
// that says how to render them:
//   Number: decimal digits, possibly with '-' and '.' (JSON: a bare number)
//   Word:   printable ASCII with no space, '%' or '"' (enum names, hex handles, octal
//           modes) (JSON: a string)
//   Bytes:  arbitrary bytes such as file names (text: escape_token; JSON: escape_json)
// Two styles: Structured keeps the list of fields (for JSON, --no-names and
// find()); Text writes each field once, in its final text form (" key=value",
// Bytes escaped), for the common case of plain text records: render_text() then
// copies it out in one piece, and the list stays empty.
// Groups: fields between begin_group(key) and end_group() form one JSON object;
// consecutive groups with the same key form one JSON array of objects
// (e.g. the operations of an NFSv4 COMPOUND). Text output is flat: groups add
// nothing to it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/out_buffer.hpp"

namespace common {

enum class FieldKind : std::uint8_t { Number, Word, Bytes, GroupBegin, GroupEnd };
enum class FieldStyle : std::uint8_t { Structured, Text };

struct Field {
    const char* key;  // a string literal: NUL-terminated, key_len bytes before the NUL
    std::uint32_t offset;
    std::uint32_t length;
    FieldKind kind;
    std::uint8_t key_len;
    std::string_view key_view() const { return {key, key_len}; }
};

class Fields {
public:
    void clear() {
        data_.clear();
        list_.clear();
    }
    // Clears and sets the style of the fields to come (Structured by default).
    void reset(FieldStyle style) {
        clear();
        style_ = style;
    }
    FieldStyle style() const { return style_; }
    bool empty() const { return list_.empty() && data_.size() == 0; }
    // The list of fields (Structured style only: empty in Text style).
    std::size_t size() const { return list_.size(); }
    const Field& operator[](std::size_t i) const { return list_[i]; }
    std::string_view value(const Field& f) const { return data_.view().substr(f.offset, f.length); }
    // The value of the first field with this key, or nullptr-like empty optional.
    const Field* find(std::string_view key) const;

    // (number, time and word, the most frequent, are inline)
    void number(std::string_view key, std::uint64_t v) {
        std::size_t start = begin(key);
        data_.put_u64(v);
        add(key, FieldKind::Number, start);
    }
    void signed_number(std::string_view key, std::int64_t v);
    // seconds.fraction with `digits` fraction digits (e.g. 9 for nanoseconds).
    void time(std::string_view key, std::uint64_t sec, std::uint64_t frac, int digits) {
        std::size_t start = begin(key);
        data_.put_time(sec, frac, digits);
        add(key, FieldKind::Number, start);
    }
    void word(std::string_view key, std::string_view v) {
        std::size_t start = begin(key);
        data_.put(v);
        add(key, FieldKind::Word, start);
    }
    // A number already written as text (digits, '-', '.').
    void decimal(std::string_view key, std::string_view v);
    void octal(std::string_view key, std::uint32_t v);
    void hex(std::string_view key, std::span<const std::uint8_t> bytes);
    void hex32(std::string_view key, std::uint32_t v);
    void bytes(std::string_view key, std::span<const std::uint8_t> v);
    void bytes(std::string_view key, std::string_view v);

    void begin_group(std::string_view key);
    void end_group();

    // Appends all fields of `other` (keys keep their kinds), which has the same style.
    void append(const Fields& other);

    void render_text(OutBuffer& out) const;
    // Structured style only.
    void render_json(OutBuffer& out) const;

private:
    // Where the value of a field with this key starts (Text style: after " key=").
    std::size_t begin(std::string_view key) {
        if (style_ == FieldStyle::Text) data_.put_key(key);
        return data_.size();
    }
    // Ends a field whose value started at `start` (Structured style: lists it).
    void add(std::string_view key, FieldKind kind, std::size_t start) {
        if (style_ == FieldStyle::Structured) list(key, kind, start);
    }
    void list(std::string_view key, FieldKind kind, std::size_t start);

    OutBuffer data_;  // Structured: the values, one after the other; Text: the record text
    std::vector<Field> list_;
    FieldStyle style_ = FieldStyle::Structured;
};

}  // namespace common
