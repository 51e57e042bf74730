#include "cluster/names.h"

#include "launch_flags/flags.h"

namespace spyt::cluster {

std::string_view ComponentName(Component component) {
  switch (component) {
    case Component::kMaster:
      return "master";
    case Component::kWorker:
      return "worker";
    case Component::kHistoryServer:
      return "history-server";
    case Component::kLivy:
      return "livy";
  }
  return "unknown";
}

std::string ChildName(const api::SpytCluster& cluster, Component component) {
  return cluster.metadata.name + "-" + std::string(ComponentName(component));
}

std::string SparkConfName(const api::SpytCluster& cluster) {
  return cluster.metadata.name + "-spark-conf";
}

std::string DiscoveryName(const api::SpytCluster& cluster) {
  return cluster.metadata.name + "-discovery";
}

Labels ClusterLabels(const api::SpytCluster& cluster) {
  return {
      {label::kName, kAppName},
      {label::kInstance, cluster.metadata.name},
      {label::kManagedBy, kManagerName},
      {label::kPartOf, kAppName},
      {label::kVersion, cluster.spec.spyt_version},
      {label::kCluster, cluster.metadata.name},
  };
}

Labels ComponentLabels(const api::SpytCluster& cluster, Component component) {
  Labels labels = ClusterLabels(cluster);
  labels[label::kComponent] = std::string(ComponentName(component));
  return labels;
}

Labels SelectorLabels(const api::SpytCluster& cluster, Component component) {
  return {
      {label::kName, kAppName},
      {label::kInstance, cluster.metadata.name},
      {label::kComponent, std::string(ComponentName(component))},
  };
}

std::string WorkerSelector(const api::SpytCluster& cluster) {
  std::string out;
  for (const auto& [key, value] : SelectorLabels(cluster, Component::kWorker)) {
    out += (out.empty() ? "" : ",") + key + "=" + value;
  }
  return out;
}

std::string ServiceHost(const api::SpytCluster& cluster, Component component,
                        std::string_view cluster_domain) {
  return ChildName(cluster, component) + "." + cluster.metadata.namespace_ + ".svc." +
         std::string(cluster_domain);
}

std::string MasterHost(const api::SpytCluster& cluster, std::string_view cluster_domain) {
  return ServiceHost(cluster, Component::kMaster, cluster_domain);
}

std::string MasterUrl(const api::SpytCluster& cluster, std::string_view cluster_domain) {
  return launcher::MasterAt(MasterHost(cluster, cluster_domain), cluster.spec.master.ports.rpc).url;
}

std::string DiscoveryPath(const api::SpytCluster& cluster) {
  if (cluster.spec.yt.discovery_path) {
    return *cluster.spec.yt.discovery_path;
  }
  return "//tmp/spyt/" + cluster.metadata.namespace_ + "/" + cluster.metadata.name;
}

std::string EventLogDirectory(const api::SpytCluster& cluster) {
  if (cluster.spec.history_server.log_directory) {
    return *cluster.spec.history_server.log_directory;
  }
  return "yt:/" + DiscoveryPath(cluster) + "/logs/event_log";
}

}  // namespace spyt::cluster
