#pragma once

// One per session: follows its driver (ready, statement changes, exit) into
// the registry, sends the driver the statements clients post, in order, and
// stops it when asked. Runs one thread, from construction to destruction (the
// destructor stops the driver and joins). A `reattached` worker follows a
// driver a previous server started: its start is not measured again, and the
// cancels the previous server may not have delivered are sent once it is ready.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "livy_server/driver.h"
#include "livy_server/registry.h"
#include "livy_server/server_metrics.h"

namespace spyt::livy_server {

struct WorkerTimeouts {
  // From start to ready; a driver slower than that is stopped (the session: error).
  std::chrono::milliseconds start{std::chrono::minutes(5)};
  // From asking a driver to end to killing it.
  std::chrono::milliseconds stop_grace{std::chrono::seconds(10)};
};

class SessionWorker {
 public:
  SessionWorker(Registry& registry, ServerMetrics& metrics, Clock& clock, WorkerTimeouts timeouts,
                std::int64_t id, std::string kind, std::unique_ptr<Driver> driver,
                bool reattached = false);
  // Stops the driver (when it still runs) and joins.
  ~SessionWorker();

  // Asks the thread to stop the driver and end; returns at once.
  void RequestStop();
  // Stops the driver from the calling thread (without waiting for the worker's
  // long poll to return), then lets the thread end and joins it.
  void StopAndJoin();
  // Sends the registry's waiting statements the driver has not seen, in order.
  void SubmitPending();
  void Cancel(std::int64_t statement_id);

 private:
  bool Stopped();
  void Sleep(std::chrono::milliseconds d);
  void Run();
  void OnReady(const DriverStatus& st);
  void Apply(const std::vector<Statement>& updates);

  Registry& registry_;
  ServerMetrics& metrics_;
  Clock& clock_;
  const WorkerTimeouts timeouts_;
  const std::int64_t id_;
  const std::string kind_;
  const std::unique_ptr<Driver> driver_;
  const bool reattached_;
  const Clock::TimePoint started_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::mutex submit_mu_;
  bool ready_ = false;
  std::int64_t submitted_ = -1;
  std::thread thread_;
};

}  // namespace spyt::livy_server
