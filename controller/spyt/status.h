#pragma once

// Status of a SpytCluster computed from what the cache shows of its children.
// Pure: the reconciler passes the observed objects and the time. Conditions keep
// their lastTransitionTime unless their status flips; the message sizes are
// bounded so the status stays far below etcd's object limit.

#include <optional>
#include <string>

#include "api/field_error.h"
#include "api/types.h"
#include "common/json.h"

namespace spyt::cluster {

struct ObservedChildren {
  std::optional<json::Value> master;          // StatefulSet
  std::optional<json::Value> workers;         // StatefulSet
  std::optional<json::Value> history_server;  // Deployment
  std::optional<json::Value> livy;            // Deployment
};

// Readiness of one workload: ready replicas, and whether the workload controller
// has observed its latest spec.
struct WorkloadReadiness {
  bool exists = false;
  int desired = 0;
  int ready = 0;
  bool rolled_out = false;  // observedGeneration caught up and all replicas updated
  bool Ready() const { return exists && rolled_out && ready >= desired; }
};

WorkloadReadiness ReadStatefulSet(const std::optional<json::Value>& sts);
WorkloadReadiness ReadDeployment(const std::optional<json::Value>& deploy);

// Sets `condition` in `conditions`, keeping the old lastTransitionTime when the
// status did not change.
void SetCondition(std::vector<api::Condition>& conditions, api::Condition condition);
const api::Condition* FindCondition(const std::vector<api::Condition>& conditions,
                                    const std::string& type);
// True when the condition is present with status "True".
bool IsConditionTrue(const std::vector<api::Condition>& conditions, const std::string& type);

api::SpytClusterStatus ComputeStatus(const api::SpytCluster& cluster,
                                     const ObservedChildren& observed,
                                     const std::string& cluster_domain, const std::string& now);

// The status of a cluster whose spec fails semantic validation: Degraded with
// reason InvalidSpec, everything else left as it was.
api::SpytClusterStatus InvalidSpecStatus(const api::SpytCluster& cluster,
                                         const api::FieldErrors& errors, const std::string& now);

// True when two statuses differ in anything but lastTransitionTime bookkeeping.
bool StatusChanged(const api::SpytClusterStatus& a, const api::SpytClusterStatus& b);

}  // namespace spyt::cluster
