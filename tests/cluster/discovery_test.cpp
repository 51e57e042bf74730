#include "cluster/discovery.h"

#include <doctest/doctest.h>

#include "cluster/fixtures.h"
#include "cluster/kube_observation.h"
#include "cluster/status.h"

namespace spyt::cluster {
namespace {

// `c`'s status with every component ready but Livy.
api::SpytClusterStatus LivyNotReady(const api::SpytCluster& c) {
  Observation o;
  o.master = {true, 1, 1, true};
  o.workers = {true, 2, 2, true};
  o.history_server = {true, 1, 1, true};
  o.livy = {true, 1, 0, true};
  o.addresses = ServiceAddresses(c, "cluster.local");
  return ComputeStatus(c, o, "t1");
}

}  // namespace

TEST_SUITE("discovery") {
  TEST_CASE("discovery lists only ready components, in SPYT's entry names") {
    auto c = testing::LoadExample("livy");
    auto st = LivyNotReady(c);
    DiscoveryEntries e = BuildDiscoveryEntries(c, st, ServiceAddresses(c, "cluster.local"));
    CHECK(e.at("spark_address") == "livy-master.default.svc.cluster.local:7077");
    CHECK(e.at("webui") == "livy-master.default.svc.cluster.local:8080");
    CHECK(e.at("rest") == "livy-master.default.svc.cluster.local:6066");
    CHECK(e.at("version") == "2.9.3");
    CHECK(e.count("livy") == 0);
    CHECK(e.count("shs") == 0);
  }

  TEST_CASE("the entries hold the platform's addresses as they are") {
    auto c = testing::LoadExample("full");
    Observation o;
    o.master = o.history_server = o.livy = {true, 1, 1, true};
    o.workers = {true, 4, 4, true};
    o.addresses = {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4", "127.0.0.1:5"};
    DiscoveryEntries e = BuildDiscoveryEntries(c, ComputeStatus(c, o, "t1"), o.addresses);
    CHECK(e.at("spark_address") == "127.0.0.1:1");
    CHECK(e.at("webui") == "127.0.0.1:2");
    CHECK(e.at("rest") == "127.0.0.1:3");
    CHECK(e.at("shs") == "127.0.0.1:4");
    CHECK(e.at("livy") == "127.0.0.1:5");
  }

  TEST_CASE("a component without an address has no entry even when Ready") {
    auto c = testing::LoadExample("full");
    Observation o;
    o.master = o.history_server = o.livy = {true, 1, 1, true};
    o.workers = {true, 4, 4, true};
    o.addresses = ServiceAddresses(c, "cluster.local");
    auto st = ComputeStatus(c, o, "t1");
    o.addresses.livy.reset();
    CHECK(BuildDiscoveryEntries(c, st, o.addresses).count("livy") == 0);
  }

  TEST_CASE("the discovery command prints spark-discovery-yt's seven lines") {
    DiscoveryEntries e = {{"spark_address", "m:7077"},
                          {"webui", "m:8080"},
                          {"rest", "m:6066"},
                          {"livy", "l:8998"},
                          {"version", "2.9.3"}};
    CHECK(FormatDiscovery(e) ==
          "Master: m:7077\n"
          "Master Web UI: http://m:8080/\n"
          "Master REST API Endpoint: m:6066\n"
          "Operation: None\n"
          "Spark History Server: None\n"
          "Livy Server: http://l:8998/\n"
          "SPYT Cluster version: 2.9.3\n");
  }
}

}  // namespace spyt::cluster
