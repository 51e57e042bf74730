#include "cluster/status.h"

#include <doctest/doctest.h>

#include "cluster/fixtures.h"
#include "cluster/kube_observation.h"
#include "fakes/fake_livy_source.h"

namespace spyt::cluster {
namespace {

ComponentObservation Replicas(int desired, int ready, bool rolled_out = true) {
  return {true, desired, ready, rolled_out};
}

// Every component of `c` ready on Kubernetes, reached at its Service.
Observation AllReady(const api::SpytCluster& c) {
  Observation o;
  o.master = Replicas(1, 1);
  o.workers = Replicas(2, 2);
  o.history_server = Replicas(1, 1);
  o.livy = Replicas(1, 1);
  o.addresses = ServiceAddresses(c, "cluster.local");
  return o;
}

std::string StatusOf(const api::SpytClusterStatus& st, const char* type, bool reason = false) {
  const api::Condition* c = FindCondition(st.conditions, type);
  REQUIRE(c != nullptr);
  return reason ? c->reason : c->status;
}

std::string MessageOf(const api::SpytClusterStatus& st, const char* type) {
  const api::Condition* c = FindCondition(st.conditions, type);
  REQUIRE(c != nullptr);
  return c->message;
}

}  // namespace

TEST_SUITE("status") {
  TEST_CASE("all enabled components ready makes the cluster Ready and not Reconciling") {
    auto c = testing::LoadExample("livy");
    auto st = ComputeStatus(c, AllReady(c), "t1");
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
    Observation o = AllReady(c);
    o.workers = Replicas(2, 1);
    auto st = ComputeStatus(c, o, "t1");
    CHECK(StatusOf(st, "Ready") == "False");
    CHECK(MessageOf(st, "Ready") == "waiting for: workers");
    CHECK(st.workers.summary == "1/2");
  }

  TEST_CASE("the spec's replica count is the desired one in the workers' summary") {
    auto c = testing::LoadExample("livy");
    c.spec.workers.replicas = 4;
    Observation o = AllReady(c);
    o.workers = Replicas(4, 2);
    auto st = ComputeStatus(c, o, "t1");
    CHECK(st.workers.summary == "2/4");
    CHECK(StatusOf(st, "WorkersReady") == "False");
  }

  TEST_CASE("a component's message counts the replicas in the platform's word") {
    auto c = testing::LoadExample("livy");
    Observation o = AllReady(c);
    o.workers = Replicas(2, 1);
    CHECK(MessageOf(ComputeStatus(c, o, "t1"), "WorkersReady") == "workers: 1/2 pods ready");
    o.replica_noun = "processes";
    CHECK(MessageOf(ComputeStatus(c, o, "t1"), "WorkersReady") == "workers: 1/2 processes ready");
  }

  TEST_CASE("a component not rolled out is RollingOut, a missing one NotCreated") {
    auto c = testing::LoadExample("livy");
    Observation o = AllReady(c);
    o.livy = Replicas(1, 1, false);
    o.master = ComponentObservation{};
    auto st = ComputeStatus(c, o, "t1");
    CHECK(StatusOf(st, "LivyReady", true) == "RollingOut");
    CHECK(MessageOf(st, "LivyReady") == "Livy: rolling out, 1/1 pods ready");
    CHECK(StatusOf(st, "MasterReady", true) == "NotCreated");
    CHECK(MessageOf(st, "Ready") == "waiting for: master, livy");
  }

  TEST_CASE("the endpoints are URLs of the observed addresses") {
    auto c = testing::LoadExample("full");
    Observation o = AllReady(c);
    o.addresses = {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4", std::nullopt};
    auto st = ComputeStatus(c, o, "t1");
    CHECK(st.endpoints.master == "spark://127.0.0.1:1");
    CHECK(st.endpoints.web_ui == "http://127.0.0.1:2");
    CHECK(st.endpoints.rest == "127.0.0.1:3");
    CHECK(st.endpoints.history_server == "http://127.0.0.1:4");
    CHECK_FALSE(st.endpoints.livy.has_value());
  }

  TEST_CASE("where discovery is published comes from the observation") {
    auto c = testing::LoadExample("livy");
    Observation o = AllReady(c);
    o.discovery.path = "/state/discovery/livy";
    auto st = ComputeStatus(c, o, "t1");
    CHECK(st.discovery.path == "/state/discovery/livy");
    CHECK_FALSE(st.discovery.config_map.has_value());
  }

  TEST_CASE("LivyResponding comes from the observation's Livy polls, absent without them") {
    auto c = testing::LoadExample("livy");
    Observation o = AllReady(c);
    CHECK(FindCondition(ComputeStatus(c, o, "t1").conditions, "LivyResponding") == nullptr);
    fakes::FakeLivySource polls;
    o.livy_polls = &polls;
    CHECK(StatusOf(ComputeStatus(c, o, "t1"), "LivyResponding", true) == "NotPolled");
  }

  TEST_CASE("lastTransitionTime changes only when a condition flips") {
    auto c = testing::LoadExample("livy");
    c.status = ComputeStatus(c, AllReady(c), "t1");
    auto same = ComputeStatus(c, AllReady(c), "t2");
    CHECK(FindCondition(same.conditions, "Ready")->last_transition_time == "t1");
    CHECK_FALSE(StatusChanged(c.status, same));
    Observation o = AllReady(c);
    o.livy = Replicas(1, 0);
    auto flipped = ComputeStatus(c, o, "t3");
    CHECK(FindCondition(flipped.conditions, "Ready")->last_transition_time == "t3");
    CHECK(StatusChanged(c.status, flipped));
  }

  TEST_CASE("an invalid spec is Degraded with the field errors, other conditions kept") {
    auto c = testing::LoadExample("livy");
    c.status = ComputeStatus(c, AllReady(c), "t1");
    api::FieldErrors errors = {
        {api::FieldError::Type::kInvalid, "spec.livy.maxSessions", "0", "must be at least 1"}};
    auto st = InvalidSpecStatus(c, errors, "t2");
    CHECK(StatusOf(st, "Degraded") == "True");
    CHECK(StatusOf(st, "Degraded", true) == "InvalidSpec");
    CHECK(MessageOf(st, "Degraded").find("spec.livy.maxSessions") != std::string::npos);
    CHECK(StatusOf(st, "Ready") == "True");  // what runs is untouched and still serves
    // kstatus (Flux, Argo CD): Reconciling False and Stalled True read as Failed.
    CHECK(StatusOf(st, "Stalled") == "True");
    CHECK(StatusOf(st, "Stalled", true) == "InvalidSpec");
    CHECK(StatusOf(st, "Reconciling") == "False");
  }
}

}  // namespace spyt::cluster
