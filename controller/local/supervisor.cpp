#include "local/supervisor.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/log.h"

namespace spyt::local {

Supervisor::Supervisor(ProcessRunner& runner, Clock& clock, SupervisorOptions options)
    : runner_(runner), clock_(clock), options_(options) {}

std::chrono::milliseconds Supervisor::Backoff(int restarts) const {
  auto delay = options_.min_backoff;
  for (int i = 1; i < restarts && delay < options_.max_backoff; ++i) delay *= 2;
  return std::min(delay, options_.max_backoff);
}

void Supervisor::BeginStop(const std::string& id, int pid) {
  log::Info("stopping process", {{"process", id}, {"pid", std::to_string(pid)}});
  runner_.Signal(pid, false);
  stopping_.push_back({id, pid, clock_.Now() + options_.stop_grace});
}

void Supervisor::Reap() {
  auto now = clock_.Now();
  for (auto& [id, st] : running_) {
    if (st.pid == 0) continue;
    std::optional<int> code = runner_.Poll(st.pid);
    if (!code) continue;
    bool stable = now - st.started >= options_.stable_after;
    st.restarts = stable ? 1 : st.restarts + 1;
    st.last_exit = code;
    st.pid = 0;
    st.next_start = now + Backoff(st.restarts);
    log::Warn("process exited; restarting after backoff",
              {{"process", id},
               {"exitCode", std::to_string(*code)},
               {"backoffMs", std::to_string(Backoff(st.restarts).count())}});
  }
  for (auto it = stopping_.begin(); it != stopping_.end();) {
    if (runner_.Poll(it->pid)) {
      it = stopping_.erase(it);
      continue;
    }
    if (!it->killed && now >= it->deadline) {
      log::Warn("process ignored SIGTERM; killing it", {{"pid", std::to_string(it->pid)}});
      runner_.Signal(it->pid, true);
      it->killed = true;
    }
    ++it;
  }
}

bool Supervisor::StillStopping(const std::string& id) {
  bool still = false;
  for (auto it = stopping_.begin(); it != stopping_.end();) {
    if (it->id == id && runner_.Poll(it->pid)) {
      it = stopping_.erase(it);
      continue;
    }
    still = still || it->id == id;
    ++it;
  }
  return still;
}

void Supervisor::StartIfDue(ProcessState& st) {
  if (st.pid != 0 || clock_.Now() < st.next_start) return;
  // A new instance starts once the old one is gone: both would take the same ports and
  // work directory (a Livy server would restore the state its predecessor still writes).
  if (StillStopping(st.spec.id)) return;
  try {
    st.pid = runner_.Start(st.spec);
    st.started = clock_.Now();
    log::Info("started process", {{"process", st.spec.id}, {"pid", std::to_string(st.pid)}});
  } catch (const std::runtime_error& e) {
    st.restarts++;
    st.next_start = clock_.Now() + Backoff(st.restarts);
    log::Error("cannot start process", {{"process", st.spec.id}, {"error", e.what()}});
  }
}

void Supervisor::Sync(const std::vector<ProcessSpec>& desired) {
  Reap();
  std::set<std::string> wanted;
  for (const auto& spec : desired) {
    wanted.insert(spec.id);
    auto it = running_.find(spec.id);
    if (it != running_.end() && !(it->second.spec == spec)) {
      if (it->second.pid != 0) BeginStop(spec.id, it->second.pid);  // its flags changed: restart
      running_.erase(it);
      it = running_.end();
    }
    if (it == running_.end()) {
      ProcessState fresh;
      fresh.spec = spec;
      it = running_.emplace(spec.id, std::move(fresh)).first;
    }
    StartIfDue(it->second);
  }
  for (auto it = running_.begin(); it != running_.end();) {
    if (wanted.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (it->second.pid != 0) BeginStop(it->first, it->second.pid);
    it = running_.erase(it);
  }
}

void Supervisor::StopAll() {
  Sync({});
  while (!stopping_.empty()) {
    Reap();
    if (stopping_.empty()) break;
    std::mutex m;
    std::condition_variable cv;
    std::unique_lock lock(m);
    clock_.WaitUntil(cv, lock, clock_.Now() + std::chrono::milliseconds(50), [] { return false; });
  }
}

}  // namespace spyt::local
