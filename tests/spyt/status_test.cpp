#include "spyt/status.h"

#include <doctest/doctest.h>

#include "spyt/discovery.h"
#include "spyt/fixtures.h"

namespace spyt::cluster {
namespace {

json::Value Workload(int replicas, int ready, int generation = 1, int observed = 1) {
  return json::Object{{"metadata", json::Object{{"generation", generation}}},
                      {"spec", json::Object{{"replicas", replicas}}},
                      {"status", json::Object{{"readyReplicas", ready},
                                              {"updatedReplicas", replicas},
                                              {"observedGeneration", observed}}}};
}

std::string StatusOf(const api::SpytClusterStatus& st, const char* type, bool reason = false) {
  const api::Condition* c = FindCondition(st.conditions, type);
  REQUIRE(c != nullptr);
  return reason ? c->reason : c->status;
}

ObservedChildren AllReady() {
  return {Workload(1, 1), Workload(2, 2), Workload(1, 1), Workload(1, 1)};
}

}  // namespace

TEST_SUITE("status") {
  TEST_CASE("a workload is ready only when its controller has seen the latest spec") {
    CHECK(ReadStatefulSet(Workload(2, 2)).Ready());
    CHECK_FALSE(ReadStatefulSet(Workload(2, 1)).Ready());
    CHECK_FALSE(ReadStatefulSet(Workload(2, 2, 2, 1)).Ready());
    CHECK_FALSE(ReadStatefulSet(std::nullopt).Ready());
  }

  TEST_CASE("all enabled components ready makes the cluster Ready and not Reconciling") {
    auto c = testing::LoadExample("livy");
    auto st = ComputeStatus(c, AllReady(), "cluster.local", "t1");
    CHECK(StatusOf(st, "Ready") == "True");
    CHECK(StatusOf(st, "Reconciling") == "False");
    CHECK(StatusOf(st, "Degraded") == "False");
    CHECK(StatusOf(st, "Stalled") == "False");
    CHECK(StatusOf(st, "HistoryServerReady", true) == "Disabled");
    CHECK(st.workers.summary == "2/2");
    CHECK(st.endpoints.livy == "http://livy-livy.default.svc.cluster.local:8998");
    CHECK_FALSE(st.endpoints.history_server.has_value());
  }

  TEST_CASE("a missing worker keeps the cluster not Ready and says what it waits for") {
    auto c = testing::LoadExample("livy");
    ObservedChildren o = AllReady();
    o.workers = Workload(2, 1);
    auto st = ComputeStatus(c, o, "cluster.local", "t1");
    CHECK(StatusOf(st, "Ready") == "False");
    CHECK(FindCondition(st.conditions, "Ready")->message == "waiting for: workers");
    CHECK(st.workers.summary == "1/2");
  }

  TEST_CASE("the spec's replica count is the desired one even before the StatefulSet catches up") {
    auto c = testing::LoadExample("livy");
    c.spec.workers.replicas = 4;
    auto st = ComputeStatus(c, AllReady(), "cluster.local", "t1");
    CHECK(st.workers.summary == "2/4");
    CHECK(StatusOf(st, "WorkersReady") == "False");
  }

  TEST_CASE("lastTransitionTime changes only when a condition flips") {
    auto c = testing::LoadExample("livy");
    c.status = ComputeStatus(c, AllReady(), "cluster.local", "t1");
    auto same = ComputeStatus(c, AllReady(), "cluster.local", "t2");
    CHECK(FindCondition(same.conditions, "Ready")->last_transition_time == "t1");
    CHECK_FALSE(StatusChanged(c.status, same));
    ObservedChildren o = AllReady();
    o.livy = Workload(1, 0);
    auto flipped = ComputeStatus(c, o, "cluster.local", "t3");
    CHECK(FindCondition(flipped.conditions, "Ready")->last_transition_time == "t3");
    CHECK(StatusChanged(c.status, flipped));
  }

  TEST_CASE("an invalid spec is Degraded with the field errors, other conditions kept") {
    auto c = testing::LoadExample("livy");
    c.status = ComputeStatus(c, AllReady(), "cluster.local", "t1");
    api::FieldErrors errors = {
        {api::FieldError::Type::kInvalid, "spec.livy.maxSessions", "0", "must be at least 1"}};
    auto st = InvalidSpecStatus(c, errors, "t2");
    CHECK(StatusOf(st, "Degraded") == "True");
    CHECK(StatusOf(st, "Degraded", true) == "InvalidSpec");
    CHECK(FindCondition(st.conditions, "Degraded")->message.find("spec.livy.maxSessions") !=
          std::string::npos);
    CHECK(StatusOf(st, "Ready") == "True");  // what runs is untouched and still serves
    // kstatus (Flux, Argo CD): Reconciling False and Stalled True read as Failed.
    CHECK(StatusOf(st, "Stalled") == "True");
    CHECK(StatusOf(st, "Stalled", true) == "InvalidSpec");
    CHECK(StatusOf(st, "Reconciling") == "False");
  }

  TEST_CASE("discovery lists only ready components, in SPYT's entry names") {
    auto c = testing::LoadExample("livy");
    ObservedChildren o = AllReady();
    o.livy = Workload(1, 0);
    auto st = ComputeStatus(c, o, "cluster.local", "t1");
    DiscoveryEntries e = BuildDiscoveryEntries(c, st, "cluster.local");
    CHECK(e.at("spark_address") == "livy-master.default.svc.cluster.local:7077");
    CHECK(e.at("webui") == "livy-master.default.svc.cluster.local:8080");
    CHECK(e.at("rest") == "livy-master.default.svc.cluster.local:6066");
    CHECK(e.at("version") == "1.75.4");
    CHECK(e.count("livy") == 0);
    CHECK(e.count("shs") == 0);
  }

  TEST_CASE("the discovery command prints spark-discovery-yt's seven lines") {
    DiscoveryEntries e = {{"spark_address", "m:7077"},
                          {"webui", "m:8080"},
                          {"rest", "m:6066"},
                          {"livy", "l:8998"},
                          {"version", "1.75.4"}};
    CHECK(FormatDiscovery(e) ==
          "Master: m:7077\n"
          "Master Web UI: http://m:8080/\n"
          "Master REST API Endpoint: m:6066\n"
          "Operation: None\n"
          "Spark History Server: None\n"
          "Livy Server: http://l:8998/\n"
          "SPYT Cluster version: 1.75.4\n");
  }
}

}  // namespace spyt::cluster
