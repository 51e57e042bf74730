#pragma once

// Semantic validation of a decoded SpytCluster: ranges and cross-field rules.
// Every rule here is also in the CRD (schema or CEL), so the API server and the
// operator reject the same objects at the same paths; tests/data holds the
// corpus both are checked against.

#include "api/field_error.h"
#include "api/types.h"

namespace spyt::api {

FieldErrors Validate(const SpytCluster& cluster);

// SPYT's sizing of the Livy container: session drivers run inside it.
//   memory = 1G + driverMemory * maxSessions, cpu = 1 + driverCores * maxSessions
MemorySize LivyContainerMemory(const LivySpec& livy);
std::int64_t LivyContainerCpu(const LivySpec& livy);

}  // namespace spyt::api
