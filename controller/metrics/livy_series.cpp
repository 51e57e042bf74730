#include "metrics/livy_series.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace spyt::metrics {

namespace p = prometheus;

namespace {

// A loopback answer takes milliseconds; the poll timeout (5 s by default) bounds the rest.
const p::Histogram::BucketBoundaries kPoll = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10};

}  // namespace

LivySeries::LivySeries(p::Registry& r)
    : up_(p::BuildGauge()
              .Name("spyt_livy_up")
              .Help("1 when the cluster's Livy answered the operator's last GET /sessions.")
              .Register(r)),
      in_use_(p::BuildGauge()
                  .Name("spyt_livy_sessions_in_use")
                  .Help("Livy sessions and batches that have not ended: they count toward "
                        "livy.server.session.max-creation, idle ones included.")
                  .Register(r)),
      sessions_(p::BuildGauge()
                    .Name("spyt_livy_sessions")
                    .Help("Livy sessions (kind=session) and batches (kind=batch) by state.")
                    .Register(r)),
      polls_(p::BuildCounter()
                 .Name("spyt_livy_polls_total")
                 .Help("Polls of Livy servers by result (success, error).")
                 .Register(r)),
      poll_duration_(p::BuildHistogram()
                         .Name("spyt_livy_poll_duration_seconds")
                         .Help("Time to read one Livy server's sessions and batches.")
                         .Register(r)) {}

void LivySeries::RemoveCounts(const std::string& key) {
  auto it = clusters_.find(key);
  if (it != clusters_.end()) in_use_.Remove(&in_use_.Add(it->second));
  for (const auto& labels : by_state_[key]) sessions_.Remove(&sessions_.Add(labels));
  by_state_.erase(key);
}

void LivySeries::LivyObserved(const livy::Target& t, const livy::Observation& obs, double seconds) {
  polls_.Add({{"result", obs.answering ? "success" : "error"}}).Increment();
  poll_duration_.Add({}, kPoll).Observe(seconds);
  const std::string key = t.Key();
  Labels labels{{"namespace", t.ns}, {"name", t.name}};
  std::lock_guard lock(mu_);
  clusters_[key] = labels;
  up_.Add(labels).Set(obs.answering ? 1 : 0);
  if (!obs.answering) {
    RemoveCounts(key);
    return;
  }
  in_use_.Add(labels).Set(obs.usage.in_use);
  std::set<Labels> now;
  auto export_kind = [&](const char* kind, const std::map<std::string, int>& by_state) {
    for (const auto& [state, count] : by_state) {
      Labels l = labels;
      l["kind"] = kind;
      l["state"] = state;
      sessions_.Add(l).Set(count);
      now.insert(l);
    }
  };
  export_kind("session", obs.usage.sessions);
  export_kind("batch", obs.usage.batches);
  for (const auto& old : by_state_[key]) {
    if (now.count(old) == 0) sessions_.Remove(&sessions_.Add(old));
  }
  by_state_[key] = std::move(now);
}

void LivySeries::LivyForgotten(const std::string& ns, const std::string& name) {
  const std::string key = ns + "/" + name;
  std::lock_guard lock(mu_);
  RemoveCounts(key);
  auto it = clusters_.find(key);
  if (it == clusters_.end()) return;
  up_.Remove(&up_.Add(it->second));
  clusters_.erase(it);
}

}  // namespace spyt::metrics
