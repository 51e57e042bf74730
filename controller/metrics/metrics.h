#pragma once

// Prometheus metrics of the operator, under the names dashboards for
// controller-runtime operators already use (controller_runtime_*, workqueue_*,
// rest_client_*, leader_election_master_status) plus spyt_operator_* ones.
// One Metrics object implements every observer interface of the runtime and the
// reconciler and owns the /metrics exposer. Thread-safe.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/reconciler.h"
#include "http/http.h"
#include "kube/client_metrics.h"
#include "livy/monitor.h"
#include "runtime/controller.h"
#include "runtime/informer.h"
#include "runtime/runnable.h"
#include "runtime/workqueue.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace spyt::metrics {

class ClusterSeries;

class Metrics : public kube::ClientMetrics,
                public runtime::ControllerMetrics,
                public runtime::InformerMetrics,
                public cluster::ReconcileObserver {
 public:
  explicit Metrics(const std::string& version, Clock& clock = RealClock());
  ~Metrics() override;

  // Serves /metrics on `address` ("127.0.0.1:8080"; port 0 picks one).
  void Serve(const std::string& address);
  int port() const;
  // Text exposition of everything registered (tests, `spyt-operator local`).
  std::string Render() const;

  // The Livy monitor's observer (spyt_livy_* series; metrics/livy_series.h).
  livy::Observer* Livy();
  // Work-queue observer for the queue named `name`.
  runtime::QueueMetrics* Queue(const std::string& name);
  // Polled every second by Pollers() (unfinished work, leadership); register before
  // it runs.
  void Poll(std::function<void()> poller);
  // Runs the pollers until stopped: a runtime::Runnable every replica runs (give it
  // to the manager, which stops it before what the pollers reference is destroyed).
  runtime::Runnable& Pollers();
  void SetLeader(const std::string& lease, bool leading);
  void SetMaxConcurrentReconciles(const std::string& controller, int workers);

  // kube::ClientMetrics
  void ObserveRequest(const std::string& verb, int code, double seconds) override;
  // runtime::ControllerMetrics
  void ReconcileFinished(const std::string& controller, const std::string& result,
                         double seconds) override;
  void SetActiveWorkers(const std::string& controller, int workers) override;
  // runtime::InformerMetrics
  void Relisted(const std::string& resource) override;
  void WatchRestarted(const std::string& resource) override;
  // cluster::ReconcileObserver
  void ChildApplied(const std::string& kind) override;
  void ChildDeleted(const std::string& kind) override;
  void StatusWritten() override;
  void ClusterObserved(const api::SpytCluster& cluster,
                       const api::SpytClusterStatus& status) override;
  void ClusterGone(const std::string& ns, const std::string& name) override;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  struct Families;
  class QueueObserver;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> f_;
  std::shared_ptr<ClusterSeries> clusters_;
  std::vector<std::unique_ptr<QueueObserver>> queues_;
  std::unique_ptr<livy::Observer> livy_;
  std::unique_ptr<http::Server> server_;  // /metrics, once Serve() ran
  std::mutex pollers_mutex_;
  std::vector<std::function<void()>> pollers_;
  std::unique_ptr<runtime::Runnable> poll_loop_;
};

}  // namespace spyt::metrics
