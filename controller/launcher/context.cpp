#include "launcher/context.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

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

std::vector<std::string> SplitCommaList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The *.jar files of a directory, sorted; none when it does not exist.
std::vector<std::string> JarsIn(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".jar") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A list from the environment variable when set, else the jars of `dir`.
std::vector<std::string> JarList(const Environment& env, const std::string& variable,
                                 const fs::path& dir) {
  const std::string listed = Lookup(env, variable);
  return listed.empty() ? JarsIn(dir) : SplitCommaList(listed);
}

std::string Required(const std::string& flag_value, const Environment& env,
                     const std::string& variable, const std::string& flag) {
  if (!flag_value.empty()) return flag_value;
  std::string value = Lookup(env, variable);
  if (value.empty()) throw FlagError("--" + flag + ": not given and " + variable + " is not set");
  return value;
}

std::string JavaOf(const Flags& flags, const Environment& env) {
  if (!flags.java.empty()) return flags.java;
  const std::string java_home = Lookup(env, "JAVA_HOME");
  return java_home.empty() ? "java" : (fs::path(java_home) / "bin" / "java").string();
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
      .livy_conf_dir = (work / "livy-conf").string(),
      .log_dir = (work / "logs").string(),
      .files_dir = (work / "files").string() + "/",
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
  ctx.yt_configured = !Lookup(env, "YT_PROXY").empty() || !Lookup(env, "YT_USER").empty();
  if (!flags.conf_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(flags.conf_dir, ec)) {
      throw FlagError("--conf-dir: " + flags.conf_dir + " is not a directory");
    }
    ctx.base_spark_defaults = ReadFileIfExists(fs::path(flags.conf_dir) / "spark-defaults.conf");
  }
  if (flags.role == Role::kLivy) {
    ctx.livy_home = Required(flags.livy_home, env, "LIVY_HOME", "livy-home");
    ctx.java = JavaOf(flags, env);
    const fs::path home(ctx.livy_home);
    ctx.rsc_jars = JarList(env, "LIVY_RSC_JARS", home / "rsc-jars");
    ctx.repl_jars = JarList(env, "LIVY_REPL_JARS", home / "repl_2.12-jars");
  }
  return ctx;
}

}  // namespace spyt::launcher
