#include "launcher/launch.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "launcher/fixtures.h"
#include "test_files.h"

namespace spyt::launcher {
namespace {

using testing::Args;
using testing::TempDir;
using testing::With;

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

Run Launch(const Args& args, const Environment& env) {
  testing::SignalMaskGuard guard;
  std::ostringstream out, err;
  Run r;
  r.code = RunLauncher(args, env, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

void WriteText(const std::string& path, const std::string& text, bool executable = false) {
  std::ofstream(path) << text;
  if (executable) ::chmod(path.c_str(), 0755);
}

// A Spark home whose bin/spark-class records how it was started, and a conf
// dir holding the ConfigMap's spark-defaults.conf.
struct FakeInstall {
  TempDir dir;
  std::string spark_home = dir / "spark";
  std::string conf_dir = dir / "conf";
  std::string record = dir / "record";

  FakeInstall() {
    std::filesystem::create_directories(spark_home + "/bin");
    std::filesystem::create_directories(conf_dir);
    WriteText(conf_dir + "/spark-defaults.conf", testing::kConfigMapSparkDefaults);
    WriteText(spark_home + "/bin/spark-class",
              "#!/bin/sh\n"
              "{ echo \"args: $*\"; echo \"conf: $SPARK_CONF_DIR\"; echo \"ip: $SPARK_LOCAL_IP\";\n"
              "  cat \"$SPARK_CONF_DIR/spark-defaults.conf\"; } > " +
                  record + "\nexit 5\n",
              /*executable=*/true);
  }

  Environment Env() const {
    auto env = testing::PodEnvironment();
    env["SPARK_HOME"] = spark_home;
    env.erase("SPARK_LOCAL_HOSTNAME");
    return env;
  }
};

}  // namespace

TEST_SUITE("launcher run") {
  TEST_CASE("--dry-run prints every file and the command, and writes nothing") {
    FakeInstall install;
    const std::string work = install.dir / "work";
    auto args = testing::LivyArgs();
    args.back() = install.conf_dir;
    const Run dry = Launch(With(args, {"--work-dir", work, "--dry-run"}), install.Env());
    CHECK(dry.code == 0);
    CHECK(dry.err.empty());
    for (const char* header : {"==> %W/spark-conf/spark-defaults.conf <==", "==> livy server <==",
                               "==> session driver command <=="}) {
      std::string expected = header;
      if (auto at = expected.find("%W"); at != std::string::npos) expected.replace(at, 2, work);
      CHECK_MESSAGE(dry.out.find(expected) != std::string::npos, expected);
    }
    CHECK(dry.out.find("spark.yt.version 1.75.4") != std::string::npos);
    CHECK(dry.out.find("max sessions 5") != std::string::npos);
    CHECK(dry.out.find("work dir " + work + "/livy") != std::string::npos);
    CHECK(dry.out.find("spyt_driver.py") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(work));
  }

  TEST_CASE("the token appears nowhere in the dry run, whatever the role") {
    FakeInstall install;
    auto env = install.Env();
    env["YT_PROXY"] = "hahn";
    for (auto args : {testing::MasterArgs(), testing::WorkerArgs(), testing::HistoryArgs(),
                      testing::LivyArgs()}) {
      args.back() = install.conf_dir;
      const Run r = Launch(With(args, {"--dry-run"}), env);
      CAPTURE(args[0]);
      CHECK(r.code == 0);
      CHECK(r.out.find(testing::kToken) == std::string::npos);
      CHECK(r.err.find(testing::kToken) == std::string::npos);
    }
  }

  TEST_CASE("a bad flag exits 2 with the flag named on stderr") {
    const Run r = Launch(With(testing::MasterArgs(), {"--bogus"}), testing::PodEnvironment());
    CHECK(r.code == 2);
    CHECK(r.err == "spyt-launcher: unrecognised option '--bogus'\n");
    CHECK(r.out.empty());
  }

  TEST_CASE("no Spark home anywhere exits 2 naming --spark-home") {
    auto env = testing::PodEnvironment();
    env.erase("SPARK_HOME");
    const Run r = Launch(With(testing::MasterArgs(), {"--dry-run"}), env);
    CHECK(r.code == 2);
    CHECK(r.err == "spyt-launcher: --spark-home: not given and SPARK_HOME is not set\n");
  }

  TEST_CASE("a conf dir that does not exist exits 2 naming --conf-dir") {
    const Run r = Launch(With(testing::MasterArgs(), {"--dry-run"}), testing::PodEnvironment());
    CHECK(r.code == 2);
    CHECK(r.err == "spyt-launcher: --conf-dir: /opt/spyt/conf is not a directory\n");
  }

  TEST_CASE("--help prints the role's flags and exits 0") {
    const Run r = Launch({"worker", "--help"}, {});
    CHECK(r.code == 0);
    CHECK(r.out.find("--wait-for-master") != std::string::npos);
  }

  TEST_CASE("the launcher writes the config, runs the daemon and exits with its status") {
    FakeInstall install;
    const std::string work = install.dir / "work";
    auto args = testing::MasterArgs();
    args.back() = install.conf_dir;
    const Run r = Launch(With(args, {"--work-dir", work}), install.Env());
    CHECK(r.code == 5);
    const std::string record = spyt::testing::ReadText(install.record);
    CHECK(record ==
          "args: org.apache.spark.deploy.master.Master --host 10.1.2.3 --port 7077 --webui-port "
          "8080\n"
          "conf: " +
              work +
              "/spark-conf\n"
              "ip: 10.1.2.3\n"
              "# Written by spyt-launcher master from " +
              install.conf_dir + "/spark-defaults.conf and its flags.\n" +
              std::string(testing::kConfigMapSparkDefaults)
                  .substr(std::string(testing::kConfigMapSparkDefaults).find('\n') + 1) +
              "spark.master.rest.enabled true\nspark.master.rest.port 6066\n");
  }

  TEST_CASE("a worker whose master never answers gives up with exit 1 and starts nothing") {
    FakeInstall install;
    auto args = testing::WorkerArgs();
    args.back() = install.conf_dir;
    args[10] = "spark://127.0.0.1:1";  // --master
    const Run r = Launch(With(args, {"--work-dir", install.dir / "work", "--wait-for-master", "1"}),
                         install.Env());
    CHECK(r.code == 1);
    CHECK_FALSE(std::filesystem::exists(install.record));
  }
}

}  // namespace spyt::launcher
