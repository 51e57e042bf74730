// The flags each container passes to spyt-launcher: a contract with
// controller/launcher, so they are spelled out here in full.

#include <doctest/doctest.h>

#include "cluster/fixtures.h"

namespace spyt::cluster {
namespace {

using Args = std::vector<std::string>;
using testing::ArgsOf;
using testing::At;
using testing::Build;
using testing::LoadExample;

const char* kMaster = "spark://livy-master.default.svc.cluster.local:7077";

}  // namespace

TEST_SUITE("launcher args") {
  TEST_CASE("every container runs spyt-launcher") {
    for (const auto& o : Build(LoadExample("full")).objects) {
      if (!testing::IsWorkload(o)) continue;
      CAPTURE(o.name);
      CHECK(At(testing::ContainerOf(o.object), {"command"}) ==
            json::Value(json::Array{"spyt-launcher"}));
    }
  }

  TEST_CASE("the master gets its host, ports and conf dir") {
    const auto state = Build(LoadExample("livy"));
    CHECK(ArgsOf(testing::Object(state, "StatefulSet", "livy-master")) ==
          Args{"master", "--host", "$(POD_IP)", "--port", "7077", "--webui-port", "8080",
               "--rest-port", "6066", "--conf-dir", "/opt/spyt/conf"});
  }

  TEST_CASE("a worker gets its offer in Spark's units and the master's address") {
    const auto state = Build(LoadExample("livy"));
    CHECK(ArgsOf(testing::Object(state, "StatefulSet", "livy-worker")) ==
          Args{"worker", "--host", "$(POD_IP)", "--cores", "1", "--memory", "1024m", "--webui-port",
               "8081", "--master", kMaster, "--conf-dir", "/opt/spyt/conf"});
  }

  TEST_CASE("the history server gets the derived event log directory") {
    const auto state = Build(LoadExample("minimal"));
    CHECK(ArgsOf(testing::Object(state, "Deployment", "minimal-history-server")) ==
          Args{"history", "--host", "$(POD_IP)", "--port", "18080", "--log-directory",
               "yt:///tmp/spyt/default/minimal/logs/event_log", "--conf-dir", "/opt/spyt/conf"});
  }

  TEST_CASE("Livy gets SPYT's --enable-livy flags") {
    const auto state = Build(LoadExample("livy"));
    CHECK(ArgsOf(testing::Object(state, "Deployment", "livy-livy")) ==
          Args{"livy", "--host", "$(POD_IP)", "--port", "8998", "--master", kMaster,
               "--enable-livy", "--livy-max-sessions", "5", "--livy-driver-cores", "1",
               "--livy-driver-memory", "1024m", "--livy-session-timeout", "10m", "--conf-dir",
               "/opt/spyt/conf"});
  }

  TEST_CASE("POD_IP is defined before the variables that refer to it") {
    const auto state = Build(LoadExample("livy"));
    const auto& env =
        At(testing::ContainerOf(testing::Object(state, "Deployment", "livy-livy")), {"env"})
            .as_array();
    REQUIRE(env.size() >= 2);
    CHECK(At(env[0], {"name"}).as_string() == "POD_IP");
    CHECK(At(env[0], {"valueFrom", "fieldRef", "fieldPath"}).as_string() == "status.podIP");
    CHECK(At(env[1], {"name"}).as_string() == "SPARK_LOCAL_HOSTNAME");
    CHECK(At(env[1], {"value"}).as_string() == "$(POD_IP)");
  }

  TEST_CASE("the image is the repository and SPYT version unless spec.image is set") {
    auto cluster = LoadExample("minimal");
    const auto state = Build(cluster);
    CHECK(
        At(testing::ContainerOf(testing::Object(state, "StatefulSet", "minimal-master")), {"image"})
            .as_string() == "ghcr.io/ytsaurus/spyt:2.9.3");
    cluster.spec.image = "registry.example.com/spyt:custom";
    const auto custom = Build(cluster);
    CHECK(At(testing::ContainerOf(testing::Object(custom, "StatefulSet", "minimal-master")),
             {"image"})
              .as_string() == "registry.example.com/spyt:custom");
  }
}

}  // namespace spyt::cluster
