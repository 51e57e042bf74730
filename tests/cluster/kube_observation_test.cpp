#include "cluster/kube_observation.h"

#include <doctest/doctest.h>

#include "cluster/fixtures.h"
#include "cluster/status.h"
#include "fakes/fake_client.h"

namespace spyt::cluster {
namespace {

using testing::Workload;

}  // namespace

TEST_SUITE("kubernetes observation") {
  TEST_CASE("a workload is ready only when its controller has seen the latest spec") {
    CHECK(ObserveWorkload(Workload(2, 2)).Ready());
    CHECK_FALSE(ObserveWorkload(Workload(2, 1)).Ready());
    CHECK_FALSE(ObserveWorkload(Workload(2, 2, 2, 1)).Ready());
    CHECK_FALSE(ObserveWorkload(std::nullopt).Ready());
  }

  TEST_CASE("a workload's counts come from its spec and status") {
    ComponentObservation o = ObserveWorkload(Workload(3, 2, 4, 4));
    CHECK(o.exists);
    CHECK(o.desired == 3);
    CHECK(o.ready == 2);
    CHECK(o.rolled_out);
    CHECK_FALSE(ObserveWorkload(std::nullopt).exists);
  }

  TEST_CASE("the spec's replica count is the desired one even before the StatefulSet catches up") {
    auto c = testing::LoadExample("livy");
    c.spec.workers.replicas = 4;
    Observation o = ObserveWorkloads(
        c, {Workload(1, 1), Workload(2, 2), std::nullopt, Workload(1, 1)}, "cluster.local");
    CHECK(o.workers.desired == 4);
    auto st = ComputeStatus(c, o, "t1");
    CHECK(st.workers.summary == "2/4");
    CHECK(FindCondition(st.conditions, "WorkersReady")->status == "False");
  }

  TEST_CASE("each enabled component is reached at its Service's DNS name") {
    auto c = testing::LoadExample("full");
    Addresses a = ServiceAddresses(c, "example.org");
    CHECK(a.master_rpc == "full-master.default.svc.example.org:7077");
    CHECK(a.master_web_ui == "full-master.default.svc.example.org:8080");
    CHECK(a.master_rest == "full-master.default.svc.example.org:6066");
    CHECK(a.history_server == "full-history-server.default.svc.example.org:18080");
    CHECK(a.livy == "full-livy.default.svc.example.org:8998");
  }

  TEST_CASE("a disabled component has no address") {
    auto c = testing::LoadExample("livy");  // no history server
    c.spec.livy.enabled = false;
    Addresses a = ServiceAddresses(c, "cluster.local");
    CHECK_FALSE(a.history_server.has_value());
    CHECK_FALSE(a.livy.has_value());
  }

  TEST_CASE("the observation counts pods and publishes discovery in the ConfigMap") {
    auto c = testing::LoadExample("livy");
    Observation o = ObserveWorkloads(c, {}, "cluster.local");
    CHECK(o.replica_noun == "pods");
    CHECK(o.discovery.path == "//tmp/spyt/default/livy");
    CHECK(o.discovery.config_map == "livy-discovery");
    CHECK_FALSE(o.master.exists);
  }

  TEST_CASE("the cluster's workloads are read from the cache by their child names") {
    fakes::FakeClient client;
    runtime::Informer sts(client, RealClock(),
                          runtime::InformerOptions{kube::resources::kStatefulSets, "default", ""});
    runtime::Informer deploy(
        client, RealClock(),
        runtime::InformerOptions{kube::resources::kDeployments, "default", ""});
    runtime::Cache cache;
    cache.Register(kube::resources::kStatefulSets, "default", sts);
    cache.Register(kube::resources::kDeployments, "default", deploy);
    auto named = [](json::Value w, const char* name) {
      w["metadata"]["name"] = name;
      w["metadata"]["namespace"] = "default";
      return w;
    };
    client.Seed(kube::resources::kStatefulSets, named(Workload(1, 1), "livy-master"));
    client.Seed(kube::resources::kDeployments, named(Workload(1, 0), "livy-livy"));
    sts.ListAndReplace();
    deploy.ListAndReplace();
    ChildWorkloads w = ReadChildren(cache, testing::LoadExample("livy"));
    CHECK(w.master.has_value());
    CHECK_FALSE(w.workers.has_value());
    CHECK_FALSE(w.history_server.has_value());
    REQUIRE(w.livy.has_value());
    CHECK(json::StringAt(*w.livy, {"metadata", "name"}) == "livy-livy");
  }
}

}  // namespace spyt::cluster
