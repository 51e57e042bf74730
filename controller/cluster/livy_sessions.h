#pragma once

// The link between clusters and the Livy monitor (livy/monitor.h): which
// clusters' Livy servers to poll, and the LivyResponding condition that shows
// the latest poll in a cluster's status. Pure; both runtimes (Kubernetes and
// local processes) use it.

#include <string>
#include <vector>

#include "api/types.h"
#include "livy/monitor.h"

namespace spyt::cluster {

// Clusters whose Livy is enabled, Ready (LivyReady=True) and has an endpoint in
// the status: polling one that is still starting would only report noise.
std::vector<livy::Target> LivyTargets(const std::vector<api::SpytCluster>& clusters);

// Sets LivyResponding from the monitor's latest observation of `cluster`, or
// removes it when Livy is disabled or `source` is null (polling off).
//   True  SessionsAvailable   "2/5 sessions in use (sessions: 1 idle, 1 busy; batches: none)"
//   True  SessionLimitReached  the same, noting that new sessions are rejected
//   False NotAnswering         the poll's error
//   Unknown NotPolled          Livy not ready yet, or no poll since it became ready
void SetLivyCondition(api::SpytClusterStatus& status, const api::SpytCluster& cluster,
                      const livy::ObservationSource* source, const std::string& now);

}  // namespace spyt::cluster
