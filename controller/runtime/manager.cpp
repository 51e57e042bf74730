#include "runtime/manager.h"

#include <csignal>
#include <ctime>
#include <stdexcept>

#include "common/log.h"

namespace spyt::runtime {

Manager::Manager(Clock& clock, ManagerOptions options)
    : client_(nullptr), clock_(clock), options_(std::move(options)) {
  if (options_.leader_elect) {
    throw std::invalid_argument("leader election needs a Kubernetes client");
  }
}

Manager::Manager(kube::Client& client, Clock& clock, ManagerOptions options)
    : client_(&client), clock_(clock), options_(std::move(options)) {}

Manager::~Manager() {
  RequestStop();
  Shutdown();
}

void Manager::BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Informer& Manager::AddInformer(InformerOptions options, InformerMetrics* metrics) {
  if (client_ == nullptr) throw std::logic_error("informers need a Kubernetes client");
  informers_.push_back(std::make_unique<Informer>(*client_, clock_, std::move(options), metrics));
  Informer& informer = *informers_.back();
  Add(MakeRunnable("informer " + informer.Describe(), false, [&informer](std::stop_token stop) {
    std::stop_callback stopper(stop, [&informer] { informer.Stop(); });
    informer.Run();
  }));
  return informer;
}

void Manager::AddController(std::unique_ptr<Controller> controller) {
  Add(*controller);
  controllers_.push_back(std::move(controller));
}

void Manager::Add(Runnable& runnable) {
  (runnable.NeedsLeaderElection() ? leaders_ : always_).Add(runnable);
}

void Manager::Add(std::unique_ptr<Runnable> runnable) {
  Add(*runnable);
  owned_.push_back(std::move(runnable));
}

void Manager::AddReadyCheck(std::function<bool()> ready, std::string not_ready_message) {
  ready_checks_.emplace_back(std::move(ready), std::move(not_ready_message));
}

bool Manager::IsLeader() const {
  if (!options_.leader_elect) return true;
  std::lock_guard lock(mutex_);
  return elector_ && elector_->IsLeader();
}

int Manager::health_port() const { return health_ ? health_->port() : 0; }

void Manager::RequestStop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  cv_.notify_all();
}

std::string Manager::NotReadyReason() const {
  for (const auto& inf : informers_) {
    if (!inf->HasSynced()) return "informers not synced";
  }
  for (const auto& [ready, message] : ready_checks_) {
    if (!ready()) return message;
  }
  return "";
}

void Manager::ServeHealth() {
  if (options_.health_probe_bind_address.empty()) return;
  health_ = http::MakeServer(options_.health_probe_bind_address);
  health_->Handle("/healthz", [](const http::Request&) { return http::Response{200, {}, "ok"}; });
  health_->Handle("/readyz", [this](const http::Request&) {
    std::string reason = NotReadyReason();
    return reason.empty() ? http::Response{200, {}, "ok"} : http::Response{503, {}, reason};
  });
  health_->Start();
  log::Info("serving health probes", {{"address", options_.health_probe_bind_address},
                                      {"port", std::to_string(health_->port())}});
}

bool Manager::WaitForCaches() {
  auto deadline = clock_.Now() + options_.cache_sync_timeout;
  for (auto& inf : informers_) {
    if (!inf->WaitUntilSynced(deadline)) {
      std::lock_guard lock(mutex_);
      if (!stop_requested_) {
        log::Error("informer did not sync in time", {{"resource", inf->Describe()}});
        exit_code_ = kExitCacheSyncFailed;
        stop_requested_ = true;
        cv_.notify_all();
      }
      return false;
    }
  }
  return true;
}

void Manager::StartLeaders() {
  std::lock_guard lock(mutex_);
  if (leaders_started_ || stop_requested_) return;
  leaders_started_ = true;
  leaders_.Start();
}

void Manager::OnStoppedLeading() {
  std::lock_guard lock(mutex_);
  if (stop_requested_) return;
  log::Error("lost the leader lease; stopping leader-only runnables and exiting");
  if (options_.on_lost_lease) options_.on_lost_lease(kExitLostLease);
  exit_code_ = kExitLostLease;
  stop_requested_ = true;
  leaders_.RequestStop();  // at once: controllers stop handing out work
  cv_.notify_all();
}

void Manager::StartLeadersWhenSynced() {
  if (!WaitForCaches()) return;
  if (!options_.leader_elect) {
    StartLeaders();
    return;
  }
  LeaderElector::Callbacks callbacks;
  callbacks.on_started_leading = [this] { StartLeaders(); };
  callbacks.on_stopped_leading = [this] { OnStoppedLeading(); };
  callbacks.on_new_leader = [](const std::string& id) {
    log::Info("leader is now", {{"identity", id}});
  };
  LeaderElector* elector;
  {
    std::lock_guard lock(mutex_);
    if (stop_requested_) return;
    elector_ =
        std::make_unique<LeaderElector>(*client_, clock_, options_.leader_election, callbacks);
    elector = elector_.get();
  }
  elector->Run();  // elector_ is only reset after this thread is joined
}

void Manager::WaitForStop() {
  // Signals are blocked (BlockTerminationSignals); poll for them with a short
  // timeout so a RequestStop() from another thread or a failed runnable is noticed too.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  timespec timeout{0, 200 * 1000 * 1000};
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stop_requested_) return;
    }
    if (always_.Failed() || leaders_.Failed()) {
      RequestStop();
      return;
    }
    int sig = sigtimedwait(&set, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) {
      log::Info("received signal, shutting down",
                {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      RequestStop();
      return;
    }
  }
}

int Manager::Run() {
  ServeHealth();
  always_.Start();
  starter_ = std::thread([this] { StartLeadersWhenSynced(); });
  WaitForStop();
  Shutdown();
  for (const auto& error : {leaders_.Failed(), always_.Failed()}) {
    if (error) std::rethrow_exception(error);
  }
  std::lock_guard lock(mutex_);
  return exit_code_;
}

void Manager::Abandon() {
  int code;
  {
    std::lock_guard lock(mutex_);
    if (exit_code_ == kExitOk) exit_code_ = kExitShutdownTimedOut;
    code = exit_code_;
  }
  log::Error("runnables did not stop within the graceful shutdown timeout; exiting anyway");
  if (options_.on_shutdown_timeout) options_.on_shutdown_timeout(code);
}

void Manager::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  auto deadline = clock_.Now() + options_.graceful_shutdown_timeout;
  // The work first, then the Lease (so a successor never overlaps our reconciles),
  // then what every replica runs.
  bool in_time = leaders_.Stop(clock_, deadline);
  if (!in_time) Abandon();
  {
    std::lock_guard lock(mutex_);
    if (elector_) elector_->Stop();
  }
  bool rest_in_time = always_.Stop(clock_, deadline);
  if (in_time && !rest_in_time) Abandon();
  if (starter_.joinable()) starter_.join();
  if (health_) {
    health_->Stop();
    health_.reset();
  }
}

}  // namespace spyt::runtime
