#pragma once

// SPYT releases on this machine, one per spec.spytVersion: the `spyt` package
// of that version's ytsaurus-spyt wheel from PyPI (its jars/ holds SPYT's Scala
// 2.12 jars), the directory Livy's --spyt-home names. Installed on first use and
// kept, keyed by version, like Spark:
//   <cache>/spyt-<version>/spyt/jars/*.jar
// The image of a Kubernetes cluster installs the same wheel (docker/spyt.Dockerfile).

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "common/clock.h"

namespace spyt::local {

struct SpytRelease {
  enum class State { kReady, kInstalling, kFailed };
  State state = State::kInstalling;
  std::string home;        // kReady: the spyt package directory
  std::string reason;      // kFailed: why, in pip's words
  bool permanent = false;  // kFailed: PyPI has no such release
};

// Where the local controller gets a cluster's release. Never blocks: a release not
// there yet is kInstalling until a later call finds it done.
class SpytReleases {
 public:
  virtual ~SpytReleases() = default;
  virtual SpytRelease Ensure(const std::string& version) = 0;
};

// Installs with `<python> -m pip install --no-deps --target <tmp> ytsaurus-spyt==V`
// in a child process (its output in <cache>/spyt-<version>.log), then renames the
// directory into place, so a release directory is complete once it exists and
// two runtimes sharing the cache never see each other's half-done install. A
// failed install is retried after `retry_after`. One caller thread (the local
// runtime's loop): not thread-safe.
class PipSpytReleases : public SpytReleases {
 public:
  PipSpytReleases(std::string python, std::string cache_dir, Clock& clock,
                  std::chrono::seconds retry_after = std::chrono::seconds(60));
  ~PipSpytReleases() override;  // stops installs still running

  SpytRelease Ensure(const std::string& version) override;

 private:
  struct Install {
    pid_t pid = 0;  // 0: not running
    std::string tmp_dir;
    std::optional<SpytRelease> failed;
    Clock::TimePoint failed_at{};
  };
  void Start(const std::string& version, Install& install);
  SpytRelease Finish(const std::string& version, Install& install, int wait_status);
  std::string ReleaseDir(const std::string& version) const;
  std::string LogPath(const std::string& version) const;

  const std::string python_;
  const std::string cache_dir_;
  Clock& clock_;
  const std::chrono::seconds retry_after_;
  std::map<std::string, Install> installs_;
};

// The spyt package directory of a release directory when it is complete (its
// jars/ holds a jar), else nullopt.
std::optional<std::string> InstalledSpytHome(const std::string& release_dir);

// Why pip failed, from its output: its last "ERROR:" line, else its last line
// (at most 300 characters); `permanent` when PyPI has no such version.
SpytRelease PipFailure(const std::string& pip_output, const std::string& exit_description);

}  // namespace spyt::local
