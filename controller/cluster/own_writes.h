#pragma once

// What the reconciler last wrote to an object, until its cache shows it.
//
// An informer cache lags the API server. A pass that runs between a write and the
// watch event carrying it reads the object as it was before the write, finds it
// different from what it wants, and would write the same thing again (and post the
// same Event). Each entry holds the resourceVersion a write was based on and a digest
// of what it wrote. While the cache still shows that resourceVersion, a write of the
// same digest is already done. Any other resourceVersion means the cache has moved
// on (to our write, or to someone else's), and the entry no longer says anything.
//
// Only writes to an object that exists are recorded: a cache that shows no object
// cannot tell "not created yet in the cache" from "deleted since".
//
// Thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace spyt::cluster {

class OwnWrites {
 public:
  // A write of `digest` to the object `key`, made when the cache showed it at
  // `based_on`.
  void Wrote(const std::string& key, std::string based_on, std::string digest);

  // True when a write of `digest` to `key` is already made and the cache, at
  // `cached_version`, has not shown it yet. Drops the entry once the cache moves on.
  bool InFlight(const std::string& key, std::string_view cached_version, std::string_view digest);

  // Drops the entries whose key starts with `prefix` (an object's owner is gone).
  void ForgetPrefix(std::string_view prefix);

  std::size_t size() const;

 private:
  struct Entry {
    std::string based_on;
    std::string digest;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace spyt::cluster
