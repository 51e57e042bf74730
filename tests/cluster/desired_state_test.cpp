#include "cluster/desired_state.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "cluster/fixtures.h"
#include "cluster/names.h"
#include "common/yaml.h"
#include "golden_files.h"

namespace spyt::cluster {
namespace {

using testing::At;
using testing::Build;
using testing::LoadExample;

// All objects as one YAML stream, sorted by kind then name.
std::string RenderGolden(const std::string& example, const DesiredState& state) {
  std::vector<const DesiredObject*> sorted;
  for (const auto& o : state.objects) sorted.push_back(&o);
  std::sort(sorted.begin(), sorted.end(), [](const DesiredObject* a, const DesiredObject* b) {
    return std::tie(a->resource.kind, a->name) < std::tie(b->resource.kind, b->name);
  });
  std::string out =
      "# The objects built from examples/" + example +
      ".yaml (namespace default, a fixed uid).\n"
      "# Written by tests/cluster/desired_state_test.cpp: see tests/golden/README.md.\n";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    out += (i == 0 ? "" : "---\n") + yaml::Dump(sorted[i]->object);
  }
  return out;
}

void CheckGolden(const std::string& example) {
  spyt::testing::CheckGolden("tests/golden/" + example + ".yaml",
                             RenderGolden(example, Build(LoadExample(example))));
}

std::vector<std::string> KindsAndNames(const DesiredState& state) {
  std::vector<std::string> out;
  for (const auto& o : state.objects) out.push_back(o.resource.kind + "/" + o.name);
  return out;
}

}  // namespace

