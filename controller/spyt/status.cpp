#include "spyt/status.h"

#include <algorithm>

#include "spyt/names.h"

namespace spyt::cluster {
namespace {

WorkloadReadiness ReadWorkload(const std::optional<json::Value>& w, const char* updated_field) {
  WorkloadReadiness r;
  if (!w) return r;
  r.exists = true;
  r.desired = static_cast<int>(json::IntAt(*w, {"spec", "replicas"}, 1));
  r.ready = static_cast<int>(json::IntAt(*w, {"status", "readyReplicas"}, 0));
  auto generation = json::IntAt(*w, {"metadata", "generation"}, 0);
  auto observed = json::IntAt(*w, {"status", "observedGeneration"}, 0);
  auto updated = json::IntAt(*w, {"status", updated_field}, 0);
  r.rolled_out = observed >= generation && updated >= r.desired;
  return r;
}

api::Condition Make(const std::string& type, bool ok, const std::string& reason,
                    const std::string& message, std::int64_t generation, const std::string& now) {
  return {type, ok ? "True" : "False", generation, now, reason, message.substr(0, 1024)};
}

// A component's condition: Ready / NotReady / NotCreated / Disabled.
api::Condition ComponentCondition(const std::string& type, const std::string& what, bool enabled,
                                  const WorkloadReadiness& r, std::int64_t generation,
                                  const std::string& now) {
  if (!enabled)
    return Make(type, false, "Disabled", what + ": disabled in the spec", generation, now);
  if (!r.exists)
    return Make(type, false, "NotCreated", what + ": not created yet", generation, now);
  std::string counts = std::to_string(r.ready) + "/" + std::to_string(r.desired) + " pods ready";
  if (r.Ready()) return Make(type, true, "Ready", what + ": " + counts, generation, now);
  if (!r.rolled_out)
    return Make(type, false, "RollingOut", what + ": rolling out, " + counts, generation, now);
  return Make(type, false, "NotReady", what + ": " + counts, generation, now);
}

std::string Host(const api::SpytCluster& c, Component comp, const std::string& domain) {
  return ChildName(c, comp) + "." + c.metadata.namespace_ + ".svc." + domain;
}

}  // namespace

WorkloadReadiness ReadStatefulSet(const std::optional<json::Value>& sts) {
  return ReadWorkload(sts, "updatedReplicas");
}

WorkloadReadiness ReadDeployment(const std::optional<json::Value>& deploy) {
  return ReadWorkload(deploy, "updatedReplicas");
}

const api::Condition* FindCondition(const std::vector<api::Condition>& conditions,
                                    const std::string& type) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const api::Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool IsConditionTrue(const std::vector<api::Condition>& conditions, const std::string& type) {
  const api::Condition* c = FindCondition(conditions, type);
  return c != nullptr && c->status == "True";
}

void SetCondition(std::vector<api::Condition>& conditions, api::Condition condition) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const api::Condition& c) { return c.type == condition.type; });
  if (it == conditions.end()) {
    conditions.push_back(std::move(condition));
    return;
  }
  if (it->status == condition.status) condition.last_transition_time = it->last_transition_time;
  *it = std::move(condition);
}

