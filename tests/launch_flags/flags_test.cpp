#include "launch_flags/flags.h"

#include <doctest/doctest.h>

#include "launcher/fixtures.h"

namespace spyt::launcher {
namespace {

using testing::Args;
using testing::With;

using testing::FlagErrorOf;

// `args` without the flag `name` and its value.
Args Without(Args args, const std::string& name) {
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (*it == name) {
      args.erase(it, it + 2);
      break;
    }
  }
  return args;
}

}  // namespace

TEST_SUITE("launcher flags") {
  TEST_CASE("the master's contract flags parse with the REST port") {
    const Flags f = ParseFlags(testing::MasterArgs());
    CHECK(f.role == Role::kMaster);
    CHECK(f.host == testing::kPodIp);
    CHECK(f.port == 7077);
    CHECK(f.webui_port == 8080);
    CHECK(f.rest_port == 6066);
    CHECK(f.conf_dir == testing::kConfDir);
    CHECK_FALSE(f.dry_run);
  }

  TEST_CASE("a worker's contract flags parse into its offer and its master") {
    const Flags f = ParseFlags(testing::WorkerArgs());
    CHECK(f.role == Role::kWorker);
    CHECK(f.cores == 2);
    CHECK(f.memory == api::MemorySize::FromMiB(4096));
    CHECK(f.webui_port == 8081);
    CHECK(f.master.host == "livy-master.default.svc.cluster.local");
    CHECK(f.master.port == 7077);
    CHECK(f.master.url == testing::kMasterUrl);
    CHECK_FALSE(f.worker_port.has_value());
    CHECK(f.wait_for_master == std::chrono::seconds(300));
  }

  TEST_CASE("the history server's contract flags parse with its log directory") {
    const Flags f = ParseFlags(testing::HistoryArgs());
    CHECK(f.role == Role::kHistory);
    CHECK(f.port == 18080);
    CHECK(f.log_directory == "yt:///tmp/spyt/default/minimal/logs/event_log");
  }

  TEST_CASE("Livy's contract flags parse into SPYT's session settings") {
    const Flags f = ParseFlags(testing::LivyArgs());
    CHECK(f.role == Role::kLivy);
    CHECK(f.port == 8998);
    CHECK(f.max_sessions == 5);
    CHECK(f.driver_cores == 1);
    CHECK(f.driver_memory.ToSparkString() == "1024m");
    CHECK(f.session_timeout.ToString() == "10m");
    CHECK(f.wait_for_master == std::chrono::seconds(300));
  }

  TEST_CASE("Livy's session flags default to spark-launch-yt's") {
    const Flags f = ParseFlags({"livy", "--host", "h", "--port", "1", "--master", "spark://m:1"});
    CHECK(f.max_sessions == 3);
    CHECK(f.driver_cores == 1);
    CHECK(f.driver_memory.ToSparkString() == "1024m");
    CHECK(f.session_timeout.ToString() == "10m");
  }

  TEST_CASE("the local controller's optional flags parse") {
    const Flags f = ParseFlags(
        With(testing::WorkerArgs(),
             {"--work-dir", "/w", "--wait-for-master", "0", "--worker-port", "7078", "--spark-home",
              "/s", "--java", "/j", "--stop-timeout", "5", "--dry-run"}));
    CHECK(f.work_dir == "/w");
    CHECK(f.wait_for_master == std::chrono::seconds(0));
    CHECK(f.worker_port == 7078);
    CHECK(f.spark_home == "/s");
    CHECK(f.java == "/j");
    CHECK(f.stop_timeout == std::chrono::seconds(5));
    CHECK(f.dry_run);
  }

  TEST_CASE("a missing required flag is named, for every role") {
    const std::vector<std::pair<Args, std::string>> cases = {
        {testing::MasterArgs(), "--host"},           {testing::MasterArgs(), "--port"},
        {testing::MasterArgs(), "--webui-port"},     {testing::WorkerArgs(), "--cores"},
        {testing::WorkerArgs(), "--memory"},         {testing::WorkerArgs(), "--master"},
        {testing::WorkerArgs(), "--webui-port"},     {testing::HistoryArgs(), "--port"},
        {testing::HistoryArgs(), "--log-directory"}, {testing::LivyArgs(), "--port"},
        {testing::LivyArgs(), "--master"},           {testing::LivyArgs(), "--host"},
    };
    for (const auto& [args, flag] : cases) {
      CAPTURE(args[0]);
      CAPTURE(flag);
      const std::string error = FlagErrorOf(Without(args, flag));
      CHECK(error.find("'" + flag + "' is required") != std::string::npos);
    }
  }

  TEST_CASE("an unknown flag is named") {
    CHECK(FlagErrorOf(With(testing::MasterArgs(), {"--bogus", "1"})) ==
          "unrecognised option '--bogus'");
  }

  TEST_CASE("a flag of another role is unknown") {
    CHECK(FlagErrorOf(With(testing::MasterArgs(), {"--cores", "1"})) ==
          "unrecognised option '--cores'");
    CHECK(FlagErrorOf(With(testing::WorkerArgs(), {"--livy-max-sessions", "1"})) ==
          "unrecognised option '--livy-max-sessions'");
  }

  TEST_CASE("abbreviated flags are not guessed") {
    CHECK(FlagErrorOf({"master", "--host", "h", "--por", "1", "--webui-port", "2"}) ==
          "unrecognised option '--por'");
  }

  TEST_CASE("a flag without its value is named") {
    CHECK(FlagErrorOf(With(testing::LivyArgs(), {"--livy-max-sessions"})) ==
          "the required argument for option '--livy-max-sessions' is missing");
  }

  TEST_CASE("bad values are refused with the flag's name") {
    const std::vector<std::pair<Args, std::string>> cases = {
        {{"master", "--host", "h", "--port", "x", "--webui-port", "1"},
         "--port: \"x\" is not a whole number from 1 to 65535"},
        {{"master", "--host", "h", "--port", "70000", "--webui-port", "1"},
         "--port: \"70000\" is not a whole number from 1 to 65535"},
        {With(testing::MasterArgs(), {"--stop-timeout", "-1"}),
         "--stop-timeout: \"-1\" is not a whole number from 0 to 86400"},
        {With(Without(testing::WorkerArgs(), "--cores"), {"--cores", "0"}),
         "--cores: \"0\" is not a whole number from 1 to 4096"},
        {With(Without(testing::WorkerArgs(), "--memory"), {"--memory", "4X"}),
         "--memory: memory size \"4X\" needs a unit: k, m, g, t, p (as Spark reads them, binary) "
         "or Ki, Mi, Gi, Ti, Pi"},
        {With(Without(testing::WorkerArgs(), "--master"), {"--master", "http://m:7077"}),
         "--master: \"http://m:7077\" is not spark://HOST:PORT"},
        {With(Without(testing::WorkerArgs(), "--master"), {"--master", "spark://m"}),
         "--master: \"spark://m\" is not spark://HOST:PORT"},
        {With(testing::WorkerArgs(), {"--wait-for-master", "soon"}),
         "--wait-for-master: \"soon\" is not a whole number from 0 to 86400"},
        {With(Without(testing::LivyArgs(), "--livy-max-sessions"), {"--livy-max-sessions", "0"}),
         "--livy-max-sessions: \"0\" is not a whole number from 1 to 1000"},
        {With(Without(testing::LivyArgs(), "--livy-driver-memory"), {"--livy-driver-memory", "0m"}),
         "--livy-driver-memory: memory size \"0m\" must be positive"},
        {With(Without(testing::LivyArgs(), "--livy-session-timeout"),
              {"--livy-session-timeout", "10"}),
         "--livy-session-timeout: duration \"10\" needs a unit: ms, s, m or h"},
        {With(Without(testing::HistoryArgs(), "--log-directory"), {"--log-directory", ""}),
         "--log-directory: must not be empty"},
    };
    for (const auto& [args, message] : cases) {
      CAPTURE(testing::Joined(args));
      CHECK(FlagErrorOf(args) == message);
    }
  }

  TEST_CASE("a flag given twice is refused") {
    CHECK(FlagErrorOf(With(testing::MasterArgs(), {"--port", "7078"})) ==
          "option '--port' cannot be specified more than once");
  }

  TEST_CASE("a stray argument is refused") {
    CHECK(FlagErrorOf(With(testing::MasterArgs(), {"extra"})) ==
          "unexpected argument \"extra\": every value follows its --flag");
  }

  TEST_CASE("a missing or unknown role is refused") {
    CHECK(FlagErrorOf({}) == "missing role: expected master, worker, history or livy");
    CHECK(FlagErrorOf({"driver", "--host", "h"}) ==
          "unknown role \"driver\": expected master, worker, history or livy");
  }

  TEST_CASE("--help shows the role's flags") {
    try {
      ParseFlags({"livy", "--help"});
      FAIL("no HelpRequested");
    } catch (const HelpRequested& help) {
      const std::string usage = help.what();
      CHECK(usage.find("Usage: spyt-launcher livy [flags]") != std::string::npos);
      CHECK(usage.find("--livy-max-sessions") != std::string::npos);
      CHECK(usage.find("--wait-for-master") != std::string::npos);
      CHECK(usage.find("--cores") == std::string::npos);
    }
    CHECK_THROWS_AS(ParseFlags({"--help"}), HelpRequested);
  }
}

}  // namespace spyt::launcher
