#include "cluster/kube_observation.h"

#include "cluster/names.h"

namespace spyt::cluster {
namespace {

std::string HostPort(const api::SpytCluster& c, Component comp, std::string_view domain, int port) {
  return ServiceHost(c, comp, domain) + ":" + std::to_string(port);
}

}  // namespace

ChildWorkloads ReadChildren(const runtime::Cache& cache, const api::SpytCluster& c) {
  namespace res = kube::resources;
  const std::string& ns = c.metadata.namespace_;
  return {
      cache.Get(res::kStatefulSets, ns, ChildName(c, Component::kMaster)),
      cache.Get(res::kStatefulSets, ns, ChildName(c, Component::kWorker)),
      cache.Get(res::kDeployments, ns, ChildName(c, Component::kHistoryServer)),
      cache.Get(res::kDeployments, ns, ChildName(c, Component::kLivy)),
  };
}

ComponentObservation ObserveWorkload(const std::optional<json::Value>& w) {
  ComponentObservation r;
  if (!w) return r;
  r.exists = true;
  r.desired = static_cast<int>(json::IntAt(*w, {"spec", "replicas"}, 1));
  r.ready = static_cast<int>(json::IntAt(*w, {"status", "readyReplicas"}, 0));
  auto generation = json::IntAt(*w, {"metadata", "generation"}, 0);
  auto observed = json::IntAt(*w, {"status", "observedGeneration"}, 0);
  auto updated = json::IntAt(*w, {"status", "updatedReplicas"}, 0);
  r.rolled_out = observed >= generation && updated >= r.desired;
  return r;
}

Addresses ServiceAddresses(const api::SpytCluster& c, std::string_view domain) {
  const auto& ports = c.spec.master.ports;
  Addresses a;
  a.master_rpc = HostPort(c, Component::kMaster, domain, ports.rpc);
  a.master_web_ui = HostPort(c, Component::kMaster, domain, ports.web_ui);
  a.master_rest = HostPort(c, Component::kMaster, domain, ports.rest);
  if (c.spec.history_server.enabled) {
    a.history_server = HostPort(c, Component::kHistoryServer, domain, c.spec.history_server.port);
  }
  if (c.spec.livy.enabled) a.livy = HostPort(c, Component::kLivy, domain, c.spec.livy.port);
  return a;
}

Observation ObserveWorkloads(const api::SpytCluster& c, const ChildWorkloads& workloads,
                             std::string_view domain) {
  Observation o;
  o.master = ObserveWorkload(workloads.master);
  o.workers = ObserveWorkload(workloads.workers);
  o.workers.desired = c.spec.workers.replicas;
  o.history_server = ObserveWorkload(workloads.history_server);
  o.livy = ObserveWorkload(workloads.livy);
  o.replica_noun = "pods";
  o.addresses = ServiceAddresses(c, domain);
  o.discovery.path = DiscoveryPath(c);
  o.discovery.config_map = DiscoveryName(c);
  return o;
}

}  // namespace spyt::cluster
