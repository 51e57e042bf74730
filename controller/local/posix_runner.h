#pragma once

// The real ProcessRunner: spyt-launcher started by process::Spawn (common/process.h)
// in its own process group (so a stop reaches the JVM and everything it started),
// with SIGTERM as its parent-death signal, and stdout and stderr appended to one
// log file per process. An exec that fails is a process::SpawnError naming why,
// thrown from Start(). Exit statuses come from the process-wide process::Reaper.
// Start() from a thread that outlives the children: the parent-death signal fires
// when the thread that started a child ends (the local controller's loop does).
// Thread-safe.

#include <map>
#include <mutex>
#include <string>

#include "local/supervisor.h"

namespace spyt::local {

class PosixRunner : public ProcessRunner {
 public:
  // `env` is added to this process's environment for every child.
  PosixRunner(std::string launcher, std::map<std::string, std::string> env, std::string log_dir);

  int Start(const ProcessSpec& spec) override;
  std::optional<int> Poll(int pid) override;
  void Signal(int pid, bool force) override;

  // The log file of a process id ("c/worker-0" -> <log_dir>/c_worker-0.log).
  std::string LogPath(const std::string& id) const;

 private:
  std::string launcher_;
  std::map<std::string, std::string> env_;
  std::string log_dir_;
  std::mutex mutex_;
  std::map<int, int> exited_;  // reaped pid -> status, so Poll can answer twice
};

}  // namespace spyt::local
