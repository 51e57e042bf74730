#include "cluster/permissions.h"

#include <algorithm>

#include "cluster/desired_state.h"

namespace spyt::cluster {
namespace {

namespace res = kube::resources;

// The kinds the reconciler deletes when a component is disabled: those of a
// cluster with every optional component off.
bool Pruned(const kube::Resource& r) {
  api::SpytCluster everything_off;
  everything_off.spec.history_server.enabled = false;
  everything_off.spec.livy.enabled = false;
  auto children = UndesiredChildren(everything_off);
  return std::any_of(children.begin(), children.end(),
                     [&](const ChildRef& c) { return c.resource == r; });
}

Permission ChildPermission(const kube::Resource& r) {
  Permission p{r,
               "",
               {"create", "list", "patch", "watch"},
               {},
               PermissionScope::kWatchedNamespaces,
               "informer cache of the children labelled app.kubernetes.io/managed-by=spyt-operator "
               "(RBAC cannot filter by label); server-side apply is a PATCH that also needs "
               "create while the object does not exist"};
  if (Pruned(r)) {
    p.verbs.push_back("delete");
    p.reason += "; deleted when its component is disabled";
  }
  std::sort(p.verbs.begin(), p.verbs.end());
  return p;
}

const char* ScopeName(PermissionScope scope) {
  switch (scope) {
    case PermissionScope::kWatchedNamespaces:
      return "watched-namespaces";
    case PermissionScope::kLeaderElectionNamespace:
      return "leader-election-namespace";
  }
  return "";
}

json::Value Strings(const std::vector<std::string>& values) {
  json::Array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

}  // namespace

std::vector<Permission> OperatorPermissions(const std::string& lease_name) {
  const auto watched = PermissionScope::kWatchedNamespaces;
  const auto lease_ns = PermissionScope::kLeaderElectionNamespace;
  std::vector<Permission> out;
  out.push_back({res::kSpytClusters,
                 "",
                 {"list", "watch"},
                 {},
                 watched,
                 "informer cache of SpytClusters; reconciles read the cache, never GET"});
  out.push_back({res::kSpytClusters,
                 "status",
                 {"patch"},
                 {},
                 watched,
                 "status is written with a merge patch of the status subresource"});
  out.push_back({res::kSpytClusters,
                 "finalizers",
                 {"update"},
                 {},
                 watched,
                 "children's ownerReferences set blockOwnerDeletion, which the "
                 "OwnerReferencesPermissionEnforcement admission plugin allows only to whoever "
                 "may update the owner's finalizers"});
  for (const auto& r : ChildResources()) out.push_back(ChildPermission(r));
  out.push_back({res::kEvents,
                 "",
                 {"create", "patch"},
                 {},
                 watched,
                 "Events on SpytClusters; a repeated Event is patched (count, lastTimestamp)"});
  out.push_back({res::kLeases,
                 "",
                 {"create"},
                 {},
                 lease_ns,
                 "leader election creates its Lease (create cannot be limited to a name)"});
  out.push_back({res::kLeases,
                 "",
                 {"get", "update"},
                 {lease_name},
                 lease_ns,
                 "leader election reads, renews and releases its Lease"});
  return out;
}

bool Grants(const std::vector<Permission>& permissions, const kube::Resource& r,
            const std::string& subresource, const std::string& verb, PermissionScope scope,
            const std::string& name) {
  return std::any_of(permissions.begin(), permissions.end(), [&](const Permission& p) {
    bool any_name =
        p.resource_names.empty() ||
        std::find(p.resource_names.begin(), p.resource_names.end(), name) != p.resource_names.end();
    return p.resource == r && p.subresource == subresource && p.scope == scope && any_name &&
           std::find(p.verbs.begin(), p.verbs.end(), verb) != p.verbs.end();
  });
}

json::Value EncodePermissions(const std::vector<Permission>& permissions) {
  json::Array out;
  for (const auto& p : permissions) {
    json::Object entry{{"apiGroup", p.resource.group},
                       {"resource", p.ResourceName()},
                       {"verbs", Strings(p.verbs)},
                       {"scope", ScopeName(p.scope)},
                       {"reason", p.reason}};
    if (!p.resource_names.empty()) entry.emplace("resourceNames", Strings(p.resource_names));
    out.emplace_back(std::move(entry));
  }
  return out;
}

}  // namespace spyt::cluster
