#include "api/validation.h"

#include <doctest/doctest.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "all_strings.h"
#include "api/codec.h"
#include "common/yaml.h"
#include "test_files.h"

namespace spyt::api {
namespace {

FieldErrors Check(const std::string& text) {
  DecodeResult r = Decode(yaml::ParseOne(text));
  if (!r.ok()) return r.errors;
  return Validate(r.cluster);
}

std::string ExpectedPath(const std::string& text) {
  std::smatch m;
  static const std::regex kExpect("# expect: (\\S+)");
  REQUIRE(std::regex_search(text, m, kExpect));
  return m[1];
}

bool HasErrorAt(const FieldErrors& errors, const std::string& path) {
  for (const auto& e : errors) {
    if (e.path == path) return true;
  }
  return false;
}

SpytCluster Minimal() {
  return DecodeValidYaml(testing::ReadText(testing::SourcePath("examples/minimal.yaml")));
}

}  // namespace

TEST_SUITE("validation") {
  TEST_CASE("every example and every valid corpus file passes") {
    auto files = testing::YamlFiles("examples");
    auto valid = testing::YamlFiles("tests/data/valid");
    files.insert(files.end(), valid.begin(), valid.end());
    for (const auto& path : files) {
      CAPTURE(path.string());
      FieldErrors errors = Check(testing::ReadText(path));
      CHECK_MESSAGE(errors.empty(), Summarize(errors));
    }
  }

  TEST_CASE("every invalid corpus file fails at the field it names") {
    auto files = testing::YamlFiles("tests/data/invalid");
    REQUIRE(files.size() > 20);
    for (const auto& path : files) {
      std::string text = testing::ReadText(path);
      std::string want = ExpectedPath(text);
      CAPTURE(path.filename().string());
      FieldErrors errors = Check(text);
      bool found = false;
      for (const auto& e : errors) found = found || e.path == want;
      CHECK_MESSAGE(found, "want an error at " << want << ", got: " << Summarize(errors));
    }
  }

  TEST_CASE("the syntax of names, versions, label values and Secret keys follows their patterns") {
    // The patterns the hand-written checks in validation.cpp implement, as the oracle.
    struct Field {
      std::string path;
      std::regex pattern;
      std::function<void(SpytCluster&, const std::string&)> set;
    };
    const std::vector<Field> fields = {
        {"metadata.name", std::regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$"),
         [](SpytCluster& c, const std::string& v) { c.metadata.name = v; }},
        {"spec.spytVersion", std::regex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$"),
         [](SpytCluster& c, const std::string& v) { c.spec.spyt_version = v; }},
        {"spec.pod.labels.x", std::regex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"),
         [](SpytCluster& c, const std::string& v) { c.spec.pod.labels["x"] = v; }},
        {"spec.pod.serviceAccountName",
         std::regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"),
         [](SpytCluster& c, const std::string& v) { c.spec.pod.service_account_name = v; }},
        {"spec.yt.tokenSecretRef.key", std::regex("^[-._a-zA-Z0-9]+$"),
         [](SpytCluster& c, const std::string& v) {
           c.spec.yt.token_secret_ref = SecretKeyRef{"token", v};
         }},
    };
    std::vector<std::string> texts = testing::AllStrings("a0Z-._", 4);
    for (const std::string& version : testing::AllStrings("1.-a", 6)) texts.push_back(version);
    texts.push_back(std::string(40, 'a'));
    texts.push_back(std::string(41, 'a'));
    texts.push_back("a" + std::string(38, '-') + "b");
    const SpytCluster minimal = Minimal();
    for (const Field& f : fields) {
      for (const std::string& text : texts) {
        CAPTURE(f.path);
        CAPTURE(text);
        SpytCluster c = minimal;
        f.set(c, text);
        CHECK(HasErrorAt(Validate(c), f.path) == !std::regex_match(text, f.pattern));
      }
    }
  }

  TEST_CASE("Livy container sizing follows SPYT's rule") {
    LivySpec livy;
    livy.max_sessions = 5;
    livy.driver_cores = 1;
    livy.driver_memory = MemorySize::Parse("1G");
    CHECK(LivyContainerMemory(livy).ToQuantityString() == "6Gi");
    CHECK(LivyContainerCpu(livy) == 6);
    livy.max_sessions = 3;
    livy.driver_cores = 2;
    livy.driver_memory = MemorySize::Parse("1024m");
    CHECK(LivyContainerMemory(livy).ToQuantityString() == "4Gi");
    CHECK(LivyContainerCpu(livy) == 7);
  }

  TEST_CASE("a too-small Livy limit explains the sizing rule") {
    SpytCluster c = Minimal();
    c.spec.livy.max_sessions = 5;
    c.spec.livy.resources.limits.emplace("memory", Quantity::Parse("5Gi"));
    FieldErrors errors = Validate(c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "spec.livy.resources.limits[memory]");
    CHECK(errors[0].detail.find("at least 6Gi") != std::string::npos);
  }

  TEST_CASE("messages read like the API server's") {
    SpytCluster c = Minimal();
    c.spec.livy.max_sessions = 0;
    FieldErrors errors = Validate(c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].ToString() == "spec.livy.maxSessions: Invalid value: 0: must be at least 1");
  }

