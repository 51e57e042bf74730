#include "launch_flags/flags.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <sstream>

namespace spyt::launcher {
namespace {

namespace po = boost::program_options;

constexpr const char* kRoles[] = {"master", "worker", "history", "livy"};

Role ParseRole(const std::string& name) {
  if (name == "master") return Role::kMaster;
  if (name == "worker") return Role::kWorker;
  if (name == "history") return Role::kHistory;
  if (name == "livy") return Role::kLivy;
  throw FlagError("unknown role \"" + name + "\": expected master, worker, history or livy");
}

// A string-valued option; the text is converted and checked after parsing so
// that every message has the same "--flag: ..." shape.
po::typed_value<std::string>* Text() { return po::value<std::string>(); }
po::typed_value<std::string>* Required() { return po::value<std::string>()->required(); }

// The option tables read best one flag a line.
// clang-format off
po::options_description CommonOptions() {
  po::options_description o("Flags of every role");
  o.add_options()
      ("help,h", "show this help")
      ("host", Required(), "address the daemon binds and advertises (the pod IP)")
      ("conf-dir", Text(), "directory with spark-defaults.conf to start from (a ConfigMap)")
      ("work-dir", Text(), "where generated config, logs and scratch go (default /tmp/spyt/ROLE)")
      ("spark-home", Text(), "Spark installation (default $SPARK_HOME)")
      ("java", Text(), "java binary (default $JAVA_HOME/bin/java, else java on PATH)")
      ("stop-timeout", Text(), "seconds from forwarding SIGTERM to SIGKILL of the daemon (default 20)")
      ("dry-run", po::bool_switch(), "print the config files and the command, start nothing");
  return o;
}

po::options_description RoleOptions(Role role) {
  po::options_description o(std::string("Flags of ") + RoleName(role));
  switch (role) {
    case Role::kMaster:
      o.add_options()
          ("port", Required(), "RPC port (spark://HOST:PORT)")
          ("webui-port", Required(), "web UI port")
          ("rest-port", Text(), "REST submission port; absent: the REST server is off");
      break;
    case Role::kWorker:
      o.add_options()
          ("cores", Required(), "cores the worker offers")
          ("memory", Required(), "memory the worker offers (4096m, 4G, 4Gi)")
          ("webui-port", Required(), "web UI port")
          ("master", Required(), "spark://HOST:PORT of the master")
          ("worker-port", Text(), "RPC port of the worker (default: a free one)")
          ("wait-for-master", Text(), "seconds to wait for the master's port (default 300, 0: none)");
      break;
    case Role::kHistory:
      o.add_options()
          ("port", Required(), "web UI port")
          ("log-directory", Required(), "event log directory (spark.history.fs.logDirectory)");
      break;
    case Role::kLivy:
      o.add_options()
          ("port", Required(), "Livy's HTTP port")
          ("master", Required(), "spark://HOST:PORT of the master")
          ("enable-livy", po::bool_switch(), "accepted as SPYT passes it; the livy role implies it")
          ("livy-max-sessions", Text(), "sessions and batches alive at once (default 3)")
          ("livy-driver-cores", Text(), "cores of each session's driver (default 1)")
          ("livy-driver-memory", Text(), "memory of each session's driver (default 1024m)")
          ("livy-session-timeout", Text(), "idle time before a session ends (default 10m)")
          ("csrf-protection", po::bool_switch(), "POST and DELETE need an X-Requested-By header")
          ("max-request-body", Text(), "largest request body taken (default 1m)")
          ("max-code-size", Text(), "largest code of one statement (default 1m)")
          ("state-dir", Text(), "where sessions and batches are kept across restarts (default WORK_DIR/state)")
          ("python", Text(), "Python of the session drivers (default $PYSPARK_PYTHON, else python3)")
          ("driver-home", Text(), "directory of spyt_driver.py and spyt-repl.jar (default $SPYT_DRIVER_HOME)")
          ("spyt-home", Text(), "SPYT release whose jars/ every driver gets (default $SPYT_HOME; unset: none)")
          ("wait-for-master", Text(), "seconds to wait for the master's port (default 300, 0: none)");
      break;
  }
  return o;
}
// clang-format on

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (unsigned char c : s) {
    if (!std::isdigit(c)) return false;
  }
  return true;
}

int ParseInt(const std::string& flag, const std::string& text, int min, int max) {
  if (!AllDigits(text) || std::stoi(text) < min || std::stoi(text) > max) {
    throw FlagError("--" + flag + ": \"" + text + "\" is not a whole number from " +
                    std::to_string(min) + " to " + std::to_string(max));
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
    throw FlagError("--" + flag + ": " + e.what());
  }
}

api::Duration ParseDuration(const std::string& flag, const std::string& text) {
  try {
    auto d = api::Duration::Parse(text);
    if (d.millis() <= 0) throw api::InvalidUnit("duration \"" + text + "\" must be positive");
    return d;
  } catch (const api::InvalidUnit& e) {
    throw FlagError("--" + flag + ": " + e.what());
  }
}

MasterAddress ParseMaster(const std::string& flag, const std::string& text) {
  const std::string scheme = "spark://";
  const auto colon = text.rfind(':');
  if (text.rfind(scheme, 0) != 0 || colon == std::string::npos || colon <= scheme.size() ||
      text.find_first_of(",/", scheme.size()) != std::string::npos) {
    throw FlagError("--" + flag + ": \"" + text + "\" is not spark://HOST:PORT");
  }
  MasterAddress m{text, text.substr(scheme.size(), colon - scheme.size()), 0};
  m.port = ParsePort(flag, text.substr(colon + 1));
  return m;
}

// The value of a string option, or nullptr when it was not given.
const std::string* Get(const po::variables_map& vm, const std::string& name) {
  auto it = vm.find(name);
  return it == vm.end() ? nullptr : &it->second.as<std::string>();
}

std::string GetOr(const po::variables_map& vm, const std::string& name, std::string fallback) {
  const std::string* v = Get(vm, name);
  return v ? *v : std::move(fallback);
}

std::chrono::seconds ParseSeconds(const po::variables_map& vm, const std::string& name,
                                  std::chrono::seconds fallback) {
  const std::string* v = Get(vm, name);
  return v ? std::chrono::seconds(ParseInt(name, *v, 0, 86400)) : fallback;
}

void FillRoleFlags(const po::variables_map& vm, Flags& f) {
  switch (f.role) {
    case Role::kMaster:
      f.port = ParsePort("port", *Get(vm, "port"));
      f.webui_port = ParsePort("webui-port", *Get(vm, "webui-port"));
      if (const auto* v = Get(vm, "rest-port")) f.rest_port = ParsePort("rest-port", *v);
      break;
    case Role::kWorker:
      f.cores = ParseInt("cores", *Get(vm, "cores"), 1, 4096);
      f.memory = ParseMemory("memory", *Get(vm, "memory"));
      f.webui_port = ParsePort("webui-port", *Get(vm, "webui-port"));
      f.master = ParseMaster("master", *Get(vm, "master"));
      if (const auto* v = Get(vm, "worker-port")) f.worker_port = ParsePort("worker-port", *v);
      f.wait_for_master = ParseSeconds(vm, "wait-for-master", f.wait_for_master);
      break;
    case Role::kHistory:
      f.port = ParsePort("port", *Get(vm, "port"));
      f.log_directory = *Get(vm, "log-directory");
      if (f.log_directory.empty()) throw FlagError("--log-directory: must not be empty");
      break;
    case Role::kLivy:
      f.port = ParsePort("port", *Get(vm, "port"));
      f.master = ParseMaster("master", *Get(vm, "master"));
      f.max_sessions = ParseInt("livy-max-sessions", GetOr(vm, "livy-max-sessions", "3"), 1, 1000);
      f.driver_cores = ParseInt("livy-driver-cores", GetOr(vm, "livy-driver-cores", "1"), 1, 1024);
      f.driver_memory = ParseMemory("livy-driver-memory", GetOr(vm, "livy-driver-memory", "1024m"));
      f.session_timeout =
          ParseDuration("livy-session-timeout", GetOr(vm, "livy-session-timeout", "10m"));
      f.csrf_protection = vm["csrf-protection"].as<bool>();
      f.max_request_body = ParseMemory("max-request-body", GetOr(vm, "max-request-body", "1m"));
      f.max_code_size = ParseMemory("max-code-size", GetOr(vm, "max-code-size", "1m"));
      f.state_dir = GetOr(vm, "state-dir", "");
      f.python = GetOr(vm, "python", "");
      f.driver_home = GetOr(vm, "driver-home", "");
      f.spyt_home = GetOr(vm, "spyt-home", "");
      f.wait_for_master = ParseSeconds(vm, "wait-for-master", f.wait_for_master);
      break;
  }
}

}  // namespace

