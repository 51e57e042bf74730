#pragma once

// An informer keeps a Store in sync with one resource type (optionally one
// namespace and a label selector): it lists, then watches from the list's
// resourceVersion, resumes the watch from the last seen version when the
// connection ends or breaks, and relists when the server says that version is
// gone (410). Handlers see adds, updates and deletes in order, from the
// informer's own thread. managedFields are stripped before caching to keep
// memory flat.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "kube/client.h"
#include "runtime/store.h"

namespace spyt::runtime {

struct EventHandler {
  std::function<void(const json::Value&)> on_add;
  // The new object only: no handler needs the old one, and the cache keeps text, so
  // handing it over would mean parsing it for nothing.
  std::function<void(const json::Value& new_obj)> on_update;
  std::function<void(const json::Value&)> on_delete;
};

struct InformerOptions {
  kube::Resource resource;
  std::string ns;  // "" = all namespaces
  std::string label_selector;
  int page_size = 500;
  std::chrono::milliseconds min_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
};

class InformerMetrics {
 public:
  virtual ~InformerMetrics() = default;
  virtual void Relisted(const std::string& resource) = 0;
  virtual void WatchRestarted(const std::string& resource) = 0;
};

class Informer {
 public:
  Informer(kube::Client& client, Clock& clock, InformerOptions options,
           InformerMetrics* metrics = nullptr);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Register before Run().
  void AddEventHandler(EventHandler handler);

  // Lists and watches until Stop(). Blocks; run it on its own thread.
  void Run();
  void Stop();

  bool HasSynced() const { return synced_.load(); }
  // Blocks until synced or stopped or the timeout (on the informer's clock)
  // passes; returns HasSynced().
  bool WaitForSync(std::chrono::milliseconds timeout);
  bool WaitUntilSynced(Clock::TimePoint deadline);

  const Store& store() const { return store_; }
  const InformerOptions& options() const { return options_; }
  std::string Describe() const;

  // One list pass, replacing the cache and emitting the differences (exposed for tests).
  std::string ListAndReplace();
  // Applies one watch event to the cache and handlers (exposed for tests). An ERROR
  // event is thrown as the ApiError its Status describes (410: relist).
  void Apply(const kube::WatchEvent& event);

 private:
  // Watches from `resource_version` until the watch ends; returns the last version seen.
  std::string WatchFrom(std::string resource_version);
  bool SleepBackoff(int failures);

  kube::Client& client_;
  Clock& clock_;
  InformerOptions options_;
  InformerMetrics* metrics_;
  Store store_;
  std::vector<EventHandler> handlers_;

  std::atomic<bool> synced_{false};
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;  // guards watch_ and the stop wait
  std::condition_variable cv_;
  std::unique_ptr<kube::Watch> watch_;
};

// managedFields are large and never read by the operator.
json::Value StripForCache(json::Value object);

}  // namespace spyt::runtime
