#include "launch_flags/component_flags.h"

namespace spyt::launcher {

Flags ComponentFlags(const api::SpytCluster& cluster, Role role, const Placement& placement) {
  Flags f;
  f.role = role;
  f.host = placement.host;
  f.conf_dir = placement.conf_dir;
  f.work_dir = placement.work_dir;
  switch (role) {
    case Role::kMaster:
      f.port = placement.port;
      f.webui_port = placement.webui_port;
      f.rest_port = placement.rest_port;
      break;
    case Role::kWorker: {
      const auto& w = cluster.spec.workers;
      f.cores = w.cores;
      f.memory = w.memory;
      f.webui_port = placement.webui_port;
      f.worker_port = placement.worker_port;
      f.master = MasterAt(placement.master_host, placement.master_port);
      break;
    }
    case Role::kHistory:
      f.port = placement.port;
      f.log_directory = placement.log_directory;
      break;
    case Role::kLivy: {
      const auto& l = cluster.spec.livy;
      f.port = placement.port;
      f.master = MasterAt(placement.master_host, placement.master_port);
      f.max_sessions = l.max_sessions;
      f.driver_cores = l.driver_cores;
      f.driver_memory = l.driver_memory;
      f.session_timeout = l.session_timeout;
      f.spyt_home = placement.spyt_home;
      break;
    }
  }
  return f;
}

}  // namespace spyt::launcher
