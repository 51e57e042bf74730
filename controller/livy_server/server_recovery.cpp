// LivyServer's side of surviving a restart: loading the state a previous
// server stored, re-attaching to its drivers and batches, and storing changes.

#include <fstream>

#include "common/log.h"
#include "livy_server/server.h"
#include "livy_server/session_worker.h"

namespace spyt::livy_server {
namespace {

// The reason goes where the client reads it: the session's or batch's log.
void AppendToLog(const std::string& path, const std::string& line) {
  if (path.empty()) return;
  std::ofstream(path, std::ios::app) << "spyt-launcher livy: " << line << "\n";
}

}  // namespace

void LivyServer::Recover() {
  if (store_ == nullptr) return;
  StoredState stored = store_->Load();
  for (const StateProblem& p : stored.problems) {
    log::Error("skipping an unreadable state file", {{"file", p.file}, {"problem", p.problem}});
  }
  registry_.Restore(stored);
  int live_sessions = 0;
  int live_batches = 0;
  for (const Session& s : stored.sessions) {
    if (IsEnded(s.state)) continue;
    ++live_sessions;
    ReattachSession(s);
  }
  for (const Batch& b : stored.batches) {
    if (IsEnded(b.state)) continue;
    ++live_batches;
    ReattachBatch(b);
  }
  log::Info("restored the previous server's state",
            {{"sessions", std::to_string(stored.sessions.size())},
             {"live_sessions", std::to_string(live_sessions)},
             {"batches", std::to_string(stored.batches.size())},
             {"live_batches", std::to_string(live_batches)},
             {"unreadable_files", std::to_string(stored.problems.size())},
             {"next_session_id", std::to_string(stored.next_session)}});
  Persist();
}

void LivyServer::ReattachSession(const Session& s) {
  std::unique_ptr<Driver> driver;
  try {
    driver = drivers_.Attach({s.id, s.request, SessionDir(s.id), s.log_path});
  } catch (const std::exception& e) {
    const std::string why = std::string("the server restarted and the session's driver is gone (") +
                            e.what() + "): the session is dead";
    log::Warn("a restored session lost its driver",
              {{"session", std::to_string(s.id)}, {"error", e.what()}});
    AppendToLog(s.log_path, why);
    registry_.SessionLost(s.id, why);
    return;
  }
  AppendToLog(s.log_path, "the server restarted and re-attached to this driver");
  auto worker = std::make_unique<SessionWorker>(
      registry_, metrics_, clock_,
      WorkerTimeouts{config_.driver_start_timeout, config_.driver_stop_grace}, s.id,
      KindName(s.request.kind), std::move(driver), /*reattached=*/true);
  // A session that was ending when the server died ends now.
  if (s.state == SessionState::kShuttingDown) worker->RequestStop();
  std::lock_guard<std::mutex> lock(mu_);
  workers_[s.id] = std::move(worker);
}

void LivyServer::ReattachBatch(const Batch& b) {
  try {
    auto process = batches_.Attach({b.id, b.request, BatchDir(b.id), b.log_path});
    std::lock_guard<std::mutex> lock(mu_);
    batch_runs_[b.id] = BatchRun{std::move(process), !b.app_id.empty()};
  } catch (const std::exception& e) {
    log::Warn("a restored batch lost its process",
              {{"batch", std::to_string(b.id)}, {"error", e.what()}});
    AppendToLog(b.log_path,
                std::string("the server restarted and this batch is gone (") + e.what() + ")");
    registry_.BatchExited(b.id, false);
  }
}

std::optional<std::string> LivyServer::Persist() {
  if (store_ == nullptr) return std::nullopt;
  std::lock_guard<std::mutex> lock(persist_mu_);
  const RegistryChanges changes = registry_.TakeChanges();
  if (changes.empty()) return std::nullopt;
  try {
    // The counters first: an id is never handed out twice, even if a record
    // write below fails.
    if (changes.next_ids) store_->SaveNextIds(changes.next_session, changes.next_batch);
    for (const Session& s : changes.sessions) store_->SaveSession(s);
    for (const Batch& b : changes.batches) store_->SaveBatch(b);
    for (std::int64_t id : changes.removed_sessions) store_->RemoveSession(id);
    for (std::int64_t id : changes.removed_batches) store_->RemoveBatch(id);
  } catch (const StateStoreError& e) {
    // Serving goes on; the changes are written with the next ones (rewriting
    // a record that did get written is harmless).
    registry_.ReturnChanges(changes);
    metrics_.StateWriteFailed();
    log::Error("cannot write the server's state; sessions keep running, new ones are refused",
               {{"error", e.what()}});
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace spyt::livy_server
