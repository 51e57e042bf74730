// ToArgs: Flags written back as the command line ParseFlags reads.

#include <string>
#include <vector>

#include "launch_flags/flags.h"

namespace spyt::launcher {
namespace {

const Flags kDefaults{};

class ArgsWriter {
 public:
  explicit ArgsWriter(Role role) : args_{RoleName(role)} {}

  void Add(const std::string& flag, const std::string& value) {
    args_.insert(args_.end(), {"--" + flag, value});
  }
  void Add(const std::string& flag, int value) { Add(flag, std::to_string(value)); }
  void Add(const std::string& flag, std::chrono::seconds value) {
    Add(flag, std::to_string(value.count()));
  }
  void Switch(const std::string& flag) { args_.push_back("--" + flag); }

  // Flags with a default the launcher applies itself: written only when set.
  void Optional(const std::string& flag, const std::string& value) {
    if (!value.empty()) Add(flag, value);
  }
  void Optional(const std::string& flag, const std::optional<int>& value) {
    if (value) Add(flag, *value);
  }
  void Switch(const std::string& flag, bool on) {
    if (on) Switch(flag);
  }

  std::vector<std::string> Take() { return std::move(args_); }

 private:
  std::vector<std::string> args_;
};

void AddRoleFlags(const Flags& f, ArgsWriter& w) {
  switch (f.role) {
    case Role::kMaster:
      w.Add("port", f.port);
      w.Add("webui-port", f.webui_port);
      w.Optional("rest-port", f.rest_port);
      break;
    case Role::kWorker:
      w.Add("cores", f.cores);
      w.Add("memory", f.memory.ToSparkString());
      w.Add("webui-port", f.webui_port);
      w.Optional("worker-port", f.worker_port);
      w.Add("master", f.master.url);
      break;
    case Role::kHistory:
      w.Add("port", f.port);
      w.Add("log-directory", f.log_directory);
      break;
    case Role::kLivy:
      // SPYT's Livy flags are always written, as spark-launch-yt passes them.
      w.Add("port", f.port);
      w.Add("master", f.master.url);
      w.Switch("enable-livy");
      w.Add("livy-max-sessions", f.max_sessions);
      w.Add("livy-driver-cores", f.driver_cores);
      w.Add("livy-driver-memory", f.driver_memory.ToSparkString());
      w.Add("livy-session-timeout", f.session_timeout.ToString());
      w.Switch("csrf-protection", f.csrf_protection);
      if (f.max_request_body != kDefaults.max_request_body) {
        w.Add("max-request-body", f.max_request_body.ToSparkString());
      }
      if (f.max_code_size != kDefaults.max_code_size) {
        w.Add("max-code-size", f.max_code_size.ToSparkString());
      }
      w.Optional("python", f.python);
      w.Optional("driver-home", f.driver_home);
      w.Optional("state-dir", f.state_dir);
      w.Optional("spyt-home", f.spyt_home);
      break;
  }
}

}  // namespace

std::vector<std::string> ToArgs(const Flags& f) {
  ArgsWriter w(f.role);
  w.Add("host", f.host);
  AddRoleFlags(f, w);
  w.Optional("conf-dir", f.conf_dir);
  w.Optional("work-dir", f.work_dir);
  w.Optional("spark-home", f.spark_home);
  w.Optional("java", f.java);
  if (f.stop_timeout != kDefaults.stop_timeout) w.Add("stop-timeout", f.stop_timeout);
  w.Switch("dry-run", f.dry_run);
  const bool waits = f.role == Role::kWorker || f.role == Role::kLivy;
  if (waits && f.wait_for_master != kDefaults.wait_for_master) {
    w.Add("wait-for-master", f.wait_for_master);
  }
  return w.Take();
}

}  // namespace spyt::launcher
