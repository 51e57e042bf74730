#include "local/plan.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "cluster/fixtures.h"
#include "launch_flags/flags.h"

namespace spyt::local {
namespace {

PortBook Sequential() {
  auto next = std::make_shared<int>(41000);
  return PortBook([next] { return (*next)++; });
}

const ProcessSpec* Find(const ClusterPlan& plan, const std::string& id) {
  for (const auto& p : plan.processes) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string ArgAfter(const ProcessSpec& p, const std::string& flag) {
  auto it = std::find(p.args.begin(), p.args.end(), flag);
  REQUIRE(it != p.args.end());
  REQUIRE(it + 1 != p.args.end());
  return *(it + 1);
}

}  // namespace

TEST_SUITE("local_plan") {
  TEST_CASE("the Livy example runs a master, two workers and Livy with SPYT's flags") {
    PortBook ports = Sequential();
    ClusterPlan plan = PlanCluster(cluster::testing::LoadExample("livy"), ports, "/state/livy");
    REQUIRE(plan.processes.size() == 4);
    const ProcessSpec* livy = Find(plan, "livy/livy");
    REQUIRE(livy != nullptr);
    CHECK(livy->args.front() == "livy");
    CHECK(ArgAfter(*livy, "--livy-max-sessions") == "5");
    CHECK(ArgAfter(*livy, "--livy-driver-cores") == "1");
    CHECK(ArgAfter(*livy, "--livy-driver-memory") == "1024m");
    CHECK(ArgAfter(*livy, "--master") ==
          "spark://127.0.0.1:" + std::to_string(plan.addresses.master_rpc));
    CHECK(std::find(livy->args.begin(), livy->args.end(), "--enable-livy") != livy->args.end());
    CHECK(livy->probe_port == plan.addresses.livy);
    CHECK(Find(plan, "livy/history-server") == nullptr);
  }

  TEST_CASE("every process binds to loopback and every argv is one the launcher accepts") {
    PortBook ports = Sequential();
    ClusterPlan plan = PlanCluster(cluster::testing::LoadExample("full"), ports, "/state/full");
    CHECK(plan.processes.size() == 1 + 4 + 1 + 1);
    for (const auto& p : plan.processes) {
      CAPTURE(p.id);
      CHECK(ArgAfter(p, "--host") == "127.0.0.1");
      CHECK_NOTHROW(launcher::ParseFlags(p.args));
    }
  }

  TEST_CASE("two clusters get ports that do not collide") {
    PortBook ports = Sequential();
    ClusterPlan a = PlanCluster(cluster::testing::LoadExample("livy"), ports, "/state/a");
    auto other = cluster::testing::LoadExample("livy");
    other.metadata.name = "other";
    ClusterPlan b = PlanCluster(other, ports, "/state/b");
    CHECK(a.addresses.master_rpc != b.addresses.master_rpc);
    CHECK(a.addresses.livy != b.addresses.livy);
  }

  TEST_CASE("planning again keeps every port, and more workers only add processes") {
    PortBook ports = Sequential();
    auto c = cluster::testing::LoadExample("livy");
    ClusterPlan first = PlanCluster(c, ports, "/state/livy");
    c.spec.workers.replicas = 3;
    ClusterPlan second = PlanCluster(c, ports, "/state/livy");
    CHECK(second.processes.size() == first.processes.size() + 1);
    for (const auto& p : first.processes) {
      CAPTURE(p.id);
      REQUIRE(Find(second, p.id) != nullptr);
      CHECK(*Find(second, p.id) == p);
    }
  }

  TEST_CASE("a sparkConf edit changes every process's spec, so each restarts with the new file") {
    PortBook ports = Sequential();
    auto c = cluster::testing::LoadExample("livy");
    ClusterPlan before = PlanCluster(c, ports, "/state/livy");
    c.spec.spark_conf["spark.sql.shuffle.partitions"] = "7";
    ClusterPlan after = PlanCluster(c, ports, "/state/livy");
    REQUIRE(after.processes.size() == before.processes.size());
    for (std::size_t i = 0; i < after.processes.size(); ++i) {
      CAPTURE(after.processes[i].id);
      CHECK(after.processes[i].args == before.processes[i].args);
      CHECK_FALSE(after.processes[i] == before.processes[i]);
    }
  }

  TEST_CASE("spark-defaults.conf is the pods' one with the local master") {
    PortBook ports = Sequential();
    ClusterPlan plan = PlanCluster(cluster::testing::LoadExample("livy"), ports, "/state/livy");
    CHECK(plan.spark_defaults.find("spark.master spark://127.0.0.1:" +
                                   std::to_string(plan.addresses.master_rpc)) != std::string::npos);
    CHECK(plan.spark_defaults.find("spark.yt.version 2.9.3") != std::string::npos);
    CHECK(plan.conf_dir == "/state/livy/conf");
  }
}

}  // namespace spyt::local
