#include "local/posix_runner.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "common/process.h"

namespace spyt::local {

PosixRunner::PosixRunner(std::string launcher, std::map<std::string, std::string> env,
                         std::string log_dir)
    : launcher_(std::move(launcher)), env_(std::move(env)), log_dir_(std::move(log_dir)) {}

std::string PosixRunner::LogPath(const std::string& id) const {
  std::string name = id;
  std::replace(name.begin(), name.end(), '/', '_');
  return log_dir_ + "/" + name + ".log";
}

int PosixRunner::Start(const ProcessSpec& spec) {
  std::filesystem::create_directories(log_dir_);
  std::filesystem::create_directories(spec.work_dir);
  process::Command command;
  command.argv = {launcher_};
  command.argv.insert(command.argv.end(), spec.args.begin(), spec.args.end());
  command.env.assign(env_.begin(), env_.end());
  process::SpawnOptions options;
  options.new_group = true;  // one signal to the group reaches the JVM and all it started
  options.parent_death_signal = SIGTERM;  // the runtime died: its clusters go with it
  options.output_file = LogPath(spec.id);
  // Throws process::SpawnError (a runtime_error) with the reason when exec fails.
  const pid_t pid = process::Spawn(command, options);
  process::Reaper::Instance().Track(pid);
  return pid;
}

std::optional<int> PosixRunner::Poll(int pid) {
  std::lock_guard lock(mutex_);
  if (auto it = exited_.find(pid); it != exited_.end()) return it->second;
  std::optional<int> status = process::Reaper::Instance().Poll(pid);
  if (!status) return std::nullopt;
  int code = process::ExitCode(*status);
  exited_[pid] = code;
  return code;
}

void PosixRunner::Signal(int pid, bool force) { ::kill(-pid, force ? SIGKILL : SIGTERM); }

}  // namespace spyt::local
