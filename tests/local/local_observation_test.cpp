#include "local/local_observation.h"

#include <doctest/doctest.h>

#include <set>

#include "cluster/discovery.h"
#include "cluster/fixtures.h"
#include "cluster/status.h"

namespace spyt::local {
namespace {

using cluster::Component;

// The processes of examples/livy.yaml (a master, two workers and Livy).
ClusterPlan LivyPlan() {
  ClusterPlan plan;
  plan.processes = {{"livy/master", Component::kMaster, {}, 41000, "/m"},
                    {"livy/worker-0", Component::kWorker, {}, 41003, "/w0"},
                    {"livy/worker-1", Component::kWorker, {}, 41004, "/w1"},
                    {"livy/livy", Component::kLivy, {}, 41005, "/l"}};
  plan.addresses = {41000, 41001, 41002, 0, 41005};
  return plan;
}

// A probe that finds the processes with these ids serving.
ServingProbe Serving(std::set<std::string> ids) {
  return [ids](const ProcessSpec& p) { return ids.count(p.id) != 0; };
}

const std::set<std::string> kAll = {"livy/master", "livy/worker-0", "livy/worker-1", "livy/livy"};

}  // namespace

TEST_SUITE("local observation") {
  TEST_CASE("each component's processes are its replicas, counted by the probe") {
    auto c = cluster::testing::LoadExample("livy");
    auto o = ObserveProcesses(c, LivyPlan(), Serving({"livy/master", "livy/worker-1"}), "/d");
    CHECK(o.master.desired == 1);
    CHECK(o.master.Ready());
    CHECK(o.workers.desired == 2);
    CHECK(o.workers.ready == 1);
    CHECK_FALSE(o.workers.Ready());
    CHECK(o.livy.exists);
    CHECK(o.livy.ready == 0);
    CHECK_FALSE(o.history_server.exists);
  }

  TEST_CASE("every running process has its latest spec: the supervisor restarts changed ones") {
    auto c = cluster::testing::LoadExample("livy");
    auto o = ObserveProcesses(c, LivyPlan(), Serving({}), "/d");
    CHECK(o.master.rolled_out);
    CHECK(o.workers.rolled_out);
    CHECK(o.livy.rolled_out);
  }

  TEST_CASE("the components are reached on 127.0.0.1 at the port book's ports") {
    cluster::Addresses a = LoopbackAddresses({7077, 8080, 6066, 0, 8998});
    CHECK(a.master_rpc == "127.0.0.1:7077");
    CHECK(a.master_web_ui == "127.0.0.1:8080");
    CHECK(a.master_rest == "127.0.0.1:6066");
    CHECK_FALSE(a.history_server.has_value());
    CHECK(a.livy == "127.0.0.1:8998");
  }

  TEST_CASE("a local status counts processes and points at the discovery directory") {
    auto c = cluster::testing::LoadExample("livy");
    auto o = ObserveProcesses(c, LivyPlan(), Serving({"livy/master", "livy/worker-0"}),
                              "/state/discovery/livy");
    auto st = cluster::ComputeStatus(c, o, "t1");
    const api::Condition* workers = cluster::FindCondition(st.conditions, "WorkersReady");
    REQUIRE(workers != nullptr);
    CHECK(workers->message == "workers: 1/2 processes ready");
    CHECK(st.endpoints.master == "spark://127.0.0.1:41000");
    CHECK(st.endpoints.livy == "http://127.0.0.1:41005");
    CHECK_FALSE(st.endpoints.history_server.has_value());
    CHECK(st.discovery.path == "/state/discovery/livy");
    CHECK_FALSE(st.discovery.config_map.has_value());
  }

  TEST_CASE("local discovery entries hold the 127.0.0.1 addresses of ready components") {
    auto c = cluster::testing::LoadExample("livy");
    auto o = ObserveProcesses(c, LivyPlan(), Serving(kAll), "/d");
    auto e = cluster::BuildDiscoveryEntries(c, cluster::ComputeStatus(c, o, "t1"), o.addresses);
    CHECK(e.at("spark_address") == "127.0.0.1:41000");
    CHECK(e.at("webui") == "127.0.0.1:41001");
    CHECK(e.at("rest") == "127.0.0.1:41002");
    CHECK(e.at("livy") == "127.0.0.1:41005");
    CHECK(e.count("shs") == 0);
  }
}

}  // namespace spyt::local
