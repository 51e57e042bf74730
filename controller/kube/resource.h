#pragma once

// Resource coordinates and the well-known resources the operator touches.

#include <string>

namespace spyt::kube {

struct Resource {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;  // "configmaps"
  std::string kind;    // "ConfigMap"
  bool namespaced = true;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "/api/v1" or "/apis/apps/v1".
  std::string BasePath() const {
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }
  friend bool operator==(const Resource&, const Resource&) = default;
};

namespace resources {
inline const Resource kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap"};
inline const Resource kSecrets{"", "v1", "secrets", "Secret"};
inline const Resource kServices{"", "v1", "services", "Service"};
inline const Resource kPods{"", "v1", "pods", "Pod"};
inline const Resource kEvents{"", "v1", "events", "Event"};
inline const Resource kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet"};
inline const Resource kDeployments{"apps", "v1", "deployments", "Deployment"};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", "Lease"};
inline const Resource kSpytClusters{"spyt.dev", "v1alpha1", "spytclusters", "SpytCluster"};
}  // namespace resources

}  // namespace spyt::kube
