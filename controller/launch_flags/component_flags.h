#pragma once

// The one place that decides a component's spyt-launcher flags. The cluster
// spec decides what a component is (a worker's cores and memory, Livy's session
// limits); a Placement decides where it runs and what it reaches. Kubernetes
// and the local controller differ only in their Placement:
//
//   Kubernetes ($(POD_IP), the spec's container ports, the master Service's DNS
//   name, container paths)            controller/cluster/pod_flags.h
//   this machine (127.0.0.1, ports from the port book, directories under the
//   state directory)                  controller/local/plan.h
//
// A new launcher flag is added here (if the spec or placement decides it),
// in Flags, ParseFlags and ToArgs (launch_flags/flags.h). Pure and thread-safe.

#include <optional>
#include <string>

#include "api/types.h"
#include "launch_flags/flags.h"

namespace spyt::launcher {

// Where one component's process runs. A field a role does not take is ignored.
// Every field has a default, so a placement names only what it sets.
struct Placement {
  std::string host = {};           // the address it binds and advertises
  std::string conf_dir = {};       // holds spark-defaults.conf; empty: none
  std::string work_dir = {};       // empty: the launcher's default, /tmp/spyt/<role>
  std::string master_host = {};    // where workers and Livy reach the master...
  int master_port = 0;             // ...its RPC port
  std::string log_directory = {};  // the history server's event log directory

  int port = 0;                         // master: RPC; history server and Livy: HTTP
  int webui_port = 0;                   // master, worker
  std::optional<int> rest_port = {};    // master; absent: its REST server is off
  std::optional<int> worker_port = {};  // worker RPC; absent: a free one at each start
  std::string spyt_home = {};           // Livy: the cluster's SPYT release; empty: $SPYT_HOME
};

// The flags of the `role` process of `cluster` (a validated, defaulted spec)
// placed at `placement`; ToArgs gives its command line.
Flags ComponentFlags(const api::SpytCluster& cluster, Role role, const Placement& placement);

}  // namespace spyt::launcher
