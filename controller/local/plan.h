#pragma once

// What the local controller runs for a SpytCluster: one spyt-launcher process per
// master, worker, history server and Livy, with the flags the Kubernetes pods
// get (launcher::ComponentFlags decides both) but another placement: 127.0.0.1,
// ports from the PortBook and directories under the cluster's state directory.
// Pure apart from the port book.

#include <string>
#include <vector>

#include "api/types.h"
#include "cluster/names.h"
#include "launch_flags/component_flags.h"
#include "local/port_book.h"

namespace spyt::local {

struct ProcessSpec {
  std::string
      id;  // "<cluster>/master", "<cluster>/worker-0", "<cluster>/history-server", "<cluster>/livy"
  cluster::Component component;
  std::vector<std::string> args;  // spyt-launcher's arguments, the role first
  int probe_port = 0;             // ready when it accepts TCP connections
  std::string work_dir;
  // Hash of the cluster's spark-defaults.conf, which the launcher reads once at start:
  // a different hash is a different spec, so the supervisor restarts the process (as a
  // config-hash annotation rolls the pods on Kubernetes).
  std::string config_hash = {};

  friend bool operator==(const ProcessSpec&, const ProcessSpec&) = default;
};

// Addresses of a cluster's components on this machine.
struct LocalAddresses {
  int master_rpc = 0;
  int master_webui = 0;
  int master_rest = 0;
  int history = 0;  // 0 when disabled
  int livy = 0;     // 0 when disabled
};

struct ClusterPlan {
  std::vector<ProcessSpec> processes;
  LocalAddresses addresses;
  std::string conf_dir;        // where spark-defaults.conf goes
  std::string spark_defaults;  // its text
};

// Where `component` of `cluster` runs on this machine (for a worker, worker
// `worker_index`): 127.0.0.1, its ports from `ports` (allocated on first use),
// <cluster_dir>/conf, its own work directory <cluster_dir>/<process>, and the
// event log directory file://<cluster_dir>/event-log; Livy gets `spyt_home`, the
// cluster's SPYT release (local/spyt_releases.h; empty: none).
launcher::Placement LocalPlacement(const api::SpytCluster& cluster, cluster::Component component,
                                   int worker_index, PortBook& ports,
                                   const std::string& cluster_dir,
                                   const std::string& spyt_home = "");

// `cluster_dir` is the cluster's own directory under the state directory.
ClusterPlan PlanCluster(const api::SpytCluster& cluster, PortBook& ports,
                        const std::string& cluster_dir, const std::string& spyt_home = "");

}  // namespace spyt::local
