#pragma once

// The JVM each role runs, as a pure function of the LaunchContext:
//
//   master   $SPARK_HOME/bin/spark-class org.apache.spark.deploy.master.Master
//              --host H --port P --webui-port W     (REST port: spark-defaults.conf)
//   worker   ... org.apache.spark.deploy.worker.Worker --cores N --memory M --host H
//              --webui-port W [--port X] --work-dir D spark://MASTER
//   history  ... org.apache.spark.deploy.history.HistoryServer   (log dir and port:
//              spark-defaults.conf)
//   livy     java -Xmx<server memory> -cp "$LIVY_HOME/jars/*:<livy conf>:<spark conf>"
//              org.apache.livy.server.LivyServer
//
// Livy's classpath holds Livy's jars and the two conf dirs only: Spark's jars
// would clash with Livy's Scala libraries, and the server reaches Spark through
// $SPARK_HOME/bin/spark-submit.

#include <string>
#include <utility>
#include <vector>

#include "launcher/context.h"

namespace spyt::launcher {

struct Command {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up on PATH
  // Set on top of the launcher's own environment (which the daemon inherits,
  // YT_TOKEN included: that is how it reaches YT without being written anywhere).
  std::vector<std::pair<std::string, std::string>> env;
};

Command BuildCommand(const LaunchContext& ctx);

// The environment as NAME=value, then the argv, shell-quoted and each ended by
// `separator`: "\n" for --dry-run, " " for one log line a shell would take.
std::string FormatCommand(const Command& command, const std::string& separator = "\n");

}  // namespace spyt::launcher
