// The Spark standalone master: a one-replica StatefulSet (a StatefulSet never
// runs two pods of the same ordinal, even during a rollout) behind a ClusterIP
// Service whose DNS name is the cluster's spark:// address.

#include "cluster/builders.h"

namespace spyt::cluster::detail {
namespace {

ContainerSpec MasterContainer(const api::MasterSpec& master) {
  const auto& p = master.ports;
  api::ResourceRequirements computed;
  computed.requests = {{"cpu", Cpu(1)}, {"memory", Memory(master.memory)}};
  computed.limits = {{"memory", Memory(master.memory)}};
  return ContainerSpec{
      .component = Component::kMaster,
      .ports = {ContainerPort("rpc", p.rpc), ContainerPort("webui", p.web_ui),
                ContainerPort("rest", p.rest)},
      .probe_port = "rpc",
      .env = {EnvVar("SPARK_DAEMON_MEMORY", DaemonHeap(master.memory).ToSparkString())},
      .resources = MergeResources(computed, master.resources),
  };
}

}  // namespace

std::vector<DesiredObject> MasterObjects(const BuildContext& ctx) {
  const auto& cluster = ctx.cluster;
  const auto& ports = cluster.spec.master.ports;
  const std::string name = ChildName(cluster, Component::kMaster);

  DesiredObject service =
      ComponentService(cluster, Component::kMaster,
                       {ServicePort("rpc", ports.rpc), ServicePort("webui", ports.web_ui),
                        ServicePort("rest", ports.rest)},
                       /*headless=*/false);

  DesiredObject set = NewObject(kube::resources::kStatefulSets, cluster, name,
                                ComponentLabels(cluster, Component::kMaster));
  json::Value spec = WorkloadSpec(cluster, Component::kMaster, 1,
                                  PodTemplate(ctx, MasterContainer(cluster.spec.master)));
  spec["serviceName"] = name;
  set.object["spec"] = std::move(spec);
  return {std::move(service), std::move(set)};
}

}  // namespace spyt::cluster::detail
