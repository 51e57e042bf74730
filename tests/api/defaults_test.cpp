#include "api/defaults.h"

#include <doctest/doctest.h>

#include <map>

#include "common/yaml.h"
#include "test_files.h"

namespace spyt::api {
namespace {

// Every `default:` in the CRD's schema, by dotted path.
void CollectDefaults(const json::Value& schema, const std::string& path,
                     std::map<std::string, json::Value>& out) {
  if (const json::Value* d = schema.find("default")) out[path] = *d;
  if (const json::Value* props = schema.find("properties")) {
    for (const auto& [name, child] : props->as_object()) {
      CollectDefaults(child, path.empty() ? name : path + "." + name, out);
    }
  }
}

}  // namespace

TEST_SUITE("defaults") {
  TEST_CASE("the CRD declares exactly the defaults the operator applies") {
    json::Value crd =
        yaml::ParseOne(testing::ReadText(testing::SourcePath("crds/spyt.dev_spytclusters.yaml")));
    const json::Value& schema =
        *crd.find("spec")->find("versions")->as_array()[0].find("schema")->find("openAPIV3Schema");
    std::map<std::string, json::Value> in_crd;
    CollectDefaults(schema, "", in_crd);
    std::map<std::string, json::Value> in_code;
    for (const auto& e : DefaultTable()) in_code[e.path] = e.value;
    for (const auto& [path, value] : in_crd) {
      CAPTURE(path);
      REQUIRE(in_code.count(path) == 1);
      CHECK(json::Dump(in_code[path]) == json::Dump(value));
    }
    CHECK(in_code.size() == in_crd.size());
  }

  TEST_CASE("fills absent fields and whole absent sections") {
    json::Value obj = yaml::ParseOne("spec:\n  workers: {replicas: 1, cores: 1, memory: 1G}\n");
    ApplyDefaults(obj);
    const json::Value& spec = *obj.find("spec");
    CHECK(spec.find("livy")->find("maxSessions")->as_int() == 3);
    CHECK(spec.find("livy")->find("driverMemory")->as_string() == "1024m");
    CHECK(spec.find("master")->find("ports")->find("rpc")->as_int() == 7077);
    CHECK(spec.find("workers")->find("memoryOverhead")->as_string() == "2G");
    CHECK(spec.find("historyServer")->find("enabled")->as_bool());
  }

  TEST_CASE("keeps values the user set") {
    json::Value obj = yaml::ParseOne("spec:\n  livy: {maxSessions: 5}\n");
    ApplyDefaults(obj);
    CHECK(obj.find("spec")->find("livy")->find("maxSessions")->as_int() == 5);
  }

  TEST_CASE("an explicit null is replaced by the default, as the API server does") {
    json::Value obj = yaml::ParseOne("spec:\n  livy: {maxSessions: null}\n");
    ApplyDefaults(obj);
    CHECK(obj.find("spec")->find("livy")->find("maxSessions")->as_int() == 3);
  }

  TEST_CASE("does not invent optional sections that have no default") {
    json::Value obj = yaml::ParseOne("spec:\n  yt: {}\n");
    ApplyDefaults(obj);
    CHECK(obj.find("spec")->find("yt")->find("tokenSecretRef") == nullptr);
    CHECK(obj.find("spec")->find("workers") == nullptr);
  }

  TEST_CASE("defaults the Secret key only inside a Secret reference") {
    json::Value obj = yaml::ParseOne("spec:\n  yt: {tokenSecretRef: {name: t}}\n");
    ApplyDefaults(obj);
    CHECK(obj.find("spec")->find("yt")->find("tokenSecretRef")->find("key")->as_string() ==
          "token");
  }
}

}  // namespace spyt::api
