#include "spyt/setup.h"

#include "spyt/names.h"

namespace spyt::cluster {

Operator::Operator(runtime::Manager& manager, kube::Client& client, runtime::Clock& clock,
                   const OperatorOptions& options, const OperatorMetrics& metrics) {
  events_ = std::make_unique<runtime::EventRecorder>(client, clock, kManagerName, options.instance);
  reconciler_ = std::make_unique<ClusterReconciler>(client, cache_, *events_, clock, options.build,
                                                    metrics.reconcile);
  auto controller = std::make_unique<runtime::Controller>(
      *reconciler_, clock, runtime::ControllerOptions{"spytcluster", options.workers},
      runtime::MakeDefaultControllerRateLimiter(clock), metrics.queue, metrics.controller);

  std::vector<std::string> namespaces = options.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  const std::string managed = std::string(label::kManagedBy) + "=" + kManagerName;
  const std::vector<kube::Resource> children = {
      kube::resources::kStatefulSets, kube::resources::kDeployments, kube::resources::kServices,
      kube::resources::kConfigMaps};
  for (const auto& ns : namespaces) {
    runtime::Informer& clusters =
        manager.AddInformer({kube::resources::kSpytClusters, ns, ""}, metrics.informer);
    cache_.Register(kube::resources::kSpytClusters, ns, clusters);
    controller->Watch(clusters, runtime::MapToSelf());
    for (const auto& r : children) {
      runtime::Informer& inf = manager.AddInformer({r, ns, managed}, metrics.informer);
      cache_.Register(r, ns, inf);
      controller->Watch(inf, runtime::MapToOwner("spyt.dev", "SpytCluster"));
    }
  }
  controller_ = controller.get();
  manager.AddController(std::move(controller));
}

}  // namespace spyt::cluster
