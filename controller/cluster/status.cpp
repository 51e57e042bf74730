#include "cluster/status.h"

#include <algorithm>

#include "api/codec.h"
#include "cluster/livy_sessions.h"
#include "cluster/names.h"
#include "common/hash.h"

namespace spyt::cluster {
namespace {

api::Condition Make(const std::string& type, bool ok, const std::string& reason,
                    const std::string& message, std::int64_t generation, const std::string& now) {
  return {type, ok ? "True" : "False", generation, now, reason, message.substr(0, 1024)};
}

// A component's condition: Ready / NotReady / NotCreated / Disabled.
api::Condition ComponentCondition(const std::string& type, const std::string& what, bool enabled,
                                  const ComponentObservation& r, const std::string& noun,
                                  std::int64_t generation, const std::string& now) {
  if (!enabled)
    return Make(type, false, "Disabled", what + ": disabled in the spec", generation, now);
  if (!r.exists)
    return Make(type, false, "NotCreated", what + ": not created yet", generation, now);
  std::string counts =
      std::to_string(r.ready) + "/" + std::to_string(r.desired) + " " + noun + " ready";
  if (r.Ready()) return Make(type, true, "Ready", what + ": " + counts, generation, now);
  if (!r.rolled_out)
    return Make(type, false, "RollingOut", what + ": rolling out, " + counts, generation, now);
  return Make(type, false, "NotReady", what + ": " + counts, generation, now);
}

std::optional<std::string> Url(const char* scheme, const std::optional<std::string>& address) {
  if (!address) return std::nullopt;
  return scheme + *address;
}

// A SPYT release still installing holds the cluster in Reconciling; one that
// failed makes it Degraded (and Stalled when no retry can help). Ready stays
// whatever the running components make it: a cluster whose spytVersion changed
// to a missing release keeps running the one it had.
void SetReleaseConditions(api::SpytClusterStatus& st, const SpytReleaseProblem& p, bool ready,
                          std::int64_t gen, const std::string& now) {
  const std::string spyt = "SPYT " + p.version;
  if (p.installing) {
    const std::string message = "installing " + spyt + " (the ytsaurus-spyt wheel)";
    SetCondition(st.conditions,
                 Make(api::condition::kReconciling, true, "InstallingSpyt", message, gen, now));
    if (!ready) {
      SetCondition(st.conditions,
                   Make(api::condition::kReady, false, "InstallingSpyt", message, gen, now));
    }
    return;
  }
  const std::string message = spyt + " cannot be installed: " + p.reason;
  SetCondition(st.conditions,
               Make(api::condition::kDegraded, true, "SpytVersionUnavailable", message, gen, now));
  SetCondition(
      st.conditions,
      Make(api::condition::kStalled, p.permanent, "SpytVersionUnavailable",
           p.permanent ? "nothing changes until spec.spytVersion names a SPYT release: " + message
                       : "retrying: " + message,
           gen, now));
  SetCondition(st.conditions,
               Make(api::condition::kReconciling, !p.permanent, "SpytVersionUnavailable",
                    p.permanent ? "not starting components without their SPYT release"
                                : "retrying the install of " + spyt,
                    gen, now));
  if (!ready) {
    SetCondition(st.conditions,
                 Make(api::condition::kReady, false, "SpytVersionUnavailable", message, gen, now));
  }
}

// The status without lastTransitionTime bookkeeping, conditions in type order.
api::SpytClusterStatus Comparable(api::SpytClusterStatus s) {
  for (auto& c : s.conditions) c.last_transition_time.clear();
  std::sort(s.conditions.begin(), s.conditions.end(),
            [](const api::Condition& l, const api::Condition& r) { return l.type < r.type; });
  return s;
}

}  // namespace

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

api::SpytClusterStatus ComputeStatus(const api::SpytCluster& c, const Observation& o,
                                     const std::string& now) {
  api::SpytClusterStatus st = c.status;
  const auto gen = c.metadata.generation;
  st.observed_generation = gen;
  const bool history_on = c.spec.history_server.enabled;
  const bool livy_on = c.spec.livy.enabled;
  auto component = [&](const char* type, const char* what, bool enabled,
                       const ComponentObservation& r) {
    SetCondition(st.conditions,
                 ComponentCondition(type, what, enabled, r, o.replica_noun, gen, now));
  };
  component(api::condition::kMasterReady, "master", true, o.master);
  component(api::condition::kWorkersReady, "workers", true, o.workers);
  component(api::condition::kHistoryServerReady, "history server", history_on, o.history_server);
  component(api::condition::kLivyReady, "Livy", livy_on, o.livy);

  std::vector<std::string> waiting;
  if (!o.master.Ready()) waiting.push_back("master");
  if (!o.workers.Ready()) waiting.push_back("workers");
  if (history_on && !o.history_server.Ready()) waiting.push_back("history server");
  if (livy_on && !o.livy.Ready()) waiting.push_back("livy");
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
  SetLivyCondition(st, c, o.livy_polls, now);
  if (o.spyt_release) SetReleaseConditions(st, *o.spyt_release, ready, gen, now);

  st.workers.desired = c.spec.workers.replicas;
  st.workers.ready = std::min(o.workers.exists ? o.workers.ready : 0, c.spec.workers.replicas);
  st.workers.summary = std::to_string(st.workers.ready) + "/" + std::to_string(st.workers.desired);
  st.selector = WorkerSelector(c);

  const Addresses& a = o.addresses;
  st.endpoints.master = "spark://" + a.master_rpc;
  st.endpoints.web_ui = "http://" + a.master_web_ui;
  st.endpoints.rest = a.master_rest;
  st.endpoints.history_server = Url("http://", a.history_server);
  st.endpoints.livy = Url("http://", a.livy);
  st.discovery = o.discovery;
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
  return !(Comparable(a) == Comparable(b));
}

std::string StatusDigest(const api::SpytClusterStatus& status) {
  return hash::Fnv1a64Hex(json::Dump(api::EncodeStatus(Comparable(status))));
}

}  // namespace spyt::cluster
