#pragma once

// Starting a child process: the one fork/exec of the project. Everything the
// child needs (argv, environment, paths) is built before fork; after it the
// child makes only async-signal-safe calls. A failed exec is reported to the
// parent through a close-on-exec pipe and thrown as SpawnError with errno's
// text, never mistaken for a process that started and then died.
//
// Thread-safe: Spawn may be called from several threads at once.

#include <sys/types.h>

#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace spyt::process {

struct Command {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up on PATH
  // Set on top of this process's environment (which the child inherits).
  std::vector<std::pair<std::string, std::string>> env;
};

// The command could not be started (not found, not executable, fork failed, ...).
class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SpawnOptions {
  // The child leads a new process group (pgid == pid), so that one signal to
  // the group reaches it and everything it starts.
  bool new_group = true;
  // Sent to the child when the spawning thread's process dies; 0: none.
  int parent_death_signal = 0;
  // stdout and stderr appended to this file (created 0644); empty: inherited.
  std::string output_file;
  // The child's working directory; empty: inherited.
  std::string working_dir;
};

// Starts `command`; returns its pid. The child's signal mask is emptied and
// SIGTERM, SIGINT, SIGHUP and SIGQUIT are reset to their default action.
pid_t Spawn(const Command& command, const SpawnOptions& options);

// The path exec would run for argv[0]: itself when it holds a '/', else the
// first executable match on PATH. Throws SpawnError when there is none.
std::string FindExecutable(const std::string& name);

}  // namespace spyt::process

namespace spyt::process {

// Exit statuses of this process's children. One reaper per process: it reaps
// every child that has exited (waitpid(-1)), as a container's PID 1 must for the
// orphans the kernel hands it, keeps the statuses of tracked children and drops
// the rest. Thread-safe.
class Reaper {
 public:
  static Reaper& Instance();
  void Track(pid_t pid);
  // The raw wait status once `pid` has exited (then it is no longer tracked).
  std::optional<int> Poll(pid_t pid);

 private:
  std::mutex mu_;
  std::map<pid_t, std::optional<int>> tracked_;
};

// "exit code 1", "killed by SIGKILL".
std::string DescribeStatus(int wait_status);
// The exit code a shell would report: the code, or 128 + signal.
int ExitCode(int wait_status);

}  // namespace spyt::process
