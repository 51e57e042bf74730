#include "cluster/reconciler.h"

#include <doctest/doctest.h>

#include "cluster/permission_checks.h"
#include "cluster/status.h"
#include "common/yaml.h"
#include "fakes/fake_client.h"
#include "fakes/fake_livy_source.h"
#include "runtime/cache.h"
#include "test_files.h"

namespace spyt::cluster {
namespace {

namespace res = kube::resources;

// The reconciler over an in-memory API server, with informer caches refreshed
// synchronously before every pass (no threads).
struct Harness {
  fakes::FakeLivySource livy;
  fakes::FakeClient client;
  runtime::Cache cache;
  std::vector<std::unique_ptr<runtime::Informer>> informers;
  runtime::EventRecorder events{client, RealClock(), "spyt-operator", "test"};
  ClusterReconciler reconciler{client, cache, events, RealClock(), BuildOptions{}, nullptr, &livy};

  Harness() {
    std::vector<kube::Resource> cached = ChildResources();
    cached.push_back(res::kSpytClusters);
    for (const auto& r : cached) {
      informers.push_back(std::make_unique<runtime::Informer>(
          client, RealClock(), runtime::InformerOptions{r, "ns", ""}));
      cache.Register(r, "ns", *informers.back());
    }
  }

  void CreateExample(const std::string& example) {
    json::Value doc = yaml::ParseOne(
        spyt::testing::ReadText(spyt::testing::SourcePath("examples/" + example + ".yaml")));
    doc["metadata"]["namespace"] = "ns";
    client.Create(res::kSpytClusters, "ns", doc);
  }

  void Reconcile(const std::string& name) {
    for (auto& inf : informers) inf->ListAndReplace();
    reconciler.Reconcile({"ns", name});
  }

  // An example cluster made Ready: created, its workloads ready, reconciled again.
  void CreateReady(const std::string& example) {
    CreateExample(example);
    Reconcile(example);
    MarkAllReady(example);
    Reconcile(example);
  }

  // Sets the workers' StatefulSet replicas as a user's kubectl scale would.
  void ScaleWorkersByHand(const std::string& c, int replicas) {
    json::Value sts = *client.Peek(res::kStatefulSets, "ns", c + "-worker");
    sts["spec"]["replicas"] = replicas;
    client.Seed(res::kStatefulSets, sts);
  }

  // A pass on the caches as they are: they have not seen the last pass's writes.
  void ReconcileOnStaleCache(const std::string& name) { reconciler.Reconcile({"ns", name}); }

  json::Value Cluster(const std::string& name) {
    return *client.Peek(res::kSpytClusters, "ns", name);
  }

  std::string ConditionOf(const std::string& name, const std::string& type,
                          const char* field = "status") {
    json::Value cluster = Cluster(name);
    const json::Value* status = cluster.find("status");
    const json::Value* conds = status ? status->find("conditions") : nullptr;
    if (conds == nullptr) return "";
    for (const auto& c : conds->as_array()) {
      if (c.find("type")->as_string() == type) return c.find(field)->as_string();
    }
    return "";
  }

  // Marks a workload as fully rolled out and ready, as its controller would.
  void MarkReady(const kube::Resource& r, const std::string& name) {
    json::Value obj = *client.Peek(r, "ns", name);
    std::int64_t replicas = obj.find("spec")->find("replicas")->as_int();
    obj["status"] =
        json::Object{{"observedGeneration", obj.find("metadata")->find("generation")->as_int()},
                     {"readyReplicas", replicas},
                     {"updatedReplicas", replicas},
                     {"replicas", replicas}};
    client.Seed(r, obj);
  }

