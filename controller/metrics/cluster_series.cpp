#include "metrics/cluster_series.h"

#include <prometheus/metric_family.h>

namespace spyt::metrics {
namespace p = prometheus;

namespace {

p::MetricFamily Gauges(const char* name, const char* help) {
  p::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = p::MetricType::Gauge;
  return f;
}

void Add(p::MetricFamily& f, std::vector<p::ClientMetric::Label> labels, double value) {
  p::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

}  // namespace

void ClusterSeries::Set(const std::string& ns, const std::string& name, ClusterFigures figures) {
  std::lock_guard lock(mu_);
  clusters_[{ns, name}] = std::move(figures);
}

void ClusterSeries::Remove(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  clusters_.erase({ns, name});
}

std::vector<p::MetricFamily> ClusterSeries::Collect() const {
  std::vector<p::MetricFamily> out{
      Gauges("spyt_cluster_condition", "1 when the SpytCluster's condition of this type is True."),
      Gauges("spyt_cluster_workers_desired", "Workers the spec asks for."),
      Gauges("spyt_cluster_workers_ready", "Workers ready."),
      Gauges("spyt_cluster_livy_enabled", "1 when the cluster runs Livy."),
      Gauges("spyt_cluster_livy_max_sessions", "Livy's session limit (--livy-max-sessions)."),
      Gauges("spyt_cluster_generation_lag", "metadata.generation minus status.observedGeneration."),
  };
  std::lock_guard lock(mu_);
  for (auto& f : out) f.metric.reserve(clusters_.size());
  for (const auto& [key, c] : clusters_) {
    const auto& [ns, name] = key;
    std::vector<p::ClientMetric::Label> labels{{"name", name}, {"namespace", ns}};
    for (const auto& [type, status] : c.conditions) {
      auto with_type = labels;
      with_type.push_back({"type", type});
      Add(out[0], std::move(with_type), status ? 1 : 0);
    }
    Add(out[1], labels, c.workers_desired);
    Add(out[2], labels, c.workers_ready);
    Add(out[3], labels, c.livy_enabled ? 1 : 0);
    Add(out[4], labels, c.livy_max_sessions);
    Add(out[5], std::move(labels), static_cast<double>(c.generation_lag));
  }
  return out;
}

}  // namespace spyt::metrics
