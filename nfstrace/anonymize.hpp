// Anonymization with a secret key (SipHash-2-4): the same input and key give the
// same output in every run, so traces of several days can be joined; without
// the key the output reveals nothing of the input (beyond equality).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nfstrace/siphash.hpp"

namespace nfstrace {

// Reads a key file: any file of at least 16 bytes (e.g. `head -c 32 /dev/urandom`);
// the key is derived from all of its bytes. False with `error` set on failure.
bool load_key_file(const std::string& path, SipKey& key, std::string& error);
// The key derived from the bytes of a key file.
SipKey derive_key(std::string_view file_bytes);

// Appends the 16 lower-case hex digits of the keyed hash of a path component.
void append_component_hash(const SipKey& key, std::string& out, std::string_view component);
// A uid or gid mapped to another 32-bit number (domain-separated from the others).
std::uint32_t anonymize_id(const SipKey& key, char domain, std::uint32_t id);
// 16 hex digits standing for an address or a file handle.
void append_hash_hex(const SipKey& key, char domain, std::string_view text, std::string& out);

}  // namespace nfstrace
