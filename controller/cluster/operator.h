#pragma once

// Wires the SpytCluster controller into a runtime::Manager: informers for
// SpytClusters and for the children the operator manages (only objects carrying
// app.kubernetes.io/managed-by=spyt-operator are cached, so memory stays flat on
// busy clusters), one per watched namespace, and a controller whose queue is fed
// by cluster events and by child events mapped to their owning cluster. While
// this replica leads, a Livy monitor polls every Ready Livy and queues a cluster
// whose sessions changed, so its LivyResponding condition follows.

#include <memory>
#include <string>
#include <vector>

#include "cluster/reconciler.h"
#include "kube/client.h"
#include "livy/monitor.h"
#include "runtime/cache.h"
#include "runtime/event_recorder.h"
#include "runtime/manager.h"

namespace spyt::cluster {

struct OperatorOptions {
  BuildOptions build;
  std::vector<std::string> namespaces;  // empty = all
  int workers = 4;
  std::string instance;  // reported in Events (pod name)
  // Polling of each Ready Livy's GET /sessions; an interval of 0 turns it off.
  livy::MonitorOptions livy;
};

struct OperatorMetrics {
  runtime::QueueMetrics* queue = nullptr;
  runtime::ControllerMetrics* controller = nullptr;
  runtime::InformerMetrics* informer = nullptr;
  ReconcileObserver* reconcile = nullptr;
  livy::Observer* livy = nullptr;
};

// Owns what the controller needs for as long as the manager runs; the manager runs
// the controller and the Livy monitor (both only while this replica leads).
class Operator {
 public:
  // `livy_transports` makes the HTTP clients that poll Livy (empty: polling off).
  Operator(runtime::Manager& manager, kube::Client& client, Clock& clock,
           const OperatorOptions& options, const OperatorMetrics& metrics = {},
           livy::TransportFactory livy_transports = {});
  ~Operator();
  const runtime::Cache& cache() const { return cache_; }
  // Owned by the manager; valid while it lives.
  runtime::Controller& controller() const { return *controller_; }

 private:
  runtime::Controller* controller_ = nullptr;
  runtime::Cache cache_;
  std::unique_ptr<livy::Monitor> livy_;
  std::unique_ptr<runtime::EventRecorder> events_;
  std::unique_ptr<ClusterReconciler> reconciler_;
};

}  // namespace spyt::cluster
