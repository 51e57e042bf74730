#include "cluster/spark_conf.h"

#include <doctest/doctest.h>

#include "cluster/fixtures.h"

namespace spyt::cluster {

using testing::LoadExample;

TEST_SUITE("spark conf") {
  TEST_CASE("the operator sets the SPYT release files and the master") {
    const auto conf = SparkDefaults(LoadExample("livy"), BuildOptions{});
    CHECK(conf.at("spark.yt.version") == "2.9.3");
    CHECK(conf.at("spark.yt.jars") ==
          "yt:///home/spark/spyt/releases/2.9.3/spark-yt-data-source.jar");
    CHECK(conf.at("spark.yt.pyFiles") == "yt:///home/spark/spyt/releases/2.9.3/spyt.zip");
    CHECK(conf.at("spark.master") == "spark://livy-master.default.svc.cluster.local:7077");
  }

  TEST_CASE("the event log directory is set only with the history server") {
    CHECK(SparkDefaults(LoadExample("livy"), BuildOptions{}).count("spark.eventLog.dir") == 0);
    CHECK(SparkDefaults(LoadExample("minimal"), BuildOptions{}).at("spark.eventLog.dir") ==
          "yt:///tmp/spyt/default/minimal/logs/event_log");
  }

  TEST_CASE("spec.sparkConf adds entries and may replace the operator's, except spark.master") {
    auto cluster = LoadExample("minimal");
    cluster.spec.spark_conf = {{"spark.sql.shuffle.partitions", "64"},
                               {"spark.yt.jars", "yt:///my/jar"},
                               {"spark.master", "local[*]"}};
    const auto conf = SparkDefaults(cluster, BuildOptions{});
    CHECK(conf.at("spark.sql.shuffle.partitions") == "64");
    CHECK(conf.at("spark.yt.jars") == "yt:///my/jar");
    CHECK(conf.at("spark.master") == "spark://minimal-master.default.svc.cluster.local:7077");
  }

  TEST_CASE("the file has one line per entry in key order after a header comment") {
    const auto text =
        RenderClusterSparkDefaults(LoadExample("minimal"), {{"b.key", "2"}, {"a.key", "1"}});
    CHECK(text ==
          "# Written by spyt-operator for SpytCluster default/minimal; edit spec.sparkConf "
          "instead of this file.\n"
          "a.key 1\n"
          "b.key 2\n");
  }

  TEST_CASE("keys and values are escaped as java.util.Properties reads them") {
    const auto text = RenderClusterSparkDefaults(
        LoadExample("minimal"), {{"k", "C:\\dir\nnext"}, {"odd key=x", " lead=ok #1"}});
    CHECK(text.find("k C:\\\\dir\\nnext\n") != std::string::npos);
    CHECK(text.find("odd\\ key\\=x \\ lead=ok #1\n") != std::string::npos);
  }
}

}  // namespace spyt::cluster
