#pragma once

// SpytCluster <-> JSON/YAML. Decoding defaults the document first (api/defaults.h)
// and reports type errors and undeclared fields with their paths; range and
// cross-field rules are api/validation.h's job.

#include <string_view>

#include "api/field_error.h"
#include "api/types.h"
#include "common/json.h"

namespace spyt::api {

struct DecodeResult {
  SpytCluster cluster;
  FieldErrors errors;  // empty when the document decoded cleanly
  bool ok() const { return errors.empty(); }
};

DecodeResult Decode(const json::Value& document);

// Throws InvalidObject when the document has decode or validation errors, or
// json/yaml parse errors when the text is not a document.
SpytCluster DecodeValidJson(std::string_view text);
SpytCluster DecodeValidYaml(std::string_view text);

// The full object: apiVersion, kind, metadata, spec and (when non-empty) status.
json::Value Encode(const SpytCluster& cluster);
json::Value EncodeSpec(const SpytClusterSpec& spec);
json::Value EncodeStatus(const SpytClusterStatus& status);
json::Value EncodeResources(const ResourceRequirements& resources);

}  // namespace spyt::api