api::SpytClusterStatus ComputeStatus(const api::SpytCluster& c, const ObservedChildren& observed,
                                     const std::string& domain, const std::string& now) {
  api::SpytClusterStatus st = c.status;
  const auto gen = c.metadata.generation;
  st.observed_generation = gen;
  auto master = ReadStatefulSet(observed.master);
  auto workers = ReadStatefulSet(observed.workers);
  auto history = ReadDeployment(observed.history_server);
  auto livy = ReadDeployment(observed.livy);
  // The spec is the truth for the desired worker count even before the StatefulSet catches up.
  workers.desired = c.spec.workers.replicas;
  const bool history_on = c.spec.history_server.enabled;
  const bool livy_on = c.spec.livy.enabled;

  SetCondition(st.conditions,
               ComponentCondition(api::condition::kMasterReady, "master", true, master, gen, now));
  SetCondition(st.conditions, ComponentCondition(api::condition::kWorkersReady, "workers", true,
                                                 workers, gen, now));
  SetCondition(st.conditions, ComponentCondition(api::condition::kHistoryServerReady,
                                                 "history server", history_on, history, gen, now));
  SetCondition(st.conditions,
               ComponentCondition(api::condition::kLivyReady, "Livy", livy_on, livy, gen, now));

  std::vector<std::string> waiting;
  if (!master.Ready()) waiting.push_back("master");
  if (!workers.Ready()) waiting.push_back("workers");
  if (history_on && !history.Ready()) waiting.push_back("history server");
  if (livy_on && !livy.Ready()) waiting.push_back("livy");
  std::string list;
  for (const auto& w : waiting) list += (list.empty() ? "" : ", ") + w;
  bool ready = waiting.empty();
  SetCondition(
      st.conditions,
      Make(api::condition::kReady, ready, ready ? "AllComponentsReady" : "ComponentsNotReady",
           ready ? "every enabled component is ready" : "waiting for: " + list, gen, now));
  SetCondition(st.conditions,
               Make(api::condition::kReconciling, !ready, ready ? "Reconciled" : "Progressing",
                    ready ? "the cluster matches its spec" : "waiting for: " + list, gen, now));
  SetCondition(st.conditions,
               Make(api::condition::kDegraded, false, "AsExpected", "the spec is valid", gen, now));
  SetCondition(st.conditions, Make(api::condition::kStalled, false, "AsExpected",
                                   "the operator can make progress", gen, now));

  st.workers.desired = c.spec.workers.replicas;
  st.workers.ready = std::min(workers.exists ? workers.ready : 0, c.spec.workers.replicas);
  st.workers.summary = std::to_string(st.workers.ready) + "/" + std::to_string(st.workers.desired);
  st.selector = WorkerSelector(c);

  const auto& ports = c.spec.master.ports;
  std::string master_host = Host(c, Component::kMaster, domain);
  st.endpoints.master = "spark://" + master_host + ":" + std::to_string(ports.rpc);
  st.endpoints.web_ui = "http://" + master_host + ":" + std::to_string(ports.web_ui);
  st.endpoints.rest = master_host + ":" + std::to_string(ports.rest);
  st.endpoints.history_server.reset();
  if (history_on) {
    st.endpoints.history_server = "http://" + Host(c, Component::kHistoryServer, domain) + ":" +
                                  std::to_string(c.spec.history_server.port);
  }
  st.endpoints.livy.reset();
  if (livy_on) {
    st.endpoints.livy =
        "http://" + Host(c, Component::kLivy, domain) + ":" + std::to_string(c.spec.livy.port);
  }
  st.discovery.path = DiscoveryPath(c);
  st.discovery.config_map = DiscoveryName(c);
  return st;
}

api::SpytClusterStatus InvalidSpecStatus(const api::SpytCluster& c, const api::FieldErrors& errors,
                                         const std::string& now) {
  api::SpytClusterStatus st = c.status;
  st.observed_generation = c.metadata.generation;
  std::string message = "the spec is invalid: " + api::Summarize(errors);
  SetCondition(st.conditions, Make(api::condition::kDegraded, true, "InvalidSpec", message,
                                   c.metadata.generation, now));
  SetCondition(st.conditions, Make(api::condition::kStalled, true, "InvalidSpec",
                                   "nothing changes until the spec is fixed: " + message,
                                   c.metadata.generation, now));
  SetCondition(st.conditions,
               Make(api::condition::kReconciling, false, "InvalidSpec",
                    "not applying an invalid spec; running components are left as they are",
                    c.metadata.generation, now));
  if (FindCondition(st.conditions, api::condition::kReady) == nullptr) {
    SetCondition(st.conditions, Make(api::condition::kReady, false, "InvalidSpec", message,
                                     c.metadata.generation, now));
  }
  return st;
}

bool StatusChanged(const api::SpytClusterStatus& a, const api::SpytClusterStatus& b) {
  api::SpytClusterStatus x = a, y = b;
  for (auto& c : x.conditions) c.last_transition_time.clear();
  for (auto& c : y.conditions) c.last_transition_time.clear();
  auto by_type = [](const api::Condition& l, const api::Condition& r) { return l.type < r.type; };
  std::sort(x.conditions.begin(), x.conditions.end(), by_type);
  std::sort(y.conditions.begin(), y.conditions.end(), by_type);
  return !(x == y);
}

}  // namespace spyt::cluster
