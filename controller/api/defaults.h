#pragma once

// Defaulting of SpytCluster objects, applied to the JSON document before decoding,
// exactly as the API server applies the CRD's structural defaults: a default is
// set only where its parent object exists and the field is absent. The CRD in
// crds/ declares the same defaults; tests/api/defaults_test.cpp keeps them equal.

#include <string>
#include <vector>

#include "common/json.h"

namespace spyt::api {

// The SPYT release a cluster runs when its spec names none: the newest
// ytsaurus-spyt on PyPI whose jars still carry Query Tracker's serializer
// (tech.ytsaurus.spyt.serializers.GenericRowSerializer, in its
// spyt-data-source-base jar) and work on our Spark (pyspark 3.5.8: a driver with
// them serializes a DataFrame to YT's format). 2.10.0 and 2.11.x no longer ship
// that class (2.11 moved SPYT to Spark Connect), so Query Tracker's statements
// would not compile there. Also the CRD's default (hack/gen-crd.py).
inline constexpr const char* kDefaultSpytVersion = "2.9.3";

struct DefaultEntry {
  std::string path;  // dotted, from the object root: "spec.livy.maxSessions"
  json::Value value;
};

// Parents come before their children.
const std::vector<DefaultEntry>& DefaultTable();

void ApplyDefaults(json::Value& object);

}  // namespace spyt::api
