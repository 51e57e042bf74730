#pragma once

// The Kubernetes adapter of cluster/observation.h: a cluster's children as the
// informer cache shows them (the master and worker StatefulSets, the history
// server and Livy Deployments) and the DNS names of its Services.
// Pure but for ReadChildren, which only reads the cache (thread-safe as the
// cache is).

#include <optional>
#include <string_view>

#include "api/types.h"
#include "cluster/observation.h"
#include "common/json.h"
#include "runtime/cache.h"

namespace spyt::cluster {

// The workload objects of a cluster; absent when not created (or not cached yet).
struct ChildWorkloads {
  std::optional<json::Value> master;          // StatefulSet
  std::optional<json::Value> workers;         // StatefulSet
  std::optional<json::Value> history_server;  // Deployment
  std::optional<json::Value> livy;            // Deployment
};

ChildWorkloads ReadChildren(const runtime::Cache& cache, const api::SpytCluster& cluster);

// A StatefulSet or a Deployment (both have spec.replicas, status.readyReplicas,
// status.updatedReplicas and status.observedGeneration): rolled out once its
// controller has observed the latest generation and updated every replica.
ComponentObservation ObserveWorkload(const std::optional<json::Value>& workload);

// "<child>.<namespace>.svc.<domain>:<port>" of each enabled component's Service.
Addresses ServiceAddresses(const api::SpytCluster& cluster, std::string_view cluster_domain);

// The observation of a cluster on Kubernetes. The spec's worker count is the
// desired one even before the StatefulSet catches up with a scale.
Observation ObserveWorkloads(const api::SpytCluster& cluster, const ChildWorkloads& workloads,
                             std::string_view cluster_domain);

}  // namespace spyt::cluster
