// Golden status and discovery ConfigMap of Kubernetes clusters: what the
// reconciler writes for given workloads, byte for byte (tests/golden/status.yaml).

#include <doctest/doctest.h>

#include "cluster/discovery.h"
#include "cluster/fixtures.h"
#include "cluster/kube_observation.h"
#include "cluster/status.h"
#include "common/yaml.h"
#include "golden_files.h"

namespace spyt::cluster {
namespace {

using testing::Workload;

struct Scenario {
  std::string example;
  std::string title;
  ChildWorkloads workloads;
};

std::string Render(const Scenario& s) {
  api::SpytCluster c = testing::LoadExample(s.example);
  Observation o = ObserveWorkloads(c, s.workloads, "cluster.local");
  api::SpytClusterStatus st = ComputeStatus(c, o, "t1");
  DesiredObject cm = DiscoveryConfigMap(c, BuildDiscoveryEntries(c, st, o.addresses));
  json::Value doc = json::Object{{"status", api::EncodeStatus(st)}, {"discovery", cm.object}};
  return "# examples/" + s.example + ".yaml: " + s.title + "\n" + yaml::Dump(doc);
}

}  // namespace

TEST_SUITE("status") {
  TEST_CASE("the Kubernetes status and discovery ConfigMap match their golden file") {
    const std::vector<Scenario> scenarios = {
        {"livy", "no workload created yet", {}},
        {"livy",
         "every workload ready",
         {Workload(1, 1), Workload(2, 2), std::nullopt, Workload(1, 1)}},
        {"livy",
         "a worker missing, Livy rolling out",
         {Workload(1, 1), Workload(2, 1), std::nullopt, Workload(1, 1, 2, 1)}},
        {"full",
         "every workload ready",
         {Workload(1, 1), Workload(4, 4), Workload(1, 1), Workload(1, 1)}},
        {"full",
         "the history server not ready",
         {Workload(1, 1), Workload(4, 4), Workload(1, 0), Workload(1, 1)}},
        {"minimal",
         "every workload ready",
         {Workload(1, 1), Workload(2, 2), std::nullopt, std::nullopt}},
    };
    std::string out =
        "# Written by tests/cluster/status_golden_test.cpp: see tests/golden/README.md.\n";
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      out += (i == 0 ? "" : "---\n") + Render(scenarios[i]);
    }
    spyt::testing::CheckGolden("tests/golden/status.yaml", out);
  }
}

}  // namespace spyt::cluster
