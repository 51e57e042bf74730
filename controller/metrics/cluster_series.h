#pragma once

// The per-SpytCluster series (spyt_cluster_*), kept as a few numbers per cluster and
// turned into Prometheus families only when scraped. prometheus-cpp's own families
// keep a label map, a hash entry and a metric object per series, about 600 bytes
// each; at a dozen series per cluster that was the operator's second largest use
// of memory at 1000 clusters. Thread-safe.

#include <prometheus/collectable.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace spyt::metrics {

struct ClusterFigures {
  int workers_desired = 0;
  int workers_ready = 0;
  bool livy_enabled = false;
  int livy_max_sessions = 0;  // 0 when Livy is disabled
  std::int64_t generation_lag = 0;
  std::vector<std::pair<std::string, bool>> conditions;  // type, status is True
};

class ClusterSeries : public prometheus::Collectable {
 public:
  // Replaces what is known of the cluster: a condition it no longer has loses its series.
  void Set(const std::string& ns, const std::string& name, ClusterFigures figures);
  void Remove(const std::string& ns, const std::string& name);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, ClusterFigures> clusters_;
};

}  // namespace spyt::metrics
