#pragma once

// The scalar rules that the YAML reader and writer share: how a plain scalar resolves
// (YAML 1.2's core schema, as go-yaml reads Kubernetes manifests), and which characters
// YAML text may carry at all. Pure functions; thread-safe.

#include <string>

#include "common/json.h"

namespace spyt::yaml {

// null, a boolean, an integer, a float, or else the text itself.
json::Value ResolvePlain(const std::string& s);

// YAML 1.2's c-printable: what may appear unescaped in a YAML stream (tab, line
// breaks, printable ASCII, NEL, and Unicode but for surrogates, U+FFFE and U+FFFF).
bool IsPrintable(char32_t cp);

}  // namespace spyt::yaml
