#include "common/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace spyt::process {
namespace {

// argv and envp as execve takes them, built before fork.
struct ExecImage {
  std::string path;
  std::vector<std::string> argv_text;
  std::vector<std::string> env_text;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

std::vector<std::string> MergedEnvironment(const Command& command) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& kv : command.env) overridden = overridden || kv.first == name;
    if (!overridden) out.push_back(std::move(entry));
  }
  for (const auto& [name, value] : command.env) out.push_back(name + "=" + value);
  return out;
}

ExecImage Prepare(const Command& command) {
  if (command.argv.empty()) throw SpawnError("empty command");
  ExecImage image{
      FindExecutable(command.argv[0]), command.argv, MergedEnvironment(command), {}, {}};
  for (auto& s : image.argv_text) image.argv.push_back(s.data());
  image.argv.push_back(nullptr);
  for (auto& s : image.env_text) image.envp.push_back(s.data());
  image.envp.push_back(nullptr);
  return image;
}

[[noreturn]] void Fail(int error_fd) {
  const int error = errno;
  [[maybe_unused]] auto n = ::write(error_fd, &error, sizeof error);
  ::_exit(127);
}

[[noreturn]] void ExecChild(const ExecImage& image, const SpawnOptions& options, pid_t parent,
                            int output_fd, int error_fd) {
  if (options.new_group) ::setpgid(0, 0);
  if (options.parent_death_signal != 0) {
    ::prctl(PR_SET_PDEATHSIG, options.parent_death_signal);
    if (::getppid() != parent) ::_exit(1);  // the parent died before prctl took effect
  }
  if (output_fd >= 0) {
    if (::dup2(output_fd, STDOUT_FILENO) < 0 || ::dup2(output_fd, STDERR_FILENO) < 0) {
      Fail(error_fd);
    }
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  }
  if (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0) Fail(error_fd);
  // Nothing of the parent but stdin, stdout and stderr reaches the program: an
  // inherited listening socket would keep the parent's port taken by a child that
  // outlives it (a restarted Livy server could not bind it). error_fd is already
  // close-on-exec.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    rlimit files{};
    const int limit = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 65536
                          ? static_cast<int>(files.rlim_cur)
                          : 65536;
    for (int fd = 3; fd < limit; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  // Signals the parent blocks or inherited as ignored (a shell's `&` ignores
  // SIGINT) are the child's to handle.
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) ::signal(sig, SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  ::execve(image.path.c_str(), image.argv.data(), image.envp.data());
  Fail(error_fd);
}

}  // namespace

std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (std::filesystem::path(dir.empty() ? "." : dir) / name).string();
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw SpawnError("cannot run " + name + ": not found on PATH");
}

pid_t Spawn(const Command& command, const SpawnOptions& options) {
  const ExecImage image = Prepare(command);
  int output_fd = -1;
  if (!options.output_file.empty()) {
    output_fd =
        ::open(options.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (output_fd < 0) {
      throw SpawnError("cannot open " + options.output_file + ": " + std::strerror(errno));
    }
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    if (output_fd >= 0) ::close(output_fd);
    throw SpawnError(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) ExecChild(image, options, parent, output_fd, fds[1]);
  ::close(fds[1]);
  if (output_fd >= 0) ::close(output_fd);
  if (pid < 0) {
    ::close(fds[0]);
    throw SpawnError(std::string("fork: ") + std::strerror(errno));
  }
  if (options.new_group) ::setpgid(pid, pid);  // as the child does: whichever runs first
  int error = 0;
  ssize_t n;
  do {
    n = ::read(fds[0], &error, sizeof error);  // EOF: execve succeeded (the pipe closed on exec)
  } while (n < 0 && errno == EINTR);
  ::close(fds[0]);
  if (n == static_cast<ssize_t>(sizeof error)) {
    ::waitpid(pid, nullptr, 0);
    throw SpawnError("cannot run " + image.path + ": " + std::strerror(error));
  }
  return pid;
}

}  // namespace spyt::process

namespace spyt::process {

Reaper& Reaper::Instance() {
  static Reaper reaper;
  return reaper;
}

void Reaper::Track(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  tracked_.emplace(pid, std::nullopt);
}

std::optional<int> Reaper::Poll(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  int status = 0;
  for (pid_t r; (r = ::waitpid(-1, &status, WNOHANG)) > 0;) {
    if (auto it = tracked_.find(r); it != tracked_.end()) it->second = status;
  }
  auto it = tracked_.find(pid);
  if (it == tracked_.end()) return std::nullopt;
  std::optional<int> out = it->second;
  if (out) tracked_.erase(it);
  return out;
}

std::string DescribeStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit code " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* name = sigabbrev_np(sig);
    return std::string("killed by ") + (name ? std::string("SIG") + name : std::to_string(sig));
  }
  return "ended (status " + std::to_string(wait_status) + ")";
}

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

}  // namespace spyt::process
