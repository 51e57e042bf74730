#include "runtime/event_recorder.h"

#include <doctest/doctest.h>

#include "fakes/fake_client.h"
#include "fakes/fake_clock.h"

namespace spyt::runtime {
namespace {

ObjectRef Cluster() { return {"spyt.dev/v1alpha1", "SpytCluster", "ns", "demo", "uid-1", "7"}; }

json::Array Events(fakes::FakeClient& client) {
  return client.List(kube::resources::kEvents, "ns", {}).items;
}

}  // namespace

TEST_SUITE("event_recorder") {
  TEST_CASE("an event names its object, type, reason and reporter") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    EventRecorder rec(client, clock, "spyt-operator", "pod-1");
    rec.Warning(Cluster(), "InvalidSpec", "spec.livy.maxSessions: must be at least 1");
    auto events = Events(client);
    REQUIRE(events.size() == 1);
    const json::Value& e = events[0];
    CHECK(e.find("type")->as_string() == "Warning");
    CHECK(e.find("reason")->as_string() == "InvalidSpec");
    CHECK(e.find("involvedObject")->find("uid")->as_string() == "uid-1");
    CHECK(e.find("involvedObject")->find("kind")->as_string() == "SpytCluster");
    CHECK(e.find("reportingComponent")->as_string() == "spyt-operator");
    CHECK(e.find("count")->as_int() == 1);
  }

  TEST_CASE("a repeated event within the window bumps the count instead of creating another") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    EventRecorder rec(client, clock, "spyt-operator", "pod-1");
    rec.Normal(Cluster(), "ClusterReady", "ready");
    clock.Advance(std::chrono::minutes(1));
    rec.Normal(Cluster(), "ClusterReady", "ready");
    rec.Normal(Cluster(), "ClusterReady", "ready");
    auto events = Events(client);
    REQUIRE(events.size() == 1);
    CHECK(events[0].find("count")->as_int() == 3);
    CHECK(rec.created() == 1);
    CHECK(rec.patched() == 2);
  }

  TEST_CASE("a different message or an expired window starts a new event") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    EventRecorder rec(client, clock, "spyt-operator", "pod-1", std::chrono::minutes(10));
    rec.Normal(Cluster(), "ClusterReady", "ready");
    rec.Normal(Cluster(), "ClusterReady", "ready again");
    clock.Advance(std::chrono::minutes(11));
    rec.Normal(Cluster(), "ClusterReady", "ready");
    CHECK(Events(client).size() == 3);
  }

  TEST_CASE("an event deleted by the server's TTL is created anew") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    EventRecorder rec(client, clock, "spyt-operator", "pod-1");
    rec.Normal(Cluster(), "ClusterReady", "ready");
    for (const auto& e : Events(client)) {
      client.Delete(kube::resources::kEvents, "ns", e.find("metadata")->find("name")->as_string());
    }
    rec.Normal(Cluster(), "ClusterReady", "ready");
    CHECK(Events(client).size() == 1);
  }

  TEST_CASE("a failure to record is swallowed: events are best effort") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    EventRecorder rec(client, clock, "spyt-operator", "pod-1");
    client.FailNext("create", kube::ApiError(kube::Reason::kForbidden, 403, "no"));
    CHECK_NOTHROW(rec.Normal(Cluster(), "ClusterReady", "ready"));
  }

  TEST_CASE("the series cache is bounded") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    EventRecorder rec(client, clock, "spyt-operator", "pod-1", std::chrono::minutes(10), 2);
    rec.Normal(Cluster(), "A", "1");
    rec.Normal(Cluster(), "B", "2");
    rec.Normal(Cluster(), "C", "3");
    rec.Normal(Cluster(), "A", "1");  // evicted: a new event, not a patch
    CHECK(rec.created() == 4);
  }
}

}  // namespace spyt::runtime
