#include "cluster/livy_sessions.h"

#include <algorithm>

#include "cluster/status.h"

namespace spyt::cluster {
namespace {

void Remove(std::vector<api::Condition>& conditions, const char* type) {
  conditions.erase(std::remove_if(conditions.begin(), conditions.end(),
                                  [&](const api::Condition& c) { return c.type == type; }),
                   conditions.end());
}

}  // namespace

std::vector<livy::Target> LivyTargets(const std::vector<api::SpytCluster>& clusters) {
  std::vector<livy::Target> out;
  for (const auto& c : clusters) {
    if (!c.spec.livy.enabled || !c.status.endpoints.livy) continue;
    if (!IsConditionTrue(c.status.conditions, api::condition::kLivyReady)) continue;
    out.push_back({c.metadata.namespace_, c.metadata.name, *c.status.endpoints.livy,
                   c.spec.livy.max_sessions});
  }
  return out;
}

void SetLivyCondition(api::SpytClusterStatus& st, const api::SpytCluster& c,
                      const livy::ObservationSource* source, const std::string& now) {
  const char* type = api::condition::kLivyResponding;
  if (source == nullptr || !c.spec.livy.enabled) {
    Remove(st.conditions, type);
    return;
  }
  const auto gen = c.metadata.generation;
  std::optional<livy::Observation> obs;
  if (IsConditionTrue(st.conditions, api::condition::kLivyReady))
    obs = source->Latest(c.metadata.namespace_, c.metadata.name);
  if (!obs) {
    SetCondition(st.conditions, {type, "Unknown", gen, now, "NotPolled",
                                 "Livy is polled once it is ready; no answer seen yet"});
    return;
  }
  if (!obs->answering) {
    SetCondition(st.conditions, {type, "False", gen, now, "NotAnswering",
                                 ("GET /sessions failed: " + obs->error).substr(0, 1024)});
    return;
  }
  const int max = c.spec.livy.max_sessions;
  const auto& u = obs->usage;
  std::string message = std::to_string(u.in_use) + "/" + std::to_string(max) +
                        " sessions in use (sessions: " + livy::DescribeStates(u.sessions) +
                        "; batches: " + livy::DescribeStates(u.batches) + ")";
  bool full = u.in_use >= max;
  if (full) message += "; Livy rejects new sessions and batches until one ends";
  SetCondition(st.conditions,
               {type, "True", gen, now, full ? "SessionLimitReached" : "SessionsAvailable",
                message.substr(0, 1024)});
}

}  // namespace spyt::cluster
