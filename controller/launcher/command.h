#pragma once

// The JVM each role runs, as a pure function of the LaunchContext:
//
//   master   $SPARK_HOME/bin/spark-class org.apache.spark.deploy.master.Master
//              --host H --port P --webui-port W     (REST port: spark-defaults.conf)
//   worker   ... org.apache.spark.deploy.worker.Worker --cores N --memory M --host H
//              --webui-port W [--port X] --work-dir D spark://MASTER
//   history  ... org.apache.spark.deploy.history.HistoryServer   (log dir and port:
//              spark-defaults.conf)
//   livy     no JVM: the launcher serves Livy's REST API itself (livy_role.h);
//            the command is what each session's driver runs:
//              <python> <driver home>/spyt_driver.py   (+ --spec FILE per session)

#include <string>
#include <utility>
#include <vector>

#include "common/process.h"
#include "launcher/context.h"

namespace spyt::launcher {

// env is set on top of the launcher's own environment (which the daemon inherits,
// YT_TOKEN included: that is how it reaches YT without being written anywhere).
using Command = process::Command;

Command BuildCommand(const LaunchContext& ctx);

// The environment as NAME=value, then the argv, shell-quoted and each ended by
// `separator`: "\n" for --dry-run, " " for one log line a shell would take.
std::string FormatCommand(const Command& command, const std::string& separator = "\n");

}  // namespace spyt::launcher
