#include "livy_server/host_driver.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "common/json.h"
#include "common/log.h"
#include "common/process.h"
#include "http/http.h"
#include "livy_server/orphan_process.h"
#include "livy_server/state_store.h"

namespace spyt::livy_server {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

void Append(std::map<std::string, std::string>& conf, const std::string& key,
            const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::string joined = conf[key];
  for (const auto& item : items) joined += (joined.empty() ? "" : ",") + item;
  conf[key] = joined;
}

// Private (0600, as the state records): the spec holds the session's conf, tokens included.
void WriteAtomically(const std::string& path, const std::string& text) {
  try {
    WriteFileAtomically(path, text);
  } catch (const StateStoreError& e) {
    throw DriverError(e.what());
  }
}

Statement StatementFromJson(const json::Value& v) {
  Statement st;
  st.id = json::IntAt(v, {"id"}, -1);
  st.code = json::StringAt(v, {"code"});
  if (auto kind = ParseKind(json::StringAt(v, {"kind"}))) st.kind = *kind;
  auto state = ParseStatementState(json::StringAt(v, {"state"}));
  if (!state) throw DriverError("the driver sent a statement in an unknown state");
  st.state = *state;
  if (const json::Value* out = v.find("output")) st.output = *out;
  if (const json::Value* p = v.find("progress"); p && p->is_number()) st.progress = p->as_double();
  st.started_ms = json::IntAt(v, {"started"}, 0);
  st.completed_ms = json::IntAt(v, {"completed"}, 0);
  return st;
}

// A driver this server started (`own_child`: waited for through the reaper) or
// one a previous server started (re-attached: followed through /proc).
class HostDriver : public Driver {
 public:
  HostDriver(pid_t pid, std::string endpoint_file, std::string marker, bool own_child)
      : pid_(pid),
        endpoint_file_(std::move(endpoint_file)),
        marker_(std::move(marker)),
        own_child_(own_child) {}

  ~HostDriver() override {
    if (!exit_) Stop(milliseconds(2000));
  }

  DriverStatus Status() override {
    std::lock_guard<std::mutex> lock(mu_);
    RefreshLocked();
    DriverStatus st;
    if (exit_) {
      st.phase = DriverStatus::Phase::kExited;
      st.exit = *exit_;
    } else if (transport_) {
      st.phase = DriverStatus::Phase::kReady;
      st.app_id = app_id_;
      st.spark_ui = spark_ui_;
    }
    return st;
  }

  void Submit(const Statement& s) override {
    json::Object body;
    body["id"] = s.id;
    body["code"] = s.code;
    body["kind"] = KindName(s.kind);
    Call("POST", "/statements", json::Dump(body), milliseconds(10000));
  }

  std::vector<Statement> Updates(milliseconds wait) override {
    std::int64_t after;
    {
      std::lock_guard<std::mutex> lock(mu_);
      after = version_;
    }
    const json::Value answer = Call(
        "GET",
        "/statements?after=" + std::to_string(after) + "&wait_ms=" + std::to_string(wait.count()),
        "", wait + milliseconds(10000));
    std::vector<Statement> out;
    if (const json::Value* list = answer.find("statements"); list && list->is_array()) {
      for (const auto& item : list->as_array()) out.push_back(StatementFromJson(item));
    }
    std::lock_guard<std::mutex> lock(mu_);
    version_ = std::max(version_, json::IntAt(answer, {"version"}, version_));
    return out;
  }

  void Cancel(std::int64_t statement_id) override {
    Call("POST", "/statements/" + std::to_string(statement_id) + "/cancel", "{}",
         milliseconds(10000));
  }

  void Stop(milliseconds grace) override {
    try {
      Call("POST", "/shutdown", "{}", milliseconds(2000));
    } catch (const DriverError&) {
      // Not answering: the signals below end it.
    }
    if (WaitExit(grace)) return;
    ::kill(-pid_, SIGTERM);
    if (WaitExit(milliseconds(5000))) return;
    ::kill(-pid_, SIGKILL);
    WaitExit(milliseconds(5000));
  }

