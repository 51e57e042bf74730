#include "livy_server/batch_process.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <thread>

#include "common/log.h"
#include "common/process.h"
#include "livy_server/orphan_process.h"
#include "livy_server/state_store.h"

namespace spyt::livy_server {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// spark-submit runs under `sh -c` that writes its exit code to <batch dir>/exit_code,
// so that a server that did not start it (after a restart) learns how it ended.
constexpr const char* kRecordExit =
    "\"$@\"; rc=$?; echo $rc > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"; exit $rc";

// `text` as a key or value of a java.util.Properties file, read back exactly.
std::string PropertyEscape(const std::string& text, bool key) {
  static const std::map<char, char> kControl = {{'\n', 'n'}, {'\r', 'r'}, {'\t', 't'}, {'\f', 'f'}};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (auto it = kControl.find(c); it != kControl.end()) {
      out += '\\';
      out += it->second;
      continue;
    }
    const bool leading_or_key_space = c == ' ' && (key || i == 0);
    if (leading_or_key_space || std::string_view("\\#!=:").find(c) != std::string_view::npos) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::optional<BatchProcess::Exit> RecordedExit(const std::string& exit_file) {
  std::ifstream in(exit_file);
  int code = 0;
  if (!(in >> code)) {
    return BatchProcess::Exit{-1, "ended while no server watched it; its exit code is unknown"};
  }
  return BatchProcess::Exit{code, "exit code " + std::to_string(code)};
}

// A batch this server started (`own_child`: waited for through the reaper) or
// one a previous server started (followed by pid; its exit code from the file).
class SubmitProcess : public BatchProcess {
 public:
  SubmitProcess(pid_t pid, std::string exit_file, bool own_child)
      : pid_(pid), exit_file_(std::move(exit_file)), own_child_(own_child) {}
  ~SubmitProcess() override {
    if (!exit_) Kill(milliseconds(2000));
  }

  std::optional<Exit> Poll() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!exit_) {
      if (own_child_) {
        if (auto status = process::Reaper::Instance().Poll(pid_)) {
          exit_ = Exit{process::ExitCode(*status), process::DescribeStatus(*status)};
        }
      } else if (!ProcessRuns(pid_, exit_file_)) {
        exit_ = RecordedExit(exit_file_);
      }
      // What spark-submit left in its group; not a group a recycled pid leads.
      if (exit_ && (own_child_ || Check(pid_, exit_file_) == Liveness::kGone)) {
        ::kill(-pid_, SIGKILL);
      }
    }
    return exit_;
  }

  void Kill(milliseconds grace) override {
    if (Poll()) return;
    ::kill(-pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!Poll()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(-pid_, SIGKILL);
        const auto last = std::chrono::steady_clock::now() + milliseconds(5000);
        while (!Poll() && std::chrono::steady_clock::now() < last) {
          std::this_thread::sleep_for(milliseconds(20));
        }
        return;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

 private:
  const pid_t pid_;
  const std::string exit_file_;
  const bool own_child_;
  std::mutex mu_;
  std::optional<Exit> exit_;
};

class SubmitFactory : public BatchFactory {
  static std::string PidFile(const BatchLaunch& l) { return (fs::path(l.dir) / "pid").string(); }
  static std::string ExitFile(const BatchLaunch& l) {
    return (fs::path(l.dir) / "exit_code").string();
  }

 public:
  explicit SubmitFactory(HostDriverConfig config) : config_(std::move(config)) {}

  std::unique_ptr<BatchProcess> Start(const BatchLaunch& launch) override {
    fs::create_directories(launch.dir);
    const std::string exit_file = ExitFile(launch);
    std::vector<std::string> argv = {"/bin/sh", "-c", kRecordExit, exit_file};
    // Private (0600): the conf holds the session's tokens.
    const std::string properties = (fs::path(launch.dir) / "spark-submit.properties").string();
    try {
      WriteFileAtomically(properties, BatchProperties(config_, launch.request, launch.batch_id));
    } catch (const StateStoreError& e) {
      throw DriverError(e.what());
    }
    for (auto& arg : BatchArgv(config_, launch.request, properties)) argv.push_back(arg);
    const pid_t pid = SpawnSparkProcess(config_, std::move(argv), launch.request.proxy_user,
                                        launch.dir, launch.log_path);
    log::Info("batch started",
              {{"batch", std::to_string(launch.batch_id)}, {"pid", std::to_string(pid)}});
    try {
      WritePidFile(PidFile(launch), pid);
    } catch (const std::exception& e) {
      log::Warn("a restarted server will not find this batch", {{"error", e.what()}});
    }
    return std::make_unique<SubmitProcess>(pid, exit_file, true);
  }

  std::unique_ptr<BatchProcess> Attach(const BatchLaunch& launch) override {
    const auto pid = ReadPidFile(PidFile(launch));
    if (!pid) throw DriverError("no spark-submit pid in " + PidFile(launch));
    log::Info("batch re-attached",
              {{"batch", std::to_string(launch.batch_id)}, {"pid", std::to_string(*pid)}});
    return std::make_unique<SubmitProcess>(*pid, ExitFile(launch), false);
  }

 private:
  const HostDriverConfig config_;
};

}  // namespace

std::vector<std::string> BatchArgv(const HostDriverConfig& config, const BatchRequest& r,
                                   const std::string& properties_file) {
  std::vector<std::string> argv = {(fs::path(config.spark_home) / "bin" / "spark-submit").string(),
                                   "--properties-file", properties_file};
  if (r.class_name) {
    argv.push_back("--class");
    argv.push_back(*r.class_name);
  }
  argv.push_back(r.file);
  argv.insert(argv.end(), r.args.begin(), r.args.end());
  return argv;
}

std::string BatchProperties(const HostDriverConfig& config, const BatchRequest& r,
                            std::int64_t batch_id) {
  const auto conf =
      SessionSparkConf(config, r, r.name.value_or("livy-batch-" + std::to_string(batch_id)));
  std::string text;
  for (const auto& [k, v] : conf)
    text += PropertyEscape(k, true) + "=" + PropertyEscape(v, false) + "\n";
  return text;
}

std::unique_ptr<BatchFactory> MakeBatchFactory(HostDriverConfig config) {
  return std::make_unique<SubmitFactory>(std::move(config));
}

}  // namespace spyt::livy_server
