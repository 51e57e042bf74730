#pragma once

// JSON Merge Patch (RFC 7386), used by the fake API server for merge patches and
// (as an approximation) for server-side apply.

#include "common/json.h"

namespace spyt::fakes {

// Applies `patch` to `target`: objects merge key by key, a null member deletes
// the key, anything else (arrays included) replaces the target's value.
json::Value MergePatch(const json::Value& target, const json::Value& patch);

}  // namespace spyt::fakes
