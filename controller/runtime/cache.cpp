#include "runtime/cache.h"

namespace spyt::runtime {
namespace {

std::string ResourceId(const kube::Resource& r) { return r.plural + "." + r.group; }

}  // namespace

void Cache::Register(const kube::Resource& resource, const std::string& ns,
                     const Informer& informer) {
  informers_[{ResourceId(resource), ns}] = &informer;
}

const Store* Cache::StoreFor(const kube::Resource& resource, const std::string& ns) const {
  auto it = informers_.find({ResourceId(resource), ns});
  if (it == informers_.end()) it = informers_.find({ResourceId(resource), ""});
  return it == informers_.end() ? nullptr : &it->second->store();
}

std::optional<json::Value> Cache::Get(const kube::Resource& resource, const std::string& ns,
                                      const std::string& name) const {
  const Store* store = StoreFor(resource, ns);
  if (store == nullptr) return std::nullopt;
  return store->Get(ObjectKey(resource.namespaced ? ns : "", name));
}

std::optional<std::string> Cache::ResourceVersion(const kube::Resource& resource,
                                                  const std::string& ns,
                                                  const std::string& name) const {
  const Store* store = StoreFor(resource, ns);
  if (store == nullptr) return std::nullopt;
  return store->ResourceVersion(ObjectKey(resource.namespaced ? ns : "", name));
}

std::vector<json::Value> Cache::List(const kube::Resource& resource, const std::string& ns) const {
  std::vector<json::Value> out;
  const Store* store = StoreFor(resource, ns);
  if (store == nullptr) return out;
  for (auto& obj : store->List()) {
    if (!ns.empty() && resource.namespaced && json::StringAt(obj, {"metadata", "namespace"}) != ns)
      continue;
    out.push_back(std::move(obj));
  }
  return out;
}

}  // namespace spyt::runtime
