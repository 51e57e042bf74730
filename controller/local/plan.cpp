#include "local/plan.h"

#include "cluster/desired_state.h"
#include "cluster/pod_flags.h"
#include "cluster/spark_conf.h"
#include "common/hash.h"

namespace spyt::local {
namespace {

constexpr const char* kHost = "127.0.0.1";

// "master", "worker-<i>", "history-server", "livy": the process's id within its
// cluster, its directory and its port book keys.
std::string ProcessName(cluster::Component component, int worker_index) {
  if (component == cluster::Component::kWorker) return "worker-" + std::to_string(worker_index);
  return std::string(cluster::ComponentName(component));
}

std::string EventLogDirectory(const std::string& cluster_dir) {
  return "file://" + cluster_dir + "/event-log";
}

ProcessSpec Process(const api::SpytCluster& c, cluster::Component component, int worker_index,
                    PortBook& ports, const std::string& cluster_dir, const std::string& spyt_home) {
  const launcher::Placement placement =
      LocalPlacement(c, component, worker_index, ports, cluster_dir, spyt_home);
  const launcher::Flags flags = launcher::ComponentFlags(c, cluster::RoleOf(component), placement);
  const int probe_port = component == cluster::Component::kWorker ? flags.webui_port : flags.port;
  return ProcessSpec{c.metadata.name + "/" + ProcessName(component, worker_index), component,
                     launcher::ToArgs(flags), probe_port, placement.work_dir};
}

}  // namespace

launcher::Placement LocalPlacement(const api::SpytCluster& c, cluster::Component component,
                                   int worker_index, PortBook& ports,
                                   const std::string& cluster_dir, const std::string& spyt_home) {
  const std::string key = c.metadata.name + "/";
  const std::string name = ProcessName(component, worker_index);
  launcher::Placement p{
      .host = kHost,
      .conf_dir = cluster_dir + "/conf",
      .work_dir = cluster_dir + "/" + name,
      .master_host = kHost,
      .master_port = ports.Get(key + "master/rpc"),
      .log_directory = EventLogDirectory(cluster_dir),
  };
  switch (component) {
    case cluster::Component::kMaster:
      p.port = p.master_port;
      p.webui_port = ports.Get(key + "master/webui");
      p.rest_port = ports.Get(key + "master/rest");
      break;
    case cluster::Component::kWorker:
      p.webui_port = ports.Get(key + name + "/webui");
      p.worker_port = ports.Get(key + name + "/rpc");
      break;
    case cluster::Component::kHistoryServer:
      p.port = ports.Get(key + name + "/http");
      break;
    case cluster::Component::kLivy:
      p.port = ports.Get(key + name + "/http");
      p.spyt_home = spyt_home;
      break;
  }
  return p;
}

ClusterPlan PlanCluster(const api::SpytCluster& c, PortBook& ports, const std::string& cluster_dir,
                        const std::string& spyt_home) {
  const std::string key = c.metadata.name + "/";
  ClusterPlan plan;
  plan.conf_dir = cluster_dir + "/conf";
  auto& a = plan.addresses;
  a.master_rpc = ports.Get(key + "master/rpc");
  a.master_webui = ports.Get(key + "master/webui");
  a.master_rest = ports.Get(key + "master/rest");
  const std::string master_url = launcher::MasterAt(kHost, a.master_rpc).url;

  plan.processes.push_back(
      Process(c, cluster::Component::kMaster, 0, ports, cluster_dir, spyt_home));
  for (int i = 0; i < c.spec.workers.replicas; ++i) {
    plan.processes.push_back(
        Process(c, cluster::Component::kWorker, i, ports, cluster_dir, spyt_home));
  }
  if (c.spec.history_server.enabled) {
    plan.processes.push_back(
        Process(c, cluster::Component::kHistoryServer, 0, ports, cluster_dir, spyt_home));
    a.history = plan.processes.back().probe_port;
  }
  if (c.spec.livy.enabled) {
    plan.processes.push_back(
        Process(c, cluster::Component::kLivy, 0, ports, cluster_dir, spyt_home));
    a.livy = plan.processes.back().probe_port;
  }

  // The same spark-defaults.conf the pods get, with local addresses.
  auto entries = cluster::SparkDefaults(c, cluster::BuildOptions{});
  entries["spark.master"] = master_url;
  if (c.spec.history_server.enabled) entries["spark.eventLog.dir"] = EventLogDirectory(cluster_dir);
  plan.spark_defaults = cluster::RenderClusterSparkDefaults(c, entries);
  const std::string config_hash = hash::Fnv1a64Hex(plan.spark_defaults);
  for (auto& p : plan.processes) p.config_hash = config_hash;
  return plan;
}

}  // namespace spyt::local
