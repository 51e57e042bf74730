#include "livy_server/registry.h"

#include <algorithm>

namespace spyt::livy_server {
namespace {

std::int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string SessionMissing(std::int64_t id) {
  return "Session '" + std::to_string(id) + "' not found.";
}

}  // namespace

Registry::Registry(RegistryConfig config, Clock& clock) : config_(config), clock_(clock) {}

int Registry::LiveLocked() const {
  int live = 0;
  for (const auto& [id, s] : sessions_) live += IsEnded(s.state) ? 0 : 1;
  for (const auto& [id, b] : batches_) live += IsEnded(b.state) ? 0 : 1;
  return live;
}

Session Registry::AddSession(SessionRequest request, const std::string& owner) {
  std::lock_guard<std::mutex> lock(mu_);
  if (LiveLocked() >= config_.max_sessions) throw LimitReached();
  Session s;
  s.id = next_session_++;
  s.request = std::move(request);
  s.owner = owner;
  s.last_activity = clock_.Now();
  changed_sessions_.insert(s.id);
  next_ids_changed_ = true;
  return sessions_[s.id] = std::move(s);
}

Batch Registry::AddBatch(BatchRequest request, const std::string& owner) {
  std::lock_guard<std::mutex> lock(mu_);
  if (LiveLocked() >= config_.max_sessions) throw LimitReached();
  Batch b;
  b.id = next_batch_++;
  b.request = std::move(request);
  b.owner = owner;
  changed_batches_.insert(b.id);
  next_ids_changed_ = true;
  return batches_[b.id] = std::move(b);
}

std::optional<Session> Registry::GetSession(std::int64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

std::optional<Batch> Registry::GetBatch(std::int64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end()) return std::nullopt;
  return it->second;
}

Session Registry::SessionOrThrow(std::int64_t id) const {
  auto s = GetSession(id);
  if (!s) throw NotFound(SessionMissing(id));
  return *s;
}

Batch Registry::BatchOrThrow(std::int64_t id) const {
  auto b = GetBatch(id);
  if (!b) throw NotFound("Session '" + std::to_string(id) + "' not found.");
  return *b;
}

std::vector<Session> Registry::Sessions() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Session> out;
  for (const auto& [id, s] : sessions_) out.push_back(s);
  return out;
}

std::vector<Batch> Registry::Batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Batch> out;
  for (const auto& [id, b] : batches_) out.push_back(b);
  return out;
}

bool Registry::RemoveSession(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  changed_sessions_.erase(id);
  removed_sessions_.insert(id);
  return sessions_.erase(id) > 0;
}

bool Registry::RemoveBatch(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  changed_batches_.erase(id);
  removed_batches_.insert(id);
  return batches_.erase(id) > 0;
}

Session& Registry::SessionLocked(std::int64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) throw NotFound(SessionMissing(id));
  return it->second;
}

void Registry::RefreshBusyLocked(Session& s) {
  if (s.state != SessionState::kIdle && s.state != SessionState::kBusy) return;
  const bool busy = std::any_of(s.statements.begin(), s.statements.end(),
                                [](const Statement& st) { return !IsEnded(st.state); });
  s.state = busy ? SessionState::kBusy : SessionState::kIdle;
}

void Registry::SetLogPath(std::int64_t id, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = sessions_.find(id); it != sessions_.end()) {
    it->second.log_path = path;
    changed_sessions_.insert(id);
  }
}

void Registry::SessionReady(std::int64_t id, const std::string& app_id,
                            const std::string& spark_ui) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.state != SessionState::kStarting) return;
  Session& s = it->second;
  s.app_id = app_id;
  s.spark_ui = spark_ui;
  s.state = SessionState::kIdle;
  s.last_activity = clock_.Now();
  RefreshBusyLocked(s);
  changed_sessions_.insert(id);
}

void Registry::SessionExited(std::int64_t id, const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || IsEnded(it->second.state)) return;
  Session& s = it->second;
  if (s.state == SessionState::kShuttingDown) {
    s.state = SessionState::kKilled;
  } else if (s.state == SessionState::kStarting) {
    s.state = SessionState::kError;
  } else {
    s.state = SessionState::kDead;
  }
  s.ended_at = clock_.Now();
  s.ended_ms = EpochMs(clock_.WallNow());
  changed_sessions_.insert(id);
  // What was queued or running will never finish.
  const std::int64_t now_ms = s.ended_ms;
  for (Statement& st : s.statements) {
    if (IsEnded(st.state)) continue;
    st.state = StatementState::kCancelled;
    st.completed_ms = now_ms;
  }
}

void Registry::SessionStopping(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || IsEnded(it->second.state)) return;
  it->second.state = SessionState::kShuttingDown;
  changed_sessions_.insert(id);
}

