#include "local/posix_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace spyt::local {

extern "C" char** environ;

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
  int log_fd = ::open(LogPath(spec.id).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw std::runtime_error("cannot open " + LogPath(spec.id) + ": " + std::strerror(errno));

  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<std::string> args = {launcher_};
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env_) merged[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setsid();
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none,
                  nullptr);  // the runtime blocks SIGTERM/SIGINT; the child must not
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(log_fd);
  return pid;
}

std::optional<int> PosixRunner::Poll(int pid) {
  std::lock_guard lock(mutex_);
  if (auto it = exited_.find(pid); it != exited_.end()) return it->second;
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  int code = r < 0 ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  exited_[pid] = code;
  return code;
}

void PosixRunner::Signal(int pid, bool force) { ::kill(-pid, force ? SIGKILL : SIGTERM); }

}  // namespace spyt::local
