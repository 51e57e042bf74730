#include "runtime/store.h"

#include <zlib.h>

#include <mutex>
#include <stdexcept>

namespace spyt::runtime {
namespace {

// Level 1: the texts are small and alike; higher levels gain little and cost more
// on every watch event.
std::string Deflate(const std::string& text) {
  uLongf size = compressBound(static_cast<uLong>(text.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()),
                1) != Z_OK) {
    throw std::runtime_error("store: deflate failed");
  }
  out.resize(size);
  out.shrink_to_fit();
  return out;
}

json::Value Inflate(const std::string& deflated, std::size_t size) {
  std::string text(size, '\0');
  uLongf got = static_cast<uLongf>(size);
  if (uncompress(reinterpret_cast<Bytef*>(text.data()), &got,
                 reinterpret_cast<const Bytef*>(deflated.data()),
                 static_cast<uLong>(deflated.size())) != Z_OK ||
      got != size) {
    throw std::logic_error("store: a cached object does not inflate");  // our own bytes
  }
  return json::Parse(text);
}

}  // namespace

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

std::optional<json::Value> Store::Get(const std::string& key) const {
  std::string deflated;
  std::size_t size = 0;
  {
    std::shared_lock lock(mutex_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    deflated = it->second.deflated;  // the resourceVersion is in the text too
    size = it->second.size;
  }
  return Inflate(deflated, size);  // outside the lock: writes do not wait on it
}

std::optional<std::string> Store::ResourceVersion(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.resource_version;
}

std::vector<json::Value> Store::List() const {
  std::vector<Entry> entries;
  {
    std::shared_lock lock(mutex_);
    entries.reserve(objects_.size());
    for (const auto& [key, entry] : objects_) entries.push_back(entry);
  }
  std::vector<json::Value> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(Inflate(e.deflated, e.size));
  return out;
}

std::vector<std::string> Store::Keys() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [key, entry] : objects_) out.push_back(key);
  return out;
}

std::size_t Store::Size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

std::optional<std::string> Store::Upsert(const json::Value& object) {
  std::string text = json::Dump(object);
  Entry entry{ResourceVersionOf(object), Deflate(text), text.size()};
  std::string key = ObjectKey(object);
  std::unique_lock lock(mutex_);
  auto [it, inserted] = objects_.try_emplace(std::move(key));
  std::optional<std::string> previous;
  if (!inserted) previous = std::move(it->second.resource_version);
  it->second = std::move(entry);
  return previous;
}

std::optional<json::Value> Store::Remove(const std::string& key) {
  Entry entry;
  {
    std::unique_lock lock(mutex_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    entry = std::move(it->second);
    objects_.erase(it);
  }
  return Inflate(entry.deflated, entry.size);
}

}  // namespace spyt::runtime
