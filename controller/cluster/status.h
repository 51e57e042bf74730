#pragma once

// Status of a SpytCluster computed from what its platform has of it
// (cluster/observation.h: Kubernetes workloads, or local processes). Pure: the
// caller passes the observation and the time. Every condition, the worker
// counts and the endpoints are decided here, for both platforms. Conditions keep
// their lastTransitionTime unless their status flips; the message sizes are
// bounded so the status stays far below etcd's object limit.

#include <string>
#include <vector>

#include "api/field_error.h"
#include "api/types.h"
#include "cluster/observation.h"

namespace spyt::cluster {

// Sets `condition` in `conditions`, keeping the old lastTransitionTime when the
// status did not change.
void SetCondition(std::vector<api::Condition>& conditions, api::Condition condition);
const api::Condition* FindCondition(const std::vector<api::Condition>& conditions,
                                    const std::string& type);
// True when the condition is present with status "True".
bool IsConditionTrue(const std::vector<api::Condition>& conditions, const std::string& type);

// The status of a valid cluster, starting from cluster.status: one condition per
// component ("workers: 1/2 pods ready"), Ready, Reconciling, Degraded, Stalled
// and LivyResponding; the workers' counts; the endpoints (URLs of the observed
// addresses) and where discovery is published.
api::SpytClusterStatus ComputeStatus(const api::SpytCluster& cluster,
                                     const Observation& observation, const std::string& now);

// The status of a cluster whose spec fails semantic validation: Degraded with
// reason InvalidSpec, everything else left as it was.
api::SpytClusterStatus InvalidSpecStatus(const api::SpytCluster& cluster,
                                         const api::FieldErrors& errors, const std::string& now);

// True when two statuses differ in anything but lastTransitionTime bookkeeping.
bool StatusChanged(const api::SpytClusterStatus& a, const api::SpytClusterStatus& b);

// A digest of what StatusChanged compares: equal digests, unchanged status.
std::string StatusDigest(const api::SpytClusterStatus& status);

}  // namespace spyt::cluster
