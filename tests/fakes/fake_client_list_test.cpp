#include <doctest/doctest.h>

#include <stdexcept>

#include "fakes/fake_client.h"
#include "fakes/label_selector.h"

namespace spyt::fakes {
namespace {

using kube::resources::kConfigMaps;

json::Value Labelled(const std::string& name, const std::string& ns, const std::string& labels) {
  json::Value obj(json::Object{});
  obj["metadata"]["name"] = name;
  obj["metadata"]["namespace"] = ns;
  obj["metadata"]["labels"] = json::Parse(labels);
  return obj;
}

std::vector<std::string> Names(const kube::ListResult& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items) {
    out.push_back(item.find("metadata")->find("name")->as_string());
  }
  return out;
}

kube::ListOptions Selecting(const std::string& labels, const std::string& fields = "") {
  kube::ListOptions opts;
  opts.label_selector = labels;
  opts.field_selector = fields;
  return opts;
}

// Three config maps in "ns" and one in "other".
struct Fixture {
  Fixture() {
    client.Create(kConfigMaps, "ns",
                  Labelled("master", "ns", R"({"app": "spyt", "role": "master"})"));
    client.Create(kConfigMaps, "ns",
                  Labelled("worker", "ns", R"({"app": "spyt", "role": "worker"})"));
    client.Create(kConfigMaps, "ns", Labelled("plain", "ns", "{}"));
    client.Create(kConfigMaps, "other", Labelled("far", "other", R"({"app": "spyt"})"));
  }
  std::vector<std::string> In(const std::string& ns, const std::string& labels) {
    return Names(client.List(kConfigMaps, ns, Selecting(labels)));
  }
  FakeClient client;
};

using NameList = std::vector<std::string>;

}  // namespace

TEST_SUITE("fake_client") {
  TEST_CASE("List filters by namespace and returns the current resourceVersion") {
    Fixture f;
    kube::ListResult list = f.client.List(kConfigMaps, "ns", {});
    CHECK(Names(list) == NameList{"master", "plain", "worker"});
    CHECK(list.resource_version == "4");
    CHECK(f.In("", "") == NameList{"master", "plain", "worker", "far"});
  }

  TEST_CASE("label selectors match by equality, inequality, existence and sets") {
    Fixture f;
    CHECK(f.In("ns", "app=spyt") == NameList{"master", "worker"});
    CHECK(f.In("ns", "app==spyt,role=worker") == NameList{"worker"});
    CHECK(f.In("ns", "role!=worker") == NameList{"master", "plain"});
    CHECK(f.In("ns", "role") == NameList{"master", "worker"});
    CHECK(f.In("ns", "!role") == NameList{"plain"});
    CHECK(f.In("ns", "role in (master, driver)") == NameList{"master"});
    CHECK(f.In("ns", "role notin (master)") == NameList{"plain", "worker"});
    CHECK(f.In("ns", " app = spyt , role ") == NameList{"master", "worker"});
  }

  TEST_CASE("field selectors match dotted paths of the object") {
    Fixture f;
    CHECK(Names(f.client.List(kConfigMaps, "", Selecting("", "metadata.name=far"))) ==
          NameList{"far"});
    CHECK(Names(f.client.List(kConfigMaps, "", Selecting("", "metadata.namespace!=ns"))) ==
          NameList{"far"});
  }

  TEST_CASE("a malformed selector is BadRequest") {
    Fixture f;
    for (const char* bad : {"a=b=c", "in (x)", "a in x", ",", "a=(b)"}) {
      CAPTURE(bad);
      try {
        f.client.List(kConfigMaps, "ns", Selecting(bad));
        FAIL("accepted");
      } catch (const kube::ApiError& e) {
        CHECK(e.reason() == kube::Reason::kBadRequest);
      }
    }
  }

  TEST_CASE("List pages with limit and continue, in name order") {
    Fixture f;
    kube::ListOptions opts;
    opts.limit = 2;
    kube::ListResult first = f.client.List(kConfigMaps, "ns", opts);
    CHECK(Names(first) == NameList{"master", "plain"});
    REQUIRE_FALSE(first.continue_token.empty());
    opts.continue_token = first.continue_token;
    kube::ListResult second = f.client.List(kConfigMaps, "ns", opts);
    CHECK(Names(second) == NameList{"worker"});
    CHECK(second.continue_token.empty());
  }

  TEST_CASE("ListAll follows continue tokens across pages") {
    Fixture f;
    kube::ListResult all = kube::ListAll(f.client, kConfigMaps, "ns", {}, 1);
    CHECK(Names(all) == NameList{"master", "plain", "worker"});
  }

  TEST_CASE("a label selector parses once and matches labels of any object") {
    LabelSelector selector = LabelSelector::Parse("app=spyt,!canary");
    CHECK(selector.Matches(json::Parse(R"({"app": "spyt"})")));
    CHECK_FALSE(selector.Matches(json::Parse(R"({"app": "spyt", "canary": "1"})")));
    CHECK_FALSE(selector.Matches(json::Value()));
    CHECK(LabelSelector::Parse("").Matches(json::Value()));
  }

  TEST_CASE("a label selector with an empty requirement is rejected") {
    CHECK_THROWS_AS(LabelSelector::Parse("a=b,,c"), std::invalid_argument);
  }
}

}  // namespace spyt::fakes
