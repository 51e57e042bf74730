#pragma once

// An in-memory Kubernetes API server behind kube::Client, for unit tests.
//
// What it does like a real server:
//  - objects are keyed by (resource plural + group, namespace, name); the API
//    version is not part of the key; cluster-scoped resources ignore namespaces;
//  - one resourceVersion counter ("1", "2", ...) bumped by every write; a write
//    that changes nothing (update, patch or apply) is not a write: no new
//    resourceVersion, no watch event;
//  - Create sets metadata.uid, generation 1, creationTimestamp and
//    resourceVersion, answers AlreadyExists, and drops .status (as for every
//    resource with a status subresource; use Update(..., "status") or Seed());
//  - generation is bumped only when something outside metadata and status changes;
//  - Update and Patch keep the stored status; with subresource "status" they
//    change only the status; a stale metadata.resourceVersion (or, in a patch,
//    metadata.uid) is a Conflict;
//  - Delete honours uid/resourceVersion preconditions; an object with finalizers
//    gets a deletionTimestamp and disappears once an update empties them;
//  - List filters by namespace, label selector and field selector, pages with
//    limit/continue, and returns the current resourceVersion;
//  - watches deliver ADDED/MODIFIED/DELETED after the given resourceVersion from
//    an event history (so resuming from an older one replays), synthetic ADDED
//    events of current objects for "" or "0", and ADDED/DELETED when an object
//    starts or stops matching the selector.
// Simplifications (documented so tests do not rely on them):
//  - Apply is a recursive merge (RFC 7386 merge patch) of the given fields, not
//    full server-side apply: no managedFields, no field-ownership conflicts, and
//    fields left out of a later apply are kept, not removed;
//  - only merge patches (PatchType::kMerge); JSON and strategic patches and the
//    "scale" subresource answer BadRequest;
//  - no garbage collection by ownerReferences, no admission, no validation
//    beyond names and namespaces; List always serves the latest state (its
//    resource_version option is ignored) and its pages are not snapshots; a
//    watch never times out by itself (use CloseWatches()).
//
// Thread-safe; Watch::Next may block in one thread while others write.

#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "kube/client.h"

namespace spyt::fakes {

class FakeClient : public kube::Client {
 public:
  // `clock` supplies creation and deletion timestamps (the real clock when null).
  explicit FakeClient(Clock* clock = nullptr);
  ~FakeClient() override;
  FakeClient(const FakeClient&) = delete;
  FakeClient& operator=(const FakeClient&) = delete;

  json::Value Get(const kube::Resource& r, const std::string& ns, const std::string& name) override;
  kube::ListResult List(const kube::Resource& r, const std::string& ns,
                        const kube::ListOptions& opts) override;
  std::unique_ptr<kube::Watch> StartWatch(const kube::Resource& r, const std::string& ns,
                                          const kube::WatchOptions& opts) override;
  json::Value Create(const kube::Resource& r, const std::string& ns,
                     const json::Value& obj) override;
  json::Value Update(const kube::Resource& r, const std::string& ns, const json::Value& obj,
                     const std::string& subresource = "") override;
  json::Value Apply(const kube::Resource& r, const std::string& ns, const json::Value& obj,
                    const kube::ApplyOptions& opts, const std::string& subresource = "") override;
  json::Value Patch(const kube::Resource& r, const std::string& ns, const std::string& name,
                    kube::PatchType type, const json::Value& patch,
                    const std::string& subresource = "") override;
  void Delete(const kube::Resource& r, const std::string& ns, const std::string& name,
              const kube::DeleteOptions& opts = {}) override;

  // ---- Test hooks: none of them counts as a request or consumes FailNext. ----

  // Stores `obj` as it is, status included (replacing an existing object but
  // keeping its uid and creationTimestamp), with a watch event; returns it.
  json::Value Seed(const kube::Resource& r, const json::Value& obj);
  // The stored object, if any.
  std::optional<json::Value> Peek(const kube::Resource& r, const std::string& ns,
                                  const std::string& name) const;
  // The current resourceVersion ("0" before any write).
  std::string ResourceVersion() const;

  // Requests made, by verb: "get", "list", "watch", "create", "update", "apply",
  // "patch", "delete"; failed and injected-failure requests count too.
  int Requests(const std::string& verb) const;
  int Requests(const std::string& verb, const kube::Resource& r) const;
  // create + update + apply + patch + delete requests.
  int Writes() const;
  void ResetCounts();

  // The next `times` requests of `verb` ("*" for any verb), optionally only for
  // resource `r`, throw `error` instead of running. Rules are consumed in the
  // order they were added. Throws std::invalid_argument for an unknown verb.
  void FailNext(const std::string& verb, const kube::ApiError& error, int times = 1);
  void FailNext(const std::string& verb, const kube::Resource& r, const kube::ApiError& error,
                int times = 1);
  void ClearFailures();

  // Forgets the event history up to the current resourceVersion: a watch started
  // from an older one fails with 410 Gone. Open watches are not affected.
  void Compact();
  // Makes every open watch fail with 410 Gone, as when it falls too far behind.
  void ExpireWatches();
  // Ends every open watch: Next() returns nullopt, as when a server times it out.
  void CloseWatches();
  // Makes every open watch's Next() throw `error`, as when the connection breaks.
  void BreakWatches(const kube::ApiError& error);
  // Sends a BOOKMARK carrying the current resourceVersion to every open watch
  // that allows bookmarks.
  void SendBookmarks();
  int OpenWatches() const;
  // How 410 Gone reaches a watcher. Default: ApiError(kGone) thrown by StartWatch
  // (or by Next for ExpireWatches). When on, as a real server does on the wire:
  // an ERROR event whose object is a 410 metav1.Status, then the end of the watch.
  void SetExpiredAsErrorEvent(bool on);

  struct State;  // shared with open watches; defined in fake_client_state.h

 private:
  std::shared_ptr<State> state_;
};

}  // namespace spyt::fakes
