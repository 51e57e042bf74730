#pragma once

// Defaulting of SpytCluster objects, applied to the JSON document before decoding,
// exactly as the API server applies the CRD's structural defaults: a default is
// set only where its parent object exists and the field is absent. The CRD in
// crds/ declares the same defaults; tests/api/defaults_test.cpp keeps them equal.

#include <string>
#include <vector>

#include "common/json.h"

namespace spyt::api {

inline constexpr const char* kDefaultSpytVersion = "1.75.4";

struct DefaultEntry {
  std::string path;  // dotted, from the object root: "spec.livy.maxSessions"
  json::Value value;
};

// Parents come before their children.
const std::vector<DefaultEntry>& DefaultTable();

void ApplyDefaults(json::Value& object);

}  // namespace spyt::api
