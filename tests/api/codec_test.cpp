#include "api/codec.h"

#include <doctest/doctest.h>

#include "api/defaults.h"
#include "common/yaml.h"
#include "test_files.h"

namespace spyt::api {
namespace {

DecodeResult DecodeFile(const std::filesystem::path& path) {
  return Decode(yaml::ParseOne(testing::ReadText(path)));
}

bool HasErrorAt(const FieldErrors& errors, const std::string& path) {
  for (const auto& e : errors) {
    if (e.path == path) return true;
  }
  return false;
}

}  // namespace

TEST_SUITE("codec") {
  TEST_CASE("decodes the Livy example as the seed's launch command describes it") {
    DecodeResult r = DecodeFile(testing::SourcePath("examples/livy.yaml"));
    REQUIRE(r.ok());
    const auto& spec = r.cluster.spec;
    CHECK(r.cluster.metadata.name == "livy");
    CHECK(spec.livy.enabled);
    CHECK(spec.livy.max_sessions == 5);
    CHECK(spec.livy.driver_cores == 1);
    CHECK(spec.livy.driver_memory.mib() == 1024);
    CHECK(spec.livy.session_timeout.millis() == 600000);
    CHECK(spec.workers.replicas == 2);
    CHECK_FALSE(spec.history_server.enabled);
    CHECK(spec.master.ports.rpc == 7077);
  }

  TEST_CASE("decodes every field of the full example") {
    DecodeResult r = DecodeFile(testing::SourcePath("examples/full.yaml"));
    REQUIRE(r.ok());
    const auto& spec = r.cluster.spec;
    REQUIRE(spec.yt.token_secret_ref.has_value());
    CHECK(spec.yt.token_secret_ref->name == "yt-token");
    CHECK(spec.workers.resources.limits.at("memory") == Quantity::Parse("18Gi"));
    CHECK(spec.master.resources.requests.at("cpu") == Quantity::FromMillis(500));
    CHECK(spec.pod.tolerations.size() == 1);
    CHECK(spec.pod.image_pull_secrets == std::vector<std::string>{"registry-credentials"});
    CHECK(spec.spark_conf.at("spark.sql.shuffle.partitions") == "64");
    CHECK(r.cluster.metadata.labels.at("team") == "analytics");
  }

  TEST_CASE("encoding a decoded example gives back the defaulted document") {
    for (const auto& path : testing::YamlFiles("examples")) {
      CAPTURE(path.string());
      json::Value doc = yaml::ParseOne(testing::ReadText(path));
      ApplyDefaults(doc);
      DecodeResult r = Decode(doc);
      REQUIRE(r.ok());
      CHECK(json::Dump(Encode(r.cluster).find("spec")
                           ? *Encode(r.cluster).find("spec")
                           : json::Value()) == json::Dump(*doc.find("spec")));
    }
  }

  TEST_CASE("decode(encode(x)) == x for every accepted manifest") {
    auto files = testing::YamlFiles("examples");
    auto valid = testing::YamlFiles("tests/data/valid");
    files.insert(files.end(), valid.begin(), valid.end());
    for (const auto& path : files) {
      CAPTURE(path.string());
      DecodeResult first = DecodeFile(path);
      REQUIRE(first.ok());
      DecodeResult second = Decode(Encode(first.cluster));
      REQUIRE(second.ok());
      CHECK(second.cluster == first.cluster);
    }
  }

  TEST_CASE("status round-trips") {
    SpytCluster c = DecodeFile(testing::SourcePath("examples/minimal.yaml")).cluster;
    c.status.observed_generation = 3;
    c.status.conditions.push_back({"Ready", "True", 3, "2026-01-01T00:00:00Z", "AllReady", "ok"});
    c.status.workers = {2, 1, "1/2"};
    c.status.selector = "app.kubernetes.io/instance=minimal";
    c.status.endpoints.master = "spark://minimal-master.default.svc:7077";
    c.status.discovery.config_map = "minimal-discovery";
    DecodeResult r = Decode(Encode(c));
    REQUIRE(r.ok());
    CHECK(r.cluster.status == c.status);
  }

  TEST_CASE("undeclared fields are errors with their path") {
    DecodeResult r = Decode(yaml::ParseOne(
        "apiVersion: spyt.dev/v1alpha1\nkind: SpytCluster\nmetadata: {name: x}\n"
        "spec:\n  workers: {replicas: 1, cores: 1, memory: 1G, colour: red}\n  extra: 1\n"));
    CHECK(HasErrorAt(r.errors, "spec.workers.colour"));
    CHECK(HasErrorAt(r.errors, "spec.extra"));
  }

  TEST_CASE("an empty key is named \"\" in the error's path (found by fuzzing)") {
    DecodeResult r = Decode(yaml::ParseOne(
        "apiVersion: spyt.dev/v1alpha1\nkind: SpytCluster\nmetadata: {name: x}\n\"\": 1\n"
        "spec:\n  workers: {replicas: 1, cores: 1, memory: 1G, \"\": 2}\n"));
    CHECK(HasErrorAt(r.errors, "\"\""));
    CHECK(HasErrorAt(r.errors, "spec.workers.\"\""));
  }

  TEST_CASE("wrong types and missing required fields are reported, all at once") {
    DecodeResult r = Decode(yaml::ParseOne(
        "apiVersion: spyt.dev/v1alpha1\nkind: SpytCluster\nmetadata: {name: x}\n"
        "spec:\n  workers: {replicas: two, memory: 1G}\n  livy: {enabled: \"yes\"}\n"));
    CHECK(HasErrorAt(r.errors, "spec.workers.replicas"));
    CHECK(HasErrorAt(r.errors, "spec.workers.cores"));
    CHECK(HasErrorAt(r.errors, "spec.livy.enabled"));
    CHECK(r.errors.size() == 3);
  }

  TEST_CASE("a missing spec, a wrong kind and a non-object are rejected") {
    CHECK(HasErrorAt(
        Decode(yaml::ParseOne("apiVersion: spyt.dev/v1alpha1\nkind: SpytCluster\n")).errors,
        "spec"));
    CHECK(
        HasErrorAt(Decode(yaml::ParseOne("apiVersion: v1\nkind: Pod\nspec: {}\n")).errors, "kind"));
    CHECK_FALSE(Decode(json::Value(3)).ok());
  }

  TEST_CASE("metadata fields the operator does not model are tolerated") {
    DecodeResult r =
        Decode(yaml::ParseOne("apiVersion: spyt.dev/v1alpha1\nkind: SpytCluster\n"
                              "metadata: {name: x, managedFields: [], ownerReferences: []}\n"
                              "spec:\n  workers: {replicas: 1, cores: 1, memory: 1G}\n"));
    CHECK(r.ok());
  }

  TEST_CASE("DecodeValidYaml throws InvalidObject carrying every error") {
    try {
      DecodeValidYaml(
          "apiVersion: spyt.dev/v1alpha1\nkind: SpytCluster\nmetadata: {name: x}\n"
          "spec:\n  workers: {replicas: 1, cores: 0, memory: 1G}\n  livy: {maxSessions: 0}\n");
      FAIL("expected InvalidObject");
    } catch (const InvalidObject& e) {
      CHECK(e.errors().size() == 2);
      CHECK(std::string(e.what()).find("spec.livy.maxSessions") != std::string::npos);
    }
  }
}

}  // namespace spyt::api
