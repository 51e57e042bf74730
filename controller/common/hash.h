#pragma once

// A small, stable, non-cryptographic hash for change detection (for example the
// content hash of a ConfigMap that goes into a pod template annotation, so pods
// roll when their configuration changes). Stable across builds and platforms:
// the value may be stored in objects and compared later. Not for security.

#include <cstdint>
#include <string>
#include <string_view>

namespace spyt::hash {

// 64-bit FNV-1a over the bytes of `data`.
std::uint64_t Fnv1a64(std::string_view data);

// The same, as 16 lower-case hex digits (a valid label or annotation value).
std::string Fnv1a64Hex(std::string_view data);

}  // namespace spyt::hash
