#pragma once

// The Livy-compatible REST server `spyt-launcher livy` serves: Apache Livy's
// endpoints, field names, states and error bodies (see README "Livy server"),
// plus SPYT's POST /sessions/find-by-user and a /metrics endpoint. Sessions
// run in drivers (driver.h) and batches in spark-submit processes; the rules
// (limit, idle timeout, retention) are the registry's (registry.h).
//
// Start() binds and serves; Stop() stops accepting, ends every driver and
// batch, and returns when they are gone. Handle() answers one request without
// a socket (unit tests). Thread-safe.
//
// With a state store, sessions survive a restart (kill -9 included): every
// change is written to the store (before the answer for a client's POST or
// DELETE, within a sweep, 250 ms, for what drivers report), and Start() first
// loads what a previous server stored: ids continue, ended records keep
// their state, live sessions re-attach to their drivers (one that is gone:
// the session is dead, the reason in its log) and running batches are
// followed to their end. Unreadable records are logged and skipped. Start()
// may be retried when it cannot bind: the state is restored once.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.h"
#include "http/http.h"
#include "livy_server/driver.h"
#include "livy_server/registry.h"
#include "livy_server/requests.h"
#include "livy_server/server_metrics.h"
#include "livy_server/state_store.h"

namespace spyt::livy_server {

class SessionWorker;

struct ServerConfig {
  std::string address = "127.0.0.1:8998";  // HOST:PORT; port 0 picks one
  RegistryConfig registry;
  DriverLimits limits;
  // livy.server.csrf-protection.enabled: POST and DELETE need X-Requested-By.
  bool csrf_protection = false;
  std::size_t max_body_bytes = 1024 * 1024;
  // A statement's code: more is a 413 and the session goes on. Every driver takes a
  // request carrying this much code (HostDriverConfig::max_request_bytes).
  std::size_t max_code_bytes = 1024 * 1024;
  std::string work_dir;  // sessions/<id>/ and batches/<id>/ (logs, driver files)
  // How long a driver may take from start to ready before it is ended (error).
  std::chrono::milliseconds driver_start_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds driver_stop_grace{std::chrono::seconds(10)};
};

class LivyServer {
 public:
  // `store` may be null: nothing survives a restart.
  LivyServer(ServerConfig config, DriverFactory& drivers, BatchFactory& batches, Clock& clock,
             StateStore* store = nullptr);
  ~LivyServer();

  void Start();
  void Stop();
  int port() const;

  http::Response Handle(const http::Request& request);

 private:
  struct BatchRun {
    std::unique_ptr<BatchProcess> process;
    bool has_app_id = false;
  };

  // routes.cpp
  http::Response Route(const http::Request& request);
  // 503 for a session or batch that could not be stored (nothing was started).
  http::Response StateUnwritable(const std::string& what, const std::string& error);
  http::Response CreateSession(const http::Request& request);
  http::Response DeleteSession(std::int64_t id);
  http::Response CreateStatement(std::int64_t id, const http::Request& request);
  http::Response CancelStatement(std::int64_t id, std::int64_t statement_id);
  http::Response FindByUser(const http::Request& request);
  http::Response CreateBatch(const http::Request& request);
  http::Response DeleteBatch(std::int64_t id);

  // server_recovery.cpp
  void Recover();
  void ReattachSession(const Session& s);
  void ReattachBatch(const Batch& b);
  // Writes the registry's changes to the state store; the error when a write
  // failed (the changes are then retried by the next call).
  std::optional<std::string> Persist();

  // server.cpp
  void SweepLoop();
  void PollBatches();
  SessionWorker* Worker(std::int64_t id);
  std::string SessionDir(std::int64_t id) const;
  std::string BatchDir(std::int64_t id) const;

  const ServerConfig config_;
  DriverFactory& drivers_;
  BatchFactory& batches_;
  Clock& clock_;
  StateStore* const store_;
  std::mutex persist_mu_;   // one writer at a time, in the order of the changes
  bool recovered_ = false;  // Start() restores the stored state once
  Registry registry_;
  ServerMetrics metrics_;
  std::unique_ptr<http::Server> http_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::int64_t, std::unique_ptr<SessionWorker>> workers_;
  std::map<std::int64_t, BatchRun> batch_runs_;
  std::thread sweeper_;
};

}  // namespace spyt::livy_server
