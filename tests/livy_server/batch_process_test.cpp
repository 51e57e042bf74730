#include "livy_server/batch_process.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace spyt::livy_server {
namespace {

HostDriverConfig Config() {
  HostDriverConfig c;
  c.spark_home = "/opt/spark";
  c.master_url = "spark://10.0.0.1:7077";
  c.bind_host = "10.0.0.2";
  c.limits = {1, api::MemorySize::FromMiB(512)};
  c.base_conf = {{"spark.eventLog.enabled", "true"}, {"spark.yt.version", "2.9.3"}};
  c.spyt_jars = {"/opt/spyt/jars/a.jar"};
  return c;
}

BatchRequest Request() {
  BatchRequest r;
  r.file = "/jobs/job.py";
  r.args = {"--day", "2026-11-30"};
  r.conf = {{"spark.hadoop.yt.token", "secret-token"}, {"odd key:x", " lead\nline#!=\\"}};
  return r;
}

}  // namespace

TEST_SUITE("livy_server batch process") {
  TEST_CASE("spark-submit's argv names the properties file and holds no conf value") {
    const auto argv = BatchArgv(Config(), Request(), "/work/batches/3/spark-submit.properties");
    CHECK(argv == std::vector<std::string>{"/opt/spark/bin/spark-submit", "--properties-file",
                                           "/work/batches/3/spark-submit.properties",
                                           "/jobs/job.py", "--day", "2026-11-30"});
  }

  TEST_CASE("the properties file holds the base conf, the request's and the server's, escaped") {
    const std::string text = BatchProperties(Config(), Request(), 3);
    auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
    CHECK(has("spark.eventLog.enabled=true"));  // the drivers' spark-defaults.conf
    CHECK(has("spark.yt.version=2.9.3"));
    CHECK(has("spark.hadoop.yt.token=secret-token"));
    CHECK(has("spark.jars=/opt/spyt/jars/a.jar"));
    CHECK(has("spark.app.name=livy-batch-3"));
    CHECK(has("spark.master=spark\\://10.0.0.1\\:7077"));
    CHECK(has("odd\\ key\\:x=\\ lead\\nline\\#\\!\\=\\\\"));
    CHECK(std::count(text.begin(), text.end(), '\n') ==
          12);  // one line per key: 4 + 8 the server sets
  }
}

}  // namespace spyt::livy_server
