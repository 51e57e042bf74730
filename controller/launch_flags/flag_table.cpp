#include "launch_flags/flag_table.h"

#include <algorithm>
#include <cctype>

namespace spyt::launcher::detail {
namespace {

const Flags kDefaults{};
const std::vector<Role> kEveryRole = {Role::kMaster, Role::kWorker, Role::kHistory, Role::kLivy};

[[noreturn]] void Bad(const std::string& flag, const std::string& what) {
  throw FlagError("--" + flag + ": " + what);
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

int ParseInt(const std::string& flag, const std::string& text, int min, int max) {
  if (!AllDigits(text) || std::stoi(text) < min || std::stoi(text) > max) {
    Bad(flag, "\"" + text + "\" is not a whole number from " + std::to_string(min) + " to " +
                  std::to_string(max));
  }
  return std::stoi(text);
}

int ParsePort(const std::string& flag, const std::string& text) {
  return ParseInt(flag, text, 1, 65535);
}

api::MemorySize ParseMemory(const std::string& flag, const std::string& text) {
  try {
    auto size = api::MemorySize::Parse(text);
    if (size.mib() == 0) throw api::InvalidUnit("memory size \"" + text + "\" must be positive");
    return size;
  } catch (const api::InvalidUnit& e) {
    Bad(flag, e.what());
  }
}

api::Duration ParseDuration(const std::string& flag, const std::string& text) {
  try {
    auto d = api::Duration::Parse(text);
    if (d.millis() <= 0) throw api::InvalidUnit("duration \"" + text + "\" must be positive");
    return d;
  } catch (const api::InvalidUnit& e) {
    Bad(flag, e.what());
  }
}

MasterAddress ParseMaster(const std::string& flag, const std::string& text) {
  const std::string scheme = "spark://";
  const auto colon = text.rfind(':');
  if (text.rfind(scheme, 0) != 0 || colon == std::string::npos || colon <= scheme.size() ||
      text.find_first_of(",/", scheme.size()) != std::string::npos) {
    Bad(flag, "\"" + text + "\" is not spark://HOST:PORT");
  }
  MasterAddress m{text, text.substr(scheme.size(), colon - scheme.size()), 0};
  m.port = ParsePort(flag, text.substr(colon + 1));
  return m;
}

// Row makers, one per kind of value. `Need` says what happens when the flag is absent.
enum class Need { kRequired, kOptional };

FlagRow Row(std::string name, std::vector<Role> roles, std::string help, Need need) {
  FlagRow r;
  r.name = std::move(name);
  r.roles = std::move(roles);
  r.help = std::move(help);
  r.required = need == Need::kRequired;
  return r;
}

// A path or name; empty means "the launcher's default", so it is written only when set.
FlagRow Text(std::string name, std::vector<Role> roles, std::string help,
             std::string Flags::*field) {
  FlagRow r = Row(std::move(name), std::move(roles), std::move(help), Need::kOptional);
  r.read = [field](const std::string& text, Flags& f) { f.*field = text; };
  r.write = [field](const Flags& f) -> std::optional<std::string> {
    if ((f.*field).empty()) return std::nullopt;
    return f.*field;
  };
  return r;
}

// A path or address every command line of its roles carries: required, not empty.
FlagRow RequiredText(std::string name, std::vector<Role> roles, std::string help,
                     std::string Flags::*field) {
  FlagRow r = Row(name, std::move(roles), std::move(help), Need::kRequired);
  r.read = [name, field](const std::string& text, Flags& f) {
    if (text.empty()) Bad(name, "must not be empty");
    f.*field = text;
  };
  r.write = [field](const Flags& f) -> std::optional<std::string> { return f.*field; };
  return r;
}

FlagRow Port(std::string name, std::vector<Role> roles, std::string help, int Flags::*field) {
  FlagRow r = Row(name, std::move(roles), std::move(help), Need::kRequired);
  r.read = [name, field](const std::string& text, Flags& f) { f.*field = ParsePort(name, text); };
  r.write = [field](const Flags& f) -> std::optional<std::string> {
    return std::to_string(f.*field);
  };
  return r;
}

FlagRow OptionalPort(std::string name, std::vector<Role> roles, std::string help,
                     std::optional<int> Flags::*field) {
  FlagRow r = Row(name, std::move(roles), std::move(help), Need::kOptional);
  r.read = [name, field](const std::string& text, Flags& f) { f.*field = ParsePort(name, text); };
  r.write = [field](const Flags& f) -> std::optional<std::string> {
    if (!(f.*field)) return std::nullopt;
    return std::to_string(*(f.*field));
  };
  return r;
}

// A count every command line carries (required, or SPYT's flags with their defaults).
FlagRow Count(std::string name, std::vector<Role> roles, std::string help, int Flags::*field,
              int min, int max, std::optional<std::string> fallback = std::nullopt) {
  FlagRow r =
      Row(name, std::move(roles), std::move(help), fallback ? Need::kOptional : Need::kRequired);
  r.fallback = std::move(fallback);
  r.read = [name, field, min, max](const std::string& text, Flags& f) {
    f.*field = ParseInt(name, text, min, max);
  };
  r.write = [field](const Flags& f) -> std::optional<std::string> {
    return std::to_string(f.*field);
  };
  return r;
}

// Memory written in Spark's unit: always, or (`only_if_changed`) when not the default.
FlagRow Memory(std::string name, std::vector<Role> roles, std::string help,
               api::MemorySize Flags::*field, std::optional<std::string> fallback,
               bool only_if_changed) {
  FlagRow r =
      Row(name, std::move(roles), std::move(help), fallback ? Need::kOptional : Need::kRequired);
  r.fallback = std::move(fallback);
  r.read = [name, field](const std::string& text, Flags& f) { f.*field = ParseMemory(name, text); };
  r.write = [field, only_if_changed](const Flags& f) -> std::optional<std::string> {
    if (only_if_changed && f.*field == kDefaults.*field) return std::nullopt;
    return (f.*field).ToSparkString();
  };
  return r;
}

// Whole seconds from 0 (none) to a day, written when not the default.
FlagRow Seconds(std::string name, std::vector<Role> roles, std::string help,
                std::chrono::seconds Flags::*field) {
  FlagRow r = Row(name, std::move(roles), std::move(help), Need::kOptional);
  r.read = [name, field](const std::string& text, Flags& f) {
    f.*field = std::chrono::seconds(ParseInt(name, text, 0, 86400));
  };
  r.write = [field](const Flags& f) -> std::optional<std::string> {
    if (f.*field == kDefaults.*field) return std::nullopt;
    return std::to_string((f.*field).count());
  };
  return r;
}

FlagRow Master(std::vector<Role> roles) {
  const std::string name = "master";
  FlagRow r = Row(name, std::move(roles), "spark://HOST:PORT of the master", Need::kRequired);
  r.read = [name](const std::string& text, Flags& f) { f.master = ParseMaster(name, text); };
  r.write = [](const Flags& f) -> std::optional<std::string> { return f.master.url; };
  return r;
}

FlagRow Switch(std::string name, std::vector<Role> roles, std::string help, bool Flags::*field) {
  FlagRow r = Row(std::move(name), std::move(roles), std::move(help), Need::kOptional);
  r.is_switch = true;
  r.read = [field](const std::string&, Flags& f) { f.*field = true; };
  r.write = [field](const Flags& f) -> std::optional<std::string> {
    if (!(f.*field)) return std::nullopt;
    return "";
  };
  return r;
}

std::vector<FlagRow> BuildTable() {
  using R = Role;
  std::vector<FlagRow> t;
  t.push_back(RequiredText("host", kEveryRole,
                           "address the daemon binds and advertises (the pod IP)", &Flags::host));

  t.push_back(Port("port", {R::kMaster}, "RPC port (spark://HOST:PORT)", &Flags::port));
  t.push_back(Port("webui-port", {R::kMaster}, "web UI port", &Flags::webui_port));
  t.push_back(OptionalPort("rest-port", {R::kMaster},
                           "REST submission port; absent: the REST server is off",
                           &Flags::rest_port));

  t.push_back(Count("cores", {R::kWorker}, "cores the worker offers", &Flags::cores, 1, 4096));
  t.push_back(Memory("memory", {R::kWorker}, "memory the worker offers (4096m, 4G, 4Gi)",
                     &Flags::memory, std::nullopt, false));
  t.push_back(Port("webui-port", {R::kWorker}, "web UI port", &Flags::webui_port));
  t.push_back(OptionalPort("worker-port", {R::kWorker},
                           "RPC port of the worker (default: a free one)", &Flags::worker_port));
  t.push_back(Master({R::kWorker}));

  t.push_back(Port("port", {R::kHistory}, "web UI port", &Flags::port));
  t.push_back(RequiredText("log-directory", {R::kHistory},
                           "event log directory (spark.history.fs.logDirectory)",
                           &Flags::log_directory));

  // SPYT's Livy flags are always written, as spark-launch-yt passes them.
  t.push_back(Port("port", {R::kLivy}, "Livy's HTTP port", &Flags::port));
  t.push_back(Master({R::kLivy}));
  FlagRow enable = Row("enable-livy", {R::kLivy},
                       "accepted as SPYT passes it; the livy role implies it", Need::kOptional);
  enable.is_switch = true;
  enable.read = [](const std::string&, Flags&) {};
  enable.write = [](const Flags&) -> std::optional<std::string> { return ""; };
  t.push_back(std::move(enable));
  t.push_back(Count("livy-max-sessions", {R::kLivy},
                    "sessions and batches alive at once (default 3)", &Flags::max_sessions, 1, 1000,
                    "3"));
  t.push_back(Count("livy-driver-cores", {R::kLivy}, "cores of each session's driver (default 1)",
                    &Flags::driver_cores, 1, 1024, "1"));
  t.push_back(Memory("livy-driver-memory", {R::kLivy},
                     "memory of each session's driver (default 1024m)", &Flags::driver_memory,
                     "1024m", false));
  FlagRow timeout = Row("livy-session-timeout", {R::kLivy},
                        "idle time before a session ends (default 10m)", Need::kOptional);
  timeout.fallback = "10m";
  timeout.read = [](const std::string& text, Flags& f) {
    f.session_timeout = ParseDuration("livy-session-timeout", text);
  };
  timeout.write = [](const Flags& f) -> std::optional<std::string> {
    return f.session_timeout.ToString();
  };
  t.push_back(std::move(timeout));
  t.push_back(Switch("csrf-protection", {R::kLivy}, "POST and DELETE need an X-Requested-By header",
                     &Flags::csrf_protection));
  t.push_back(Memory("max-request-body", {R::kLivy}, "largest request body taken (default 1m)",
                     &Flags::max_request_body, "1m", true));
  t.push_back(Memory("max-code-size", {R::kLivy}, "largest code of one statement (default 1m)",
                     &Flags::max_code_size, "1m", true));
  t.push_back(Text("python", {R::kLivy},
                   "Python of the session drivers (default $PYSPARK_PYTHON, else python3)",
                   &Flags::python));
  t.push_back(Text("driver-home", {R::kLivy},
                   "directory of spyt_driver.py and spyt-repl.jar (default $SPYT_DRIVER_HOME)",
                   &Flags::driver_home));
  t.push_back(Text("state-dir", {R::kLivy},
                   "where sessions and batches are kept across restarts (default WORK_DIR/state)",
                   &Flags::state_dir));
  t.push_back(Text("spyt-home", {R::kLivy},
                   "SPYT release whose jars/ every driver gets (default $SPYT_HOME; unset: none)",
                   &Flags::spyt_home));

  t.push_back(Text("conf-dir", kEveryRole,
                   "directory with spark-defaults.conf to start from (a ConfigMap)",
                   &Flags::conf_dir));
  t.push_back(Text("work-dir", kEveryRole,
                   "where generated config, logs and scratch go (default /tmp/spyt/ROLE)",
                   &Flags::work_dir));
  t.push_back(Text("spark-home", kEveryRole, "Spark installation (default $SPARK_HOME)",
                   &Flags::spark_home));
  t.push_back(Text("java", kEveryRole,
                   "java binary (default $JAVA_HOME/bin/java, else java on PATH)", &Flags::java));
  t.push_back(Seconds("stop-timeout", kEveryRole,
                      "seconds from forwarding SIGTERM to SIGKILL of the daemon (default 20)",
                      &Flags::stop_timeout));
  t.push_back(Switch("dry-run", kEveryRole, "print the config files and the command, start nothing",
                     &Flags::dry_run));
  t.push_back(Seconds("wait-for-master", {R::kWorker, R::kLivy},
                      "seconds to wait for the master's port (default 300, 0: none)",
                      &Flags::wait_for_master));
  return t;
}

}  // namespace

bool FlagRow::TakenBy(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const std::vector<FlagRow>& FlagTable() {
  static const std::vector<FlagRow> table = BuildTable();
  return table;
}

}  // namespace spyt::launcher::detail
