// The Spark history server: a stateless reader of the event log directory, so
// a Deployment with the default rolling update.

#include "cluster/builders.h"
#include "cluster/names.h"

namespace spyt::cluster::detail {
namespace {

ContainerSpec HistoryServerContainer(const api::SpytCluster& cluster) {
  const auto& h = cluster.spec.history_server;
  return ContainerSpec{
      .component = Component::kHistoryServer,
      .ports = {ContainerPort("http", h.port)},
      .probe_port = "http",
      .env = {EnvVar("SPARK_DAEMON_MEMORY", DaemonHeap(h.memory).ToSparkString())},
      .resources = MergeResources(Guaranteed(h.cpu, h.memory), h.resources),
  };
}

}  // namespace

std::vector<DesiredObject> HistoryServerObjects(const BuildContext& ctx) {
  const auto& cluster = ctx.cluster;
  DesiredObject service =
      ComponentService(cluster, Component::kHistoryServer,
                       {ServicePort("http", cluster.spec.history_server.port)}, /*headless=*/false);

  DesiredObject deployment = NewObject(kube::resources::kDeployments, cluster,
                                       ChildName(cluster, Component::kHistoryServer),
                                       ComponentLabels(cluster, Component::kHistoryServer));
  deployment.object["spec"] = WorkloadSpec(cluster, Component::kHistoryServer, 1,
                                           PodTemplate(ctx, HistoryServerContainer(cluster)));
  return {std::move(service), std::move(deployment)};
}

}  // namespace spyt::cluster::detail
