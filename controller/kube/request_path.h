#pragma once

// URL pieces of Kubernetes API requests: resource paths and encoded query strings.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/resource.h"

namespace spyt::kube {

// Percent-encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~),
// so the result is safe both as a path segment and as a query key or value.
std::string UrlEncode(std::string_view text);

// "/api/v1/namespaces/NS/configmaps/NAME/status". `ns` is left out for cluster-scoped
// resources and when empty (a list or watch across all namespaces); `name` and
// `subresource` are left out when empty.
std::string ResourcePath(const Resource& resource, const std::string& ns,
                         const std::string& name = "", const std::string& subresource = "");

// Query parameters in the order added.
class Query {
 public:
  Query& Add(std::string key, std::string value);
  // Adds the parameter only when the value is non-empty.
  Query& AddIfSet(std::string key, const std::string& value);
  // "" when empty, otherwise "?k=v&k2=v2" with keys and values encoded.
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace spyt::kube
