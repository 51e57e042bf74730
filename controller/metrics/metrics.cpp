#include "metrics/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <stdexcept>

#include "metrics/cluster_series.h"
#include "metrics/livy_series.h"

namespace spyt::metrics {

namespace p = prometheus;

namespace {

// Reconciles and requests of a healthy operator take milliseconds; a slow API
// server or a stuck apply takes tens of seconds: cover both ends.
const p::Histogram::BucketBoundaries kLatency = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                 0.5,   1,      2.5,   5,    10,    30,   60};
const p::Histogram::BucketBoundaries kQueue = {1e-5, 1e-4, 0.001, 0.01, 0.1, 1, 10, 100, 1000};

}  // namespace

struct Metrics::Families {
  explicit Families(p::Registry& r)
      : reconcile_total(p::BuildCounter()
                            .Name("controller_runtime_reconcile_total")
                            .Help("Reconciles by controller and result.")
                            .Register(r)),
        reconcile_errors(p::BuildCounter()
                             .Name("controller_runtime_reconcile_errors_total")
                             .Help("Reconciles that returned an error.")
                             .Register(r)),
        reconcile_time(p::BuildHistogram()
                           .Name("controller_runtime_reconcile_time_seconds")
                           .Help("Time per reconcile.")
                           .Register(r)),
        active_workers(p::BuildGauge()
                           .Name("controller_runtime_active_workers")
                           .Help("Workers reconciling now.")
                           .Register(r)),
        max_workers(p::BuildGauge()
                        .Name("controller_runtime_max_concurrent_reconciles")
                        .Help("Configured reconcile workers.")
                        .Register(r)),
        depth(
            p::BuildGauge().Name("workqueue_depth").Help("Keys waiting in the queue.").Register(r)),
        adds(p::BuildCounter()
                 .Name("workqueue_adds_total")
                 .Help("Keys added to the queue.")
                 .Register(r)),
        retries(p::BuildCounter()
                    .Name("workqueue_retries_total")
                    .Help("Keys re-queued after a failure.")
                    .Register(r)),
        queue_duration(p::BuildHistogram()
                           .Name("workqueue_queue_duration_seconds")
                           .Help("Time a key waits before a worker takes it.")
                           .Register(r)),
        work_duration(p::BuildHistogram()
                          .Name("workqueue_work_duration_seconds")
                          .Help("Time a worker spends on a key.")
                          .Register(r)),
        unfinished(p::BuildGauge()
                       .Name("workqueue_unfinished_work_seconds")
                       .Help("Time in-flight keys have been processed so far.")
                       .Register(r)),
        longest(p::BuildGauge()
                    .Name("workqueue_longest_running_processor_seconds")
                    .Help("Longest time one in-flight key has been processed.")
                    .Register(r)),
        requests(p::BuildCounter()
                     .Name("rest_client_requests_total")
                     .Help("API server requests by method and HTTP code (0: no response).")
                     .Register(r)),
        request_latency(p::BuildHistogram()
                            .Name("rest_client_request_duration_seconds")
                            .Help("API server request latency by verb.")
                            .Register(r)),
        leader(p::BuildGauge()
                   .Name("leader_election_master_status")
                   .Help("1 while this process holds the lease.")
                   .Register(r)),
        relists(p::BuildCounter()
                    .Name("spyt_operator_informer_relists_total")
                    .Help("Full lists by resource (start and after 410 Gone).")
                    .Register(r)),
        watch_restarts(p::BuildCounter()
                           .Name("spyt_operator_informer_watch_restarts_total")
                           .Help("Watches re-opened by resource.")
                           .Register(r)),
        child_applies(p::BuildCounter()
                          .Name("spyt_operator_child_applies_total")
                          .Help("Child objects applied because they differed, by kind.")
                          .Register(r)),
        child_deletes(p::BuildCounter()
                          .Name("spyt_operator_child_deletes_total")
                          .Help("Child objects deleted because their component was disabled.")
                          .Register(r)),
        status_writes(p::BuildCounter()
                          .Name("spyt_operator_status_writes_total")
                          .Help("SpytCluster status updates.")
                          .Register(r)),
        build_info(p::BuildGauge()
                       .Name("spyt_operator_build_info")
                       .Help("Always 1; the version is a label.")
                       .Register(r)) {}

  p::Family<p::Counter>& reconcile_total;
  p::Family<p::Counter>& reconcile_errors;
  p::Family<p::Histogram>& reconcile_time;
  p::Family<p::Gauge>& active_workers;
  p::Family<p::Gauge>& max_workers;
  p::Family<p::Gauge>& depth;
  p::Family<p::Counter>& adds;
  p::Family<p::Counter>& retries;
  p::Family<p::Histogram>& queue_duration;
  p::Family<p::Histogram>& work_duration;
  p::Family<p::Gauge>& unfinished;
  p::Family<p::Gauge>& longest;
  p::Family<p::Counter>& requests;
  p::Family<p::Histogram>& request_latency;
  p::Family<p::Gauge>& leader;
  p::Family<p::Counter>& relists;
  p::Family<p::Counter>& watch_restarts;
  p::Family<p::Counter>& child_applies;
  p::Family<p::Counter>& child_deletes;
  p::Family<p::Counter>& status_writes;
  p::Family<p::Gauge>& build_info;
};

