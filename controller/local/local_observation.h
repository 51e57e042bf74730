#pragma once

// The local adapter of cluster/observation.h: a cluster's planned processes
// (local/plan.h), which of them serve, their 127.0.0.1 addresses from the port
// book and the discovery directory under the state directory.
// Pure: whether a process serves is the caller's probe. No shared state.

#include <functional>
#include <string>

#include "api/types.h"
#include "cluster/observation.h"
#include "local/plan.h"

namespace spyt::local {

// True when a planned process runs and accepts connections on its probe port.
using ServingProbe = std::function<bool(const ProcessSpec&)>;

// "127.0.0.1:<port>" of each component; absent for a disabled one (port 0).
cluster::Addresses LoopbackAddresses(const LocalAddresses& addresses);

// The observation of a locally running cluster: each component's processes are
// its replicas, always rolled out (a changed spec restarts them). The master and
// the workers always exist, the history server and Livy while enabled.
// `discovery_dir` is where the discovery directories are written.
cluster::Observation ObserveProcesses(const api::SpytCluster& cluster, const ClusterPlan& plan,
                                      const ServingProbe& serving,
                                      const std::string& discovery_dir);

}  // namespace spyt::local