  TEST_CASE("reports every error, not just the first") {
    SpytCluster c = Minimal();
    c.spec.workers.cores = 0;
    c.spec.livy.driver_cores = 0;
    c.spec.master.ports.web_ui = 70000;
    CHECK(Validate(c).size() == 3);
  }

  TEST_CASE("negative resource quantities are rejected") {
    SpytCluster c = Minimal();
    c.spec.master.resources.requests.emplace("cpu", Quantity::Parse("-1"));
    FieldErrors errors = Validate(c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "spec.master.resources.requests");
  }

  TEST_CASE("resource names are the ones the API server takes for a container") {
    for (const char* name : {"cpu", "memory", "ephemeral-storage", "hugepages-2Mi",
                             "nvidia.com/gpu", "example.com/a_b.c", "kubernetes.io/x"}) {
      SpytCluster c = Minimal();
      c.spec.workers.resources.requests.emplace(name, Quantity::Parse("1"));
      CAPTURE(name);
      CHECK(Validate(c).empty());
    }
    for (const char* name :
         {"mem\x87ory", "Memory", "gpu", "hugepages-", "", "/gpu", "a/b/c", "example.com/",
          "Example.com/gpu", "requests.example.com/gpu", "example.com/-x"}) {
      SpytCluster c = Minimal();
      c.spec.workers.resources.limits.emplace(name, Quantity::Parse("1"));
      CAPTURE(name);
      FieldErrors errors = Validate(c);
      REQUIRE(errors.size() == 1);
      CHECK(errors[0].path == std::string("spec.workers.resources.limits[") + name + "]");
      CHECK(errors[0].detail.find("example.com/gpu") != std::string::npos);
    }
  }

  TEST_CASE("pod label, annotation and node selector keys are qualified names") {
    SpytCluster c = Minimal();
    c.spec.pod.labels = {{"team", "spark"}, {"example.com/tier", "gold"}};
    c.spec.pod.annotations = {{"a.b/c", "any text at all: é"}};
    c.spec.pod.node_selector = {{"kubernetes.io/os", "linux"}};
    CHECK(Validate(c).empty());
    c.spec.pod.labels.emplace("bad key", "x");
    c.spec.pod.annotations.emplace(std::string(64, 'a'), "x");
    c.spec.pod.node_selector.emplace("zone", "not a label value");
    FieldErrors errors = Validate(c);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].path == "spec.pod.labels");
    CHECK(errors[0].detail.find("qualified name") != std::string::npos);
    CHECK(errors[1].path == "spec.pod.annotations");
    CHECK(errors[2].path == "spec.pod.nodeSelector.zone");
  }

  TEST_CASE("Summarize bounds the message") {
    FieldErrors many(20, FieldError{FieldError::Type::kRequired, "spec.x", "", ""});
    std::string s = Summarize(many, 3);
    CHECK(s.find("and 17 more") != std::string::npos);
  }
}

}  // namespace spyt::api