void Registry::ApplyUpdates(std::int64_t id, const std::vector<Statement>& updates) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  for (const Statement& u : updates) {
    if (u.id < 0 || u.id >= static_cast<std::int64_t>(s.statements.size())) continue;
    Statement& st = s.statements[u.id];
    if (IsEnded(st.state)) continue;  // an ended statement is final
    // A cancel asked here wins over a driver that had not yet seen it.
    const bool cancelling = st.state == StatementState::kCancelling;
    st.state = cancelling && u.state == StatementState::kRunning ? st.state : u.state;
    st.output = u.output;
    st.progress = u.progress;
    st.started_ms = u.started_ms;
    st.completed_ms = u.completed_ms;
    if (IsEnded(st.state)) s.last_activity = clock_.Now();
  }
  RefreshBusyLocked(s);
  changed_sessions_.insert(id);
}

Statement Registry::AddStatement(std::int64_t id, const StatementRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  Session& s = SessionLocked(id);
  if (!IsActive(s.state)) {
    throw BadRequest("Session " + std::to_string(id) + " is " + StateName(s.state) +
                     ": it takes no more statements");
  }
  Statement st;
  st.id = static_cast<std::int64_t>(s.statements.size());
  st.code = request.code;
  st.kind = request.kind.value_or(s.request.kind);
  s.statements.push_back(st);
  s.last_activity = clock_.Now();
  RefreshBusyLocked(s);
  changed_sessions_.insert(id);
  return st;
}

std::vector<Statement> Registry::WaitingStatements(std::int64_t id, std::int64_t after) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Statement> out;
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return out;
  for (const Statement& st : it->second.statements) {
    if (st.id > after && st.state == StatementState::kWaiting) out.push_back(st);
  }
  return out;
}

Statement Registry::CancelStatement(std::int64_t id, std::int64_t statement_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Session& s = SessionLocked(id);
  if (statement_id < 0 || statement_id >= static_cast<std::int64_t>(s.statements.size())) {
    throw NotFound("Statement not found");
  }
  Statement& st = s.statements[statement_id];
  if (!IsEnded(st.state)) st.state = StatementState::kCancelling;
  s.last_activity = clock_.Now();
  changed_sessions_.insert(id);
  return st;
}

std::optional<Session> Registry::FindByUser(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, s] : sessions_) {
    if (s.request.proxy_user == user && IsActive(s.state)) {
      s.last_activity = clock_.Now();
      return s;
    }
  }
  return std::nullopt;
}

void Registry::SetBatchLogPath(std::int64_t id, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = batches_.find(id); it != batches_.end()) {
    it->second.log_path = path;
    changed_batches_.insert(id);
  }
}

void Registry::BatchRunning(std::int64_t id, const std::string& app_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end() || IsEnded(it->second.state)) return;
  Batch& b = it->second;
  if (b.state == BatchState::kRunning && (app_id.empty() || app_id == b.app_id)) return;
  b.state = BatchState::kRunning;
  if (!app_id.empty()) b.app_id = app_id;
  changed_batches_.insert(id);
}

void Registry::BatchExited(std::int64_t id, bool success) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = batches_.find(id);
  if (it == batches_.end() || IsEnded(it->second.state)) return;
  it->second.state = success ? BatchState::kSuccess : BatchState::kDead;
  it->second.ended_at = clock_.Now();
  it->second.ended_ms = EpochMs(clock_.WallNow());
  changed_batches_.insert(id);
}

std::vector<std::int64_t> Registry::Sweep() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_.Now();
  std::vector<std::int64_t> timed_out;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Session& s = it->second;
    if (IsEnded(s.state) && now - s.ended_at >= config_.retain) {
      changed_sessions_.erase(s.id);
      removed_sessions_.insert(s.id);
      it = sessions_.erase(it);
      continue;
    }
    if (s.state == SessionState::kIdle && config_.session_timeout.count() > 0 &&
        now - s.last_activity >= config_.session_timeout) {
      s.state = SessionState::kShuttingDown;
      changed_sessions_.insert(s.id);
      timed_out.push_back(s.id);
    }
    ++it;
  }
  for (auto it = batches_.begin(); it != batches_.end();) {
    const bool expired = IsEnded(it->second.state) && now - it->second.ended_at >= config_.retain;
    if (expired) {
      changed_batches_.erase(it->first);
      removed_batches_.insert(it->first);
    }
    it = expired ? batches_.erase(it) : std::next(it);
  }
  return timed_out;
}

RegistryStats Registry::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  RegistryStats out;
  for (const auto& [id, s] : sessions_) {
    out.sessions[{KindName(s.request.kind), StateName(s.state)}]++;
    for (const Statement& st : s.statements) out.statements[StateName(st.state)]++;
  }
  for (const auto& [id, b] : batches_) out.batches[StateName(b.state)]++;
  out.live = LiveLocked();
  return out;
}

}  // namespace spyt::livy_server
