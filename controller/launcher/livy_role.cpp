#include "launcher/livy_role.h"

#include <signal.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "launcher/command.h"
#include "launcher/config.h"
#include "launcher/process.h"

namespace spyt::launcher {
namespace {

// How long a driver waits for a server that is gone (to come back) before it
// ends itself: the session timeout, or this when sessions never time out.
constexpr std::chrono::seconds kOrphanTimeoutWithoutSessionTimeout{600};
constexpr int kBindAttempts = 40;  // 20 s

// Waits for SIGTERM or SIGINT (blocked in every thread: BlockLauncherSignals).
int AwaitStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  while (true) {
    int sig = 0;
    if (::sigwait(&set, &sig) == 0) return sig;
  }
}

}  // namespace

livy_server::ServerConfig LivyServerConfig(const LaunchContext& ctx) {
  const Flags& f = ctx.flags;
  livy_server::ServerConfig c;
  const bool v6 = f.host.find(':') != std::string::npos;
  c.address = (v6 ? "[" + f.host + "]" : f.host) + ":" + std::to_string(f.port);
  c.registry.max_sessions = f.max_sessions;
  c.registry.session_timeout = std::chrono::milliseconds(f.session_timeout.millis());
  c.limits = {f.driver_cores, f.driver_memory};
  c.csrf_protection = f.csrf_protection;
  c.max_body_bytes = f.max_request_body.bytes();
  c.max_code_bytes = f.max_code_size.bytes();
  c.work_dir = ctx.layout.livy_dir;
  return c;
}

livy_server::HostDriverConfig LivyDriverConfig(const LaunchContext& ctx) {
  const Flags& f = ctx.flags;
  const Command driver = BuildCommand(ctx);
  livy_server::HostDriverConfig c;
  c.python = driver.argv.at(0);
  c.driver_script = driver.argv.at(1);
  c.repl_jar = ctx.repl_jar;
  c.spark_home = ctx.spark_home;
  c.spark_conf_dir = ctx.layout.spark_conf_dir;
  c.master_url = f.master.url;
  c.bind_host = f.host;
  c.limits = {f.driver_cores, f.driver_memory};
  c.orphan_timeout = DriverOrphanTimeout(f);
  c.max_request_bytes = livy_server::DriverRequestLimit(f.max_code_size.bytes());
  c.env = driver.env;
  c.spyt_jars = ctx.spyt_jars;
  // The drivers' spark-defaults.conf (their SPARK_CONF_DIR) as the base of every
  // conf: batches get theirs in a properties file, which replaces that file.
  for (const auto& [key, value] : ParseProperties(RenderSparkDefaults(ctx))) {
    c.base_conf[key] = value;
  }
  return c;
}

std::chrono::seconds DriverOrphanTimeout(const Flags& f) {
  const auto session_timeout = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::milliseconds(f.session_timeout.millis()));
  if (session_timeout.count() <= 0) return kOrphanTimeoutWithoutSessionTimeout;
  return std::max(session_timeout, std::chrono::seconds(1));
}

std::string LivyStateDir(const LaunchContext& ctx) {
  return ctx.flags.state_dir.empty() ? ctx.layout.work_dir + "/state" : ctx.flags.state_dir;
}

std::string DescribeLivyServer(const LaunchContext& ctx) {
  const auto s = LivyServerConfig(ctx);
  std::ostringstream out;
  out << "listen " << s.address << "\n"
      << "master " << ctx.flags.master.url << "\n"
      << "max sessions " << s.registry.max_sessions << "\n"
      << "session timeout " << ctx.flags.session_timeout.ToString() << "\n"
      << "driver cores " << s.limits.cores << "\n"
      << "driver memory " << s.limits.memory.ToSparkString() << "\n"
      << "csrf protection " << (s.csrf_protection ? "on" : "off") << "\n"
      << "max request body " << s.max_body_bytes << "\n"
      << "max code size " << s.max_code_bytes << "\n"
      << "work dir " << s.work_dir << "\n"
      << "state dir " << LivyStateDir(ctx) << "\n"
      << "repl jar " << ctx.repl_jar << "\n"
      << "spyt home " << (ctx.spyt_home.empty() ? "none (plain Spark)" : ctx.spyt_home) << " ("
      << ctx.spyt_jars.size() << " driver jars)\n";
  return out.str();
}

int ServeLivy(const LaunchContext& ctx) {
  auto drivers = livy_server::MakeHostDriverFactory(LivyDriverConfig(ctx));
  auto batches = livy_server::MakeBatchFactory(LivyDriverConfig(ctx));
  auto store = livy_server::MakeFileStateStore(LivyStateDir(ctx));
  livy_server::LivyServer server(LivyServerConfig(ctx), *drivers, *batches, RealClock(),
                                 store.get());
  // The previous server of this port (a restarted pod's, a replaced local
  // process's) may still be ending its drivers: wait for the port a while.
  for (int attempt = 1;; ++attempt) {
    try {
      server.Start();
      break;
    } catch (const std::exception& e) {
      if (attempt >= kBindAttempts) throw;
      log::Warn("cannot listen yet; retrying", {{"error", e.what()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  log::Info("serving Livy's REST API", {{"address", ctx.flags.host},
                                        {"port", std::to_string(server.port())},
                                        {"max_sessions", std::to_string(ctx.flags.max_sessions)}});
  const int sig = AwaitStopSignal();
  log::Info("stopping: ending every session and batch", {{"signal", SignalName(sig)}});
  server.Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace spyt::launcher
