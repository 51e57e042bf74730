#pragma once

// The informer's cache: objects by "namespace/name" (or "name" when cluster-scoped),
// with optional indexes (index name -> function giving an object's index values).
// Thread-safe; readers get copies, so a reconciler never sees an object change
// under it.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/json.h"

namespace spyt::runtime {

// "ns/name" or "name".
std::string ObjectKey(const json::Value& object);
std::string ObjectKey(const std::string& ns, const std::string& name);
std::string ResourceVersionOf(const json::Value& object);

class Store {
 public:
  using IndexFunc = std::function<std::vector<std::string>(const json::Value&)>;

  // Must be called before the first write.
  void AddIndex(const std::string& name, IndexFunc func);

  std::optional<json::Value> Get(const std::string& key) const;
  std::vector<json::Value> List() const;
  std::vector<json::Value> ByIndex(const std::string& index, const std::string& value) const;
  std::vector<std::string> Keys() const;
  std::size_t Size() const;

  // Writers (the informer). Upsert returns the previous object, if any.
  std::optional<json::Value> Upsert(json::Value object);
  std::optional<json::Value> Remove(const std::string& key);

 private:
  void IndexLocked(const std::string& key, const json::Value& object, bool add);

  mutable std::shared_mutex mutex_;
  std::map<std::string, json::Value> objects_;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> value -> keys
  std::map<std::string, std::map<std::string, std::set<std::string>>> indexes_;
};

}  // namespace spyt::runtime
