#include "launcher/command.h"

#include <doctest/doctest.h>

#include "launcher/fixtures.h"

namespace spyt::launcher {
namespace {

using testing::Args;
using testing::ContextOf;
using Env = std::vector<std::pair<std::string, std::string>>;

const char* kSparkClass = "/opt/spark/bin/spark-class";

Env SparkEnv(const std::string& role) {
  return {{"SPARK_HOME", "/opt/spark"},
          {"SPARK_CONF_DIR", "/tmp/spyt/" + role + "/spark-conf"},
          {"SPARK_LOCAL_IP", testing::kPodIp},
          {"SPARK_LOCAL_HOSTNAME", testing::kPodIp}};
}

}  // namespace

TEST_SUITE("launcher command") {
  TEST_CASE("the master runs spark-class Master with its host and ports") {
    const Command c = BuildCommand(ContextOf(testing::MasterArgs()));
    CHECK(c.argv == Args{kSparkClass, "org.apache.spark.deploy.master.Master", "--host",
                         testing::kPodIp, "--port", "7077", "--webui-port", "8080"});
    CHECK(c.env == SparkEnv("master"));
  }

  TEST_CASE("a worker runs spark-class Worker with its offer, work dir and master") {
    const Command c = BuildCommand(ContextOf(testing::WorkerArgs()));
    CHECK(c.argv == Args{kSparkClass, "org.apache.spark.deploy.worker.Worker", "--cores", "2",
                         "--memory", "4096m", "--host", testing::kPodIp, "--webui-port", "8081",
                         "--work-dir", "/tmp/spyt/worker/worker", testing::kMasterUrl});
    Env env = SparkEnv("worker");
    env.emplace_back("SPARK_WORKER_DIR", "/tmp/spyt/worker/worker");
    CHECK(c.env == env);
  }

  TEST_CASE("a worker takes its RPC port and the pod's SPARK_WORKER_DIR when given") {
    auto env = testing::PodEnvironment();
    env["SPARK_WORKER_DIR"] = "/tmp/spark-worker";
    const Command c = BuildCommand(
        ContextOf(testing::With(testing::WorkerArgs(), {"--worker-port", "7078"}), env));
    CHECK(c.argv == Args{kSparkClass, "org.apache.spark.deploy.worker.Worker", "--cores", "2",
                         "--memory", "4096m", "--host", testing::kPodIp, "--webui-port", "8081",
                         "--port", "7078", "--work-dir", "/tmp/spark-worker", testing::kMasterUrl});
  }

  TEST_CASE("a worker's memory goes to Spark in MiB whatever notation it came in") {
    auto args = testing::WorkerArgs();
    args[6] = "4Gi";
    const Command c = BuildCommand(ContextOf(args));
    CHECK(c.argv[5] == "4096m");
  }

  TEST_CASE("the history server runs spark-class HistoryServer, its settings are in the conf") {
    const Command c = BuildCommand(ContextOf(testing::HistoryArgs()));
    CHECK(c.argv == Args{kSparkClass, "org.apache.spark.deploy.history.HistoryServer"});
    CHECK(c.env == SparkEnv("history"));
  }

  TEST_CASE("Livy runs no JVM of its own: its command is what each session's driver runs") {
    const Command c = BuildCommand(ContextOf(testing::LivyArgs()));
    CHECK(c.argv == Args{"/usr/bin/python3", "/opt/spyt/driver/spyt_driver.py"});
    Env env = SparkEnv("livy");
    env.emplace_back("PYSPARK_PYTHON", "/usr/bin/python3");
    CHECK(c.env == env);
  }

  TEST_CASE("the token is in no command's argv or environment") {
    auto env = testing::PodEnvironment();
    env["YT_PROXY"] = "hahn";
    for (const auto& args : {testing::MasterArgs(), testing::WorkerArgs(), testing::HistoryArgs(),
                             testing::LivyArgs()}) {
      const Command c = BuildCommand(ContextOf(args, env));
      CAPTURE(args[0]);
      CHECK(FormatCommand(c).find(testing::kToken) == std::string::npos);
      for (const auto& [name, value] : c.env) CHECK(name != "YT_TOKEN");
    }
  }

  TEST_CASE("FormatCommand shows the environment, then the argv quoted for a shell") {
    const Command c{{"java", "-cp", "/a/*:/b", "it's"}, {{"A", "x y"}, {"B", "plain"}}};
    CHECK(FormatCommand(c) == "A='x y'\nB=plain\njava -cp '/a/*:/b' 'it'\\''s'\n");
    CHECK(FormatCommand(c, " ") == "A='x y' B=plain java -cp '/a/*:/b' 'it'\\''s'");
  }
}

}  // namespace spyt::launcher
