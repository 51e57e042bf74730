// Registry's side of surviving a restart: loading a previous server's records
// and handing the changed ones to the state store.

#include <algorithm>

#include "livy_server/registry.h"

namespace spyt::livy_server {
namespace {

std::int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// An error output as the driver gives one (ename, evalue, traceback).
json::Value LostOutput(std::int64_t statement_id, const std::string& why) {
  json::Object o;
  o["status"] = "error";
  o["execution_count"] = statement_id;
  o["ename"] = "SessionLost";
  o["evalue"] = why;
  o["traceback"] = json::Array{};
  return o;
}

}  // namespace

void Registry::Restore(const StoredState& stored) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_.Now();
  const std::int64_t wall_ms = EpochMs(clock_.WallNow());
  auto ended_at = [&](std::int64_t ended_ms) {
    const std::int64_t ago = std::max<std::int64_t>(0, wall_ms - ended_ms);
    return now - std::chrono::milliseconds(ago);
  };
  next_session_ = std::max(next_session_, stored.next_session);
  next_batch_ = std::max(next_batch_, stored.next_batch);
  for (Session s : stored.sessions) {
    s.last_activity = now;
    if (IsEnded(s.state)) s.ended_at = ended_at(s.ended_ms);
    next_session_ = std::max(next_session_, s.id + 1);
    sessions_[s.id] = std::move(s);
  }
  for (Batch b : stored.batches) {
    if (IsEnded(b.state)) b.ended_at = ended_at(b.ended_ms);
    next_batch_ = std::max(next_batch_, b.id + 1);
    batches_[b.id] = std::move(b);
  }
}

void Registry::SessionLost(std::int64_t id, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || IsEnded(it->second.state)) return;
  Session& s = it->second;
  s.state = s.state == SessionState::kShuttingDown ? SessionState::kKilled : SessionState::kDead;
  s.ended_at = clock_.Now();
  s.ended_ms = EpochMs(clock_.WallNow());
  for (Statement& st : s.statements) {
    if (IsEnded(st.state)) continue;
    st.state = StatementState::kCancelled;
    st.completed_ms = s.ended_ms;
    st.output = LostOutput(st.id, why);
  }
  changed_sessions_.insert(id);
}

RegistryChanges Registry::TakeChanges() {
  std::lock_guard<std::mutex> lock(mu_);
  RegistryChanges out;
  for (std::int64_t id : changed_sessions_) {
    if (auto it = sessions_.find(id); it != sessions_.end()) out.sessions.push_back(it->second);
  }
  for (std::int64_t id : changed_batches_) {
    if (auto it = batches_.find(id); it != batches_.end()) out.batches.push_back(it->second);
  }
  out.removed_sessions.assign(removed_sessions_.begin(), removed_sessions_.end());
  out.removed_batches.assign(removed_batches_.begin(), removed_batches_.end());
  out.next_ids = next_ids_changed_;
  out.next_session = next_session_;
  out.next_batch = next_batch_;
  changed_sessions_.clear();
  changed_batches_.clear();
  removed_sessions_.clear();
  removed_batches_.clear();
  next_ids_changed_ = false;
  return out;
}

void Registry::ReturnChanges(const RegistryChanges& changes) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Session& s : changes.sessions) changed_sessions_.insert(s.id);
  for (const Batch& b : changes.batches) changed_batches_.insert(b.id);
  removed_sessions_.insert(changes.removed_sessions.begin(), changes.removed_sessions.end());
  removed_batches_.insert(changes.removed_batches.begin(), changes.removed_batches.end());
  next_ids_changed_ = next_ids_changed_ || changes.next_ids;
}

}  // namespace spyt::livy_server
