#include "local/local_observation.h"

namespace spyt::local {
namespace {

std::optional<std::string> Loopback(int port) {
  if (port == 0) return std::nullopt;
  return "127.0.0.1:" + std::to_string(port);
}

cluster::ComponentObservation Observe(const ClusterPlan& plan, cluster::Component component,
                                      bool exists, const ServingProbe& serving) {
  cluster::ComponentObservation o;
  o.exists = exists;
  o.rolled_out = true;
  for (const auto& p : plan.processes) {
    if (p.component != component) continue;
    ++o.desired;
    if (serving(p)) ++o.ready;
  }
  return o;
}

}  // namespace

cluster::Addresses LoopbackAddresses(const LocalAddresses& a) {
  cluster::Addresses out;
  out.master_rpc = Loopback(a.master_rpc).value_or("");
  out.master_web_ui = Loopback(a.master_webui).value_or("");
  out.master_rest = Loopback(a.master_rest).value_or("");
  out.history_server = Loopback(a.history);
  out.livy = Loopback(a.livy);
  return out;
}

cluster::Observation ObserveProcesses(const api::SpytCluster& c, const ClusterPlan& plan,
                                      const ServingProbe& serving,
                                      const std::string& discovery_dir) {
  using cluster::Component;
  cluster::Observation o;
  o.master = Observe(plan, Component::kMaster, true, serving);
  o.workers = Observe(plan, Component::kWorker, true, serving);
  o.history_server =
      Observe(plan, Component::kHistoryServer, c.spec.history_server.enabled, serving);
  o.livy = Observe(plan, Component::kLivy, c.spec.livy.enabled, serving);
  o.replica_noun = "processes";
  o.addresses = LoopbackAddresses(plan.addresses);
  o.discovery.path = discovery_dir;
  return o;
}

}  // namespace spyt::local
