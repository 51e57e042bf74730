#include "cluster/pod_flags.h"

#include "cluster/builders.h"

namespace spyt::cluster {

launcher::Role RoleOf(Component component) {
  switch (component) {
    case Component::kMaster:
      return launcher::Role::kMaster;
    case Component::kWorker:
      return launcher::Role::kWorker;
    case Component::kHistoryServer:
      return launcher::Role::kHistory;
    case Component::kLivy:
      return launcher::Role::kLivy;
  }
  return launcher::Role::kMaster;  // unreachable: every Component is above
}

launcher::Placement PodPlacement(const api::SpytCluster& cluster, const BuildOptions& options,
                                 Component component) {
  const auto& spec = cluster.spec;
  launcher::Placement p{
      .host = "$(POD_IP)",
      .conf_dir = detail::kConfDir,
      .master_host = MasterHost(cluster, options.cluster_domain),
      .master_port = spec.master.ports.rpc,
  };
  switch (component) {
    case Component::kMaster:
      p.port = spec.master.ports.rpc;
      p.webui_port = spec.master.ports.web_ui;
      p.rest_port = spec.master.ports.rest;
      break;
    case Component::kWorker:
      p.webui_port = spec.workers.web_ui_port;
      break;
    case Component::kHistoryServer:
      p.port = spec.history_server.port;
      p.log_directory = EventLogDirectory(cluster);
      break;
    case Component::kLivy:
      p.port = spec.livy.port;
      break;
  }
  return p;
}

launcher::Flags PodFlags(const api::SpytCluster& cluster, const BuildOptions& options,
                         Component component) {
  return launcher::ComponentFlags(cluster, RoleOf(component),
                                  PodPlacement(cluster, options, component));
}

}  // namespace spyt::cluster
