#pragma once

// The Kubernetes API client interface the rest of the operator uses. Objects are
// JSON documents (common/json.h); typed views live with their users. RestClient
// (kube/rest_client.h) implements it over http::Transport; tests use fakes.
//
// Every method throws ApiError (kube/errors.h) on failure. Thread-safe.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "kube/errors.h"
#include "kube/resource.h"

namespace spyt::kube {

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" = most recent; "0" = any (served from the watch cache)
  std::string continue_token;
  int limit = 0;  // 0 = no paging
};

struct ListResult {
  json::Array items;
  std::string resource_version;  // of the list, to start a watch from
  std::string continue_token;    // non-empty when more pages remain
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // resume point
  bool allow_bookmarks = true;
  int timeout_seconds = 300;  // server closes the watch after this; the informer re-opens it
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  json::Value object;  // for kError: the metav1.Status
};

// One open watch. Next() blocks until an event arrives, the server ends the watch
// (nullopt), or Stop() is called from another thread (nullopt).
class Watch {
 public:
  virtual ~Watch() = default;
  virtual std::optional<WatchEvent> Next() = 0;
  virtual void Stop() = 0;
};

struct ApplyOptions {
  std::string field_manager;  // required
  bool force = false;         // take ownership of conflicting fields
};

enum class PatchType { kMerge, kJson, kStrategicMerge };

struct DeleteOptions {
  std::string propagation_policy;  // "", "Foreground", "Background", "Orphan"
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
};

class Client {
 public:
  virtual ~Client() = default;

  // `ns` is ignored for cluster-scoped resources; "" lists across all namespaces.
  virtual json::Value Get(const Resource& r, const std::string& ns, const std::string& name) = 0;
  virtual ListResult List(const Resource& r, const std::string& ns, const ListOptions& opts) = 0;
  virtual std::unique_ptr<Watch> StartWatch(const Resource& r, const std::string& ns,
                                            const WatchOptions& opts) = 0;
  virtual json::Value Create(const Resource& r, const std::string& ns, const json::Value& obj) = 0;
  // PUT; subresource "" or "status" or "scale". Uses obj.metadata.resourceVersion for
  // optimistic concurrency (Conflict when stale).
  virtual json::Value Update(const Resource& r, const std::string& ns, const json::Value& obj,
                             const std::string& subresource = "") = 0;
  // Server-side apply of a (partial) object owned by opts.field_manager.
  virtual json::Value Apply(const Resource& r, const std::string& ns, const json::Value& obj,
                            const ApplyOptions& opts, const std::string& subresource = "") = 0;
  virtual json::Value Patch(const Resource& r, const std::string& ns, const std::string& name,
                            PatchType type, const json::Value& patch,
                            const std::string& subresource = "") = 0;
  virtual void Delete(const Resource& r, const std::string& ns, const std::string& name,
                      const DeleteOptions& opts = {}) = 0;
};

// All pages of a list, following continue tokens.
ListResult ListAll(Client& client, const Resource& r, const std::string& ns, ListOptions opts,
                   int page_size = 500);

// Retries `mutate` (get -> change -> update) while it fails with Conflict, up to `attempts`.
json::Value RetryOnConflict(const std::function<json::Value()>& mutate, int attempts = 5);

}  // namespace spyt::kube
