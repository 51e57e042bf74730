#include "cluster/desired_state.h"

#include "cluster/builders.h"
#include "cluster/names.h"
#include "cluster/spark_conf.h"
#include "common/hash.h"

namespace spyt::cluster {
namespace {

void Append(std::vector<DesiredObject>& to, std::vector<DesiredObject> from) {
  for (auto& object : from) {
    to.push_back(std::move(object));
  }
}

void AddDeploymentAndService(std::vector<ChildRef>& out, const std::string& name) {
  out.push_back({kube::resources::kDeployments, name});
  out.push_back({kube::resources::kServices, name});
}

}  // namespace

const std::vector<kube::Resource>& ChildResources() {
  static const std::vector<kube::Resource> kinds = {
      kube::resources::kStatefulSets, kube::resources::kDeployments, kube::resources::kServices,
      kube::resources::kConfigMaps};
  return kinds;
}

DesiredState BuildDesiredState(const api::SpytCluster& cluster, const BuildOptions& options) {
  const std::string conf = RenderClusterSparkDefaults(cluster, SparkDefaults(cluster, options));
  DesiredState state;
  state.config_hash = hash::Fnv1a64Hex(conf);
  state.objects.push_back(SparkConfConfigMap(cluster, conf));

  const detail::BuildContext ctx{cluster, options, state.config_hash};
  Append(state.objects, detail::MasterObjects(ctx));
  Append(state.objects, detail::WorkerObjects(ctx));
  if (cluster.spec.history_server.enabled) {
    Append(state.objects, detail::HistoryServerObjects(ctx));
  }
  if (cluster.spec.livy.enabled) {
    Append(state.objects, detail::LivyObjects(ctx));
  }
  return state;
}

std::vector<ChildRef> UndesiredChildren(const api::SpytCluster& cluster) {
  std::vector<ChildRef> out;
  if (!cluster.spec.history_server.enabled) {
    AddDeploymentAndService(out, ChildName(cluster, Component::kHistoryServer));
  }
  if (!cluster.spec.livy.enabled) {
    AddDeploymentAndService(out, ChildName(cluster, Component::kLivy));
  }
  return out;
}

}  // namespace spyt::cluster
