#pragma once

// Internals of FakeClient, shared by fake_client.cpp (objects, requests) and
// fake_client_watch.cpp (event history, watches). Not for tests to include.

#include <compare>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "fakes/fake_client.h"

namespace spyt::fakes {

struct ObjectKey {
  std::string resource;  // "plural.group" ("pods" for the core group)
  std::string ns;        // "" for cluster-scoped resources
  std::string name;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

struct HistoryEvent {
  std::uint64_t rv;
  ObjectKey key;
  kube::WatchEvent::Type type;  // kAdded, kModified or kDeleted
  json::Value object;           // the object after the change (its last state if deleted)
  json::Value previous;         // before the change (null for kAdded)
};

class FakeWatch;

struct FakeClient::State {
  explicit State(Clock& c) : clock(c) {}

  // Counts the request, then throws an injected failure if one matches.
  void Begin(const std::string& verb, const kube::Resource& r);
  // Appends to the history (the object's resourceVersion is already `rv`) and
  // wakes the watches.
  void Record(kube::WatchEvent::Type type, const ObjectKey& key, const json::Value& object,
              const json::Value& previous);

  Clock& clock;
  mutable std::mutex mutex;
  std::condition_variable changed;  // open watches wait here for new events
  std::uint64_t rv = 0;
  std::uint64_t compacted = 0;  // watches from an older resourceVersion get 410
  std::uint64_t uids = 0;
  std::uint64_t generated_names = 0;
  std::map<ObjectKey, json::Value> objects;
  std::vector<HistoryEvent> history;  // ordered by rv

  std::map<std::string, int> requests;  // by "verb" and by "verb resource"
  struct Failure {
    std::string verb;
    std::string resource;  // "" = any
    kube::ApiError error;
    int remaining;
  };
  std::vector<Failure> failures;

  std::set<FakeWatch*> watches;
  bool expired_as_event = false;
};

// ---- Shared helpers; those taking a State expect its mutex held. ----

// "plural.group", or "plural" for the core group.
std::string ResourceId(const kube::Resource& r);
// The metav1.Status of a 410 and the matching ApiError.
json::Value ExpiredStatus(const std::string& message);
kube::ApiError ExpiredError(const std::string& message);
kube::ApiError BadRequest(const std::string& message);
kube::ApiError NotFound(const kube::Resource& r, const std::string& name);
kube::ApiError Conflict(const kube::Resource& r, const std::string& name, const std::string& why);

// metadata.<key> when it is a string, else "".
std::string MetaString(const json::Value& obj, const char* key);
// The namespace a request addresses: "" for cluster-scoped resources; `ns`, or
// `obj`'s metadata.namespace when `ns` is empty. BadRequest when they disagree or
// a namespaced resource gets none.
std::string RequestNamespace(const kube::Resource& r, const std::string& ns,
                             const json::Value* obj);
// Only "" and "status" are served.
void CheckSubresource(const std::string& subresource);

// Stores a new object under `key` with fresh uid, generation, creationTimestamp
// and resourceVersion (dropping .status unless keep_status); records ADDED.
json::Value StoreNew(FakeClient::State& s, const kube::Resource& r, const ObjectKey& key,
                     json::Value obj, bool keep_status);
// Replaces `before` by `after` (system metadata already carried over): nothing
// when equal; otherwise a new resourceVersion, generation + 1 when anything
// outside metadata and status changed, and MODIFIED -- or DELETED when a
// deletionTimestamp is set and no finalizers are left. Returns the result.
json::Value Commit(FakeClient::State& s, const ObjectKey& key, const json::Value& before,
                   json::Value after);

}  // namespace spyt::fakes
