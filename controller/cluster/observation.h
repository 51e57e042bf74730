#pragma once

// What a platform has of a SpytCluster, in words that fit both: per component,
// whether it exists and how many of its replicas (pods on Kubernetes, processes
// locally) are ready; the addresses clients reach it at; where the discovery
// records are published. The status (cluster/status.h) and discovery entries
// (cluster/discovery.h) are pure functions of a cluster and an observation, so
// every condition, endpoint and entry is decided in one place.
//
// Adapters fill it: cluster/kube_observation.h from the cached StatefulSets and
// Deployments and the Services' DNS names, local/local_observation.h from the
// supervised processes, their port probes and the port book.
// Plain values; no thread-safety concerns.

#include <optional>
#include <string>

#include "api/types.h"

namespace spyt::livy {
class ObservationSource;
}

namespace spyt::cluster {

// One component as the platform runs it.
struct ComponentObservation {
  bool exists = false;      // the platform has created it (a workload, planned processes)
  int desired = 0;          // replicas it should have
  int ready = 0;            // replicas that serve
  bool rolled_out = false;  // the platform runs its latest spec on every replica
  bool Ready() const { return exists && rolled_out && ready >= desired; }
};

// "host:port" of each component, as clients reach it; absent for a disabled one.
struct Addresses {
  std::string master_rpc;
  std::string master_web_ui;
  std::string master_rest;
  std::optional<std::string> history_server;
  std::optional<std::string> livy;
};

// The cluster's SPYT release (spec.spytVersion) when the platform does not have it
// yet: being installed, or failed to (the local controller installs releases; on
// Kubernetes they come with the image, and this stays empty).
struct SpytReleaseProblem {
  std::string version;
  bool installing = false;  // else failed
  std::string reason;       // why it failed
  bool permanent = false;   // failed for good: no such release (retrying cannot help)
};

struct Observation {
  ComponentObservation master;
  ComponentObservation workers;
  ComponentObservation history_server;
  ComponentObservation livy;
  // What the platform's replicas are, in status messages: "1/2 pods ready".
  std::string replica_noun = "pods";
  Addresses addresses;
  // Where the discovery records are published (status.discovery).
  api::DiscoveryStatus discovery;
  // The Livy monitor's polls (LivyResponding); null when polling is off.
  const livy::ObservationSource* livy_polls = nullptr;
  std::optional<SpytReleaseProblem> spyt_release;
};

}  // namespace spyt::cluster
