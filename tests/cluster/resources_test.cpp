// Container sizing: SPYT's rules, and the user's per-key overrides.

#include <doctest/doctest.h>

#include "cluster/builders.h"
#include "cluster/fixtures.h"

namespace spyt::cluster {
namespace {

using testing::Build;
using testing::LoadExample;
using testing::ResourceOf;

api::ResourceRequirements Requirements(std::map<std::string, std::string> limits,
                                       std::map<std::string, std::string> requests) {
  api::ResourceRequirements r;
  for (const auto& [k, v] : limits) r.limits.emplace(k, api::Quantity::Parse(v));
  for (const auto& [k, v] : requests) r.requests.emplace(k, api::Quantity::Parse(v));
  return r;
}

}  // namespace

TEST_SUITE("resources") {
  TEST_CASE("the Livy container is 6Gi and 6 cpu for 5 sessions of 1 core and 1G") {
    const auto state = Build(LoadExample("livy"));
    const auto& livy = testing::Object(state, "Deployment", "livy-livy");
    for (const char* kind : {"requests", "limits"}) {
      CAPTURE(kind);
      CHECK(ResourceOf(livy, kind, "memory") == "6Gi");
      CHECK(ResourceOf(livy, kind, "cpu") == "6");
    }
  }

  TEST_CASE("a worker container holds its offer plus the overheads") {
    auto cluster = LoadExample("minimal");  // 2 cores, 4G, overheads 0 cores and 2G
    cluster.spec.workers.cores_overhead = 1;
    const auto state = Build(cluster);
    const auto& worker = testing::Object(state, "StatefulSet", "minimal-worker");
    for (const char* kind : {"requests", "limits"}) {
      CAPTURE(kind);
      CHECK(ResourceOf(worker, kind, "cpu") == "3");
      CHECK(ResourceOf(worker, kind, "memory") == "6Gi");
    }
  }

  TEST_CASE("the master requests one cpu and its memory, and limits only memory") {
    const auto state = Build(LoadExample("minimal"));
    const auto& master = testing::Object(state, "StatefulSet", "minimal-master");
    CHECK(testing::At(testing::ContainerOf(master), {"resources"}) ==
          json::Value(json::Object{{"requests", json::Object{{"cpu", "1"}, {"memory", "4Gi"}}},
                                   {"limits", json::Object{{"memory", "4Gi"}}}}));
  }

  TEST_CASE("overriding one resource key keeps the computed others") {
    const auto state = Build(LoadExample("full"));  // master: requests.cpu 500m
    const auto& master = testing::Object(state, "StatefulSet", "full-master");
    CHECK(ResourceOf(master, "requests", "cpu") == "500m");
    CHECK(ResourceOf(master, "requests", "memory") == "4Gi");
    CHECK(ResourceOf(master, "limits", "memory") == "4Gi");
  }

  TEST_CASE("the history server gets its cpu and memory as requests and limits") {
    const auto state = Build(LoadExample("minimal"));
    const auto& history = testing::Object(state, "Deployment", "minimal-history-server");
    CHECK(ResourceOf(history, "limits", "cpu") == "1");
    CHECK(ResourceOf(history, "requests", "memory") == "4Gi");
  }

  TEST_CASE("a user limit below the computed request lowers that request") {
    auto merged = detail::MergeResources(Requirements({{"memory", "4Gi"}}, {{"memory", "4Gi"}}),
                                         Requirements({{"memory", "2Gi"}}, {}));
    CHECK(merged.requests.at("memory").ToString() == "2Gi");
    CHECK(merged.limits.at("memory").ToString() == "2Gi");
  }

  TEST_CASE("a request the user set is kept even above the limit, for the API server to judge") {
    auto merged = detail::MergeResources(Requirements({{"cpu", "2"}}, {{"cpu", "2"}}),
                                         Requirements({{"cpu", "1"}}, {{"cpu", "3"}}));
    CHECK(merged.requests.at("cpu").ToString() == "3");
    CHECK(merged.limits.at("cpu").ToString() == "1");
  }

  TEST_CASE("an override may add a resource the operator does not compute") {
    auto merged = detail::MergeResources(Requirements({{"cpu", "2"}}, {{"cpu", "2"}}),
                                         Requirements({{"ephemeral-storage", "10Gi"}}, {}));
    CHECK(merged.limits.at("ephemeral-storage").ToString() == "10Gi");
    CHECK(merged.limits.at("cpu").ToString() == "2");
  }

  TEST_CASE("daemon heaps leave a quarter of the container to the JVM's other memory") {
    const auto state = Build(LoadExample("minimal"));
    const json::Value* heap = testing::EnvOf(
        testing::Object(state, "StatefulSet", "minimal-master"), "SPARK_DAEMON_MEMORY");
    REQUIRE(heap != nullptr);
    CHECK(testing::At(*heap, {"value"}).as_string() == "3072m");
    const json::Value* worker_heap = testing::EnvOf(
        testing::Object(state, "StatefulSet", "minimal-worker"), "SPARK_DAEMON_MEMORY");
    REQUIRE(worker_heap != nullptr);
    CHECK(testing::At(*worker_heap, {"value"}).as_string() == "1024m");  // capped at Spark's 1g
  }
}

}  // namespace spyt::cluster