  void MarkAllReady(const std::string& c) {
    MarkReady(res::kStatefulSets, c + "-master");
    MarkReady(res::kStatefulSets, c + "-worker");
    if (client.Peek(res::kDeployments, "ns", c + "-livy"))
      MarkReady(res::kDeployments, c + "-livy");
    if (client.Peek(res::kDeployments, "ns", c + "-history-server"))
      MarkReady(res::kDeployments, c + "-history-server");
  }
};

}  // namespace

TEST_SUITE("reconciler") {
  TEST_CASE("the first pass creates every child, the discovery records and a status") {
    Harness h;
    h.CreateExample("livy");
    h.Reconcile("livy");
    CHECK(h.client.Peek(res::kStatefulSets, "ns", "livy-master"));
    CHECK(h.client.Peek(res::kStatefulSets, "ns", "livy-worker"));
    CHECK(h.client.Peek(res::kDeployments, "ns", "livy-livy"));
    CHECK(h.client.Peek(res::kServices, "ns", "livy-livy"));
    CHECK(h.client.Peek(res::kConfigMaps, "ns", "livy-spark-conf"));
    CHECK(h.client.Peek(res::kConfigMaps, "ns", "livy-discovery"));
    CHECK_FALSE(h.client.Peek(res::kDeployments, "ns", "livy-history-server"));
    CHECK(h.ConditionOf("livy", "Ready") == "False");
    CHECK(h.ConditionOf("livy", "Reconciling") == "True");
  }

  TEST_CASE("every child carries the hash of what was applied") {
    Harness h;
    h.CreateExample("minimal");
    h.Reconcile("minimal");
    json::Value sts = *h.client.Peek(res::kStatefulSets, "ns", "minimal-worker");
    CHECK(sts.find("metadata")->find("annotations")->find(kDesiredHashAnnotation) != nullptr);
  }

  TEST_CASE("an unchanged cluster costs zero writes") {
    Harness h;
    h.CreateExample("livy");
    h.Reconcile("livy");
    h.MarkAllReady("livy");
    h.Reconcile("livy");
    h.Reconcile("livy");  // discovery and status catch up with readiness
    h.client.ResetCounts();
    h.Reconcile("livy");
    h.Reconcile("livy");
    CHECK(h.client.Writes() == 0);
  }

  TEST_CASE("a pass on a cache that has not seen our status write does not repeat it") {
    Harness h;
    h.CreateReady("livy");
    REQUIRE(h.ConditionOf("livy", "Ready") == "True");
    REQUIRE(h.events.created() == 1);
    h.client.ResetCounts();
    h.ReconcileOnStaleCache("livy");  // the cache still shows the cluster not Ready
    h.ReconcileOnStaleCache("livy");
    CHECK(h.client.Writes() == 0);
    CHECK(h.events.created() == 1);  // no second ClusterReady
    h.Reconcile("livy");             // the cache catches up
    CHECK(h.client.Writes() == 0);
  }

  TEST_CASE("a status that someone else changed after our write is written again") {
    Harness h;
    h.CreateReady("livy");
    json::Value cluster = h.Cluster("livy");
    cluster["status"] = json::Object{};  // e.g. a restore from a backup without status
    h.client.Seed(res::kSpytClusters, cluster);
    h.client.ResetCounts();
    h.Reconcile("livy");
    CHECK(h.client.Requests("patch", res::kSpytClusters) == 1);
    CHECK(h.ConditionOf("livy", "Ready") == "True");
  }

  TEST_CASE("a pass on a cache that has not seen our child update does not repeat it") {
    Harness h;
    h.CreateExample("minimal");
    h.Reconcile("minimal");
    h.ScaleWorkersByHand("minimal", 7);
    h.Reconcile("minimal");  // applies the desired replicas again
    h.client.ResetCounts();
    h.ReconcileOnStaleCache("minimal");  // the cache still shows 7 replicas
    CHECK(h.client.Requests("apply", res::kStatefulSets) == 0);
    h.ScaleWorkersByHand("minimal", 9);  // changed by hand again, after our write
    h.Reconcile("minimal");
    CHECK(h.client.Requests("apply", res::kStatefulSets) == 1);
  }

  TEST_CASE("ready workloads make the cluster Ready, with an event") {
    Harness h;
    h.CreateExample("livy");
    h.Reconcile("livy");
    h.MarkAllReady("livy");
    h.Reconcile("livy");
    CHECK(h.ConditionOf("livy", "Ready") == "True");
    CHECK(h.ConditionOf("livy", "LivyReady") == "True");
    CHECK(h.ConditionOf("livy", "HistoryServerReady", "reason") == "Disabled");
    json::Value status = *h.Cluster("livy").find("status");
    CHECK(status.find("workers")->find("summary")->as_string() == "2/2");
    CHECK(h.events.created() == 1);
    h.Reconcile("livy");
    json::Value discovery = *h.client.Peek(res::kConfigMaps, "ns", "livy-discovery");
    CHECK(discovery.find("data")->find("livy")->as_string() ==
          "livy-livy.ns.svc.cluster.local:8998");
  }

  TEST_CASE("the Livy monitor's latest poll becomes LivyResponding, written once per change") {
    Harness h;
    h.CreateExample("livy");
    h.Reconcile("livy");
    CHECK(h.ConditionOf("livy", "LivyResponding", "reason") == "NotPolled");
    h.MarkAllReady("livy");
    h.Reconcile("livy");
    CHECK(h.ConditionOf("livy", "LivyResponding") == "Unknown");

    livy::Observation obs;
    obs.answering = true;
    for (int i = 0; i < 5; ++i) obs.usage.Add(false, "idle");
    h.livy.latest["ns/livy"] = obs;
    h.client.ResetCounts();
    h.Reconcile("livy");
    h.Reconcile("livy");
    CHECK(h.client.Writes() == 1);  // the status, once
    CHECK(h.ConditionOf("livy", "LivyResponding") == "True");
    CHECK(h.ConditionOf("livy", "LivyResponding", "reason") == "SessionLimitReached");
    CHECK(h.ConditionOf("livy", "Ready") == "True");

    h.livy.latest["ns/livy"] = livy::Observation{};  // not answering
    h.Reconcile("livy");
    CHECK(h.ConditionOf("livy", "LivyResponding") == "False");
    CHECK(h.ConditionOf("livy", "LivyResponding", "reason") == "NotAnswering");
    CHECK(h.ConditionOf("livy", "Ready") == "True");  // the pods are fine; reaching them is not
  }

  TEST_CASE("lastTransitionTime stays put while a condition keeps its status") {
    Harness h;
    h.CreateExample("minimal");
    h.Reconcile("minimal");
    std::string first = h.ConditionOf("minimal", "Degraded", "lastTransitionTime");
    h.client.Seed(res::kSpytClusters, [&] {
      json::Value c = h.Cluster("minimal");
      c["metadata"]["labels"]["poke"] = "1";
      return c;
    }());
    h.Reconcile("minimal");
    CHECK(h.ConditionOf("minimal", "Degraded", "lastTransitionTime") == first);
  }

  TEST_CASE("disabling Livy deletes its Deployment and Service") {
    Harness h;
    h.CreateExample("livy");
    h.Reconcile("livy");
    json::Value c = h.Cluster("livy");
    c["spec"]["livy"]["enabled"] = false;
    h.client.Update(res::kSpytClusters, "ns", c);
    h.Reconcile("livy");
    CHECK_FALSE(h.client.Peek(res::kDeployments, "ns", "livy-livy"));
    CHECK_FALSE(h.client.Peek(res::kServices, "ns", "livy-livy"));
    CHECK(h.ConditionOf("livy", "LivyReady", "reason") == "Disabled");
  }

  TEST_CASE("a child changed by hand is applied again") {
    Harness h;
    h.CreateExample("minimal");
    h.Reconcile("minimal");
    h.ScaleWorkersByHand("minimal", 7);
    h.client.ResetCounts();
    h.Reconcile("minimal");
    CHECK(h.client.Requests("apply", res::kStatefulSets) == 1);
    CHECK(h.client.Peek(res::kStatefulSets, "ns", "minimal-worker")
              ->find("spec")
              ->find("replicas")
              ->as_int() == 2);
  }

  TEST_CASE("a child verified unchanged is checked again once its resourceVersion moves") {
    Harness h;
    h.CreateExample("minimal");
    h.Reconcile("minimal");
    h.Reconcile("minimal");  // finds every child as applied: remembered
    h.client.ResetCounts();
    h.Reconcile("minimal");
    CHECK(h.client.Requests("apply", res::kStatefulSets) == 0);
    h.ScaleWorkersByHand("minimal", 7);  // a new resourceVersion
    h.Reconcile("minimal");
    CHECK(h.client.Requests("apply", res::kStatefulSets) == 1);
  }

  TEST_CASE("an invalid spec marks the cluster Degraded and touches no child") {
    Harness h;
    h.CreateExample("livy");
    h.Reconcile("livy");
    json::Value c = h.Cluster("livy");
    c["spec"]["livy"]["maxSessions"] = 0;
    h.client.Seed(res::kSpytClusters, c);  // as if an older CRD let it through
    h.client.ResetCounts();
    h.Reconcile("livy");
    CHECK(h.ConditionOf("livy", "Degraded") == "True");
    CHECK(h.ConditionOf("livy", "Degraded", "reason") == "InvalidSpec");
    CHECK(h.ConditionOf("livy", "Degraded", "message").find("spec.livy.maxSessions") !=
          std::string::npos);
    CHECK(h.client.Requests("apply") == 0);
    CHECK(h.client.Requests("delete") == 0);
    CHECK(h.client.Requests("create", res::kEvents) == 1);
  }

  TEST_CASE("every request of creating, readying, pruning and rejecting a cluster is granted") {
    Harness h;
    h.CreateExample("full");
    h.client.ResetCounts();
    h.Reconcile("full");
    h.MarkAllReady("full");
    h.Reconcile("full");
    json::Value c = h.Cluster("full");
    c["spec"]["livy"]["enabled"] = false;
    c["spec"]["historyServer"]["enabled"] = false;
    h.client.Seed(res::kSpytClusters, c);
    h.Reconcile("full");
    REQUIRE(h.client.Requests("delete") > 0);
    c = h.Cluster("full");
    c["spec"]["livy"] = json::Object{{"enabled", true}, {"maxSessions", 0}};
    h.client.Seed(res::kSpytClusters, c);  // as if an older CRD let it through
    h.Reconcile("full");
    REQUIRE(h.ConditionOf("full", "Degraded", "reason") == "InvalidSpec");
    auto perms = OperatorPermissions("lease");
    const auto watched = PermissionScope::kWatchedNamespaces;
    for (const auto& r : ChildResources()) {
      CAPTURE(r.plural);
      CHECK(testing::UngrantedVerbs(h.client, perms, r, "", watched).empty());
    }
    CHECK(testing::UngrantedVerbs(h.client, perms, res::kEvents, "", watched).empty());
    // The fake counts by resource: the status patch shows up as a patch of spytclusters.
    CHECK(testing::UngrantedVerbs(h.client, perms, res::kSpytClusters, "", watched) ==
          std::vector<std::string>{"patch"});
    CHECK(Grants(perms, res::kSpytClusters, "status", "patch", watched));
  }

  TEST_CASE("a cluster that is gone is a no-op") {
    Harness h;
    h.Reconcile("nothing");
    CHECK(h.client.Writes() == 0);
  }

  TEST_CASE("an API error while applying reaches the controller for a retry") {
    Harness h;
    h.CreateExample("minimal");
    for (auto& inf : h.informers) inf->ListAndReplace();
    h.client.FailNext("apply", kube::ApiError(kube::Reason::kServerError, 500, "etcd down"));
    CHECK_THROWS_AS(h.reconciler.Reconcile({"ns", "minimal"}), kube::ApiError);
  }

  TEST_CASE("Contains ignores fields the server added and notices changed ones") {
    json::Value desired =
        json::Object{{"spec", json::Object{{"replicas", 2},
                                           {"ports", json::Array{json::Object{{"port", 80}}}}}}};
    json::Value live = desired;
    live["spec"]["ports"].as_array()[0]["targetPort"] = 80;
    live["spec"]["revisionHistoryLimit"] = 10;
    CHECK(Contains(live, desired));
    live["spec"]["replicas"] = 3;
    CHECK_FALSE(Contains(live, desired));
  }
}

}  // namespace spyt::cluster
