#include "cluster/builders.h"

namespace spyt::cluster::detail {
namespace {

json::Value LabelsValue(const Labels& labels) {
  json::Object out;
  for (const auto& [key, value] : labels) {
    out.emplace(key, value);
  }
  return out;
}

// The SpytCluster controls the child: deleting the cluster deletes it, and
// foreground deletion of the cluster waits for it.
json::Value ControllerReference(const api::SpytCluster& cluster) {
  return json::Object{
      {"apiVersion", api::kApiVersion}, {"kind", api::kKind}, {"name", cluster.metadata.name},
      {"uid", cluster.metadata.uid},    {"controller", true}, {"blockOwnerDeletion", true},
  };
}

}  // namespace

DesiredObject NewObject(const kube::Resource& resource, const api::SpytCluster& cluster,
                        const std::string& name, const Labels& labels) {
  json::Value object = json::Object{
      {"apiVersion", resource.ApiVersion()},
      {"kind", resource.kind},
      {"metadata",
       json::Object{
           {"name", name},
           {"namespace", cluster.metadata.namespace_},
           {"labels", LabelsValue(labels)},
           {"ownerReferences", json::Array{ControllerReference(cluster)}},
       }},
  };
  return DesiredObject{resource, name, std::move(object)};
}

json::Value ServicePort(const std::string& name, int port) {
  // The protocol is spelled out: server-side apply keys Service ports by port and protocol.
  return json::Object{{"name", name}, {"port", port}, {"targetPort", name}, {"protocol", "TCP"}};
}

DesiredObject ComponentService(const api::SpytCluster& cluster, Component component,
                               json::Array ports, bool headless) {
  DesiredObject out = NewObject(kube::resources::kServices, cluster, ChildName(cluster, component),
                                ComponentLabels(cluster, component));
  json::Value spec = json::Object{
      {"type", "ClusterIP"},
      {"selector", LabelsValue(SelectorLabels(cluster, component))},
      {"ports", std::move(ports)},
  };
  if (headless) {
    spec["clusterIP"] = "None";
  }
  out.object["spec"] = std::move(spec);
  return out;
}

json::Value WorkloadSpec(const api::SpytCluster& cluster, Component component, int replicas,
                         json::Value pod_template) {
  return json::Object{
      {"replicas", replicas},
      {"selector", json::Object{{"matchLabels", LabelsValue(SelectorLabels(cluster, component))}}},
      {"template", std::move(pod_template)},
  };
}

}  // namespace spyt::cluster::detail