const char* RoleName(Role role) { return kRoles[static_cast<int>(role)]; }

MasterAddress MasterAt(const std::string& host, int port) {
  return MasterAddress{"spark://" + host + ":" + std::to_string(port), host, port};
}

std::string Usage() {
  std::ostringstream out;
  out << "Usage: spyt-launcher ROLE [flags]\n\n"
         "Prepares the configuration of a SPYT daemon and runs it in the foreground,\n"
         "forwarding SIGTERM and SIGINT and exiting with its status.\n\n"
         "Roles: master, worker, history, livy.\n"
         "Run 'spyt-launcher ROLE --help' for a role's flags.\n";
  return out.str();
}

Flags ParseFlags(const std::vector<std::string>& args) {
  if (args.empty()) throw FlagError("missing role: expected master, worker, history or livy");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") throw HelpRequested(Usage());
  Flags f;
  f.role = ParseRole(args[0]);

  po::options_description visible("Usage: spyt-launcher " + std::string(RoleName(f.role)) +
                                  " [flags]");
  visible.add(RoleOptions(f.role)).add(CommonOptions());
  po::options_description all;
  all.add(visible);
  all.add_options()("unexpected-argument", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("unexpected-argument", -1);

  po::variables_map vm;
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    // No abbreviations: "--por" must not quietly mean "--port".
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(rest).options(all).positional(positional).style(style).run(),
              vm);
    if (vm.count("help") != 0) {
      std::ostringstream usage;
      usage << visible;
      throw HelpRequested(usage.str());
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw FlagError(e.what());
  }
  if (vm.count("unexpected-argument") != 0) {
    throw FlagError("unexpected argument \"" +
                    vm["unexpected-argument"].as<std::vector<std::string>>().front() +
                    "\": every value follows its --flag");
  }

  f.host = *Get(vm, "host");
  if (f.host.empty()) throw FlagError("--host: must not be empty");
  f.conf_dir = GetOr(vm, "conf-dir", "");
  f.work_dir = GetOr(vm, "work-dir", "");
  f.spark_home = GetOr(vm, "spark-home", "");
  f.java = GetOr(vm, "java", "");
  f.dry_run = vm["dry-run"].as<bool>();
  f.stop_timeout = ParseSeconds(vm, "stop-timeout", f.stop_timeout);
  FillRoleFlags(vm, f);
  return f;
}

}  // namespace spyt::launcher
