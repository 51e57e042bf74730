#include "kube/rest_client.h"

#include <doctest/doctest.h>

#include "kube/rest_client_fixture.h"

namespace spyt::kube {
namespace {

using testing::ClientFixture;
using testing::ConfigMap;
using testing::StatusBody;

const char* kCm =
    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"ns"}})";

}  // namespace

TEST_SUITE("kube.rest_client") {
  TEST_CASE("get sends GET to the object's path with the standard headers") {
    ClientFixture f;
    f.transport->Reply(200, kCm);
    json::Value obj = f.client->Get(resources::kConfigMaps, "ns", "cm");
    CHECK(obj["metadata"]["name"].as_string() == "cm");
    http::Request r = f.transport->last();
    CHECK(r.method == "GET");
    CHECK(r.path == "/api/v1/namespaces/ns/configmaps/cm");
    CHECK(r.headers["accept"] == "application/json");
    CHECK(r.headers["user-agent"] == "spyt-operator/test");
    CHECK(r.headers.count("authorization") == 0);
    CHECK(r.body.empty());
  }

  TEST_CASE("a configured token is sent as a bearer token") {
    RestConfig config = testing::TestConfig();
    config.bearer_token = "s3cret";
    ClientFixture f(config);
    f.transport->Reply(200, kCm);
    f.client->Get(resources::kConfigMaps, "ns", "cm");
    CHECK(f.transport->last().headers["authorization"] == "Bearer s3cret");
  }

  TEST_CASE("list encodes every option into the query") {
    ClientFixture f;
    f.transport->Reply(200, R"({"metadata":{"resourceVersion":"5"},"items":[]})");
    ListOptions opts;
    opts.label_selector = "app=spyt,tier in (master,worker)";
    opts.field_selector = "metadata.name!=x";
    opts.resource_version = "0";
    opts.continue_token = "abc/def=";
    opts.limit = 2;
    f.client->List(resources::kStatefulSets, "ns", opts);
    CHECK(f.transport->last().path ==
          "/apis/apps/v1/namespaces/ns/statefulsets"
          "?labelSelector=app%3Dspyt%2Ctier%20in%20%28master%2Cworker%29"
          "&fieldSelector=metadata.name%21%3Dx&resourceVersion=0&continue=abc%2Fdef%3D&limit=2");
  }

  TEST_CASE("list returns items with type meta, the list's version and continue token") {
    ClientFixture f;
    f.transport->Reply(200, R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"42",)"
                            R"("continue":"next"},"items":[{"metadata":{"name":"a"}},)"
                            R"({"metadata":{"name":"b"}}]})");
    ListResult list = f.client->List(resources::kConfigMaps, "", {});
    CHECK(f.transport->last().path == "/api/v1/configmaps");
    CHECK(list.resource_version == "42");
    CHECK(list.continue_token == "next");
    REQUIRE(list.items.size() == 2);
    CHECK(list.items[1]["kind"].as_string() == "ConfigMap");
    CHECK(list.items[1]["apiVersion"].as_string() == "v1");
  }

  TEST_CASE("create posts JSON to the collection, filling apiVersion and kind") {
    ClientFixture f;
    f.transport->Reply(201, kCm);
    f.client->Create(resources::kConfigMaps, "ns", ConfigMap("ns", "cm"));
    http::Request r = f.transport->last();
    CHECK(r.method == "POST");
    CHECK(r.path == "/api/v1/namespaces/ns/configmaps");
    CHECK(r.headers["content-type"] == "application/json");
    json::Value body = json::Parse(r.body);
    CHECK(body["kind"].as_string() == "ConfigMap");
    CHECK(body["apiVersion"].as_string() == "v1");
  }

  TEST_CASE("create takes the namespace from the object when none is given") {
    ClientFixture f;
    f.transport->Reply(201, kCm);
    f.client->Create(resources::kConfigMaps, "", ConfigMap("from-object", "cm"));
    CHECK(f.transport->last().path == "/api/v1/namespaces/from-object/configmaps");
  }

  TEST_CASE("a namespaced call without any namespace fails before sending") {
    ClientFixture f;
    CHECK_THROWS_AS(f.client->Create(resources::kConfigMaps, "", ConfigMap("", "cm")), ApiError);
    CHECK(f.transport->requests().empty());
  }

  TEST_CASE("update puts to the object's path and to a subresource") {
    ClientFixture f;
    f.transport->Reply(200, kCm);
    f.transport->Reply(200, kCm);
    f.client->Update(resources::kSpytClusters, "ns", ConfigMap("ns", "c"));
    CHECK(f.transport->last().method == "PUT");
    CHECK(f.transport->last().path == "/apis/spyt.dev/v1alpha1/namespaces/ns/spytclusters/c");
    f.client->Update(resources::kSpytClusters, "ns", ConfigMap("ns", "c"), "status");
    CHECK(f.transport->last().path ==
          "/apis/spyt.dev/v1alpha1/namespaces/ns/spytclusters/c/status");
  }

  TEST_CASE("apply patches with the apply content type, field manager and force") {
    ClientFixture f;
    f.transport->Reply(200, kCm);
    f.client->Apply(resources::kConfigMaps, "ns", ConfigMap("ns", "cm"), {"spyt-operator", true});
    http::Request r = f.transport->last();
    CHECK(r.method == "PATCH");
    CHECK(r.path == "/api/v1/namespaces/ns/configmaps/cm?fieldManager=spyt-operator&force=true");
    CHECK(r.headers["content-type"] == "application/apply-patch+yaml");
    CHECK(json::Parse(r.body)["kind"].as_string() == "ConfigMap");
  }

  TEST_CASE("apply without force leaves the force parameter out") {
    ClientFixture f;
    f.transport->Reply(200, kCm);
    f.client->Apply(resources::kConfigMaps, "ns", ConfigMap("ns", "cm"), {"mgr", false});
    CHECK(f.transport->last().path == "/api/v1/namespaces/ns/configmaps/cm?fieldManager=mgr");
  }

  TEST_CASE("apply without a field manager is refused") {
    ClientFixture f;
    CHECK_THROWS_AS(f.client->Apply(resources::kConfigMaps, "ns", ConfigMap("ns", "cm"), {}),
                    ApiError);
  }

  TEST_CASE("each patch type has its content type") {
    ClientFixture f;
    const std::pair<PatchType, const char*> cases[] = {
        {PatchType::kMerge, "application/merge-patch+json"},
        {PatchType::kJson, "application/json-patch+json"},
        {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"},
    };
    for (const auto& [type, content_type] : cases) {
      f.transport->Reply(200, kCm);
      f.client->Patch(resources::kConfigMaps, "ns", "cm", type, json::Object{}, "status");
      CHECK(f.transport->last().headers["content-type"] == content_type);
      CHECK(f.transport->last().path == "/api/v1/namespaces/ns/configmaps/cm/status");
    }
  }

  TEST_CASE("delete sends preconditions and propagation policy as DeleteOptions") {
    ClientFixture f;
    f.transport->Reply(200, R"({"kind":"Status","status":"Success"})");
    DeleteOptions opts;
    opts.propagation_policy = "Foreground";
    opts.precondition_uid = "uid-1";
    opts.precondition_resource_version = "7";
    f.client->Delete(resources::kConfigMaps, "ns", "cm", opts);
    http::Request r = f.transport->last();
    CHECK(r.method == "DELETE");
    CHECK(r.path == "/api/v1/namespaces/ns/configmaps/cm");
    json::Value body = json::Parse(r.body);
    CHECK(body["kind"].as_string() == "DeleteOptions");
    CHECK(body["propagationPolicy"].as_string() == "Foreground");
    CHECK(body["preconditions"]["uid"].as_string() == "uid-1");
    CHECK(body["preconditions"]["resourceVersion"].as_string() == "7");
  }

  TEST_CASE("delete without options sends no body") {
    ClientFixture f;
    f.transport->Reply(200, "{}");
    f.client->Delete(resources::kNamespaces, "", "ns1");
    CHECK(f.transport->last().path == "/api/v1/namespaces/ns1");
    CHECK(f.transport->last().body.empty());
  }

  TEST_CASE("a non-2xx answer throws the typed error") {
    ClientFixture f;
    f.transport->Reply(404, StatusBody(404, "NotFound"));
    try {
      f.client->Get(resources::kConfigMaps, "ns", "missing");
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(IsNotFound(e));
    }
  }

  TEST_CASE("a transport failure is ApiError kTransport with code 0") {
    ClientFixture f;
    f.transport->Fail("connection refused");
    try {
      f.client->Get(resources::kConfigMaps, "ns", "cm");
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(e.reason() == Reason::kTransport);
      CHECK(e.code() == 0);
      CHECK(std::string(e.what()).find("connection refused") != std::string::npos);
    }
  }

  TEST_CASE("a success body that is not JSON is an error, not a crash") {
    ClientFixture f;
    f.transport->Reply(200, "<html>");
    CHECK_THROWS_AS(f.client->Get(resources::kConfigMaps, "ns", "cm"), ApiError);
  }

  TEST_CASE("metrics see each round trip with controller-runtime's verb and the code") {
    ClientFixture f;
    f.transport->Reply(200, kCm);
    f.transport->Reply(200, R"({"items":[]})");
    f.transport->Reply(409, StatusBody(409, "AlreadyExists"));
    f.transport->Fail("reset");
    f.client->Get(resources::kConfigMaps, "ns", "cm");
    f.client->List(resources::kConfigMaps, "ns", {});
    CHECK_THROWS(f.client->Create(resources::kConfigMaps, "ns", ConfigMap("ns", "cm")));
    CHECK_THROWS(f.client->Delete(resources::kConfigMaps, "ns", "cm"));
    auto seen = f.metrics.observations();
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].verb == "GET");
    CHECK(seen[0].code == 200);
    CHECK(seen[1].verb == "LIST");
    CHECK(seen[2].verb == "POST");
    CHECK(seen[2].code == 409);
    CHECK(seen[3].verb == "DELETE");
    CHECK(seen[3].code == 0);
  }

  TEST_CASE("the rate limiter spaces requests by qps") {
    RestConfig config = testing::TestConfig();
    config.qps = 5;
    config.burst = 1;
    ClientFixture f(config);
    for (int i = 0; i < 3; ++i) {
      f.transport->Reply(200, kCm);
      f.client->Get(resources::kConfigMaps, "ns", "cm");
    }
    auto sleeps = f.time.sleeps();
    REQUIRE(sleeps.size() == 2);
    CHECK(sleeps[0] == std::chrono::milliseconds(200));
    CHECK(sleeps[1] == std::chrono::milliseconds(200));
  }
}

}  // namespace spyt::kube
