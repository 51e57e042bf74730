#include "cluster/builders.h"

namespace spyt::cluster::detail {

api::ResourceRequirements MergeResources(api::ResourceRequirements computed,
                                         const api::ResourceRequirements& overrides) {
  for (const auto& [key, quantity] : overrides.limits) {
    computed.limits.insert_or_assign(key, quantity);
  }
  for (const auto& [key, quantity] : overrides.requests) {
    computed.requests.insert_or_assign(key, quantity);
  }
  for (auto& [key, request] : computed.requests) {
    auto limit = computed.limits.find(key);
    if (overrides.requests.count(key) == 0 && limit != computed.limits.end() &&
        limit->second < request) {
      request = limit->second;
    }
  }
  return computed;
}

api::ResourceRequirements Guaranteed(const api::Quantity& cpu, const api::MemorySize& memory) {
  std::map<std::string, api::Quantity> both = {{"cpu", cpu}, {"memory", Memory(memory)}};
  return api::ResourceRequirements{both, both};
}

api::Quantity Cpu(std::int64_t cores) { return api::Quantity::Parse(std::to_string(cores)); }

api::Quantity Memory(const api::MemorySize& size) {
  return api::Quantity::Parse(size.ToQuantityString());
}

api::MemorySize DaemonHeap(const api::MemorySize& container) {
  return api::MemorySize::FromMiB(container.mib() * 3 / 4);
}

}  // namespace spyt::cluster::detail
