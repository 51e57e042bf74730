#include "cluster/livy_sessions.h"

#include <doctest/doctest.h>

#include "cluster/fixtures.h"
#include "cluster/status.h"
#include "fakes/fake_livy_source.h"

namespace spyt::cluster {
namespace {

api::SpytCluster ReadyLivy(const std::string& name) {
  api::SpytCluster c = testing::LoadExample("livy");
  c.metadata.name = name;
  c.status.endpoints.livy = "http://" + name + "-livy.default.svc.cluster.local:8998";
  SetCondition(c.status.conditions, {api::condition::kLivyReady, "True", 1, "t0", "Ready", ""});
  return c;
}

livy::Observation Answer(std::initializer_list<const char*> sessions,
                         std::initializer_list<const char*> batches = {}) {
  livy::Observation o;
  o.answering = true;
  for (const char* s : sessions) o.usage.Add(false, s);
  for (const char* s : batches) o.usage.Add(true, s);
  return o;
}

const api::Condition& Livy(const api::SpytClusterStatus& st) {
  const api::Condition* c = FindCondition(st.conditions, api::condition::kLivyResponding);
  REQUIRE(c != nullptr);
  return *c;
}

}  // namespace

TEST_SUITE("livy sessions") {
  TEST_CASE("only clusters with a Ready Livy and an endpoint are polled") {
    api::SpytCluster ready = ReadyLivy("a");
    api::SpytCluster starting = ReadyLivy("b");
    starting.status.conditions.clear();
    api::SpytCluster disabled = ReadyLivy("c");
    disabled.spec.livy.enabled = false;
    api::SpytCluster no_endpoint = ReadyLivy("d");
    no_endpoint.status.endpoints.livy.reset();
    auto targets = LivyTargets({ready, starting, disabled, no_endpoint});
    REQUIRE(targets.size() == 1);
    CHECK(targets[0].ns == "default");
    CHECK(targets[0].name == "a");
    CHECK(targets[0].url == "http://a-livy.default.svc.cluster.local:8998");
    CHECK(targets[0].max_sessions == ready.spec.livy.max_sessions);
  }

  TEST_CASE("sessions in use against the limit, by state, in the condition") {
    api::SpytCluster c = ReadyLivy("a");
    REQUIRE(c.spec.livy.max_sessions == 5);
    fakes::FakeLivySource source;
    source.latest["default/a"] = Answer({"idle", "busy", "dead"}, {"running"});
    api::SpytClusterStatus st = c.status;
    SetLivyCondition(st, c, &source, "t1");
    CHECK(Livy(st).status == "True");
    CHECK(Livy(st).reason == "SessionsAvailable");
    CHECK(Livy(st).message ==
          "3/5 sessions in use (sessions: 1 busy, 1 dead, 1 idle; batches: 1 running)");
    CHECK(Livy(st).last_transition_time == "t1");
  }

  TEST_CASE("a full Livy says new sessions are rejected") {
    api::SpytCluster c = ReadyLivy("a");
    fakes::FakeLivySource source;
    source.latest["default/a"] = Answer({"idle", "idle", "idle", "idle"}, {"starting"});
    api::SpytClusterStatus st = c.status;
    SetLivyCondition(st, c, &source, "t1");
    CHECK(Livy(st).status == "True");
    CHECK(Livy(st).reason == "SessionLimitReached");
    CHECK(Livy(st).message.find("5/5 sessions in use") == 0);
    CHECK(Livy(st).message.find("rejects new sessions") != std::string::npos);
  }

  TEST_CASE("a Livy that does not answer is False with the error") {
    api::SpytCluster c = ReadyLivy("a");
    fakes::FakeLivySource source;
    livy::Observation down;
    down.error = "http://a-livy:8998: GET /sessions: connection refused";
    source.latest["default/a"] = down;
    api::SpytClusterStatus st = c.status;
    SetLivyCondition(st, c, &source, "t1");
    CHECK(Livy(st).status == "False");
    CHECK(Livy(st).reason == "NotAnswering");
    CHECK(Livy(st).message.find("connection refused") != std::string::npos);
  }

  TEST_CASE("not ready or not polled yet is Unknown, disabled or polling off removes it") {
    api::SpytCluster c = ReadyLivy("a");
    fakes::FakeLivySource source;
    api::SpytClusterStatus st = c.status;
    SetLivyCondition(st, c, &source, "t1");
    CHECK(Livy(st).status == "Unknown");
    CHECK(Livy(st).reason == "NotPolled");

    // A stale answer is not shown once Livy stops being Ready.
    source.latest["default/a"] = Answer({"idle"});
    SetCondition(st.conditions, {api::condition::kLivyReady, "False", 1, "t2", "NotReady", ""});
    SetLivyCondition(st, c, &source, "t2");
    CHECK(Livy(st).reason == "NotPolled");

    SetLivyCondition(st, c, nullptr, "t3");
    CHECK(FindCondition(st.conditions, api::condition::kLivyResponding) == nullptr);
    SetLivyCondition(st, c, &source, "t3");
    c.spec.livy.enabled = false;
    SetLivyCondition(st, c, &source, "t3");
    CHECK(FindCondition(st.conditions, api::condition::kLivyResponding) == nullptr);
  }
}

}  // namespace spyt::cluster
