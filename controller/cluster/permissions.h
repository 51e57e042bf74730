#pragma once

// The Kubernetes API permissions `spyt-operator run` needs, and nothing more: the
// one list the Helm chart's (Cluster)Roles are checked against
// (tests/integration/kube/test_rbac.py compares it with what `kubectl auth can-i
// --list` shows for the chart's ServiceAccount). `spyt-operator permissions`
// prints it as JSON.
//
// Each entry names a resource (with its subresource, if any), the verbs, where
// they are needed and why. The list is built from the same resource constants
// and functions the informers, the reconciler, the event recorder and leader
// election use; tests/cluster/permissions_test.cpp checks it against them.
//
// Commands other than `run` (discovery, which reads a ConfigMap with the user's
// own credentials) are not part of it. Pure; thread-safe.

#include <string>
#include <vector>

#include "common/json.h"
#include "kube/resource.h"

namespace spyt::cluster {

enum class PermissionScope {
  // In every namespace the operator watches (--watch-namespaces), or across the
  // cluster when it watches them all.
  kWatchedNamespaces,
  // In the Lease's namespace (--leader-election-namespace), with --leader-elect only.
  kLeaderElectionNamespace,
};

struct Permission {
  kube::Resource resource;
  std::string subresource;                  // "" or "status", "finalizers"
  std::vector<std::string> verbs;           // RBAC verbs, sorted
  std::vector<std::string> resource_names;  // empty: any object
  PermissionScope scope = PermissionScope::kWatchedNamespaces;
  std::string reason;

  // "spytclusters/status": the name RBAC rules use.
  std::string ResourceName() const {
    return subresource.empty() ? resource.plural : resource.plural + "/" + subresource;
  }
};

// What the operator needs; `lease_name` is --leader-election-id (get and update
// are needed on that Lease only).
std::vector<Permission> OperatorPermissions(const std::string& lease_name);

// True when some entry of `permissions` grants `verb` on `r` (and `subresource`) in
// `scope`, on any object name or on `name`.
bool Grants(const std::vector<Permission>& permissions, const kube::Resource& r,
            const std::string& subresource, const std::string& verb, PermissionScope scope,
            const std::string& name = "");

// A JSON array, one object per entry: apiGroup, resource, verbs, resourceNames
// (only when restricted), scope ("watched-namespaces" or
// "leader-election-namespace"), reason.
json::Value EncodePermissions(const std::vector<Permission>& permissions);

}  // namespace spyt::cluster
