#include "livy_server/server.h"

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/log.h"
#include "livy_server/log_file.h"
#include "livy_server/session_worker.h"

namespace spyt::livy_server {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

LivyServer::LivyServer(ServerConfig config, DriverFactory& drivers, BatchFactory& batches,
                       Clock& clock, StateStore* store)
    : config_(std::move(config)),
      drivers_(drivers),
      batches_(batches),
      clock_(clock),
      store_(store),
      registry_(config_.registry, clock) {}

LivyServer::~LivyServer() { Stop(); }

void LivyServer::Start() {
  // Once, although a caller may retry Start() while the port is still taken.
  if (!recovered_) {
    Recover();
    recovered_ = true;
  }
  http_ = http::MakeServer(config_.address);
  http_->SetMaxBodyBytes(config_.max_body_bytes);
  http_->HandleOthers([this](const http::Request& r) { return Handle(r); });
  http_->Start();
  sweeper_ = std::thread([this] { SweepLoop(); });
}

int LivyServer::port() const { return http_ ? http_->port() : 0; }

void LivyServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (http_) http_->Stop();
  if (sweeper_.joinable()) sweeper_.join();
  std::map<std::int64_t, std::unique_ptr<SessionWorker>> workers;
  std::map<std::int64_t, BatchRun> runs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
    runs.swap(batch_runs_);
  }
  for (auto& [id, w] : workers) w->RequestStop();
  for (auto& [id, run] : runs) run.process->Kill(milliseconds(5000));
  workers.clear();  // joins: each worker has stopped its driver
  for (auto& [id, run] : runs) {
    if (auto exit = run.process->Poll()) registry_.BatchExited(id, exit->code == 0);
  }
  Persist();
}

SessionWorker* LivyServer::Worker(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workers_.find(id);
  return it == workers_.end() ? nullptr : it->second.get();
}

std::string LivyServer::SessionDir(std::int64_t id) const {
  return (fs::path(config_.work_dir) / "sessions" / std::to_string(id)).string();
}

std::string LivyServer::BatchDir(std::int64_t id) const {
  return (fs::path(config_.work_dir) / "batches" / std::to_string(id)).string();
}

void LivyServer::SweepLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    clock_.WaitUntil(cv_, lock, clock_.Now() + milliseconds(250), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    for (std::int64_t id : registry_.Sweep()) {
      log::Info("session idle past the timeout: stopping it", {{"session", std::to_string(id)}});
      if (SessionWorker* w = Worker(id)) w->RequestStop();
    }
    PollBatches();
    Persist();
    lock.lock();
    // Workers whose session the registry forgot (retention) or that ended are joined.
    for (auto it = workers_.begin(); it != workers_.end();) {
      auto s = registry_.GetSession(it->first);
      if (!s || IsEnded(s->state)) {
        std::unique_ptr<SessionWorker> done = std::move(it->second);
        it = workers_.erase(it);
        lock.unlock();
        done.reset();
        lock.lock();
      } else {
        ++it;
      }
    }
  }
}

void LivyServer::PollBatches() {
  static const std::regex kAppId(R"(\b(app-\d{14}-\d{4})\b)");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = batch_runs_.begin(); it != batch_runs_.end();) {
    BatchRun& run = it->second;
    if (auto exit = run.process->Poll()) {
      log::Info("batch ended", {{"batch", std::to_string(it->first)}, {"how", exit->description}});
      registry_.BatchExited(it->first, exit->code == 0);
      it = batch_runs_.erase(it);
      continue;
    }
    // As Livy's client-mode batches: running once spark-submit runs; the app id
    // is filled in when the driver's log shows it (at INFO).
    if (!run.has_app_id) {
      auto b = registry_.GetBatch(it->first);
      std::smatch m;
      const std::string tail = b ? ReadTail(b->log_path, 64 * 1024) : "";
      run.has_app_id = std::regex_search(tail, m, kAppId);
      registry_.BatchRunning(it->first, run.has_app_id ? std::string(m[1]) : "");
    }
    ++it;
  }
}

}  // namespace spyt::livy_server
