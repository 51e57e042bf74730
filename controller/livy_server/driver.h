#pragma once

// A session's driver: the process that runs Spark in client mode against the
// cluster's master and interprets its statements (controller/livy_server/driver/
// holds the one the server starts; host_driver.h talks to it). The server
// sees it only through this interface; unit tests substitute fakes.
//
// Thread-safety: every method may be called from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "livy_server/records.h"

namespace spyt::livy_server {

// The driver cannot be reached or refused a request.
class DriverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DriverStatus {
  enum class Phase { kStarting, kReady, kExited };
  Phase phase = Phase::kStarting;
  std::string app_id;    // kReady: the Spark application id
  std::string spark_ui;  // kReady: its web UI, when it has one
  std::string exit;      // kExited: how it ended ("exit code 1", "killed by SIGKILL")
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual DriverStatus Status() = 0;
  // Queues a statement; statements run in the order of their ids, one at a time.
  virtual void Submit(const Statement& statement) = 0;
  // Statements whose record changed since the previous call, waiting up to
  // `wait` for a change. Throws DriverError when the driver does not answer.
  virtual std::vector<Statement> Updates(std::chrono::milliseconds wait) = 0;
  virtual void Cancel(std::int64_t statement_id) = 0;
  // Asks the driver to end, then kills it after `grace`; returns once it is gone.
  virtual void Stop(std::chrono::milliseconds grace) = 0;
};

// What a driver is started with.
struct DriverLaunch {
  std::int64_t session_id = 0;
  SessionRequest request;
  std::string dir;       // the session's own directory
  std::string log_path;  // stdout and stderr go here
};

class DriverFactory {
 public:
  virtual ~DriverFactory() = default;
  // Throws DriverError when the process cannot be started.
  virtual std::unique_ptr<Driver> Start(const DriverLaunch& launch) = 0;
  // The driver a previous server started with this launch (same session id
  // and dir), when it still runs: drivers outlive their server. Throws
  // DriverError saying why when it is gone.
  virtual std::unique_ptr<Driver> Attach(const DriverLaunch& launch) {
    throw DriverError("drivers of session " + std::to_string(launch.session_id) +
                      " cannot be re-attached here");
  }
};

// A batch: one spark-submit run (batch_process.h starts the real one).
class BatchProcess {
 public:
  virtual ~BatchProcess() = default;
  // nullopt while it runs; then how it ended and its exit code.
  struct Exit {
    int code = 0;
    std::string description;
  };
  virtual std::optional<Exit> Poll() = 0;
  virtual void Kill(std::chrono::milliseconds grace) = 0;
};

struct BatchLaunch {
  std::int64_t batch_id = 0;
  BatchRequest request;
  std::string dir;
  std::string log_path;
};

class BatchFactory {
 public:
  virtual ~BatchFactory() = default;
  virtual std::unique_ptr<BatchProcess> Start(const BatchLaunch& launch) = 0;
  // The spark-submit a previous server started with this launch; it may have
  // ended since (Poll() then says how, as far as known). Throws DriverError
  // when nothing of it is found.
  virtual std::unique_ptr<BatchProcess> Attach(const BatchLaunch& launch) {
    throw DriverError("batch " + std::to_string(launch.batch_id) + " cannot be re-attached here");
  }
};

}  // namespace spyt::livy_server
