#pragma once

// Running the daemon: the launcher stays the parent (PID 1 in a container) and
// the JVM runs in a process group of its own, so that one signal reaches the
// JVM and whatever it starts (Livy's spark-submit children, Python drivers)
// and nothing else. SIGTERM and SIGINT to the launcher are forwarded to that
// group; the launcher exits with the daemon's status.
//
// Signals are taken synchronously (sigtimedwait), never by handlers: call
// BlockLauncherSignals() first thing in main, before any thread exists.
// Not thread-safe: one RunChild or WaitForPort at a time per process.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

#include "launcher/command.h"

namespace spyt::launcher {

// The command could not be started (not found, not executable, ...).
using SpawnError = process::SpawnError;

// "SIGTERM", "SIGINT", ... for logs.
std::string SignalName(int signal);

// Blocks SIGTERM, SIGINT and SIGCHLD in the calling thread; children get an
// empty mask back. Idempotent.
void BlockLauncherSignals();

struct ChildOptions {
  // From the first forwarded SIGTERM/SIGINT to SIGKILL of the group.
  std::chrono::milliseconds stop_timeout{20000};
  // Called once the child runs (tests use it to signal at the right moment).
  std::function<void(pid_t)> on_started;
};

// Starts `command` in a new process group and waits for it, forwarding SIGTERM
// and SIGINT to the group. When the child has exited, processes it left in
// its group get SIGTERM (SIGKILL after stop_timeout). Returns the exit code
// for the launcher: the child's exit status, or 128 + signal when a signal
// killed it. If the launcher itself dies, the child gets SIGTERM
// (PR_SET_PDEATHSIG). Throws SpawnError when the command cannot be executed.
int RunChild(const Command& command, const ChildOptions& options);

struct PortWait {
  enum class Outcome { kReady, kTimedOut, kInterrupted };
  Outcome outcome = Outcome::kTimedOut;
  int signal = 0;          // with kInterrupted: SIGTERM or SIGINT
  std::string last_error;  // why the last attempt failed
};

// Connects to host:port every `interval` until a connection is accepted, the
// `timeout` passes, or SIGTERM/SIGINT arrives. Names are resolved on each
// attempt, since a master's DNS name may appear after its clients start.
PortWait WaitForPort(const std::string& host, int port, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds interval = std::chrono::milliseconds(1000));

}  // namespace spyt::launcher
