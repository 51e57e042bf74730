#include "runtime/store.h"

namespace spyt::runtime {
std::string ObjectKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

std::string ObjectKey(const json::Value& object) {
  return ObjectKey(json::StringAt(object, {"metadata", "namespace"}),
                   json::StringAt(object, {"metadata", "name"}));
}

std::string ResourceVersionOf(const json::Value& object) {
  return json::StringAt(object, {"metadata", "resourceVersion"});
}

void Store::AddIndex(const std::string& name, IndexFunc func) {
  std::unique_lock lock(mutex_);
  index_funcs_[name] = std::move(func);
  for (const auto& [key, obj] : objects_) IndexLocked(key, obj, true);
}

std::optional<json::Value> Store::Get(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<json::Value> Store::List() const {
  std::shared_lock lock(mutex_);
  std::vector<json::Value> out;
  out.reserve(objects_.size());
  for (const auto& [key, obj] : objects_) out.push_back(obj);
  return out;
}

std::vector<json::Value> Store::ByIndex(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mutex_);
  std::vector<json::Value> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  for (const auto& key : keys->second) out.push_back(objects_.at(key));
  return out;
}

std::vector<std::string> Store::Keys() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [key, obj] : objects_) out.push_back(key);
  return out;
}

std::size_t Store::Size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

void Store::IndexLocked(const std::string& key, const json::Value& object, bool add) {
  for (const auto& [name, func] : index_funcs_) {
    for (const auto& value : func(object)) {
      auto& keys = indexes_[name][value];
      if (add) {
        keys.insert(key);
      } else {
        keys.erase(key);
        if (keys.empty()) indexes_[name].erase(value);
      }
    }
  }
}

std::optional<json::Value> Store::Upsert(json::Value object) {
  std::string key = ObjectKey(object);
  std::unique_lock lock(mutex_);
  std::optional<json::Value> previous;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    IndexLocked(key, it->second, false);
    previous = std::move(it->second);
    it->second = std::move(object);
  } else {
    it = objects_.emplace(key, std::move(object)).first;
  }
  IndexLocked(key, it->second, true);
  return previous;
}

std::optional<json::Value> Store::Remove(const std::string& key) {
  std::unique_lock lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  IndexLocked(key, it->second, false);
  json::Value previous = std::move(it->second);
  objects_.erase(it);
  return previous;
}

}  // namespace spyt::runtime
