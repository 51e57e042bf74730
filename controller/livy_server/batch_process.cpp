#include "livy_server/batch_process.h"

#include <signal.h>

#include <filesystem>
#include <thread>

#include "common/log.h"
#include "common/process.h"

namespace spyt::livy_server {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class SubmitProcess : public BatchProcess {
 public:
  explicit SubmitProcess(pid_t pid) : pid_(pid) {}
  ~SubmitProcess() override {
    if (!exit_) Kill(milliseconds(2000));
  }

  std::optional<Exit> Poll() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!exit_) {
      if (auto status = process::Reaper::Instance().Poll(pid_)) {
        exit_ = Exit{process::ExitCode(*status), process::DescribeStatus(*status)};
        ::kill(-pid_, SIGKILL);  // what spark-submit left in its group
      }
    }
    return exit_;
  }

  void Kill(milliseconds grace) override {
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
  std::mutex mu_;
  std::optional<Exit> exit_;
};

class SubmitFactory : public BatchFactory {
 public:
  explicit SubmitFactory(HostDriverConfig config) : config_(std::move(config)) {}

  std::unique_ptr<BatchProcess> Start(const BatchLaunch& launch) override {
    fs::create_directories(launch.dir);
    const pid_t pid =
        SpawnSparkProcess(config_, BatchArgv(config_, launch.request, launch.batch_id),
                          launch.request.proxy_user, launch.dir, launch.log_path);
    log::Info("batch started",
              {{"batch", std::to_string(launch.batch_id)}, {"pid", std::to_string(pid)}});
    return std::make_unique<SubmitProcess>(pid);
  }

 private:
  const HostDriverConfig config_;
};

}  // namespace

std::vector<std::string> BatchArgv(const HostDriverConfig& config, const BatchRequest& r,
                                   std::int64_t batch_id) {
  std::vector<std::string> argv = {(fs::path(config.spark_home) / "bin" / "spark-submit").string()};
  const auto conf =
      SessionSparkConf(config, r, r.name.value_or("livy-batch-" + std::to_string(batch_id)));
  for (const auto& [k, v] : conf) {
    argv.push_back("--conf");
    argv.push_back(k + "=" + v);
  }
  if (r.class_name) {
    argv.push_back("--class");
    argv.push_back(*r.class_name);
  }
  argv.push_back(r.file);
  argv.insert(argv.end(), r.args.begin(), r.args.end());
  return argv;
}

std::unique_ptr<BatchFactory> MakeBatchFactory(HostDriverConfig config) {
  return std::make_unique<SubmitFactory>(std::move(config));
}

}  // namespace spyt::livy_server
