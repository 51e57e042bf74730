#include "cluster/names.h"

#include <doctest/doctest.h>

#include "cluster/fixtures.h"

namespace spyt::cluster {

using testing::LoadExample;

TEST_SUITE("names") {
  TEST_CASE("children are named after the cluster and their component") {
    const auto c = LoadExample("livy");
    CHECK(ChildName(c, Component::kMaster) == "livy-master");
    CHECK(ChildName(c, Component::kWorker) == "livy-worker");
    CHECK(ChildName(c, Component::kHistoryServer) == "livy-history-server");
    CHECK(ChildName(c, Component::kLivy) == "livy-livy");
    CHECK(SparkConfName(c) == "livy-spark-conf");
    CHECK(DiscoveryName(c) == "livy-discovery");
  }

  TEST_CASE("component labels are the recommended app.kubernetes.io set plus spyt.dev/cluster") {
    CHECK(ComponentLabels(LoadExample("minimal"), Component::kHistoryServer) ==
          Labels{{"app.kubernetes.io/name", "spyt"},
                 {"app.kubernetes.io/instance", "minimal"},
                 {"app.kubernetes.io/component", "history-server"},
                 {"app.kubernetes.io/managed-by", "spyt-operator"},
                 {"app.kubernetes.io/part-of", "spyt"},
                 {"app.kubernetes.io/version", "2.9.3"},
                 {"spyt.dev/cluster", "minimal"}});
  }

  TEST_CASE("selectors use only labels that never change: not the version") {
    const auto c = LoadExample("minimal");
    const Labels selector = SelectorLabels(c, Component::kWorker);
    CHECK(selector.size() == 3);
    CHECK(selector.count(label::kVersion) == 0);
    const Labels all = ComponentLabels(c, Component::kWorker);
    for (const auto& [key, value] : selector) CHECK(all.at(key) == value);
  }

  TEST_CASE("the worker selector string is the selector labels in key order") {
    CHECK(WorkerSelector(LoadExample("minimal")) ==
          "app.kubernetes.io/component=worker,app.kubernetes.io/instance=minimal,"
          "app.kubernetes.io/name=spyt");
  }

  TEST_CASE("the master URL is the master Service's cluster DNS name and rpc port") {
    CHECK(MasterUrl(LoadExample("minimal"), "corp.local") ==
          "spark://minimal-master.default.svc.corp.local:7077");
  }

  TEST_CASE("the discovery path defaults to one per namespace and name") {
    CHECK(DiscoveryPath(LoadExample("minimal")) == "//tmp/spyt/default/minimal");
    CHECK(DiscoveryPath(LoadExample("full")) == "//home/analytics/spark/full");
  }

  TEST_CASE("the event log directory defaults to logs/event_log under the discovery path") {
    auto c = LoadExample("full");
    CHECK(EventLogDirectory(c) == "yt:///home/analytics/spark/full/logs/event_log");
    c.spec.history_server.log_directory = "yt:///somewhere/else";
    CHECK(EventLogDirectory(c) == "yt:///somewhere/else");
    CHECK(EventLogDirectory(LoadExample("minimal")) ==
          "yt:///tmp/spyt/default/minimal/logs/event_log");
  }
}

}  // namespace spyt::cluster
