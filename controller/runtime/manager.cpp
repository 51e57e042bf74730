#include "runtime/manager.h"

#include <csignal>
#include <ctime>
#include <future>

#include "common/log.h"

namespace spyt::runtime {

Manager::Manager(kube::Client& client, Clock& clock, ManagerOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {}

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
  informers_.push_back(std::make_unique<Informer>(client_, clock_, std::move(options), metrics));
  return *informers_.back();
}

void Manager::AddController(std::unique_ptr<Controller> controller) {
  controllers_.push_back(std::move(controller));
}

bool Manager::CachesSynced() const {
  for (const auto& inf : informers_) {
    if (!inf->HasSynced()) return false;
  }
  return true;
}

bool Manager::IsLeader() const {
  return !options_.leader_elect || (elector_ && elector_->IsLeader());
}

int Manager::health_port() const { return health_ ? health_->port() : 0; }

void Manager::RequestStop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  cv_.notify_all();
}

void Manager::StartControllers() {
  std::lock_guard lock(mutex_);
  if (controllers_started_ || stop_requested_) return;
  controllers_started_ = true;
  for (auto& c : controllers_) c->Start();
}

void Manager::StopControllers() {
  // Stop taking work everywhere first, then wait for in-flight reconciles,
  // bounded by the shutdown deadline.
  for (auto& c : controllers_) c->queue().ShutDown();
  auto done = std::async(std::launch::async, [this] {
    for (auto& c : controllers_) c->Stop();
  });
  if (done.wait_for(options_.graceful_shutdown_timeout) == std::future_status::timeout) {
    log::Error("controllers did not stop within the graceful shutdown timeout; exiting anyway");
    std::_Exit(exit_code_ == kExitOk ? 1 : exit_code_);
  }
}

void Manager::WaitForStop() {
  // Signals are blocked (BlockTerminationSignals); poll for them with a short
  // timeout so a RequestStop() from another thread is noticed too.
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
  if (!options_.health_probe_bind_address.empty()) {
    health_ = http::MakeServer(options_.health_probe_bind_address);
    health_->Handle("/healthz", [](const http::Request&) { return http::Response{200, {}, "ok"}; });
    health_->Handle("/readyz", [this](const http::Request&) {
      return CachesSynced() ? http::Response{200, {}, "ok"}
                            : http::Response{503, {}, "informers not synced"};
    });
    health_->Start();
    log::Info("serving health probes", {{"address", options_.health_probe_bind_address},
                                        {"port", std::to_string(health_->port())}});
  }
  for (auto& inf : informers_) {
    informer_threads_.emplace_back([&inf] { inf->Run(); });
  }
  std::thread starter([this] {
    auto deadline = std::chrono::steady_clock::now() + options_.cache_sync_timeout;
    for (auto& inf : informers_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (!inf->WaitForSync(std::max(left, std::chrono::milliseconds(1)))) {
        std::lock_guard lock(mutex_);
        if (!stop_requested_) {
          log::Error("informer did not sync in time", {{"resource", inf->Describe()}});
          exit_code_ = kExitCacheSyncFailed;
          stop_requested_ = true;
          cv_.notify_all();
        }
        return;
      }
    }
    if (!options_.leader_elect) {
      StartControllers();
      return;
    }
    LeaderElector::Callbacks callbacks;
    callbacks.on_started_leading = [this] { StartControllers(); };
    callbacks.on_stopped_leading = [this] {
      std::lock_guard lock(mutex_);
      if (stop_requested_) return;
      log::Error("lost the leader lease; stopping reconciles and exiting");
      exit_code_ = kExitLostLease;
      stop_requested_ = true;
      // Stop handing out work at once; Shutdown() joins the workers.
      for (auto& c : controllers_) c->queue().ShutDown();
      cv_.notify_all();
    };
    callbacks.on_new_leader = [](const std::string& id) {
      log::Info("leader is now", {{"identity", id}});
    };
    {
      std::lock_guard lock(mutex_);
      if (stop_requested_) return;
      elector_ =
          std::make_unique<LeaderElector>(client_, clock_, options_.leader_election, callbacks);
    }
    elector_->Run();
  });
  // The starter thread runs the elector's loop; keep it as the elector thread.
  elector_thread_ = std::move(starter);
  WaitForStop();
  Shutdown();
  return exit_code_;
}

void Manager::Shutdown() {
  StopControllers();
  {
    std::lock_guard lock(mutex_);
    if (elector_) elector_->Stop();
  }
  if (elector_thread_.joinable()) elector_thread_.join();
  for (auto& inf : informers_) inf->Stop();
  for (auto& t : informer_threads_) {
    if (t.joinable()) t.join();
  }
  informer_threads_.clear();
  if (health_) {
    health_->Stop();
    health_.reset();
  }
}

}  // namespace spyt::runtime
