#pragma once

// Processes a previous server started (session drivers, batches' spark-submit)
// and left running when it died: this server is not their parent, so it cannot
// wait for them; it recognises them by pid and command line instead. Each is
// recorded in a pid file in its session's or batch's directory. Linux (/proc).
// Thread-safe (no state).

#include <sys/types.h>

#include <optional>
#include <string>

namespace spyt::livy_server {

enum class Liveness {
  kRuns,      // `pid` runs and its command line contains `marker`
  kGone,      // no such process, or a zombie: its process group may still be signalled
  kRecycled,  // the pid now belongs to another process: signal nothing
};
// `marker` is a path unique to the session or batch, so a recycled pid is not
// taken for it.
Liveness Check(pid_t pid, const std::string& marker);
inline bool ProcessRuns(pid_t pid, const std::string& marker) {
  return Check(pid, marker) == Liveness::kRuns;
}

// The pid in `path`; nullopt when missing or unreadable.
std::optional<pid_t> ReadPidFile(const std::string& path);
// Throws StateStoreError (state_store.h) when it cannot be written.
void WritePidFile(const std::string& path, pid_t pid);

}  // namespace spyt::livy_server