 private:
  // With mu_ held: reaps an exited driver, reads the endpoint once it exists.
  void RefreshLocked() {
    if (exit_) return;
    if (auto how = EndedLocked()) {
      exit_ = *how;
      // Whatever it left in its group (its JVM); not a group a recycled pid leads.
      if (own_child_ || Check(pid_, marker_) == Liveness::kGone) ::kill(-pid_, SIGKILL);
      transport_.reset();
      return;
    }
    if (transport_) return;
    std::ifstream in(endpoint_file_);
    if (!in) return;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      const json::Value v = json::Parse(text);
      const std::int64_t port = json::IntAt(v, {"port"}, 0);
      const std::string host = json::StringAt(v, {"host"});
      if (port <= 0) return;
      app_id_ = json::StringAt(v, {"app_id"});
      spark_ui_ = json::StringAt(v, {"spark_ui"});
      transport_ = std::shared_ptr<http::Transport>(http::MakeTransport(
          "http://" + (host.empty() ? std::string("127.0.0.1") : host) + ":" + std::to_string(port),
          {}));
    } catch (const std::exception&) {
      // Written atomically, so a parse failure is a driver bug: keep waiting.
    }
  }

  std::optional<std::string> EndedLocked() {
    if (own_child_) {
      auto status = process::Reaper::Instance().Poll(pid_);
      return status ? std::optional(process::DescribeStatus(*status)) : std::nullopt;
    }
    if (ProcessRuns(pid_, marker_)) return std::nullopt;
    return "ended (started by a previous server: its exit status is unknown)";
  }

  bool WaitExit(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        RefreshLocked();
        if (exit_) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  json::Value Call(const std::string& method, const std::string& path, const std::string& body,
                   milliseconds timeout) {
    std::shared_ptr<http::Transport> transport;
    {
      std::lock_guard<std::mutex> lock(mu_);
      RefreshLocked();
      transport = transport_;
    }
    if (!transport) throw DriverError("the driver is not running");
    http::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.timeout = timeout;
    if (!body.empty()) req.headers["content-type"] = "application/json";
    http::Response resp;
    try {
      resp = transport->Send(req);
    } catch (const http::TransportError& e) {
      throw DriverError(std::string("the driver does not answer: ") + e.what());
    }
    if (resp.status < 200 || resp.status >= 300) {
      throw DriverError("the driver answered " + std::to_string(resp.status) + " to " + method +
                        " " + path + ": " + resp.body);
    }
    try {
      return resp.body.empty() ? json::Value() : json::Parse(resp.body);
    } catch (const json::ParseError& e) {
      throw DriverError(std::string("the driver sent bad JSON: ") + e.what());
    }
  }

  const pid_t pid_;
  const std::string endpoint_file_;
  const std::string marker_;  // in its command line: its spec file
  const bool own_child_;
  std::mutex mu_;
  std::optional<std::string> exit_;
  std::shared_ptr<http::Transport> transport_;
  std::string app_id_;
  std::string spark_ui_;
  std::int64_t version_ = 0;
};

class HostDriverFactory : public DriverFactory {
  static std::string PidFile(const DriverLaunch& launch) {
    return (fs::path(launch.dir) / "driver.pid").string();
  }

 public:
  explicit HostDriverFactory(HostDriverConfig config) : config_(std::move(config)) {}

  std::unique_ptr<Driver> Start(const DriverLaunch& launch) override {
    fs::create_directories(launch.dir);
    const std::string endpoint = (fs::path(launch.dir) / "endpoint.json").string();
    const std::string class_dir = (fs::path(launch.dir) / "repl-classes").string();
    fs::remove(endpoint);
    fs::create_directories(class_dir);
    const std::string app_name =
        launch.request.name.value_or("livy-session-" + std::to_string(launch.session_id));
    json::Object conf;
    for (const auto& [k, v] : SessionSparkConf(config_, launch.request, app_name)) conf[k] = v;
    json::Object spec;
    spec["session_id"] = launch.session_id;
    spec["kind"] = KindName(launch.request.kind);
    spec["master"] = config_.master_url;
    spec["app_name"] = app_name;
    spec["bind_host"] = config_.bind_host;
    spec["endpoint_file"] = endpoint;
    spec["class_dir"] = class_dir;
    spec["repl_jar"] = config_.repl_jar;
    spec["conf"] = std::move(conf);
    spec["orphan_timeout_s"] = static_cast<std::int64_t>(config_.orphan_timeout.count());
    spec["max_request_bytes"] = static_cast<std::int64_t>(config_.max_request_bytes);
    const std::string spec_path = (fs::path(launch.dir) / "spec.json").string();
    WriteAtomically(spec_path, json::Dump(spec, 2));
    fs::permissions(spec_path, fs::perms::owner_read | fs::perms::owner_write);

    const pid_t pid =
        SpawnSparkProcess(config_, {config_.python, config_.driver_script, "--spec", spec_path},
                          launch.request.proxy_user, launch.dir, launch.log_path);
    log::Info("session driver started",
              {{"session", std::to_string(launch.session_id)}, {"pid", std::to_string(pid)}});
    try {
      WritePidFile(PidFile(launch), pid);
    } catch (const std::exception& e) {
      log::Warn("a restarted server will not find this driver", {{"error", e.what()}});
    }
    return std::make_unique<HostDriver>(pid, endpoint, spec_path, true);
  }

