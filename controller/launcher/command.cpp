#include "launcher/command.h"

#include <filesystem>

namespace spyt::launcher {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, std::string>> SparkEnv(const LaunchContext& ctx) {
  return {{"SPARK_HOME", ctx.spark_home},
          {"SPARK_CONF_DIR", ctx.layout.spark_conf_dir},
          {"SPARK_LOCAL_IP", ctx.local_ip},
          {"SPARK_LOCAL_HOSTNAME", ctx.local_hostname}};
}

Command SparkDaemon(const LaunchContext& ctx, const char* main_class,
                    std::vector<std::string> args) {
  Command c{{(fs::path(ctx.spark_home) / "bin" / "spark-class").string(), main_class},
            SparkEnv(ctx)};
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  return c;
}

Command Master(const LaunchContext& ctx) {
  const Flags& f = ctx.flags;
  return SparkDaemon(ctx, "org.apache.spark.deploy.master.Master",
                     {"--host", f.host, "--port", std::to_string(f.port), "--webui-port",
                      std::to_string(f.webui_port)});
}

Command Worker(const LaunchContext& ctx) {
  const Flags& f = ctx.flags;
  std::vector<std::string> args = {"--cores",      std::to_string(f.cores),
                                   "--memory",     f.memory.ToSparkString(),
                                   "--host",       f.host,
                                   "--webui-port", std::to_string(f.webui_port)};
  if (f.worker_port) {
    args.insert(args.end(), {"--port", std::to_string(*f.worker_port)});
  }
  args.insert(args.end(), {"--work-dir", ctx.layout.worker_dir, f.master.url});
  Command c = SparkDaemon(ctx, "org.apache.spark.deploy.worker.Worker", std::move(args));
  c.env.emplace_back("SPARK_WORKER_DIR", ctx.layout.worker_dir);
  return c;
}

Command History(const LaunchContext& ctx) {
  return SparkDaemon(ctx, "org.apache.spark.deploy.history.HistoryServer", {});
}

// What each Livy session's driver runs (the server adds --spec FILE): Python
// with pyspark, which starts the driver JVM through $SPARK_HOME/bin/spark-submit.
Command LivyDriver(const LaunchContext& ctx) {
  Command c{{ctx.python, ctx.driver_script}, SparkEnv(ctx)};
  c.env.emplace_back("PYSPARK_PYTHON", ctx.python);
  return c;
}

// Single-quoted unless every character is plainly safe for a shell.
std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789@%+=:,./-_") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

}  // namespace

Command BuildCommand(const LaunchContext& ctx) {
  switch (ctx.flags.role) {
    case Role::kMaster:
      return Master(ctx);
    case Role::kWorker:
      return Worker(ctx);
    case Role::kHistory:
      return History(ctx);
    case Role::kLivy:
      return LivyDriver(ctx);
  }
  return {};
}

std::string FormatCommand(const Command& command, const std::string& separator) {
  std::string out;
  for (const auto& [name, value] : command.env) out += name + "=" + ShellQuote(value) + separator;
  for (std::size_t i = 0; i < command.argv.size(); ++i) {
    out += (i == 0 ? "" : " ") + ShellQuote(command.argv[i]);
  }
  return out + (separator == "\n" ? "\n" : "");
}

}  // namespace spyt::launcher
