#include "launcher/launch.h"

#include <filesystem>
#include <fstream>

#include "common/log.h"
#include "launcher/command.h"
#include "launcher/config.h"
#include "launcher/livy_role.h"
#include "launcher/process.h"

namespace spyt::launcher {
namespace {

namespace fs = std::filesystem;

constexpr int kFlagErrorExit = 2;
constexpr int kFailureExit = 1;

void PrintDryRun(const LaunchContext& ctx, const std::vector<ConfigFile>& files,
                 const Command& command, std::ostream& out) {
  for (const auto& f : files) out << "==> " << f.path << " <==\n" << f.content << "\n";
  if (ctx.flags.role == Role::kLivy) {
    out << "==> livy server <==\n" << DescribeLivyServer(ctx) << "\n";
    out << "==> session driver command <==\n" << FormatCommand(command);
    return;
  }
  out << "==> command <==\n" << FormatCommand(command);
}

void WriteFile(const ConfigFile& file) {
  fs::create_directories(fs::path(file.path).parent_path());
  std::ofstream out(file.path, std::ios::trunc);
  out << file.content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.path);
}

// The directories the daemon expects to exist, then the config files.
void Prepare(const LaunchContext& ctx, const std::vector<ConfigFile>& files) {
  const Layout& l = ctx.layout;
  fs::create_directories(l.spark_conf_dir);
  if (ctx.flags.role == Role::kWorker) fs::create_directories(l.worker_dir);
  if (ctx.flags.role == Role::kLivy) fs::create_directories(l.livy_dir);
  for (const auto& f : files) WriteFile(f);
}

bool NeedsMaster(const Flags& f) {
  return (f.role == Role::kWorker || f.role == Role::kLivy) && f.wait_for_master.count() > 0;
}

// 0 when the master answers; else the launcher's exit code.
int AwaitMaster(const Flags& f) {
  const auto& m = f.master;
  log::Info("waiting for the master", {{"address", m.host + ":" + std::to_string(m.port)},
                                       {"timeout_s", std::to_string(f.wait_for_master.count())}});
  const PortWait w = WaitForPort(m.host, m.port, f.wait_for_master);
  switch (w.outcome) {
    case PortWait::Outcome::kReady:
      log::Info("the master accepts connections", {{"address", m.url}});
      return 0;
    case PortWait::Outcome::kInterrupted:
      log::Info("stopped while waiting for the master", {{"signal", SignalName(w.signal)}});
      return 128 + w.signal;
    case PortWait::Outcome::kTimedOut:
      break;
  }
  log::Error("the master did not accept connections in time",
             {{"address", m.url}, {"last_error", w.last_error}});
  return kFailureExit;
}

int Launch(const Flags& flags, const Environment& env, std::ostream& out) {
  const LaunchContext ctx = ResolveContext(flags, env);
  const std::vector<ConfigFile> files = RenderConfigFiles(ctx);
  const Command command = BuildCommand(ctx);
  if (flags.dry_run) {
    PrintDryRun(ctx, files, command, out);
    return 0;
  }
  Prepare(ctx, files);
  log::Info("configuration written",
            {{"role", RoleName(flags.role)}, {"work_dir", ctx.layout.work_dir}});
  if (NeedsMaster(flags)) {
    if (int code = AwaitMaster(flags); code != 0) return code;
  }
  if (flags.role == Role::kLivy) return ServeLivy(ctx);
  log::Info("starting", {{"role", RoleName(flags.role)}, {"command", FormatCommand(command, " ")}});
  return RunChild(command, ChildOptions{.stop_timeout = flags.stop_timeout, .on_started = {}});
}

}  // namespace

int RunLauncher(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
                std::ostream& err) {
  Flags flags;
  try {
    flags = ParseFlags(args);
    return Launch(flags, env, out);
  } catch (const HelpRequested& help) {
    out << help.what();
    return 0;
  } catch (const FlagError& e) {
    err << "spyt-launcher: " << e.what() << "\n";
    if (args.empty()) err << "\n" << Usage();
    return kFlagErrorExit;
  } catch (const std::exception& e) {
    log::Error("launcher failed", {{"role", RoleName(flags.role)}, {"error", e.what()}});
    return kFailureExit;
  }
}

}  // namespace spyt::launcher
