#include "cluster/permissions.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "cluster/desired_state.h"
#include "cluster/fixtures.h"
#include "cluster/permission_checks.h"
#include "fakes/fake_client.h"
#include "fakes/fake_clock.h"
#include "runtime/event_recorder.h"
#include "runtime/leader_election.h"

namespace spyt::cluster {
namespace {

namespace res = kube::resources;
using testing::LoadExample;
using testing::UngrantedVerbs;

constexpr const char* kLease = "the-lease";
const auto kWatched = PermissionScope::kWatchedNamespaces;

std::vector<Permission> Perms() { return OperatorPermissions(kLease); }

bool Deletable(const kube::Resource& r) {
  api::SpytCluster cluster = LoadExample("minimal");
  cluster.spec.history_server.enabled = false;
  cluster.spec.livy.enabled = false;
  auto undesired = UndesiredChildren(cluster);
  return std::any_of(undesired.begin(), undesired.end(),
                     [&](const ChildRef& c) { return c.resource == r; });
}

}  // namespace

TEST_SUITE("permissions") {
  TEST_CASE("every resource the operator caches is granted list and watch") {
    std::vector<kube::Resource> cached = ChildResources();
    cached.push_back(res::kSpytClusters);
    for (const auto& r : cached) {
      CAPTURE(r.plural);
      CHECK(Grants(Perms(), r, "", "list", kWatched));
      CHECK(Grants(Perms(), r, "", "watch", kWatched));
    }
  }

  TEST_CASE("every object the reconciler builds is granted create and patch (server-side apply)") {
    for (const auto& object : testing::Build(LoadExample("full")).objects) {
      CAPTURE(object.name);
      CHECK(Grants(Perms(), object.resource, "", "patch", kWatched));
      CHECK(Grants(Perms(), object.resource, "", "create", kWatched));
    }
  }

  TEST_CASE("delete is granted on exactly the kinds a disabled component leaves behind") {
    for (const auto& r : ChildResources()) {
      CAPTURE(r.plural);
      CHECK(Grants(Perms(), r, "", "delete", kWatched) == Deletable(r));
    }
  }

  TEST_CASE("update on spytclusters/finalizers is granted while children block owner deletion") {
    bool blocks = false;
    for (const auto& object : testing::Build(LoadExample("full")).objects) {
      const json::Value& owner = testing::At(object.object, {"metadata", "ownerReferences"});
      const json::Value* block = owner.as_array().at(0).find("blockOwnerDeletion");
      blocks = blocks || (block != nullptr && *block == json::Value(true));
    }
    CHECK(Grants(Perms(), res::kSpytClusters, "finalizers", "update", kWatched) == blocks);
  }

  TEST_CASE("the event recorder's create and repeat-patch are granted") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    runtime::EventRecorder events(client, clock, "spyt-operator", "pod-1");
    runtime::ObjectRef ref{api::kApiVersion, api::kKind, "ns", "c", "uid-1", "1"};
    events.Normal(ref, "ClusterReady", "ready");
    events.Normal(ref, "ClusterReady", "ready");
    REQUIRE(client.Requests("patch", res::kEvents) == 1);
    CHECK(UngrantedVerbs(client, Perms(), res::kEvents, "", kWatched).empty());
  }

  TEST_CASE("leader election's requests are granted on its own Lease only") {
    fakes::FakeClient client;
    fakes::FakeClock clock;
    runtime::LeaderElectionConfig config;
    config.lease_namespace = "spyt-system";
    config.lease_name = kLease;
    config.identity = "me";
    runtime::LeaderElector elector(client, clock, config, {});
    REQUIRE(elector.TryAcquireOrRenew());  // creates
    REQUIRE(elector.TryAcquireOrRenew());  // renews: get, update
    elector.Stop();                        // releases
    const auto scope = PermissionScope::kLeaderElectionNamespace;
    CHECK(UngrantedVerbs(client, Perms(), res::kLeases, "", scope, kLease).empty());
    CHECK_FALSE(Grants(Perms(), res::kLeases, "", "update", scope, "someone-elses"));
    CHECK_FALSE(Grants(Perms(), res::kLeases, "", "create", kWatched));
  }

  TEST_CASE("the JSON names subresources and restricted object names as RBAC rules do") {
    json::Value out = EncodePermissions(Perms());
    const json::Array& entries = out.as_array();
    auto find = [&](const std::string& resource, const std::string& verb) -> const json::Value* {
      for (const auto& e : entries) {
        const auto& verbs = e.find("verbs")->as_array();
        if (e.find("resource")->as_string() == resource &&
            std::find(verbs.begin(), verbs.end(), json::Value(verb)) != verbs.end())
          return &e;
      }
      return nullptr;
    };
    const json::Value* status = find("spytclusters/status", "patch");
    REQUIRE(status != nullptr);
    CHECK(status->find("apiGroup")->as_string() == "spyt.dev");
    CHECK(status->find("scope")->as_string() == "watched-namespaces");
    CHECK(status->find("resourceNames") == nullptr);
    const json::Value* lease = find("leases", "update");
    REQUIRE(lease != nullptr);
    CHECK(lease->find("scope")->as_string() == "leader-election-namespace");
    CHECK(*lease->find("resourceNames") == json::Value(json::Array{json::Value(kLease)}));
  }
}

}  // namespace spyt::cluster
