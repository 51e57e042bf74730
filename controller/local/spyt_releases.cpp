#include "local/spyt_releases.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "common/process.h"

namespace spyt::local {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxReason = 300;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

}  // namespace

std::optional<std::string> InstalledSpytHome(const std::string& release_dir) {
  const fs::path home = fs::path(release_dir) / "spyt";
  std::error_code ec;
  if (!fs::is_directory(home / "jars", ec)) return std::nullopt;
  for (const auto& entry : fs::directory_iterator(home / "jars", ec)) {
    if (entry.path().extension() == ".jar") return home.string();
  }
  return std::nullopt;
}

SpytRelease PipFailure(const std::string& pip_output, const std::string& exit_description) {
  std::string last, last_error;
  std::istringstream lines(pip_output);
  for (std::string line; std::getline(lines, line);) {
    line = Trim(line);
    if (line.empty()) continue;
    last = line;
    if (line.rfind("ERROR:", 0) == 0) last_error = line;
  }
  std::string reason = !last_error.empty() ? last_error : !last.empty() ? last : exit_description;
  if (reason.size() > kMaxReason) reason = reason.substr(0, kMaxReason) + "...";
  SpytRelease r;
  r.state = SpytRelease::State::kFailed;
  r.reason = "pip " + exit_description + ": " + reason;
  r.permanent = pip_output.find("No matching distribution found") != std::string::npos;
  return r;
}

PipSpytReleases::PipSpytReleases(std::string python, std::string cache_dir, Clock& clock,
                                 std::chrono::seconds retry_after)
    : python_(std::move(python)),
      cache_dir_(std::move(cache_dir)),
      clock_(clock),
      retry_after_(retry_after) {}

PipSpytReleases::~PipSpytReleases() {
  for (auto& [version, install] : installs_) {
    if (install.pid == 0) continue;
    ::kill(-install.pid, SIGKILL);
    std::error_code ec;
    fs::remove_all(install.tmp_dir, ec);
  }
}

std::string PipSpytReleases::ReleaseDir(const std::string& version) const {
  return (fs::path(cache_dir_) / ("spyt-" + version)).string();
}

std::string PipSpytReleases::LogPath(const std::string& version) const {
  return ReleaseDir(version) + ".log";
}

SpytRelease PipSpytReleases::Ensure(const std::string& version) {
  if (auto home = InstalledSpytHome(ReleaseDir(version))) {
    return SpytRelease{SpytRelease::State::kReady, *home, "", false};
  }
  Install& install = installs_[version];
  if (install.pid != 0) {
    std::optional<int> status = process::Reaper::Instance().Poll(install.pid);
    if (!status) return SpytRelease{};
    install.pid = 0;
    return Finish(version, install, *status);
  }
  if (install.failed && clock_.Now() - install.failed_at < retry_after_) return *install.failed;
  Start(version, install);
  return install.failed && install.pid == 0 ? *install.failed : SpytRelease{};
}

void PipSpytReleases::Start(const std::string& version, Install& install) {
  fs::create_directories(cache_dir_);
  install.tmp_dir = ReleaseDir(version) + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(install.tmp_dir, ec);
  fs::remove(LogPath(version), ec);
  process::Command command;
  command.argv = {python_,
                  "-m",
                  "pip",
                  "install",
                  "--no-deps",
                  "--no-input",
                  "--disable-pip-version-check",
                  "--only-binary=:all:",
                  "--target",
                  install.tmp_dir,
                  "ytsaurus-spyt==" + version};
  process::SpawnOptions options;
  options.output_file = LogPath(version);
  options.parent_death_signal = SIGTERM;
  log::Info("installing a SPYT release",
            {{"version", version}, {"into", ReleaseDir(version)}, {"log", LogPath(version)}});
  try {
    install.pid = process::Spawn(command, options);
    process::Reaper::Instance().Track(install.pid);
  } catch (const process::SpawnError& e) {
    install.pid = 0;
    install.failed = SpytRelease{SpytRelease::State::kFailed, "", e.what(), false};
    install.failed_at = clock_.Now();
  }
}

SpytRelease PipSpytReleases::Finish(const std::string& version, Install& install, int wait_status) {
  std::error_code ec;
  const std::string dir = ReleaseDir(version);
  if (process::ExitCode(wait_status) == 0) {
    if (InstalledSpytHome(install.tmp_dir)) {
      fs::rename(install.tmp_dir, dir, ec);  // fails when another runtime got there first
      fs::remove_all(install.tmp_dir, ec);
      if (auto home = InstalledSpytHome(dir)) {
        log::Info("SPYT release installed", {{"version", version}, {"home", *home}});
        install.failed.reset();
        return SpytRelease{SpytRelease::State::kReady, *home, "", false};
      }
    }
    install.failed =
        SpytRelease{SpytRelease::State::kFailed, "",
                    "the ytsaurus-spyt " + version + " wheel has no spyt/jars/*.jar", true};
  } else {
    install.failed = PipFailure(ReadFile(LogPath(version)), process::DescribeStatus(wait_status));
  }
  fs::remove_all(install.tmp_dir, ec);
  install.failed_at = clock_.Now();
  log::Warn("SPYT release not installed",
            {{"version", version}, {"reason", install.failed->reason}, {"log", LogPath(version)}});
  return *install.failed;
}

}  // namespace spyt::local
