#pragma once

// Shared by the tests of controller/launcher and launch_flags: the arguments the Kubernetes
// builders pass (tests/cluster/launcher_args_test.cpp, with $(POD_IP) expanded
// as the kubelet does), a fixed context for golden rendering, a scratch
// directory, and a guard that keeps the launcher's blocked signals from
// leaking into the rest of the test binary.

#include <doctest/doctest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "launch_flags/flags.h"
#include "launcher/context.h"
#include "temp_dir.h"

namespace spyt::launcher::testing {

using Args = std::vector<std::string>;

inline constexpr const char* kPodIp = "10.1.2.3";
inline constexpr const char* kMasterUrl = "spark://livy-master.default.svc.cluster.local:7077";
inline constexpr const char* kConfDir = "/opt/spyt/conf";
inline constexpr const char* kToken = "yt-token-that-must-not-leak";

// The FlagError message of parsing `args`, or "" when they parse.
inline std::string FlagErrorOf(const Args& args) {
  try {
    ParseFlags(args);
  } catch (const FlagError& e) {
    return e.what();
  }
  return "";
}

inline Args MasterArgs() {
  return {"master", "--host",      kPodIp, "--port",     "7077",  "--webui-port",
          "8080",   "--rest-port", "6066", "--conf-dir", kConfDir};
}
inline Args WorkerArgs() {
  return {"worker",       "--host", kPodIp,     "--cores",  "2",          "--memory", "4096m",
          "--webui-port", "8081",   "--master", kMasterUrl, "--conf-dir", kConfDir};
}
inline Args HistoryArgs() {
  return {"history",
          "--host",
          kPodIp,
          "--port",
          "18080",
          "--log-directory",
          "yt:///tmp/spyt/default/minimal/logs/event_log",
          "--conf-dir",
          kConfDir};
}
// The seed's Livy: 5 sessions, drivers of 1 core and 1G.
inline Args LivyArgs() {
  return {"livy",
          "--host",
          kPodIp,
          "--port",
          "8998",
          "--master",
          kMasterUrl,
          "--enable-livy",
          "--livy-max-sessions",
          "5",
          "--livy-driver-cores",
          "1",
          "--livy-driver-memory",
          "1G",
          "--livy-session-timeout",
          "10m",
          "--conf-dir",
          kConfDir};
}

// For CAPTURE: the arguments as one line.
inline std::string Joined(const Args& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

inline Args With(Args args, const Args& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The spark-defaults.conf of examples/livy.yaml's ConfigMap (tests/golden/livy.yaml).
inline constexpr const char* kConfigMapSparkDefaults =
    "# Written by spyt-operator for SpytCluster default/livy; edit spec.sparkConf instead of "
    "this file.\n"
    "spark.master spark://livy-master.default.svc.cluster.local:7077\n"
    "spark.yt.jars yt:///home/spark/spyt/releases/1.75.4/spark-yt-data-source.jar\n"
    "spark.yt.pyFiles yt:///home/spark/spyt/releases/1.75.4/spyt.zip\n"
    "spark.yt.version 1.75.4\n";

// A container's environment: the pod spec's variables, SPARK_HOME, the Livy
// session drivers' home and Python of the image, and a token that nothing may
// print or write.
inline Environment PodEnvironment() {
  return {{"POD_IP", kPodIp},
          {"SPARK_LOCAL_HOSTNAME", kPodIp},
          {"SPYT_DISCOVERY_PATH", "//tmp/spyt/default/livy"},
          {"SPARK_HOME", "/opt/spark"},
          {"SPYT_DRIVER_HOME", "/opt/spyt/driver"},
          {"PYSPARK_PYTHON", "/usr/bin/python3"},
          {"YT_TOKEN", kToken}};
}

// What ResolveContext would give in that container, without touching the disk.
inline LaunchContext ContextOf(const Args& args, const Environment& env = PodEnvironment()) {
  LaunchContext ctx;
  ctx.flags = ParseFlags(args);
  ctx.layout = LayoutOf(ctx.flags, env);
  ctx.spark_home = "/opt/spark";
  ctx.local_ip = ctx.flags.host;
  ctx.local_hostname = ctx.flags.host;
  ctx.base_spark_defaults = kConfigMapSparkDefaults;
  if (ctx.flags.role == Role::kLivy) {
    ctx.python = "/usr/bin/python3";
    ctx.driver_script = "/opt/spyt/driver/spyt_driver.py";
    ctx.repl_jar = "/opt/spyt/driver/spyt-repl.jar";
  }
  return ctx;
}

using spyt::testing::TempDir;

// The launcher blocks SIGTERM, SIGINT and SIGCHLD in the calling thread. This
// guard takes whatever of them is still pending and restores the mask, so a
// test never leaves the binary with a deadly pending SIGTERM.
class SignalMaskGuard {
 public:
  SignalMaskGuard() { ::pthread_sigmask(SIG_SETMASK, nullptr, &saved_); }
  ~SignalMaskGuard() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, sig);
    timespec zero{0, 0};
    while (::sigtimedwait(&set, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  SignalMaskGuard(const SignalMaskGuard&) = delete;
  SignalMaskGuard& operator=(const SignalMaskGuard&) = delete;

 private:
  sigset_t saved_;
};

// Sends `sig` to the calling thread only: with the signal blocked it stays
// pending for the launcher's sigtimedwait, and no other thread can take it.
inline void SignalThisThread(int sig) { ::pthread_kill(::pthread_self(), sig); }

// Polls until `path` exists; false after `timeout`.
inline bool WaitForFile(const std::string& path,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace spyt::launcher::testing
