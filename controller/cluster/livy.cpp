// The Livy server. Session drivers run in client mode inside its container, so
// it is sized by SPYT's rule (api::LivyContainerMemory/Cpu). One Livy per
// cluster: a one-replica Deployment with the Recreate strategy, so a rollout
// never runs two servers (discovery and Query Tracker expect at most one).

#include "api/validation.h"
#include "cluster/builders.h"
#include "cluster/names.h"

namespace spyt::cluster::detail {
namespace {

ContainerSpec LivyContainer(const BuildContext& ctx) {
  const auto& l = ctx.cluster.spec.livy;
  api::ResourceRequirements computed =
      Guaranteed(Cpu(api::LivyContainerCpu(l)), api::LivyContainerMemory(l));
  // The probes check the TCP port rather than GET /sessions: with authentication
  // or CSRF protection configured in Livy that request fails although the server
  // is healthy, and Livy opens its port only once it is initialised.
  return ContainerSpec{
      .component = Component::kLivy,
      .ports = {ContainerPort("http", l.port)},
      .probe_port = "http",
      .env = {},
      .resources = MergeResources(computed, l.resources),
  };
}

}  // namespace

std::vector<DesiredObject> LivyObjects(const BuildContext& ctx) {
  const auto& cluster = ctx.cluster;
  DesiredObject service =
      ComponentService(cluster, Component::kLivy, {ServicePort("http", cluster.spec.livy.port)},
                       /*headless=*/false);

  DesiredObject deployment =
      NewObject(kube::resources::kDeployments, cluster, ChildName(cluster, Component::kLivy),
                ComponentLabels(cluster, Component::kLivy));
  json::Value spec =
      WorkloadSpec(cluster, Component::kLivy, 1, PodTemplate(ctx, LivyContainer(ctx)));
  spec["strategy"] = json::Object{{"type", "Recreate"}};
  deployment.object["spec"] = std::move(spec);
  return {std::move(service), std::move(deployment)};
}

}  // namespace spyt::cluster::detail
