#pragma once

// The command line of spyt-launcher, the entrypoint every SPYT container runs:
//
//   spyt-launcher ROLE [flags]      ROLE = master | worker | history | livy
//
// The role flags are a contract with the Kubernetes builders (controller/spyt,
// tests/spyt/launcher_args_test.cpp); the rest (--work-dir, --wait-for-master,
// --spark-home, ...) serve the local runtime and have defaults that fit a
// container. Parsing is pure: environment defaults are applied later
// (launcher/context.h).

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
  std::string url;  // as given
  std::string host;
  int port = 0;
};

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
  std::string state_dir;  // sessions survive a restart from here; empty: <work dir>/state
};

// Parses the arguments after the program name. Throws FlagError (naming the
// flag) for unknown, missing or bad flags and HelpRequested for --help.
Flags ParseFlags(const std::vector<std::string>& args);

// The launcher's usage: roles and the flags every role takes.
std::string Usage();

}  // namespace spyt::launcher
