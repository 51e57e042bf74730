#include "livy_server/orphan_process.h"

#include <fstream>
#include <iterator>

#include "livy_server/state_store.h"

namespace spyt::livy_server {

Liveness Check(pid_t pid, const std::string& marker) {
  if (pid <= 0) return Liveness::kRecycled;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream stat(proc + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return Liveness::kGone;
  // "pid (comm) S ...": the state follows the last ')'.
  const auto paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return Liveness::kGone;
  const char state = line[paren + 2];
  if (state == 'Z' || state == 'X') return Liveness::kGone;
  std::ifstream cmd(proc + "/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(cmd)),
                            std::istreambuf_iterator<char>());
  return cmdline.find(marker) != std::string::npos ? Liveness::kRuns : Liveness::kRecycled;
}

std::optional<pid_t> ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

void WritePidFile(const std::string& path, pid_t pid) {
  WriteFileAtomically(path, std::to_string(pid) + "\n");
}

}  // namespace spyt::livy_server
