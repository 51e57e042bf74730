// The launcher's command line is one contract with two placements: for every
// component of every example and valid corpus cluster, on Kubernetes and on this
// machine, ToArgs writes what ParseFlags reads back, and the two command lines
// differ only in where things are (host, port and path values).

#include "launch_flags/component_flags.h"

#include <doctest/doctest.h>

#include <set>
#include <utility>

#include "cluster/fixtures.h"
#include "cluster/pod_flags.h"
#include "local/plan.h"

namespace spyt::launcher {
namespace {

using cluster::Component;
using Args = std::vector<std::string>;

// examples/, examples/local/ and tests/data/valid/, as the reconciler sees them.
std::vector<std::pair<std::string, api::SpytCluster>> Clusters() {
  std::vector<std::pair<std::string, api::SpytCluster>> out;
  for (const char* dir : {"examples", "examples/local", "tests/data/valid"}) {
    for (const auto& path : spyt::testing::YamlFiles(dir)) {
      auto c = api::DecodeValidYaml(spyt::testing::ReadText(path));
      c.metadata.namespace_ = "default";
      out.emplace_back(path.filename().string(), std::move(c));
    }
  }
  return out;
}

// One process of a cluster: a component and, for workers, which one.
struct Process {
  Component component;
  int worker_index = 0;
};

// Every process the cluster runs; a cluster of zero workers still has a pod template.
std::vector<Process> Processes(const api::SpytCluster& c) {
  std::vector<Process> out = {{Component::kMaster}};
  for (int i = 0; i < std::max(c.spec.workers.replicas, 1); ++i) {
    out.push_back({Component::kWorker, i});
  }
  if (c.spec.history_server.enabled) out.push_back({Component::kHistoryServer});
  if (c.spec.livy.enabled) out.push_back({Component::kLivy});
  return out;
}

Flags KubernetesFlags(const api::SpytCluster& c, Process p) {
  return cluster::PodFlags(c, cluster::BuildOptions{}, p.component);
}

Flags LocalFlags(const api::SpytCluster& c, Process p, local::PortBook& ports) {
  return ComponentFlags(
      c, cluster::RoleOf(p.component),
      local::LocalPlacement(c, p.component, p.worker_index, ports, "/state/" + c.metadata.name));
}

local::PortBook Sequential() {
  auto next = std::make_shared<int>(41000);
  return local::PortBook([next] { return (*next)++; });
}

// An argv as (flag, value) pairs; a switch has an empty value.
std::vector<std::pair<std::string, std::string>> Pairs(const Args& args) {
  std::vector<std::pair<std::string, std::string>> out = {{args.at(0), ""}};
  for (std::size_t i = 1; i < args.size(); ++i) {
    REQUIRE(args[i].rfind("--", 0) == 0);
    const bool has_value = i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
    out.emplace_back(args[i], has_value ? args[i + 1] : "");
    if (has_value) ++i;
  }
  return out;
}

// Flags whose values say where a process runs and what it reaches.
const std::set<std::string> kWhereFlags = {
    "--host", "--port", "--webui-port", "--rest-port", "--master", "--conf-dir", "--log-directory"};
// Flags only the local placement sets: on Kubernetes the launcher's defaults
// fit (the work directory /tmp/spyt/<role>, a free worker RPC port in the pod).
const std::set<std::string> kLocalOnlyFlags = {"--work-dir", "--worker-port"};

std::string Joined(const Args& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

TEST_SUITE("component flags") {
  TEST_CASE("ToArgs writes what ParseFlags reads back for every component on both placements") {
    for (const auto& [file, c] : Clusters()) {
      local::PortBook ports = Sequential();
      for (const Process p : Processes(c)) {
        for (const Flags& f : {KubernetesFlags(c, p), LocalFlags(c, p, ports)}) {
          CAPTURE(file);
          CAPTURE(Joined(ToArgs(f)));
          CHECK(ParseFlags(ToArgs(f)) == f);
        }
      }
    }
  }

  TEST_CASE("the local and Kubernetes command lines differ only in host, port and path values") {
    for (const auto& [file, c] : Clusters()) {
      local::PortBook ports = Sequential();
      for (const Process p : Processes(c)) {
        const auto pod = Pairs(ToArgs(KubernetesFlags(c, p)));
        auto local = Pairs(ToArgs(LocalFlags(c, p, ports)));
        CAPTURE(file);
        CAPTURE(Joined(ToArgs(LocalFlags(c, p, ports))));
        std::erase_if(local, [](const auto& kv) { return kLocalOnlyFlags.contains(kv.first); });
        REQUIRE(local.size() == pod.size());
        for (std::size_t i = 0; i < pod.size(); ++i) {
          CHECK(local[i].first == pod[i].first);
          if (!kWhereFlags.contains(pod[i].first)) {
            CHECK(local[i].second == pod[i].second);
          }
        }
      }
    }
  }

  TEST_CASE("the local placement sets exactly the flags Kubernetes leaves to the launcher") {
    local::PortBook ports = Sequential();
    const auto c = cluster::testing::LoadExample("full");
    for (const Process p : Processes(c)) {
      const Flags pod = KubernetesFlags(c, p);
      const Flags here = LocalFlags(c, p, ports);
      CAPTURE(RoleName(pod.role));
      CHECK(pod.work_dir.empty());
      CHECK_FALSE(here.work_dir.empty());
      CHECK_FALSE(pod.worker_port.has_value());
      CHECK(here.worker_port.has_value() == (p.component == Component::kWorker));
    }
  }

  TEST_CASE("every pod runs ToArgs of its component's pod flags") {
    for (const auto& [file, c] : Clusters()) {
      const auto state = cluster::testing::Build(c);
      for (const Process p : Processes(c)) {
        if (p.worker_index > 0) continue;  // workers share one pod template
        const auto& o = cluster::testing::Object(
            state,
            p.component == Component::kMaster || p.component == Component::kWorker ? "StatefulSet"
                                                                                   : "Deployment",
            cluster::ChildName(c, p.component));
        CAPTURE(file);
        CHECK(cluster::testing::ArgsOf(o) == ToArgs(KubernetesFlags(c, p)));
      }
    }
  }

  TEST_CASE("every local process runs ToArgs of its component's local flags") {
    for (const auto& [file, c] : Clusters()) {
      local::PortBook ports = Sequential();
      const auto plan = local::PlanCluster(c, ports, "/state/" + c.metadata.name);
      std::vector<Process> expected = Processes(c);
      if (c.spec.workers.replicas == 0) {
        std::erase_if(expected, [](Process p) { return p.component == Component::kWorker; });
      }
      REQUIRE(plan.processes.size() == expected.size());
      for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(plan.processes[i].id);
        const Flags f = LocalFlags(c, expected[i], ports);
        CHECK(plan.processes[i].args == ToArgs(f));
        CHECK(plan.processes[i].work_dir == f.work_dir);
      }
    }
  }
}

}  // namespace spyt::launcher
