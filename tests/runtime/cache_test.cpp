#include "runtime/cache.h"

#include <doctest/doctest.h>

#include "common/clock.h"
#include "fakes/fake_client.h"

namespace spyt::runtime {
namespace {

namespace res = kube::resources;

json::Value ConfigMap(const std::string& ns, const std::string& name) {
  return json::Object{{"metadata", json::Object{{"namespace", ns}, {"name", name}}}};
}

}  // namespace

TEST_SUITE("cache") {
  TEST_CASE("an all-namespaces informer serves Get and List for every namespace") {
    fakes::FakeClient client;
    client.Create(res::kConfigMaps, "a", ConfigMap("a", "one"));
    client.Create(res::kConfigMaps, "b", ConfigMap("b", "two"));
    Informer all(client, RealClock(), {res::kConfigMaps, "", ""});
    all.ListAndReplace();
    Cache cache;
    cache.Register(res::kConfigMaps, "", all);
    CHECK(cache.Get(res::kConfigMaps, "a", "one"));
    CHECK_FALSE(cache.Get(res::kConfigMaps, "a", "two"));
    CHECK(cache.List(res::kConfigMaps, "").size() == 2);
    auto in_b = cache.List(res::kConfigMaps, "b");
    REQUIRE(in_b.size() == 1);
    CHECK(in_b[0].find("metadata")->find("name")->as_string() == "two");
    CHECK(cache.List(res::kSecrets, "a").empty());  // nothing registered
  }

  TEST_CASE("per-namespace informers answer only for their namespace") {
    fakes::FakeClient client;
    client.Create(res::kConfigMaps, "a", ConfigMap("a", "one"));
    client.Create(res::kConfigMaps, "b", ConfigMap("b", "two"));
    Informer only_a(client, RealClock(), {res::kConfigMaps, "a", ""});
    only_a.ListAndReplace();
    Cache cache;
    cache.Register(res::kConfigMaps, "a", only_a);
    CHECK(cache.List(res::kConfigMaps, "a").size() == 1);
    CHECK(cache.List(res::kConfigMaps, "b").empty());
    CHECK_FALSE(cache.Get(res::kConfigMaps, "b", "two"));
  }
}

}  // namespace spyt::runtime
