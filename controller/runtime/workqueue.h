#pragma once

// A rate-limited, de-duplicating work queue of string keys ("namespace/name"),
// modelled on client-go's workqueue:
//  - a key added while queued is not queued twice;
//  - a key being processed (between Get and Done) is never handed to a second
//    worker; if it is added meanwhile it is queued again once Done is called;
//  - AddAfter delays an add; AddRateLimited delays it by the rate limiter's
//    backoff for that key; Forget resets the key's backoff;
//  - ShutDown wakes every Get, which then returns nullopt once the queue drains
//    (or at once with ShutDownNow semantics, see below).
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"

namespace spyt::runtime {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long to wait before the key may be processed again (and counts a failure).
  virtual Clock::Duration When(const std::string& key) = 0;
  virtual void Forget(const std::string& key) = 0;
  virtual int NumRequeues(const std::string& key) = 0;
};

// base * 2^failures, capped at max (client-go: 5 ms .. 1000 s).
std::unique_ptr<RateLimiter> MakeExponentialRateLimiter(Clock::Duration base, Clock::Duration max);
// An overall token bucket: qps tokens per second, up to burst (client-go: 10 qps, 100 burst).
std::unique_ptr<RateLimiter> MakeBucketRateLimiter(double qps, int burst, Clock& clock);
// The longest delay of several limiters.
std::unique_ptr<RateLimiter> MakeMaxOfRateLimiter(std::unique_ptr<RateLimiter> a,
                                                  std::unique_ptr<RateLimiter> b);
// The controller default: max(exponential 5 ms..1000 s, bucket 10 qps / 100 burst).
std::unique_ptr<RateLimiter> MakeDefaultControllerRateLimiter(Clock& clock);

// Observations for metrics (workqueue_* in controller-runtime's names). All optional.
class QueueMetrics {
 public:
  virtual ~QueueMetrics() = default;
  virtual void SetDepth(std::int64_t depth) = 0;
  virtual void Added() = 0;
  virtual void Retried() = 0;
  virtual void QueueLatency(double seconds) = 0;  // add -> get
  virtual void WorkDuration(double seconds) = 0;  // get -> done
  // Called periodically by the owner: sum of in-flight work time, longest single one.
  virtual void SetUnfinished(double total_seconds, double longest_seconds) = 0;
};

class WorkQueue {
 public:
  WorkQueue(std::unique_ptr<RateLimiter> limiter, Clock& clock, QueueMetrics* metrics = nullptr);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, Clock::Duration delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready or the queue shuts down (then nullopt).
  std::optional<std::string> Get();
  // Marks the key processed; re-queues it if it was added while processing.
  void Done(const std::string& key);

  // Stops accepting adds; pending delayed adds are dropped; Get returns nullopt once
  // the ready keys are handed out (drain) or immediately when drain is false.
  void ShutDown(bool drain = false);
  bool ShuttingDown() const;

  std::size_t Len() const;  // ready keys
  // Total and longest time keys have been in processing, for metrics.
  std::pair<double, double> Unfinished() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace spyt::runtime
