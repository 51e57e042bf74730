#include "local/plan.h"

#include "common/hash.h"
#include "spyt/desired_state.h"
#include "spyt/spark_conf.h"

namespace spyt::local {
namespace {

constexpr const char* kHost = "127.0.0.1";

std::string Port(int p) { return std::to_string(p); }

}  // namespace

ClusterPlan PlanCluster(const api::SpytCluster& c, PortBook& ports,
                        const std::string& cluster_dir) {
  const std::string& name = c.metadata.name;
  const std::string key = name + "/";
  ClusterPlan plan;
  plan.conf_dir = cluster_dir + "/conf";
  auto& a = plan.addresses;
  a.master_rpc = ports.Get(key + "master/rpc");
  a.master_webui = ports.Get(key + "master/webui");
  a.master_rest = ports.Get(key + "master/rest");
  const std::string master_url = std::string("spark://") + kHost + ":" + Port(a.master_rpc);
  const std::string event_log = "file://" + cluster_dir + "/event-log";

  auto common = [&](std::vector<std::string> args, const std::string& work) {
    args.insert(args.end(), {"--conf-dir", plan.conf_dir, "--work-dir", work});
    return args;
  };
  std::string dir = cluster_dir + "/master";
  plan.processes.push_back(
      {key + "master", cluster::Component::kMaster,
       common({"master", "--host", kHost, "--port", Port(a.master_rpc), "--webui-port",
               Port(a.master_webui), "--rest-port", Port(a.master_rest)},
              dir),
       a.master_rpc, dir});

  const auto& w = c.spec.workers;
  for (int i = 0; i < w.replicas; ++i) {
    std::string id = "worker-" + std::to_string(i);
    int webui = ports.Get(key + id + "/webui");
    int rpc = ports.Get(key + id + "/rpc");
    dir = cluster_dir + "/" + id;
    plan.processes.push_back(
        {key + id, cluster::Component::kWorker,
         common({"worker", "--host", kHost, "--cores", std::to_string(w.cores), "--memory",
                 w.memory.ToSparkString(), "--webui-port", Port(webui), "--worker-port", Port(rpc),
                 "--master", master_url},
                dir),
         webui, dir});
  }
  if (c.spec.history_server.enabled) {
    a.history = ports.Get(key + "history-server/http");
    dir = cluster_dir + "/history-server";
    plan.processes.push_back({key + "history-server", cluster::Component::kHistoryServer,
                              common({"history", "--host", kHost, "--port", Port(a.history),
                                      "--log-directory", event_log},
                                     dir),
                              a.history, dir});
  }
  if (c.spec.livy.enabled) {
    const auto& l = c.spec.livy;
    a.livy = ports.Get(key + "livy/http");
    dir = cluster_dir + "/livy";
    plan.processes.push_back(
        {key + "livy", cluster::Component::kLivy,
         common({"livy", "--host", kHost, "--port", Port(a.livy), "--master", master_url,
                 "--enable-livy", "--livy-max-sessions", std::to_string(l.max_sessions),
                 "--livy-driver-cores", std::to_string(l.driver_cores), "--livy-driver-memory",
                 l.driver_memory.ToSparkString(), "--livy-session-timeout",
                 l.session_timeout.ToString()},
                dir),
         a.livy, dir});
  }

  // The same spark-defaults.conf the pods get, with local addresses.
  auto entries = cluster::SparkDefaults(c, cluster::BuildOptions{});
  entries["spark.master"] = master_url;
  if (c.spec.history_server.enabled) entries["spark.eventLog.dir"] = event_log;
  plan.spark_defaults = cluster::RenderClusterSparkDefaults(c, entries);
  const std::string config_hash = hash::Fnv1a64Hex(plan.spark_defaults);
  for (auto& p : plan.processes) p.config_hash = config_hash;
  return plan;
}

}  // namespace spyt::local
