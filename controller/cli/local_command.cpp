#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/durations.h"
#include "cli/flags.h"
#include "common/log.h"
#include "http/http.h"
#include "local/local_controller.h"
#include "local/posix_runner.h"
#include "local/spyt_releases.h"
#include "metrics/metrics.h"
#include "runtime/manager.h"

namespace spyt::cli {
namespace {

namespace fs = std::filesystem;

// KEY=VALUE lines (hack/spark-livy.sh writes SPARK_HOME, LIVY_HOME, ...); '#' starts a comment.
std::map<std::string, std::string> ReadEnvFile(const std::string& path) {
  std::map<std::string, std::string> env;
  std::ifstream in(path);
  if (!in)
    throw std::invalid_argument("--spark-livy-env: cannot read " + path +
                                " (run hack/spark-livy.sh)");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

std::string DefaultLauncher() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "spyt-launcher" : (self.parent_path() / "spyt-launcher").string();
}

std::string DefaultEnvFile() {
  const char* cache = std::getenv("SPYT_CACHE");
  if (cache != nullptr) return std::string(cache) + "/spark-livy.env";
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string base = xdg ? xdg : std::string(home ? home : "/tmp") + "/.cache";
  return base + "/spyt-operator/spark-livy.env";
}

}  // namespace

int RunLocal(const std::vector<std::string>& args, const ExitNow& exit_now) {
  namespace po = boost::program_options;
  std::string manifests, state, launcher = DefaultLauncher(), env_file = DefaultEnvFile();
  std::string level = "info", format = "text";
  std::string metrics_address = "127.0.0.1:8080", health_address = "127.0.0.1:8081";
  std::string livy_interval = "10s", livy_timeout = "5s";
  std::string spyt_cache;  // default: the directory of the env file
  po::options_description desc(
      "Usage: spyt-operator local --manifests DIR --state-dir DIR [flags]\n\n"
      "Runs the SpytClusters of DIR as local processes (real Spark and Livy), converging\n"
      "as files change, until SIGINT or SIGTERM.\n\nFlags");
  desc.add_options()("help,h", "show this help")("manifests", po::value(&manifests)->required(),
                                                 "directory of SpytCluster YAML files")(
      "state-dir", po::value(&state)->required(), "where status, discovery, logs and ports go")(
      "launcher", po::value(&launcher)->default_value(launcher), "the spyt-launcher binary")(
      "spark-livy-env", po::value(&env_file)->default_value(env_file), "SPARK_HOME/LIVY_HOME file")(
      "spyt-cache", po::value(&spyt_cache),
      "where SPYT releases are installed, one directory per spytVersion (default: the "
      "directory of --spark-livy-env)")("log-level", po::value(&level)->default_value(level),
                                        "debug, info, warn or error")(
      "log-format", po::value(&format)->default_value(format), "text or json")(
      "metrics-bind-address", po::value(&metrics_address)->default_value(metrics_address),
      "address of /metrics; 0 disables")("health-probe-bind-address",
                                         po::value(&health_address)->default_value(health_address),
                                         "address of /healthz and /readyz; 0 disables")(
      "livy-poll-interval", po::value(&livy_interval)->default_value(livy_interval),
      "how often each Ready Livy's GET /sessions is polled; 0 turns it off")(
      "livy-poll-timeout", po::value(&livy_timeout)->default_value(livy_timeout),
      "how long one Livy poll may take");
  if (!ParseFlags(args, desc)) return 0;
  log::Configure(log::ParseLevel(level), log::ParseFormat(format));
  local::LocalOptions options;
  options.livy.interval = ParseInterval("livy-poll-interval", livy_interval, true);
  options.livy.timeout = ParseInterval("livy-poll-timeout", livy_timeout, false);
  options.livy_transports = [](const std::string& url) { return http::MakeTransport(url, {}); };
  if (!fs::is_directory(manifests))
    throw std::invalid_argument("--manifests: " + manifests + " is not a directory");
  if (::access(launcher.c_str(), X_OK) != 0) {
    throw std::invalid_argument("--launcher: " + launcher + " is not an executable file");
  }
  auto env = ReadEnvFile(env_file);
  env["SPARK_LOCAL_IP"] = "127.0.0.1";
  env["SPARK_LOCAL_HOSTNAME"] = "127.0.0.1";
  fs::create_directories(state);
  state = fs::canonical(state).string();

  local::PosixRunner runner(launcher, env, state + "/logs");
  // pip of the Spark venv installs each cluster's SPYT release (ytsaurus-spyt).
  std::string python = env.count("SPARK_PYTHON") != 0 ? env["SPARK_PYTHON"] : "python3";
  if (spyt_cache.empty()) spyt_cache = fs::absolute(env_file).parent_path().string();
  local::PipSpytReleases releases(python, spyt_cache, RealClock());
  options.spyt_releases = &releases;
  metrics::Metrics metrics(SPYT_OPERATOR_VERSION);
  options.manifests_dir = fs::canonical(manifests).string();
  options.state_dir = state;
  local::LocalController rt(runner, RealClock(), options, &metrics, metrics.Livy());
  if (metrics_address != "0") {
    metrics.Serve(metrics_address);
    log::Info("serving metrics",
              {{"address", metrics_address}, {"port", std::to_string(metrics.port())}});
  }
  runtime::ManagerOptions mo;
  mo.health_probe_bind_address = health_address == "0" ? "" : health_address;
  // Stopping every process takes up to the supervisor's grace period (30s), then SIGKILL.
  mo.graceful_shutdown_timeout = std::chrono::seconds(60);
  mo.on_shutdown_timeout = exit_now;
  runtime::Manager manager(RealClock(), mo);
  manager.Add(rt);
  if (rt.livy_monitor() != nullptr) manager.Add(*rt.livy_monitor());
  manager.Add(metrics.Pollers());
  manager.AddReadyCheck([&rt] { return rt.started(); }, "starting");
  int code = manager.Run();
  log::Info("local controller stopped");
  return code;
}

}  // namespace spyt::cli
