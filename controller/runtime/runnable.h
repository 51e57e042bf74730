#pragma once

// What a Manager runs (runtime/manager.h): a long-lived part of the process such as
// an informer, a controller's workers, the Livy monitor, the metrics pollers or the
// local controller's loop. The manager calls Run() once, on a thread it owns, and
// requests a stop through the token: on SIGTERM, on RequestStop(), or -- for a
// runnable that needs leadership -- when the lease is lost. Run() then finishes
// what it is doing, joins any thread it made, and returns; the manager waits for
// that up to its graceful shutdown deadline.

#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "common/clock.h"

namespace spyt::runtime {

class Runnable {
 public:
  virtual ~Runnable() = default;
  // For logs: "controller spytcluster", "livy monitor".
  virtual std::string Name() const = 0;
  // True: runs only while this replica leads (started once elected); false: runs
  // on every replica from start to shutdown.
  virtual bool NeedsLeaderElection() const = 0;
  // Works until `stop` is requested, then returns. Blocks; called once.
  virtual void Run(std::stop_token stop) = 0;
};

// A runnable from a function (informers, small loops).
std::unique_ptr<Runnable> MakeRunnable(std::string name, bool needs_leader_election,
                                       std::function<void(std::stop_token)> run);

// Waits on `clock` until `deadline` or a stop request; true when stop was requested.
// A fake clock's Advance() wakes it like any other waiter.
bool SleepUntil(Clock& clock, const std::stop_token& stop, Clock::TimePoint deadline);
// Blocks until a stop is requested.
void WaitForStopRequest(const std::stop_token& stop);

}  // namespace spyt::runtime
