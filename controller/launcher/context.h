#pragma once

// What the pure rendering (config.h, command.h) starts from: the flags with
// their defaults taken from the environment, the paths under the work dir, and
// what was read from disk (the ConfigMap's spark-defaults.conf, Livy's jars).
// ResolveContext is the only place here that reads the environment or files.

#include <map>
#include <string>
#include <vector>

#include "launch_flags/flags.h"

namespace spyt::launcher {

// Environment variables by name, captured once; tests build their own.
using Environment = std::map<std::string, std::string>;

Environment CaptureEnvironment();
// The value, or "" when unset.
std::string Lookup(const Environment& env, const std::string& name);

// Where the launcher writes; everything but worker_dir is under work_dir.
struct Layout {
  std::string work_dir;
  std::string spark_conf_dir;  // <work>/spark-conf: the daemon's SPARK_CONF_DIR
  std::string livy_dir;        // <work>/livy: sessions' and batches' files and logs (livy)
  std::string worker_dir;      // $SPARK_WORKER_DIR, else <work>/worker (worker)
};

// The default work dir of a role: /tmp/spyt/<role>. Several daemons of one
// role on one machine need --work-dir each.
std::string DefaultWorkDir(Role role);
Layout LayoutOf(const Flags& flags, const Environment& env);

struct LaunchContext {
  Flags flags;
  Layout layout;
  std::string spark_home;
  // livy only: how each session's driver runs.
  std::string python;                  // --python, $PYSPARK_PYTHON, else python3
  std::string driver_script;           // <driver home>/spyt_driver.py
  std::string repl_jar;                // <driver home>/spyt-repl.jar
  std::string spyt_home;               // --spyt-home, else $SPYT_HOME; empty: no SPYT release
  std::vector<std::string> spyt_jars;  // launcher/spyt_jars.h: first in every driver's spark.jars
  // SPARK_LOCAL_IP / SPARK_LOCAL_HOSTNAME of the daemon: the environment's
  // when set (the pod spec sets the hostname), else --host, so that Spark
  // binds the address it advertises rather than the machine's first one.
  std::string local_ip;
  std::string local_hostname;
  // <conf-dir>/spark-defaults.conf as read ("" without --conf-dir).
  std::string base_spark_defaults;
};

// Fills the defaults from `env` and reads the conf dir and Livy's jar dirs.
// Throws FlagError when a needed default is missing too (--spark-home without
// SPARK_HOME, ...) and std::runtime_error when a file cannot be read.
LaunchContext ResolveContext(const Flags& flags, const Environment& env);

}  // namespace spyt::launcher
