#pragma once

// The informer's cache: objects by "namespace/name" (or "name" when cluster-scoped).
// Thread-safe; readers get their own parsed copy, so a reconciler never sees an
// object change under it.
//
// Objects are held as compact JSON text, deflated, and inflated and parsed on each
// read. As a json::Value tree (a map node, a key string and a variant per member) a
// cached child took several times its ~2 KiB of text, and a read copied that tree
// anyway; the text deflates about 3-4x more. Reading back costs about what the copy
// did (see README, "Operator cost").

#include <map>
#include <optional>
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
  std::optional<json::Value> Get(const std::string& key) const;
  // The cached object's metadata.resourceVersion, without parsing it.
  std::optional<std::string> ResourceVersion(const std::string& key) const;
  std::vector<json::Value> List() const;
  std::vector<std::string> Keys() const;
  std::size_t Size() const;

  // Writers (the informer). Upsert returns the previous object's resourceVersion,
  // or nothing when the key was not cached.
  std::optional<std::string> Upsert(const json::Value& object);
  std::optional<json::Value> Remove(const std::string& key);

 private:
  struct Entry {
    std::string resource_version;
    std::string deflated;  // json::Dump of the object, deflated
    std::size_t size = 0;  // of the text before deflating
  };

  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> objects_;
};

}  // namespace spyt::runtime
