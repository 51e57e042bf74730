#pragma once

// The configuration files the launcher writes before it starts a daemon.
// Pure functions of a LaunchContext: no environment, no disk, so the exact
// bytes are tested against golden files (tests/golden/launcher/).
//
// Every role: <work>/spark-conf/spark-defaults.conf, the conf dir's file with
// the role's settings merged in (the role's win: they come from its flags).
// Livy's drivers read the same file (SPARK_CONF_DIR); the server itself takes
// its settings from the flags (launcher/livy_role.h).
// Nothing rendered ever holds YT_TOKEN: the daemons read it from their
// environment.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "launcher/context.h"

namespace spyt::launcher {

// key = value pairs in file order.
using Settings = std::vector<std::pair<std::string, std::string>>;

struct ConfigFile {
  std::string path;
  std::string content;
};

// Reads the java.util.Properties subset Spark's files use: "key value",
// "key=value" or "key: value" per line, '#' and '!' comments, a trailing
// backslash continuing a line.
Settings ParseProperties(std::string_view text);
// `base` with each key of `overrides` set: replaced where it was, else appended.
Settings Merge(Settings base, const Settings& overrides);

// The settings a role adds to spark-defaults.conf.
Settings RoleSparkSettings(const LaunchContext& ctx);

std::string RenderSparkDefaults(const LaunchContext& ctx);

// Every file of the role, with its path under the work dir.
std::vector<ConfigFile> RenderConfigFiles(const LaunchContext& ctx);

}  // namespace spyt::launcher