TEST_SUITE("desired state") {
  TEST_CASE("the minimal example builds its golden objects") { CheckGolden("minimal"); }
  TEST_CASE("the Livy example builds its golden objects") { CheckGolden("livy"); }
  TEST_CASE("the full example builds its golden objects") { CheckGolden("full"); }

  TEST_CASE("objects come in apply order: the ConfigMap first, each Service before its workload") {
    CHECK(KindsAndNames(Build(LoadExample("full"))) ==
          std::vector<std::string>{
              "ConfigMap/full-spark-conf", "Service/full-master", "StatefulSet/full-master",
              "Service/full-worker", "StatefulSet/full-worker", "Service/full-history-server",
              "Deployment/full-history-server", "Service/full-livy", "Deployment/full-livy"});
  }

  TEST_CASE("building twice gives identical objects") {
    const auto cluster = LoadExample("full");
    const auto a = Build(cluster);
    const auto b = Build(cluster);
    REQUIRE(a.objects.size() == b.objects.size());
    for (std::size_t i = 0; i < a.objects.size(); ++i)
      CHECK(a.objects[i].object == b.objects[i].object);
    CHECK(a.config_hash == b.config_hash);
  }

  TEST_CASE("every object is owned by the cluster as its controller") {
    for (const auto& o : Build(LoadExample("full")).objects) {
      CAPTURE(o.name);
      const auto& refs = At(o.object, {"metadata", "ownerReferences"}).as_array();
      REQUIRE(refs.size() == 1);
      CHECK(refs[0] == json::Value(json::Object{{"apiVersion", "spyt.dev/v1alpha1"},
                                                {"kind", "SpytCluster"},
                                                {"name", "full"},
                                                {"uid", testing::kUid},
                                                {"controller", true},
                                                {"blockOwnerDeletion", true}}));
    }
  }

  TEST_CASE("every object has its apiVersion, kind, namespace and the cluster's labels") {
    for (const auto& o : Build(LoadExample("livy")).objects) {
      CAPTURE(o.name);
      CHECK(At(o.object, {"apiVersion"}).as_string() == o.resource.ApiVersion());
      CHECK(At(o.object, {"kind"}).as_string() == o.resource.kind);
      CHECK(At(o.object, {"metadata", "namespace"}).as_string() == "default");
      const auto& labels = At(o.object, {"metadata", "labels"});
      for (const char* key : {label::kName, label::kInstance, label::kManagedBy, label::kPartOf,
                              label::kVersion, label::kCluster}) {
        CHECK_MESSAGE(labels.find(key) != nullptr, key);
      }
    }
  }

  TEST_CASE("disabled Livy builds no Livy objects and lists them as undesired") {
    const auto cluster = LoadExample("minimal");
    const auto state = Build(cluster);
    CHECK(testing::FindObject(state, "Deployment", "minimal-livy") == nullptr);
    CHECK(testing::FindObject(state, "Service", "minimal-livy") == nullptr);
    const auto undesired = UndesiredChildren(cluster);
    CHECK(std::count(undesired.begin(), undesired.end(),
                     ChildRef{kube::resources::kDeployments, "minimal-livy"}) == 1);
    CHECK(std::count(undesired.begin(), undesired.end(),
                     ChildRef{kube::resources::kServices, "minimal-livy"}) == 1);
  }

  TEST_CASE("a disabled history server is listed as undesired, Livy then is not") {
    CHECK(UndesiredChildren(LoadExample("livy")) ==
          std::vector<ChildRef>{{kube::resources::kDeployments, "livy-history-server"},
                                {kube::resources::kServices, "livy-history-server"}});
  }

  TEST_CASE("nothing is undesired when every component is enabled") {
    CHECK(UndesiredChildren(LoadExample("full")).empty());
  }

  TEST_CASE("the token reaches the pods only as a secretKeyRef") {
    const auto state = Build(LoadExample("full"));
    for (const auto& o : state.objects) {
      if (!testing::IsWorkload(o)) continue;
      CAPTURE(o.name);
      const json::Value* token = testing::EnvOf(o.object, "YT_TOKEN");
      REQUIRE(token != nullptr);
      CHECK(token->find("value") == nullptr);
      CHECK(At(*token, {"valueFrom", "secretKeyRef"}) ==
            json::Value(json::Object{{"name", "yt-token"}, {"key", "token"}}));
    }
    const auto without_token = Build(LoadExample("minimal"));
    CHECK(testing::EnvOf(testing::Object(without_token, "StatefulSet", "minimal-master"),
                         "YT_TOKEN") == nullptr);
  }

  TEST_CASE("spec.pod.labels are added to pods but cannot replace the operator's labels") {
    auto cluster = LoadExample("minimal");
    cluster.spec.pod.labels = {
        {label::kComponent, "evil"}, {label::kInstance, "other"}, {"team", "analytics"}};
    const auto state = Build(cluster);
    const auto& labels =
        At(testing::PodTemplateOf(testing::Object(state, "StatefulSet", "minimal-worker")),
           {"metadata", "labels"});
    CHECK(At(labels, {label::kComponent}).as_string() == "worker");
    CHECK(At(labels, {label::kInstance}).as_string() == "minimal");
    CHECK(At(labels, {"team"}).as_string() == "analytics");
  }

  TEST_CASE("the config hash changes with sparkConf and with nothing outside the config") {
    const auto base = LoadExample("minimal");
    const auto state = Build(base);
    const auto& hash = state.config_hash;
    for (const auto& o : state.objects) {
      if (!testing::IsWorkload(o)) continue;
      CAPTURE(o.name);
      CHECK(
          At(testing::PodTemplateOf(o.object), {"metadata", "annotations", annotation::kConfigHash})
              .as_string() == hash);
    }

    auto conf_changed = base;
    conf_changed.spec.spark_conf["spark.sql.shuffle.partitions"] = "64";
    CHECK(Build(conf_changed).config_hash != hash);

    auto other_changed = base;
    other_changed.spec.workers.replicas = 7;
    other_changed.spec.pod.labels["team"] = "analytics";
    other_changed.spec.master.resources.requests["cpu"] = api::Quantity::Parse("2");
    CHECK(Build(other_changed).config_hash == hash);
  }
}

}  // namespace spyt::cluster
