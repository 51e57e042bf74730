#pragma once

// The real drivers: each session runs controller/livy_server/driver/spyt_driver.py
// (Python with pyspark, which starts the Spark driver JVM in client mode
// against the master; Scala statements run in a Scala interpreter inside that
// JVM), in a process group of its own, stdout and stderr into the session's log.
// The server talks to it over HTTP on `bind_host` (its control API: statements,
// a long poll of their changes, cancel, shutdown); the driver writes its port to
// <session dir>/endpoint.json once Spark runs.
//
// Drivers outlive their server (no parent-death signal, a process group of
// their own): a restarted server re-attaches to them (Attach: the pid in
// <session dir>/driver.pid, checked against /proc, then endpoint.json). A
// driver that hears nothing from any server for `orphan_timeout` (the session
// timeout) ends itself.
//
// Thread-safe.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "livy_server/driver.h"
#include "livy_server/requests.h"

namespace spyt::livy_server {

// What a driver must take for a statement of `max_code_bytes`: JSON may escape each
// byte as \u00XX (6 bytes), plus the request's other fields.
constexpr std::size_t DriverRequestLimit(std::size_t max_code_bytes) {
  return 6 * max_code_bytes + 64 * 1024;
}

struct HostDriverConfig {
  std::string python;         // runs spyt_driver.py; imports pyspark
  std::string driver_script;  // spyt_driver.py
  std::string repl_jar;       // the Scala interpreter's helper classes
  std::string spark_home;
  std::string spark_conf_dir;  // SPARK_CONF_DIR of the drivers (may be empty)
  std::string master_url;      // spark://host:port
  std::string bind_host;       // the driver's control API and spark.driver.host
  DriverLimits limits;         // every driver's cores and memory unless it asks for less
  // Spark conf every driver starts from (the cluster's spark-defaults.conf).
  std::map<std::string, std::string> base_conf;
  // SPYT's jars (launcher/spyt_jars.h), first in every driver's spark.jars.
  std::vector<std::string> spyt_jars;
  std::chrono::seconds orphan_timeout{60};
  // The largest request body a driver's control API takes (its POST /statements).
  std::size_t max_request_bytes = DriverRequestLimit(1024 * 1024);
  // Extra environment of every driver (SPARK_HOME, PYSPARK_PYTHON, ...).
  std::vector<std::pair<std::string, std::string>> env;
};

// The Spark conf a session's driver runs with: the base conf, then the
// request's conf, then its fields (driverMemory, jars, ...), then what the
// server decides (master, client mode, the driver's host and limits).
std::map<std::string, std::string> SessionSparkConf(const HostDriverConfig& config,
                                                    const SparkRequest& request,
                                                    const std::string& app_name);

// Starts a session's or batch's process: `argv` with the config's environment
// (and SPARK_USER = the proxy user), in a process group of its own, in `dir`,
// stdout and stderr appended to `log_path`; tracked by the process reaper.
// Throws DriverError when it cannot be started.
pid_t SpawnSparkProcess(const HostDriverConfig& config, std::vector<std::string> argv,
                        const std::optional<std::string>& proxy_user, const std::string& dir,
                        const std::string& log_path);

std::unique_ptr<DriverFactory> MakeHostDriverFactory(HostDriverConfig config);

}  // namespace spyt::livy_server
