#pragma once

// The spyt-launcher flags of a component's pod: launcher::ComponentFlags with
// the Kubernetes placement. Pure functions of the cluster object and the build
// options; thread-safe.

#include "api/types.h"
#include "cluster/desired_state.h"
#include "cluster/names.h"
#include "launch_flags/component_flags.h"

namespace spyt::cluster {

// The launcher role that runs `component`.
launcher::Role RoleOf(Component component);

// Where a component's pod runs: the pod IP ($(POD_IP), expanded by the kubelet),
// the spec's container ports, the master Service's DNS name, the spark-conf
// ConfigMap's mount and the derived event log directory. The work directory is
// the launcher's default (/tmp/spyt/<role>, on the pod's /tmp emptyDir) and the
// worker's RPC port a free one: a pod has its own address.
launcher::Placement PodPlacement(const api::SpytCluster& cluster, const BuildOptions& options,
                                 Component component);

// ComponentFlags(cluster, RoleOf(component), PodPlacement(...)).
launcher::Flags PodFlags(const api::SpytCluster& cluster, const BuildOptions& options,
                         Component component);

}  // namespace spyt::cluster
