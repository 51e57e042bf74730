#pragma once

// Compares the requests a fake API server received with the operator's
// permissions (cluster/permissions.h), for the tests that drive real code paths.

#include <string>
#include <vector>

#include "cluster/permissions.h"
#include "fakes/fake_client.h"

namespace spyt::cluster::testing {

// The RBAC verbs of the requests `client` received for `r` that `permissions`
// does not grant in `scope` on the object `name`. Server-side apply is a PATCH
// that creates a missing object, so it needs both patch and create. The fake
// counts requests by resource, not subresource: `subresource` says which one
// the caller's requests were for.
inline std::vector<std::string> UngrantedVerbs(const fakes::FakeClient& client,
                                               const std::vector<Permission>& permissions,
                                               const kube::Resource& r,
                                               const std::string& subresource,
                                               PermissionScope scope,
                                               const std::string& name = "") {
  std::vector<std::string> needed;
  for (const char* verb : {"get", "list", "watch", "create", "update", "patch", "delete"}) {
    if (client.Requests(verb, r) > 0) needed.emplace_back(verb);
  }
  if (client.Requests("apply", r) > 0) {
    needed.emplace_back("patch");
    needed.emplace_back("create");
  }
  std::vector<std::string> out;
  for (const auto& verb : needed) {
    if (!Grants(permissions, r, subresource, verb, scope, name)) out.push_back(verb);
  }
  return out;
}

}  // namespace spyt::cluster::testing
