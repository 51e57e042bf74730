#include "launcher/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "common/log.h"
#include "common/process.h"

namespace spyt::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

sigset_t LauncherSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, sig);
  return set;
}

// Waits up to `timeout` for one of the launcher's signals; 0 when none came.
int TakeSignal(milliseconds timeout) {
  const sigset_t set = LauncherSignals();
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>(timeout.count() % 1000) * 1000000L};
  const int sig = ::sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;
}

// True once `pid` has exited, with its status. As PID 1 (a container's
// entrypoint) the launcher also reaps the orphans the kernel hands it.
bool Reap(pid_t pid, int* status) {
  if (::getpid() == 1) {
    bool done = false;
    int s = 0;
    for (pid_t r; (r = ::waitpid(-1, &s, WNOHANG)) > 0;) {
      if (r == pid) {
        *status = s;
        done = true;
      }
    }
    return done;
  }
  const pid_t r = ::waitpid(pid, status, WNOHANG);
  return r == pid || (r < 0 && errno == ECHILD);
}

// Whether a process of the group still runs. Zombies do not count: orphans
// wait for init to reap them, and init may take its time.
bool GroupAlive(pid_t pgid) {
  if (::kill(-pgid, 0) != 0) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // "pid (comm) state ppid pgrp ...": comm may hold anything, so parse after its ')'.
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 1));
    std::string state;
    pid_t ppid = 0, pgrp = 0;
    if (fields >> state >> ppid >> pgrp && pgrp == pgid && state != "Z" && state != "X") {
      return true;
    }
  }
  return ec.value() != 0;  // without /proc, trust kill()
}

// Processes the daemon started in its group and left behind (a Livy batch's
// spark-submit, say) are stopped as well: nothing outlives the launcher's run.
void StopLeftovers(pid_t pgid, milliseconds timeout) {
  int ignored = 0;
  Reap(pgid, &ignored);
  if (!GroupAlive(pgid)) return;
  log::Info("stopping what the daemon left in its process group", {{"pgid", std::to_string(pgid)}});
  ::kill(-pgid, SIGTERM);
  const auto kill_at = Clock::now() + timeout;
  while (GroupAlive(pgid)) {
    if (Clock::now() >= kill_at) {
      ::kill(-pgid, SIGKILL);
      break;
    }
    TakeSignal(milliseconds(100));  // already stopping: further signals change nothing
    Reap(pgid, &ignored);
  }
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

std::string SignalName(int signal) {
  switch (signal) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGKILL:
      return "SIGKILL";
    default:
      return "signal " + std::to_string(signal);
  }
}

void BlockLauncherSignals() {
  // An ignored SIGCHLD (inheritable across exec) would make the kernel reap
  // the daemon itself, and its exit status would be lost.
  ::signal(SIGCHLD, SIG_DFL);
  const sigset_t set = LauncherSignals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int RunChild(const Command& command, const ChildOptions& options) {
  BlockLauncherSignals();
  // If the launcher dies (even by SIGKILL), the daemon is told to stop.
  process::SpawnOptions spawn;
  spawn.parent_death_signal = SIGTERM;
  const pid_t pid = process::Spawn(command, spawn);
  log::Info("daemon started", {{"pid", std::to_string(pid)}, {"program", command.argv[0]}});
  if (options.on_started) options.on_started(pid);

  int status = 0;
  std::optional<Clock::time_point> kill_at;
  bool killed = false;
  while (!Reap(pid, &status)) {
    milliseconds wait(1000);
    if (kill_at && !killed) {
      auto left = std::chrono::duration_cast<milliseconds>(*kill_at - Clock::now());
      wait = std::clamp(left, milliseconds(1), wait);
    }
    const int sig = TakeSignal(wait);
    if (sig == SIGTERM || sig == SIGINT) {
      log::Info("forwarding signal to the daemon", {{"signal", SignalName(sig)}});
      ::kill(-pid, sig);
      if (!kill_at) kill_at = Clock::now() + options.stop_timeout;
    }
    if (kill_at && !killed && Clock::now() >= *kill_at) {
      log::Warn("the daemon did not stop in time: SIGKILL",
                {{"timeout_ms", std::to_string(options.stop_timeout.count())}});
      ::kill(-pid, SIGKILL);
      killed = true;
    }
  }
  const int code = ExitCodeOf(status);
  log::Info("daemon exited", {{"pid", std::to_string(pid)}, {"exit_code", std::to_string(code)}});
  StopLeftovers(pid, options.stop_timeout);
  return code;
}

}  // namespace spyt::launcher