class Metrics::QueueObserver : public runtime::QueueMetrics {
 public:
  QueueObserver(Families& f, const std::string& name)
      : depth_(f.depth.Add({{"name", name}})),
        adds_(f.adds.Add({{"name", name}})),
        retries_(f.retries.Add({{"name", name}})),
        queue_(f.queue_duration.Add({{"name", name}}, kQueue)),
        work_(f.work_duration.Add({{"name", name}}, kQueue)),
        unfinished_(f.unfinished.Add({{"name", name}})),
        longest_(f.longest.Add({{"name", name}})) {}
  void SetDepth(std::int64_t d) override { depth_.Set(static_cast<double>(d)); }
  void Added() override { adds_.Increment(); }
  void Retried() override { retries_.Increment(); }
  void QueueLatency(double s) override { queue_.Observe(s); }
  void WorkDuration(double s) override { work_.Observe(s); }
  void SetUnfinished(double total, double longest) override {
    unfinished_.Set(total);
    longest_.Set(longest);
  }

 private:
  p::Gauge& depth_;
  p::Counter& adds_;
  p::Counter& retries_;
  p::Histogram& queue_;
  p::Histogram& work_;
  p::Gauge& unfinished_;
  p::Gauge& longest_;
};

Metrics::Metrics(const std::string& version, Clock& clock)
    : registry_(std::make_shared<p::Registry>()),
      f_(std::make_unique<Families>(*registry_)),
      clusters_(std::make_shared<ClusterSeries>()),
      livy_(std::make_unique<LivySeries>(*registry_)) {
  f_->build_info.Add({{"version", version}}).Set(1);
  poll_loop_ =
      runtime::MakeRunnable("metrics pollers", false, [this, &clock](std::stop_token stop) {
        while (!runtime::SleepUntil(clock, stop, clock.Now() + std::chrono::seconds(1))) {
          std::lock_guard lock(pollers_mutex_);
          for (auto& poll : pollers_) poll();
        }
      });
}

Metrics::~Metrics() {
  if (server_) server_->Stop();  // no scrape may run while the families are destroyed
}

runtime::Runnable& Metrics::Pollers() { return *poll_loop_; }

void Metrics::Serve(const std::string& address) {
  try {
    server_ = http::MakeServer(address);
    server_->Handle("/metrics", [this](const http::Request&) {
      return http::Response{
          200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, Render()};
    });
    server_->Start();
  } catch (const http::TransportError& e) {
    server_.reset();
    throw std::invalid_argument("--metrics-bind-address: cannot listen on \"" + address +
                                "\": " + e.what());
  }
}

int Metrics::port() const { return server_ ? server_->port() : 0; }

std::string Metrics::Render() const {
  p::TextSerializer serializer;
  std::ostringstream out;
  std::vector<p::MetricFamily> families = registry_->Collect();
  for (auto& f : clusters_->Collect()) families.push_back(std::move(f));
  serializer.Serialize(out, families);
  return out.str();
}

livy::Observer* Metrics::Livy() { return livy_.get(); }

runtime::QueueMetrics* Metrics::Queue(const std::string& name) {
  queues_.push_back(std::make_unique<QueueObserver>(*f_, name));
  return queues_.back().get();
}

void Metrics::Poll(std::function<void()> poller) {
  std::lock_guard lock(pollers_mutex_);
  pollers_.push_back(std::move(poller));
}

void Metrics::SetLeader(const std::string& lease, bool leading) {
  f_->leader.Add({{"name", lease}}).Set(leading ? 1 : 0);
}

void Metrics::SetMaxConcurrentReconciles(const std::string& controller, int workers) {
  f_->max_workers.Add({{"controller", controller}}).Set(workers);
}

void Metrics::ObserveRequest(const std::string& verb, int code, double seconds) {
  f_->requests.Add({{"method", verb}, {"code", std::to_string(code)}}).Increment();
  f_->request_latency.Add({{"verb", verb}}, kLatency).Observe(seconds);
}

void Metrics::ReconcileFinished(const std::string& controller, const std::string& result,
                                double seconds) {
  f_->reconcile_total.Add({{"controller", controller}, {"result", result}}).Increment();
  if (result == "error" || result == "terminal_error") {
    f_->reconcile_errors.Add({{"controller", controller}}).Increment();
  }
  f_->reconcile_time.Add({{"controller", controller}}, kLatency).Observe(seconds);
}

void Metrics::SetActiveWorkers(const std::string& controller, int workers) {
  f_->active_workers.Add({{"controller", controller}}).Set(workers);
}

void Metrics::Relisted(const std::string& resource) {
  f_->relists.Add({{"resource", resource}}).Increment();
}

void Metrics::WatchRestarted(const std::string& resource) {
  f_->watch_restarts.Add({{"resource", resource}}).Increment();
}

void Metrics::ChildApplied(const std::string& kind) {
  f_->child_applies.Add({{"kind", kind}}).Increment();
}

void Metrics::ChildDeleted(const std::string& kind) {
  f_->child_deletes.Add({{"kind", kind}}).Increment();
}

void Metrics::StatusWritten() { f_->status_writes.Add({}).Increment(); }

void Metrics::ClusterObserved(const api::SpytCluster& c, const api::SpytClusterStatus& st) {
  ClusterFigures f;
  f.workers_desired = st.workers.desired;
  f.workers_ready = st.workers.ready;
  f.livy_enabled = c.spec.livy.enabled;
  f.livy_max_sessions = c.spec.livy.enabled ? c.spec.livy.max_sessions : 0;
  f.generation_lag = c.metadata.generation - st.observed_generation;
  for (const auto& cond : st.conditions)
    f.conditions.emplace_back(cond.type, cond.status == "True");
  clusters_->Set(c.metadata.namespace_, c.metadata.name, std::move(f));
}

void Metrics::ClusterGone(const std::string& ns, const std::string& name) {
  clusters_->Remove(ns, name);
}

}  // namespace spyt::metrics
