#pragma once

// A controller: a work queue of "namespace/name" keys fed by informer events and
// drained by N worker threads that call a level-triggered Reconciler. The request
// carries no event: each pass reads the current state. All queue policy lives here:
// errors are retried with the queue's rate limiter (per-key exponential backoff and
// an overall token bucket), TerminalError is not retried, success forgets the key's
// backoff, and Result::requeue_after schedules a later pass.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "runtime/informer.h"
#include "runtime/runnable.h"
#include "runtime/workqueue.h"

namespace spyt::runtime {

struct Request {
  std::string ns;
  std::string name;
  std::string Key() const { return ObjectKey(ns, name); }
  static Request FromKey(const std::string& key);
  friend bool operator==(const Request&, const Request&) = default;
};

struct Result {
  std::optional<Clock::Duration> requeue_after;
};

// A failure retrying cannot fix (e.g. an invalid spec): logged, not requeued.
class TerminalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Called for one object at a time per key; may be called concurrently for different keys.
  virtual Result Reconcile(const Request& request) = 0;
};

// controller_runtime_reconcile_* in controller-runtime's names.
class ControllerMetrics {
 public:
  virtual ~ControllerMetrics() = default;
  // result: "success", "error", "requeue_after", "terminal_error"
  virtual void ReconcileFinished(const std::string& controller, const std::string& result,
                                 double seconds) = 0;
  virtual void SetActiveWorkers(const std::string& controller, int workers) = 0;
};

// Maps an object event to the requests it should trigger.
using Mapper = std::function<std::vector<Request>(const json::Value&)>;

// The object's own key.
Mapper MapToSelf();
// The controller owner of the object, when it is of `owner_kind` in `owner_group`.
Mapper MapToOwner(const std::string& owner_group, const std::string& owner_kind);

struct ControllerOptions {
  std::string name;
  int workers = 1;
};

// A Runnable that needs leadership: Run() starts the workers and, on a stop
// request, shuts the queue down and waits for in-flight reconciles.
class Controller : public Runnable {
 public:
  Controller(Reconciler& reconciler, Clock& clock, ControllerOptions options,
             std::unique_ptr<RateLimiter> limiter, QueueMetrics* queue_metrics = nullptr,
             ControllerMetrics* metrics = nullptr);
  ~Controller() override;
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Routes the informer's events through `mapper` into the queue. Before Start().
  void Watch(Informer& informer, Mapper mapper);
  void Enqueue(const Request& request);

  void Start();
  // Stops taking work, waits for in-flight reconciles to finish (bounded by the
  // caller's shutdown deadline), joins the workers.
  void Stop();

  // Runnable
  std::string Name() const override { return "controller " + options_.name; }
  bool NeedsLeaderElection() const override { return true; }
  void Run(std::stop_token stop) override;

  const std::string& name() const { return options_.name; }
  WorkQueue& queue() { return queue_; }

  // Processes one key (exposed for tests); false when the queue is shut down.
  bool ProcessNext();

 private:
  Reconciler& reconciler_;
  Clock& clock_;
  ControllerOptions options_;
  WorkQueue queue_;
  ControllerMetrics* metrics_;
  std::vector<std::thread> workers_;
  std::atomic<int> active_{0};
};

}  // namespace spyt::runtime
