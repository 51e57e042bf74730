// RestClient against the real API server: CRUD, typed errors, paging, server-side
// apply, the status subresource, delete preconditions and authorization.

#include <doctest/doctest.h>

#include "integration/cpp/kube_env.h"

namespace spyt::kube {
namespace {

using testing::AdminClient;
using testing::TestNamespace;

json::Value ConfigMap(const std::string& ns, const std::string& name, const std::string& value) {
  return json::Object{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", json::Object{{"name", name}, {"namespace", ns}}},
                      {"data", json::Object{{"key", value}}}};
}

std::string Rv(const json::Value& obj) {
  return obj.find("metadata")->find("resourceVersion")->as_string();
}

std::string DataKey(const json::Value& obj) { return obj.find("data")->find("key")->as_string(); }

// Runs `call`, which must throw ApiError; returns it.
template <typename F>
ApiError ErrorOf(F call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e;
  }
  FAIL("expected an ApiError");
  return ApiError(Reason::kUnknown, 0, "unreachable");
}

}  // namespace

TEST_SUITE("integration.kube_client") {
  TEST_CASE("a configmap is created, read, updated and deleted") {
    auto client = AdminClient();
    TestNamespace ns(*client, "crud");
    json::Value created =
        client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "v1"));
    CHECK(DataKey(client->Get(resources::kConfigMaps, ns.name(), "cm")) == "v1");
    created["data"]["key"] = "v2";
    json::Value updated = client->Update(resources::kConfigMaps, ns.name(), created);
    CHECK(DataKey(updated) == "v2");
    CHECK(Rv(updated) != Rv(created));
    client->Delete(resources::kConfigMaps, ns.name(), "cm");
    CHECK(IsNotFound(ErrorOf([&] { client->Get(resources::kConfigMaps, ns.name(), "cm"); })));
  }

  TEST_CASE("getting a missing object is NotFound") {
    auto client = AdminClient();
    ApiError e = ErrorOf([&] { client->Get(resources::kConfigMaps, "default", "no-such-cm"); });
    CHECK(IsNotFound(e));
    CHECK(e.code() == 404);
  }

  TEST_CASE("creating an object twice is AlreadyExists") {
    auto client = AdminClient();
    TestNamespace ns(*client, "exists");
    client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "v"));
    ApiError e = ErrorOf([&] {
      client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "v"));
    });
    CHECK(IsAlreadyExists(e));
    CHECK(e.code() == 409);
  }

  TEST_CASE("an update with a stale resourceVersion is Conflict") {
    auto client = AdminClient();
    TestNamespace ns(*client, "stale");
    json::Value first =
        client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "a"));
    json::Value fresh = first;
    fresh["data"]["key"] = "b";
    client->Update(resources::kConfigMaps, ns.name(), fresh);
    first["data"]["key"] = "c";
    ApiError e = ErrorOf([&] { client->Update(resources::kConfigMaps, ns.name(), first); });
    CHECK(IsConflict(e));
    CHECK_FALSE(IsAlreadyExists(e));
  }

  TEST_CASE("retry on conflict re-reads and succeeds after a concurrent write") {
    auto client = AdminClient();
    TestNamespace ns(*client, "retry");
    client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "0"));
    int attempts = 0;
    json::Value result = RetryOnConflict([&] {
      json::Value cm = client->Get(resources::kConfigMaps, ns.name(), "cm");
      if (++attempts == 1) {  // someone else writes between our read and our write
        json::Value other = cm;
        other["data"]["key"] = "other";
        client->Update(resources::kConfigMaps, ns.name(), other);
      }
      cm["data"]["key"] = "mine";
      return client->Update(resources::kConfigMaps, ns.name(), cm);
    });
    CHECK(attempts == 2);
    CHECK(DataKey(result) == "mine");
  }

  TEST_CASE("an invalid name is Invalid with a metadata.name cause") {
    auto client = AdminClient();
    TestNamespace ns(*client, "invalid");
    ApiError e = ErrorOf([&] {
      client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "Not_A_Name", "v"));
    });
    CHECK(IsInvalid(e));
    CHECK(e.code() == 422);
    REQUIRE_FALSE(e.causes().empty());
    CHECK(e.causes()[0].field == "metadata.name");
    CHECK(e.causes()[0].type == "FieldValueInvalid");
  }

  TEST_CASE("list all pages through five objects two at a time") {
    auto client = AdminClient();
    TestNamespace ns(*client, "paging");
    for (int i = 0; i < 5; ++i) {
      client->Create(resources::kConfigMaps, ns.name(),
                     ConfigMap(ns.name(), "cm-" + std::to_string(i), std::to_string(i)));
    }
    ListOptions first_page;
    first_page.limit = 2;
    ListResult page = client->List(resources::kConfigMaps, ns.name(), first_page);
    CHECK(page.items.size() == 2);
    CHECK_FALSE(page.continue_token.empty());
    ListResult all = ListAll(*client, resources::kConfigMaps, ns.name(), {}, 2);
    // Five of ours plus kube-root-ca.crt, which the controller manager publishes.
    int ours = 0;
    for (const json::Value& item : all.items) {
      ours += item.find("metadata")->find("name")->as_string().rfind("cm-", 0) == 0 ? 1 : 0;
      CHECK(item.find("kind")->as_string() == "ConfigMap");
    }
    CHECK(ours == 5);
    CHECK_FALSE(all.resource_version.empty());
  }

  TEST_CASE("a label selector lists only matching objects") {
    auto client = AdminClient();
    TestNamespace ns(*client, "labels");
    for (const char* tier : {"master", "worker", "worker"}) {
      json::Value cm = ConfigMap(ns.name(), testing::UniqueName(tier), "v");
      cm["metadata"]["labels"]["tier"] = tier;
      client->Create(resources::kConfigMaps, ns.name(), cm);
    }
    ListOptions opts;
    opts.label_selector = "tier in (worker)";
    CHECK(client->List(resources::kConfigMaps, ns.name(), opts).items.size() == 2);
  }

  TEST_CASE("applying an identical object twice does not change the resourceVersion") {
    auto client = AdminClient();
    TestNamespace ns(*client, "ssa");
    json::Value first = client->Apply(resources::kConfigMaps, ns.name(),
                                      ConfigMap(ns.name(), "cm", "v"), {"spyt-operator", false});
    json::Value second = client->Apply(resources::kConfigMaps, ns.name(),
                                       ConfigMap(ns.name(), "cm", "v"), {"spyt-operator", false});
    CHECK(Rv(first) == Rv(second));
  }

  TEST_CASE("applying another manager's field conflicts unless forced") {
    auto client = AdminClient();
    TestNamespace ns(*client, "ssa-conflict");
    client->Apply(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "mine"),
                  {"spyt-operator", false});
    ApiError e = ErrorOf([&] {
      client->Apply(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "theirs"),
                    {"someone-else", false});
    });
    CHECK(IsConflict(e));
    json::Value forced =
        client->Apply(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "theirs"),
                      {"someone-else", true});
    CHECK(DataKey(forced) == "theirs");
  }

  TEST_CASE("a status update changes status and ignores the spec") {
    auto client = AdminClient();
    TestNamespace ns(*client, "status");
    json::Value svc =
        json::Object{{"metadata", json::Object{{"name", "lb"}, {"namespace", ns.name()}}},
                     {"spec", json::Object{{"type", "LoadBalancer"},
                                           {"ports", json::Array{json::Object{{"port", 80}}}}}}};
    json::Value created = client->Create(resources::kServices, ns.name(), svc);
    created["status"]["loadBalancer"]["ingress"] =
        json::Array{json::Object{{"hostname", "lb.spyt.test"}}};
    created["spec"]["ports"].as_array()[0]["port"] = 81;
    json::Value updated = client->Update(resources::kServices, ns.name(), created, "status");
    json::Value now = client->Get(resources::kServices, ns.name(), "lb");
    CHECK(now["status"]["loadBalancer"]["ingress"].as_array().size() == 1);
    CHECK(now["spec"]["ports"].as_array()[0]["port"].as_int() == 80);
    CHECK(Rv(updated) == Rv(now));
  }

  TEST_CASE("a delete whose uid precondition does not match is Conflict") {
    auto client = AdminClient();
    TestNamespace ns(*client, "precondition");
    json::Value cm =
        client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm", "v"));
    DeleteOptions opts;
    opts.precondition_uid = "00000000-0000-0000-0000-000000000000";
    CHECK(IsConflict(
        ErrorOf([&] { client->Delete(resources::kConfigMaps, ns.name(), "cm", opts); })));
    opts.precondition_uid = cm["metadata"]["uid"].as_string();
    client->Delete(resources::kConfigMaps, ns.name(), "cm", opts);
    CHECK(IsNotFound(ErrorOf([&] { client->Get(resources::kConfigMaps, ns.name(), "cm"); })));
  }

  TEST_CASE("a user without permissions is Forbidden") {
    auto admin = AdminClient();
    TestNamespace ns(*admin, "forbidden");
    RestConfig config = LoadKubeconfig(testing::MintUserKubeconfig("spyt-nobody"));
    CHECK_FALSE(config.tls.client_cert_pem.empty());
    auto client = MakeClient(config);
    ApiError e = ErrorOf([&] { client->List(resources::kConfigMaps, ns.name(), {}); });
    CHECK(IsForbidden(e));
    CHECK(e.code() == 403);
  }

  TEST_CASE("a client that does not trust the server's CA fails with a transport error") {
    RestConfig config = testing::AdminConfig();
    config.tls.ca_pem.clear();  // the system store does not know the test CA
    ApiError e = ErrorOf([&] { MakeClient(config)->Get(resources::kNamespaces, "", "default"); });
    CHECK(e.reason() == Reason::kTransport);
    CHECK(e.code() == 0);
  }
}

}  // namespace spyt::kube
