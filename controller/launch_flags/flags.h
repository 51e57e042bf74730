#pragma once

// The command line of spyt-launcher, the entrypoint every SPYT process runs:
//
//   spyt-launcher ROLE [flags]      ROLE = master | worker | history | livy
//
// A typed contract between the launcher (controller/launcher parses it) and
// those who start it: the Kubernetes builders (controller/cluster) and the local
// runtime (controller/local). Both of those decide a component's flags with
// ComponentFlags (launch_flags/component_flags.h) and write them with ToArgs;
// neither spells an argv. ParseFlags(ToArgs(f)) == f for every valid f.
// Each flag is a field below and one row of launch_flags/flag_table.cpp, which
// ParseFlags, --help and ToArgs all read.
//
// Parsing is pure: environment defaults are applied later (launcher/context.h).
// A leaf module: it depends on api/ only. Every function is pure and thread-safe.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/units.h"

namespace spyt::launcher {

enum class Role { kMaster, kWorker, kHistory, kLivy };

// "master", "worker", "history", "livy".
const char* RoleName(Role role);

// A flag that is unknown, missing or has a bad value; what() names the flag.
// The launcher exits with code 2 on it.
class FlagError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Thrown for --help: what() is the usage text of the role (or of the launcher).
class HelpRequested : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// host:port of a spark://HOST:PORT master URL.
struct MasterAddress {
  std::string url;  // as given; ToArgs writes it back
  std::string host;
  int port = 0;

  friend bool operator==(const MasterAddress&, const MasterAddress&) = default;
};

// {"spark://HOST:PORT", HOST, PORT}.
MasterAddress MasterAt(const std::string& host, int port);

struct Flags {
  Role role = Role::kMaster;

  // Every role.
  std::string host;        // the address the daemon binds and advertises
  std::string conf_dir;    // holds spark-defaults.conf (a ConfigMap); may be empty
  std::string work_dir;    // generated config and logs; empty: /tmp/spyt/<role>
  std::string spark_home;  // empty: $SPARK_HOME
  std::string java;        // empty: $JAVA_HOME/bin/java, else java on PATH
  bool dry_run = false;
  std::chrono::seconds stop_timeout{20};  // SIGTERM to SIGKILL of the daemon's group

  // master: --port, --webui-port, --rest-port; history: --port; livy: --port.
  int port = 0;
  int webui_port = 0;
  std::optional<int> rest_port;  // master; absent: the REST server stays off

  // worker.
  int cores = 0;
  api::MemorySize memory;
  std::optional<int> worker_port;  // the worker's RPC port; absent: a random one

  // worker and livy.
  MasterAddress master;
  std::chrono::seconds wait_for_master{300};  // 0: do not wait

  // history.
  std::string log_directory;

  // livy: the launcher serves Livy's REST API itself (livy_server/); each
  // session's driver runs <python> <driver home>/spyt_driver.py.
  int max_sessions = 3;
  int driver_cores = 1;
  api::MemorySize driver_memory = api::MemorySize::FromMiB(1024);
  api::Duration session_timeout = api::Duration::FromSeconds(600);
  std::string python;       // empty: $PYSPARK_PYTHON, else python3
  std::string driver_home;  // empty: $SPYT_DRIVER_HOME
  bool csrf_protection = false;
  api::MemorySize max_request_body = api::MemorySize::FromMiB(1);
  api::MemorySize max_code_size = api::MemorySize::FromMiB(1);  // of one statement
  std::string state_dir;  // sessions survive a restart from here; empty: <work dir>/state
  // A SPYT release (the `spyt` package of a ytsaurus-spyt wheel): the jars of its
  // jars/ directory go into every driver's spark.jars. Empty: $SPYT_HOME; unset too:
  // drivers run plain Spark.
  std::string spyt_home;

  friend bool operator==(const Flags&, const Flags&) = default;
};

// Parses the arguments after the program name. Throws FlagError (naming the
// flag) for unknown, missing or bad flags and HelpRequested for --help.
Flags ParseFlags(const std::vector<std::string>& args);

// The arguments after the program name that ParseFlags reads back as `flags`:
// the role, then its flags in a fixed order (the role's own, then --conf-dir,
// --work-dir and the rest); a flag at its default value is left out, except
// the ones a role requires and Livy's SPYT flags, which are always written.
// Fields of other roles are not written (so, set, they do not read back).
std::vector<std::string> ToArgs(const Flags& flags);

// The launcher's usage: roles and the flags every role takes.
std::string Usage();

}  // namespace spyt::launcher
