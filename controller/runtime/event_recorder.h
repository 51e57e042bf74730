#pragma once

// Records Kubernetes Events (core/v1) about objects, de-duplicated: the same
// (object, type, reason, message) within the series window bumps the count and
// lastTimestamp of the existing Event instead of creating another. Failures to
// record are logged, never thrown: events are best-effort.

#include <atomic>
#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "kube/client.h"

namespace spyt::runtime {

struct ObjectRef {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
};

ObjectRef RefOf(const json::Value& object);

class EventRecorder {
 public:
  EventRecorder(kube::Client& client, Clock& clock, std::string component, std::string instance,
                std::chrono::seconds series_window = std::chrono::minutes(10),
                std::size_t max_series = 4096);

  void Normal(const ObjectRef& object, const std::string& reason, const std::string& message);
  void Warning(const ObjectRef& object, const std::string& reason, const std::string& message);

  // Requests sent, for tests and metrics.
  int created() const { return created_; }
  int patched() const { return patched_; }

 private:
  struct Series {
    std::string event_name;
    std::string ns;
    int count = 0;
    Clock::TimePoint last;
    std::list<std::string>::iterator lru;
  };

  void Record(const ObjectRef& object, const std::string& type, const std::string& reason,
              const std::string& message);
  json::Value NewEvent(const ObjectRef& object, const std::string& type, const std::string& reason,
                       const std::string& message, const std::string& name) const;

  kube::Client& client_;
  Clock& clock_;
  std::string component_;
  std::string instance_;
  std::chrono::seconds window_;
  std::size_t max_series_;
  std::mutex mutex_;
  std::map<std::string, Series> series_;
  std::list<std::string> lru_;  // most recent first
  // Incremented after the lock is released, from several reconcile workers.
  std::atomic<int> created_{0};
  std::atomic<int> patched_{0};
};

}  // namespace spyt::runtime
