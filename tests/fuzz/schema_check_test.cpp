#include "fuzz/schema_check.h"

#include <doctest/doctest.h>

#include "api/defaults.h"
#include "common/yaml.h"
#include "test_files.h"

namespace spyt::fuzz {
namespace {

const json::Value& Schema() {
  static const json::Value schema =
      LoadCrdSchema(testing::SourcePath("crds/spyt.dev_spytclusters.yaml").string());
  return schema;
}

std::optional<std::string> Violation(const std::string& yaml_text) {
  json::Value doc = yaml::ParseOne(yaml_text);
  PruneNulls(Schema(), doc);
  api::ApplyDefaults(doc);
  return SchemaViolation(Schema(), doc);
}

const char* kMinimal = R"(apiVersion: spyt.dev/v1alpha1
kind: SpytCluster
metadata: {name: a}
spec:
  spytVersion: "1.75.4"
  workers: {replicas: 1, cores: 1, memory: 1G}
)";

}  // namespace

TEST_SUITE("fuzz schema check") {
  TEST_CASE("every example and valid corpus file satisfies the CRD's schema") {
    auto files = testing::YamlFiles("examples");
    auto valid = testing::YamlFiles("tests/data/valid");
    files.insert(files.end(), valid.begin(), valid.end());
    for (const auto& path : files) {
      CAPTURE(path.string());
      CHECK(Violation(testing::ReadText(path)) == std::nullopt);
    }
  }

  TEST_CASE("the schema's rules are checked: range, int32, pattern, enum, length, type") {
    CHECK(Violation(kMinimal) == std::nullopt);
    const std::pair<const char*, const char*> cases[] = {
        {"workers: {replicas: 1, cores: 0, memory: 1G}", "spec.workers.cores: below the minimum"},
        {"workers: {replicas: 1, cores: 4294967297, memory: 1G}", "spec.workers.cores:"},
        {"workers: {replicas: 1, cores: one, memory: 1G}",
         "spec.workers.cores: must be of type integer"},
        {"workers: {replicas: 1, cores: 1, memory: 1G}\n  imagePullPolicy: Sometimes",
         "spec.imagePullPolicy: not one of"},
        {"workers: {replicas: 1, cores: 1, memory: 1G}\n  historyServer: {cpu: [1]}",
         "spec.historyServer.cpu: must be an integer or a string"},
    };
    for (const auto& [spec, expected] : cases) {
      std::string text = kMinimal;
      text = text.substr(0, text.find("  workers:")) + "  " + spec + "\n";
      CAPTURE(text);
      auto broken = Violation(text);
      REQUIRE(broken.has_value());
      CHECK(broken->find(expected) != std::string::npos);
    }
  }

  TEST_CASE("a null map entry is dropped as the API server drops it (found by fuzzing)") {
    // Checked against kube-apiserver: `limits: {memory: null}` is stored without the
    // entry, `labels: {a: null}` as `labels: {}`; neither is rejected.
    std::string text = kMinimal;
    text = text.substr(0, text.find("  workers:")) +
           "  workers: {replicas: 1, cores: 1, memory: 1G, resources: {limits: {memory: null}}}\n"
           "  pod: {labels: {a: null}}\n";
    CHECK_FALSE(Violation(text).has_value());
    json::Value doc = yaml::ParseOne(text);
    PruneNulls(Schema(), doc);
    CHECK(json::At(doc, {"spec", "workers", "resources", "limits"})->as_object().empty());
    CHECK(json::At(doc, {"spec", "pod", "labels"})->as_object().empty());
    // Without the pruning the schema would reject the null quantity.
    json::Value raw = yaml::ParseOne(text);
    api::ApplyDefaults(raw);
    CHECK(SchemaViolation(Schema(), raw).has_value());
  }
}

}  // namespace spyt::fuzz
