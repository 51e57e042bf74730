#pragma once

// The manager wires the runtime together and owns its lifecycle: informers start
// at once (so caches are warm on every replica), controllers start only while
// this process leads (when leader election is on), /healthz and /readyz are
// served, and SIGTERM/SIGINT or a lost lease trigger a graceful shutdown bounded
// by a deadline.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/http.h"
#include "kube/client.h"
#include "runtime/controller.h"
#include "runtime/informer.h"
#include "runtime/leader_election.h"

namespace spyt::runtime {

struct ManagerOptions {
  std::string health_probe_bind_address = "127.0.0.1:8081";  // "" disables the server
  bool leader_elect = false;
  LeaderElectionConfig leader_election;
  std::chrono::seconds graceful_shutdown_timeout{30};
  std::chrono::seconds cache_sync_timeout{120};
};

// Exit codes of Run().
inline constexpr int kExitOk = 0;
inline constexpr int kExitLostLease = 3;
inline constexpr int kExitCacheSyncFailed = 4;

class Manager {
 public:
  Manager(kube::Client& client, Clock& clock, ManagerOptions options);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Blocks SIGTERM and SIGINT in the calling thread and every thread it creates
  // later, so the manager can take them with sigwait. Call first thing in main().
  static void BlockTerminationSignals();

  Informer& AddInformer(InformerOptions options, InformerMetrics* metrics = nullptr);
  void AddController(std::unique_ptr<Controller> controller);

  // Runs until a signal, RequestStop() or a lost lease; returns an exit code.
  int Run();
  void RequestStop();

  bool IsLeader() const;
  // The bound health port (after Run() started it), for tests with port 0.
  int health_port() const;

 private:
  void StartControllers();
  void StopControllers();
  bool CachesSynced() const;
  void WaitForStop();
  void Shutdown();

  kube::Client& client_;
  Clock& clock_;
  ManagerOptions options_;
  std::vector<std::unique_ptr<Informer>> informers_;
  std::vector<std::thread> informer_threads_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::unique_ptr<LeaderElector> elector_;
  std::thread elector_thread_;
  std::unique_ptr<http::Server> health_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool controllers_started_ = false;
  int exit_code_ = kExitOk;
};

}  // namespace spyt::runtime
