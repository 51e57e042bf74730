#pragma once

// The manager runs everything long-lived in the process -- runnables
// (runtime/runnable.h) -- for both `spyt-operator run` and `spyt-operator local`:
//  - runnables that do not need leadership (informers, metrics pollers, the local
//    runtime's loop) start at once, so caches are warm on every replica;
//  - runnables that need it (controllers, the Livy monitor) start once every
//    informer has synced and, with leader election on, once this replica leads;
//    a lost lease stops them at once and ends Run() with kExitLostLease (a
//    replica that lost its lease may hold stale state; its supervisor restarts it),
//    or ends the process at once through on_lost_lease;
//  - /healthz and /readyz are served (ready: informers synced and every ready check true);
//  - SIGTERM/SIGINT or RequestStop() shut down gracefully: leader-only runnables
//    first, then the Lease is released, then the rest; all bounded by one deadline.
// A Manager without a kube::Client has no informers and no leader election.
//
// Thread-safety: Add*() before Run(); RequestStop(), IsLeader() and health_port()
// from any thread at any time.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
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
#include "runtime/runnable.h"
#include "runtime/runnable_group.h"

namespace spyt::runtime {

// Exit codes of Run().
inline constexpr int kExitOk = 0;
inline constexpr int kExitShutdownTimedOut = 1;
inline constexpr int kExitLostLease = 3;
inline constexpr int kExitCacheSyncFailed = 4;

struct ManagerOptions {
  std::string health_probe_bind_address = "127.0.0.1:8081";  // "" disables the server
  bool leader_elect = false;
  LeaderElectionConfig leader_election;
  std::chrono::seconds graceful_shutdown_timeout{30};
  std::chrono::seconds cache_sync_timeout{120};
  // Called with the exit code when runnables have not stopped by the shutdown
  // deadline. Their threads still use what they reference, so the process cannot
  // unwind: a program's main exits here (std::_Exit). When unset or when it
  // returns, shutdown goes on (the Lease is released), Run() returns the code and
  // the late threads are left detached: their runnables must outlive them.
  std::function<void(int exit_code)> on_shutdown_timeout;
  // Called with kExitLostLease the moment the lease is lost, before anything is
  // stopped: a reconcile in flight would go on writing while a successor may
  // already lead, so a program's main exits here (std::_Exit), as controller-runtime
  // does. When unset or when it returns, the manager stops as on a stop request.
  std::function<void(int exit_code)> on_lost_lease;
};

class Manager {
 public:
  // Without a client: no informers, no leader election (throws std::invalid_argument
  // when options.leader_elect is set).
  Manager(Clock& clock, ManagerOptions options);
  Manager(kube::Client& client, Clock& clock, ManagerOptions options);
  // Stops whatever still runs.
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Blocks SIGTERM and SIGINT in the calling thread and every thread it creates
  // later, so the manager can take them with sigwait. Call first thing in main().
  static void BlockTerminationSignals();

  // Throws std::logic_error on a manager without a client.
  Informer& AddInformer(InformerOptions options, InformerMetrics* metrics = nullptr);
  // Controllers need leadership.
  void AddController(std::unique_ptr<Controller> controller);
  // Not owned: `runnable` must outlive Run().
  void Add(Runnable& runnable);
  void Add(std::unique_ptr<Runnable> runnable);
  // /readyz answers 503 with `not_ready_message` while `ready()` is false.
  void AddReadyCheck(std::function<bool()> ready, std::string not_ready_message);

  // Runs until a signal, RequestStop(), a lost lease or a failed cache sync, then
  // shuts down; returns an exit code. A runnable that throws stops the manager and
  // its exception is rethrown from here after the shutdown. Once.
  int Run();
  void RequestStop();

  // True while leading (always true without leader election).
  bool IsLeader() const;
  // The bound health port (after Run() started it), for tests with port 0.
  int health_port() const;

 private:
  void ServeHealth();
  std::string NotReadyReason() const;
  void StartLeadersWhenSynced();
  bool WaitForCaches();
  void StartLeaders();
  void OnStoppedLeading();
  void WaitForStop();
  void Shutdown();
  void Abandon();

  kube::Client* client_;
  Clock& clock_;
  ManagerOptions options_;
  std::vector<std::unique_ptr<Informer>> informers_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::vector<std::unique_ptr<Runnable>> owned_;
  std::vector<std::pair<std::function<bool()>, std::string>> ready_checks_;
  RunnableGroup always_;   // every replica, from start to shutdown
  RunnableGroup leaders_;  // while leading
  std::thread starter_;    // waits for caches, then runs the elector
  std::unique_ptr<http::Server> health_;

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable cv_;
  std::unique_ptr<LeaderElector> elector_;
  bool stop_requested_ = false;
  bool leaders_started_ = false;
  bool shut_down_ = false;
  int exit_code_ = kExitOk;
};

}  // namespace spyt::runtime
