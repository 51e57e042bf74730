#pragma once

// The Livy monitor's series (livy/monitor.h), per cluster (namespace, name):
//   spyt_livy_up                     1 when the last poll got an answer, else 0
//   spyt_livy_sessions_in_use        sessions and batches counting toward the limit
//   spyt_livy_sessions{kind,state}   sessions (kind="session") and batches (kind="batch")
// and, for the operator as a whole, spyt_livy_polls_total{result} and
// spyt_livy_poll_duration_seconds. in_use and sessions exist only while Livy
// answers (a stale count would keep a near-limit alert firing); a forgotten
// cluster's series are removed. Thread-safe.

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "livy/monitor.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Gauge;
class Counter;
class Histogram;
}  // namespace prometheus

namespace spyt::metrics {

class LivySeries : public livy::Observer {
 public:
  explicit LivySeries(prometheus::Registry& registry);

  void LivyObserved(const livy::Target& target, const livy::Observation& observation,
                    double seconds) override;
  void LivyForgotten(const std::string& ns, const std::string& name) override;

 private:
  using Labels = std::map<std::string, std::string>;
  void RemoveCounts(const std::string& key);  // with mu_ held

  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Gauge>& in_use_;
  prometheus::Family<prometheus::Gauge>& sessions_;
  prometheus::Family<prometheus::Counter>& polls_;
  prometheus::Family<prometheus::Histogram>& poll_duration_;

  std::mutex mu_;
  std::map<std::string, Labels> clusters_;            // key -> {namespace, name}
  std::map<std::string, std::set<Labels>> by_state_;  // key -> sessions{...} label sets
};

}  // namespace spyt::metrics
