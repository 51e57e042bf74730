#include "launcher/config.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "golden_files.h"
#include "launcher/fixtures.h"
#include "test_files.h"

namespace spyt::launcher {
namespace {

using testing::ContextOf;

void CheckGolden(const std::string& name, const std::string& actual) {
  spyt::testing::CheckGolden("tests/golden/launcher/" + name, actual);
}

// The value of `key` in rendered "key = value" / "key value" text, or "<absent>".
std::string ValueOf(const std::string& text, const std::string& key) {
  for (const auto& [k, v] : ParseProperties(text)) {
    if (k == key) return v;
  }
  return "<absent>";
}

}  // namespace

TEST_SUITE("launcher config") {
  TEST_CASE("the seed's Livy renders its golden spark-defaults.conf") {
    CheckGolden("spark-defaults.conf", RenderSparkDefaults(ContextOf(testing::LivyArgs())));
  }

  TEST_CASE("the master's spark-defaults.conf turns the REST server on at its port") {
    const std::string conf = RenderSparkDefaults(ContextOf(testing::MasterArgs()));
    CHECK(ValueOf(conf, "spark.master.rest.enabled") == "true");
    CHECK(ValueOf(conf, "spark.master.rest.port") == "6066");
    CHECK(ValueOf(conf, "spark.yt.version") == "1.75.4");
  }

  TEST_CASE("without --rest-port the master's REST settings are left out") {
    auto args = testing::MasterArgs();
    args.erase(args.begin() + 7, args.begin() + 9);  // --rest-port 6066
    const std::string conf = RenderSparkDefaults(ContextOf(args));
    CHECK(ValueOf(conf, "spark.master.rest.enabled") == "<absent>");
  }

  TEST_CASE("the history server's spark-defaults.conf names its log directory and port") {
    const std::string conf = RenderSparkDefaults(ContextOf(testing::HistoryArgs()));
    CHECK(ValueOf(conf, "spark.history.fs.logDirectory") ==
          "yt:///tmp/spyt/default/minimal/logs/event_log");
    CHECK(ValueOf(conf, "spark.history.ui.port") == "18080");
  }

  TEST_CASE("a role's settings override the conf dir's in place and the rest is kept") {
    auto ctx = ContextOf(testing::LivyArgs());
    ctx.base_spark_defaults =
        "spark.driver.memory 8g\n# a comment\nspark.master spark://old:1\nspark.ui.enabled false\n";
    const Settings merged = ParseProperties(RenderSparkDefaults(ctx));
    REQUIRE(merged.size() >= 3);
    CHECK(merged[0] == std::pair<std::string, std::string>{"spark.driver.memory", "1024m"});
    CHECK(merged[1] == std::pair<std::string, std::string>{"spark.master", testing::kMasterUrl});
    CHECK(merged[2] == std::pair<std::string, std::string>{"spark.ui.enabled", "false"});
  }

  TEST_CASE("properties parse in every separator style, with comments and continuations") {
    const Settings s = ParseProperties(
        "# comment\n! also a comment\n\n  a.b   one two\nc.d=three\ne.f : four\n"
        "g.h five \\\n    six\nlonely\n");
    CHECK(s == Settings{{"a.b", "one two"},
                        {"c.d", "three"},
                        {"e.f", "four"},
                        {"g.h", "five six"},
                        {"lonely", ""}});
  }

  TEST_CASE("Merge replaces existing keys where they are and appends new ones") {
    CHECK(Merge({{"a", "1"}, {"b", "2"}}, {{"b", "3"}, {"c", "4"}}) ==
          Settings{{"a", "1"}, {"b", "3"}, {"c", "4"}});
  }

  TEST_CASE("every role, Livy included, writes just spark-defaults.conf under its work dir") {
    auto worker = ContextOf(testing::WorkerArgs());
    const auto worker_files = RenderConfigFiles(worker);
    REQUIRE(worker_files.size() == 1);
    CHECK(worker_files[0].path == "/tmp/spyt/worker/spark-conf/spark-defaults.conf");
    std::vector<std::string> paths;
    for (const auto& f : RenderConfigFiles(ContextOf(testing::LivyArgs()))) paths.push_back(f.path);
    CHECK(paths == std::vector<std::string>{"/tmp/spyt/livy/spark-conf/spark-defaults.conf"});
  }

  TEST_CASE("the token is in no rendered file of any role") {
    auto env = testing::PodEnvironment();
    env["YT_PROXY"] = "hahn";
    env["YT_USER"] = "robot";
    for (const auto& args : {testing::MasterArgs(), testing::WorkerArgs(), testing::HistoryArgs(),
                             testing::LivyArgs()}) {
      for (const auto& f : RenderConfigFiles(ContextOf(args, env))) {
        CAPTURE(f.path);
        CHECK(f.content.find(testing::kToken) == std::string::npos);
      }
    }
  }
}

}  // namespace spyt::launcher
