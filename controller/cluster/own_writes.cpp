#include "cluster/own_writes.h"

#include <utility>

namespace spyt::cluster {

void OwnWrites::Wrote(const std::string& key, std::string based_on, std::string digest) {
  std::lock_guard lock(mutex_);
  entries_[key] = Entry{std::move(based_on), std::move(digest)};
}

bool OwnWrites::InFlight(const std::string& key, std::string_view cached_version,
                         std::string_view digest) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (it->second.based_on != cached_version) {
    entries_.erase(it);
    return false;
  }
  return it->second.digest == digest;
}

void OwnWrites::ForgetPrefix(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  auto it = entries_.lower_bound(prefix);
  while (it != entries_.end() && std::string_view(it->first).starts_with(prefix)) {
    it = entries_.erase(it);
  }
}

std::size_t OwnWrites::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace spyt::cluster
