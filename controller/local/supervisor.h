#pragma once

// Keeps a set of launcher processes running: starts the ones that should run,
// stops the ones that should not (SIGTERM, then SIGKILL after a grace period),
// and restarts one that exited, after a backoff that doubles on each crash (1 s
// up to 60 s) and resets once a run lasted a minute. Level-triggered: Sync() is
// called with the whole desired set on every pass of the local controller's loop.
// Processes are started through a ProcessRunner, so tests use a fake one.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "local/plan.h"

namespace spyt::local {

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Starts the process in its own process group; returns its pid.
  // Throws std::runtime_error when it cannot be started.
  virtual int Start(const ProcessSpec& spec) = 0;
  // nullopt while it runs; its exit status once it ended (128 + signal when killed).
  virtual std::optional<int> Poll(int pid) = 0;
  // Signals the process group: SIGTERM, or SIGKILL when `force`.
  virtual void Signal(int pid, bool force) = 0;
};

struct SupervisorOptions {
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  std::chrono::seconds stable_after{60};  // a run this long resets the backoff
  std::chrono::seconds stop_grace{30};    // SIGTERM -> SIGKILL
};

struct ProcessState {
  ProcessSpec spec;
  int pid = 0;  // 0: not running
  int restarts = 0;
  std::optional<int> last_exit;
  Clock::TimePoint started{};
  Clock::TimePoint next_start{};  // backoff: not before
};

class Supervisor {
 public:
  Supervisor(ProcessRunner& runner, Clock& clock, SupervisorOptions options = {});

  // Makes the running set match `desired` (keyed by id; a changed spec means a restart).
  void Sync(const std::vector<ProcessSpec>& desired);
  // Stops everything and waits (bounded by stop_grace, then SIGKILL) until all exited.
  void StopAll();

  const std::map<std::string, ProcessState>& processes() const { return running_; }
  // Processes signalled to stop that have not exited yet.
  std::size_t stopping() const { return stopping_.size(); }

 private:
  struct Stopping {
    std::string id;
    int pid;
    Clock::TimePoint deadline;
    bool killed = false;
  };

  void Reap();
  void BeginStop(const std::string& id, int pid);
  void StartIfDue(ProcessState& state);
  // Whether an earlier instance of `id` is still stopping (those that exited are forgotten).
  bool StillStopping(const std::string& id);
  std::chrono::milliseconds Backoff(int restarts) const;

  ProcessRunner& runner_;
  Clock& clock_;
  SupervisorOptions options_;
  std::map<std::string, ProcessState> running_;
  std::vector<Stopping> stopping_;
};

}  // namespace spyt::local
