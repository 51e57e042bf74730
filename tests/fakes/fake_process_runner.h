#pragma once

// A local::ProcessRunner that starts nothing: it hands out pids, records starts
// and signals, and lets the test make a process exit. Not thread-safe (the
// supervisor calls it from one thread).

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "local/supervisor.h"

namespace spyt::fakes {

class FakeProcessRunner : public local::ProcessRunner {
 public:
  int Start(const local::ProcessSpec& spec) override {
    if (fail_starts > 0) {
      --fail_starts;
      throw std::runtime_error("cannot exec");
    }
    int pid = next_pid++;
    running[pid] = spec.id;
    starts.push_back(spec.id);
    return pid;
  }
  std::optional<int> Poll(int pid) override {
    auto it = exited.find(pid);
    if (it == exited.end()) return std::nullopt;
    return it->second;
  }
  void Signal(int pid, bool force) override {
    signals.push_back({pid, force});
    if (force || !ignores_term) Exit(pid, force ? 137 : 143);
  }
  void Exit(int pid, int code) {
    running.erase(pid);
    exited[pid] = code;
  }
  int PidOf(const std::string& id) const {
    for (const auto& [pid, name] : running) {
      if (name == id) return pid;
    }
    return 0;
  }

  int next_pid = 100;
  int fail_starts = 0;
  bool ignores_term = false;
  std::map<int, std::string> running;
  std::map<int, int> exited;
  std::vector<std::string> starts;
  std::vector<std::pair<int, bool>> signals;
};

}  // namespace spyt::fakes
