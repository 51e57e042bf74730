#include "launcher/context.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "launcher/spyt_jars.h"

extern char** environ;

namespace spyt::launcher {
namespace {

namespace fs = std::filesystem;

std::string ReadFileIfExists(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Required(const std::string& flag_value, const Environment& env,
                     const std::string& variable, const std::string& flag) {
  if (!flag_value.empty()) return flag_value;
  std::string value = Lookup(env, variable);
  if (value.empty()) throw FlagError("--" + flag + ": not given and " + variable + " is not set");
  return value;
}

std::string OrHost(const Environment& env, const std::string& variable, const Flags& flags) {
  std::string value = Lookup(env, variable);
  return value.empty() ? flags.host : value;
}

}  // namespace

Environment CaptureEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::string Lookup(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

std::string DefaultWorkDir(Role role) { return std::string("/tmp/spyt/") + RoleName(role); }

Layout LayoutOf(const Flags& flags, const Environment& env) {
  const fs::path work = flags.work_dir.empty() ? DefaultWorkDir(flags.role) : flags.work_dir;
  const std::string worker_dir = Lookup(env, "SPARK_WORKER_DIR");
  return Layout{
      .work_dir = work.string(),
      .spark_conf_dir = (work / "spark-conf").string(),
      .livy_dir = (work / "livy").string(),
      .worker_dir = worker_dir.empty() ? (work / "worker").string() : worker_dir,
  };
}

LaunchContext ResolveContext(const Flags& flags, const Environment& env) {
  LaunchContext ctx;
  ctx.flags = flags;
  ctx.layout = LayoutOf(flags, env);
  ctx.spark_home = Required(flags.spark_home, env, "SPARK_HOME", "spark-home");
  ctx.local_ip = OrHost(env, "SPARK_LOCAL_IP", flags);
  ctx.local_hostname = OrHost(env, "SPARK_LOCAL_HOSTNAME", flags);
  if (!flags.conf_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(flags.conf_dir, ec)) {
      throw FlagError("--conf-dir: " + flags.conf_dir + " is not a directory");
    }
    ctx.base_spark_defaults = ReadFileIfExists(fs::path(flags.conf_dir) / "spark-defaults.conf");
  }
  if (flags.role == Role::kLivy) {
    const fs::path home = Required(flags.driver_home, env, "SPYT_DRIVER_HOME", "driver-home");
    ctx.driver_script = (home / "spyt_driver.py").string();
    ctx.repl_jar = (home / "spyt-repl.jar").string();
    ctx.python = flags.python.empty() ? Lookup(env, "PYSPARK_PYTHON") : flags.python;
    if (ctx.python.empty()) ctx.python = "python3";
    ctx.spyt_home = flags.spyt_home.empty() ? Lookup(env, "SPYT_HOME") : flags.spyt_home;
    if (!ctx.spyt_home.empty()) ctx.spyt_jars = ReadSpytJars(ctx.spyt_home);
  }
  return ctx;
}

}  // namespace spyt::launcher
