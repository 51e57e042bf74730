#pragma once

// Read access to what the informers cache, by resource and namespace. With
// several watched namespaces there is one informer per (resource, namespace);
// with all namespaces, one per resource registered under "".

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kube/resource.h"
#include "runtime/informer.h"

namespace spyt::runtime {

class Cache {
 public:
  // `ns` is "" for an informer that watches every namespace.
  void Register(const kube::Resource& resource, const std::string& ns, const Informer& informer);

  std::optional<json::Value> Get(const kube::Resource& resource, const std::string& ns,
                                 const std::string& name) const;
  std::optional<std::string> ResourceVersion(const kube::Resource& resource, const std::string& ns,
                                             const std::string& name) const;
  // Every object of `ns` ("" with an all-namespaces informer: every object).
  std::vector<json::Value> List(const kube::Resource& resource, const std::string& ns) const;

 private:
  const Store* StoreFor(const kube::Resource& resource, const std::string& ns) const;

  std::map<std::pair<std::string, std::string>, const Informer*> informers_;
};

}  // namespace spyt::runtime