  std::unique_ptr<Driver> Attach(const DriverLaunch& launch) override {
    const std::string spec_path = (fs::path(launch.dir) / "spec.json").string();
    const auto pid = ReadPidFile(PidFile(launch));
    if (!pid) throw DriverError("no driver pid in " + PidFile(launch));
    if (!ProcessRuns(*pid, spec_path)) {
      throw DriverError("its driver (pid " + std::to_string(*pid) + ") is no longer running");
    }
    log::Info("session driver re-attached",
              {{"session", std::to_string(launch.session_id)}, {"pid", std::to_string(*pid)}});
    return std::make_unique<HostDriver>(*pid, (fs::path(launch.dir) / "endpoint.json").string(),
                                        spec_path, false);
  }

 private:
  const HostDriverConfig config_;
};

}  // namespace

std::map<std::string, std::string> SessionSparkConf(const HostDriverConfig& config,
                                                    const SparkRequest& r,
                                                    const std::string& app_name) {
  std::map<std::string, std::string> conf = config.base_conf;
  for (const auto& [k, v] : r.conf) conf[k] = v;
  conf["spark.app.name"] = app_name;
  // The container holds --livy-driver-memory/--livy-driver-cores for each
  // driver: the request may ask for less (requests.h checks), the base conf not.
  if (r.driver_memory) {
    conf["spark.driver.memory"] = *r.driver_memory;
  } else if (!r.conf.count("spark.driver.memory")) {
    conf["spark.driver.memory"] = config.limits.memory.ToSparkString();
  }
  if (r.driver_cores) {
    conf["spark.driver.cores"] = std::to_string(*r.driver_cores);
  } else if (!r.conf.count("spark.driver.cores")) {
    conf["spark.driver.cores"] = std::to_string(config.limits.cores);
  }
  if (r.executor_memory) conf["spark.executor.memory"] = *r.executor_memory;
  if (r.executor_cores) conf["spark.executor.cores"] = std::to_string(*r.executor_cores);
  if (r.num_executors) conf["spark.executor.instances"] = std::to_string(*r.num_executors);
  if (r.queue) conf["spark.yarn.queue"] = *r.queue;
  Append(conf, "spark.jars", r.jars);
  if (!config.spyt_jars.empty()) {  // before the session's own: SPYT's classes come first
    std::string jars = conf["spark.jars"];
    conf["spark.jars"].clear();
    Append(conf, "spark.jars", config.spyt_jars);
    if (!jars.empty()) conf["spark.jars"] += "," + jars;
  }
  Append(conf, "spark.submit.pyFiles", r.py_files);
  Append(conf, "spark.files", r.files);
  Append(conf, "spark.archives", r.archives);
  conf["spark.master"] = config.master_url;
  conf["spark.submit.deployMode"] = "client";
  conf["spark.driver.host"] = config.bind_host;
  conf["spark.driver.bindAddress"] = config.bind_host;
  return conf;
}

pid_t SpawnSparkProcess(const HostDriverConfig& config, std::vector<std::string> argv,
                        const std::optional<std::string>& proxy_user, const std::string& dir,
                        const std::string& log_path) {
  process::Command command;
  command.argv = std::move(argv);
  command.env = config.env;
  if (proxy_user) command.env.emplace_back("SPARK_USER", *proxy_user);
  process::SpawnOptions spawn;
  spawn.output_file = log_path;
  spawn.working_dir = dir;
  pid_t pid = 0;
  try {
    pid = process::Spawn(command, spawn);
  } catch (const process::SpawnError& e) {
    throw DriverError(e.what());
  }
  process::Reaper::Instance().Track(pid);
  return pid;
}

std::unique_ptr<DriverFactory> MakeHostDriverFactory(HostDriverConfig config) {
  return std::make_unique<HostDriverFactory>(std::move(config));
}

}  // namespace spyt::livy_server
