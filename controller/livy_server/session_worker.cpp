#include "livy_server/session_worker.h"

#include "common/log.h"

namespace spyt::livy_server {

using std::chrono::milliseconds;

SessionWorker::SessionWorker(Registry& registry, ServerMetrics& metrics, Clock& clock,
                             WorkerTimeouts timeouts, std::int64_t id, std::string kind,
                             std::unique_ptr<Driver> driver, bool reattached)
    : registry_(registry),
      metrics_(metrics),
      clock_(clock),
      timeouts_(timeouts),
      id_(id),
      kind_(std::move(kind)),
      driver_(std::move(driver)),
      reattached_(reattached),
      started_(clock.Now()) {
  thread_ = std::thread([this] { Run(); });
}

SessionWorker::~SessionWorker() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void SessionWorker::RequestStop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = true;
  cv_.notify_all();
}

void SessionWorker::StopAndJoin() {
  RequestStop();
  registry_.SessionStopping(id_);
  driver_->Stop(timeouts_.stop_grace);
  if (thread_.joinable()) thread_.join();
}

// Sends the registry's waiting statements the driver has not seen, in order.
void SessionWorker::SubmitPending() {
  std::lock_guard<std::mutex> lock(submit_mu_);
  if (!ready_) return;
  for (const Statement& st : registry_.WaitingStatements(id_, submitted_)) {
    try {
      driver_->Submit(st);
      submitted_ = st.id;
    } catch (const DriverError& e) {
      log::Warn("cannot send a statement to its driver",
                {{"session", std::to_string(id_)}, {"error", e.what()}});
      return;  // retried on the next round
    }
  }
}

void SessionWorker::Cancel(std::int64_t statement_id) {
  try {
    driver_->Cancel(statement_id);
  } catch (const DriverError& e) {
    log::Warn("cannot cancel a statement", {{"session", std::to_string(id_)}, {"error", e.what()}});
  }
}

bool SessionWorker::Stopped() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

void SessionWorker::Sleep(milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  clock_.WaitUntil(cv_, lock, clock_.Now() + d, [this] { return stop_; });
}

void SessionWorker::Run() {
  const auto deadline = started_ + timeouts_.start;
  while (!Stopped()) {
    const DriverStatus st = driver_->Status();
    if (st.phase == DriverStatus::Phase::kExited) {
      log::Info("session driver exited", {{"session", std::to_string(id_)}, {"how", st.exit}});
      registry_.SessionExited(id_, st.exit);
      return;
    }
    if (st.phase == DriverStatus::Phase::kStarting) {
      if (clock_.Now() >= deadline) {
        log::Warn("session driver did not start in time: stopping it",
                  {{"session", std::to_string(id_)}});
        break;
      }
      Sleep(milliseconds(100));
      continue;
    }
    if (!ready_) OnReady(st);
    SubmitPending();
    try {
      Apply(driver_->Updates(milliseconds(1000)));
    } catch (const DriverError&) {
      Sleep(milliseconds(200));  // Status() tells next round whether it died
    }
  }
  registry_.SessionStopping(id_);
  driver_->Stop(timeouts_.stop_grace);
  registry_.SessionExited(id_, "stopped");
}

void SessionWorker::OnReady(const DriverStatus& st) {
  {
    std::lock_guard<std::mutex> lock(submit_mu_);
    ready_ = true;
  }
  registry_.SessionReady(id_, st.app_id, st.spark_ui);
  if (reattached_) {
    if (auto s = registry_.GetSession(id_)) {
      for (const Statement& stmt : s->statements) {
        if (stmt.state == StatementState::kCancelling) Cancel(stmt.id);
      }
    }
    log::Info("session re-attached", {{"session", std::to_string(id_)}, {"app_id", st.app_id}});
    return;
  }
  metrics_.SessionStarted(kind_, std::chrono::duration<double>(clock_.Now() - started_).count());
  log::Info("session ready", {{"session", std::to_string(id_)}, {"app_id", st.app_id}});
}

void SessionWorker::Apply(const std::vector<Statement>& updates) {
  if (updates.empty()) return;
  registry_.ApplyUpdates(id_, updates);
  for (const Statement& u : updates) {
    if (IsEnded(u.state) && u.started_ms > 0 && u.completed_ms >= u.started_ms) {
      metrics_.StatementDone(KindName(u.kind), (u.completed_ms - u.started_ms) / 1e3);
    }
  }
}

}  // namespace spyt::livy_server
