#include "cluster/operator.h"

#include "api/codec.h"
#include "cluster/livy_sessions.h"
#include "cluster/names.h"

namespace spyt::cluster {

Operator::Operator(runtime::Manager& manager, kube::Client& client, Clock& clock,
                   const OperatorOptions& options, const OperatorMetrics& metrics,
                   livy::TransportFactory livy_transports) {
  std::vector<std::string> namespaces = options.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  events_ = std::make_unique<runtime::EventRecorder>(client, clock, kManagerName, options.instance);
  if (livy_transports && options.livy.interval.count() > 0) {
    auto lister = [this, namespaces] {
      std::vector<api::SpytCluster> clusters;
      for (const auto& ns : namespaces) {
        for (const auto& obj : cache_.List(kube::resources::kSpytClusters, ns)) {
          api::DecodeResult decoded = api::Decode(obj);
          if (decoded.ok()) clusters.push_back(std::move(decoded.cluster));
        }
      }
      return LivyTargets(clusters);
    };
    auto on_change = [this](const livy::Target& t) {
      if (controller_ != nullptr) controller_->Enqueue({t.ns, t.name});
    };
    livy_ = std::make_unique<livy::Monitor>(std::move(livy_transports), lister, clock, options.livy,
                                            metrics.livy, on_change);
  }
  reconciler_ = std::make_unique<ClusterReconciler>(client, cache_, *events_, clock, options.build,
                                                    metrics.reconcile, livy_.get());
  auto controller = std::make_unique<runtime::Controller>(
      *reconciler_, clock, runtime::ControllerOptions{"spytcluster", options.workers},
      runtime::MakeDefaultControllerRateLimiter(clock), metrics.queue, metrics.controller);

  const std::string managed = std::string(label::kManagedBy) + "=" + kManagerName;
  for (const auto& ns : namespaces) {
    runtime::Informer& clusters =
        manager.AddInformer({kube::resources::kSpytClusters, ns, ""}, metrics.informer);
    cache_.Register(kube::resources::kSpytClusters, ns, clusters);
    controller->Watch(clusters, runtime::MapToSelf());
    for (const auto& r : ChildResources()) {
      runtime::Informer& inf = manager.AddInformer({r, ns, managed}, metrics.informer);
      cache_.Register(r, ns, inf);
      controller->Watch(inf, runtime::MapToOwner(api::kGroup, api::kKind));
    }
  }
  controller_ = controller.get();
  manager.AddController(std::move(controller));
  if (livy_) manager.Add(*livy_);  // needs leadership: standbys do not poll
}

Operator::~Operator() = default;

}  // namespace spyt::cluster
