#pragma once

// YAML <-> json::Value, so YAML manifests and JSON API objects share one model.
// Plain scalars resolve as YAML 1.2's core schema does (null, booleans, integers,
// floats); quoted scalars are always strings. Text must be UTF-8 made of YAML's
// printable characters, as go-yaml (and so kubectl) requires.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace spyt::yaml {

class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every non-empty document of a (possibly multi-document) YAML stream.
std::vector<json::Value> ParseAll(std::string_view text);

// Exactly one document; throws ParseError when there are none or several.
json::Value ParseOne(std::string_view text);

// Block-style YAML that ParseOne reads back as the same value: strings are plain where
// that reads back as the same string, double-quoted with escapes otherwise. A string's
// bytes that are not UTF-8 (a Value built in code) are written as U+FFFD.
std::string Dump(const json::Value& value);

}  // namespace spyt::yaml
