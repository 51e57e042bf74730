#pragma once

// The parts of a CRD's OpenAPI v3 schema the API server checks without CEL:
// type (with int-or-string and nullable), properties, additionalProperties,
// items, required, enum, minimum/maximum, int32/int64 ranges,
// minLength/maxLength, pattern, minItems/maxItems and anyOf. The
// x-kubernetes-validations (CEL) rules are not evaluated, so this accepts a
// superset of what the API server accepts: a document it rejects, the API
// server rejects too. Fields the schema does not declare are ignored (the API
// server prunes them). For the fuzz targets; not thread-safe (a pattern cache).

#include <optional>
#include <string>

#include "common/json.h"

namespace spyt::fuzz {

// The openAPIV3Schema of the CRD's first version, read from a CRD YAML file.
json::Value LoadCrdSchema(const std::string& crd_path);

// What the API server does to a custom object before defaulting: a null map entry
// whose schema is neither nullable nor defaulted is dropped (a property or an
// additionalProperties value alike; `labels: {a: null}` is stored as `labels: {}`).
void PruneNulls(const json::Value& schema, json::Value& value);

// nullopt when `value` satisfies `schema`; else the path and the rule it breaks.
std::optional<std::string> SchemaViolation(const json::Value& schema, const json::Value& value,
                                           const std::string& path = "");

}  // namespace spyt::fuzz
