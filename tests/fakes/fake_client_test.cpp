#include "fakes/fake_client.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "fakes/fake_clock.h"

namespace spyt::fakes {
namespace {

using kube::ApiError;
using kube::Reason;
using kube::resources::kConfigMaps;
using kube::resources::kNamespaces;
using kube::resources::kSpytClusters;

json::Value Cluster(const std::string& name, int replicas = 1) {
  json::Value obj = json::Parse(R"({"apiVersion": "spyt.dev/v1alpha1", "kind": "SpytCluster",
                                    "metadata": {"namespace": "ns"}, "spec": {"workers": {}}})");
  obj["metadata"]["name"] = name;
  obj["spec"]["workers"]["replicas"] = replicas;
  return obj;
}

std::string Meta(const json::Value& obj, const char* key) {
  const json::Value* v = obj.find("metadata")->find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

std::int64_t Generation(const json::Value& obj) {
  return obj.find("metadata")->find("generation")->as_int();
}

template <typename F>
Reason ErrorOf(F&& call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e.reason();
  }
  return Reason::kUnknown;
}

}  // namespace

TEST_SUITE("fake_client") {
  TEST_CASE(
      "Create stores the object with uid, generation 1, creationTimestamp and resourceVersion") {
    FakeClock clock;
    FakeClient client(&clock);
    json::Value created = client.Create(kSpytClusters, "ns", Cluster("a"));
    CHECK_FALSE(Meta(created, "uid").empty());
    CHECK(Generation(created) == 1);
    CHECK(Meta(created, "creationTimestamp") == "2026-01-01T00:00:00Z");
    CHECK(Meta(created, "resourceVersion") == "1");
    CHECK(client.Get(kSpytClusters, "ns", "a") == created);
  }

  TEST_CASE("Create of a name that exists is AlreadyExists") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    CHECK(ErrorOf([&] { client.Create(kSpytClusters, "ns", Cluster("a")); }) ==
          Reason::kAlreadyExists);
  }

  TEST_CASE("Create drops the status, which only the status subresource sets") {
    FakeClient client;
    json::Value obj = Cluster("a");
    obj["status"]["phase"] = "Running";
    CHECK(client.Create(kSpytClusters, "ns", obj).find("status") == nullptr);
  }

  TEST_CASE("Create with generateName picks a fresh name") {
    FakeClient client;
    json::Value obj = Cluster("");
    obj["metadata"].as_object().erase("name");
    obj["metadata"]["generateName"] = "job-";
    std::string first = Meta(client.Create(kSpytClusters, "ns", obj), "name");
    std::string second = Meta(client.Create(kSpytClusters, "ns", obj), "name");
    CHECK(first.rfind("job-", 0) == 0);
    CHECK(first != second);
  }

  TEST_CASE("Create without a name is Invalid") {
    FakeClient client;
    CHECK(ErrorOf([&] { client.Create(kSpytClusters, "ns", Cluster("")); }) == Reason::kInvalid);
  }

  TEST_CASE("Get of a missing object is NotFound") {
    FakeClient client;
    CHECK(ErrorOf([&] { client.Get(kSpytClusters, "ns", "nope"); }) == Reason::kNotFound);
  }

  TEST_CASE("namespaces keep objects apart, a cluster-scoped resource ignores them") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    CHECK(ErrorOf([&] { client.Get(kSpytClusters, "other", "a"); }) == Reason::kNotFound);
    client.Create(kNamespaces, "", json::Parse(R"({"metadata": {"name": "ns"}})"));
    CHECK(Meta(client.Get(kNamespaces, "whatever", "ns"), "name") == "ns");
  }

  TEST_CASE("a namespaced request without a namespace, or with two different ones, is BadRequest") {
    FakeClient client;
    CHECK(ErrorOf([&] { client.Get(kSpytClusters, "", "a"); }) == Reason::kBadRequest);
    CHECK(ErrorOf([&] { client.Create(kSpytClusters, "other", Cluster("a")); }) ==
          Reason::kBadRequest);
  }

  TEST_CASE("every write bumps one resourceVersion counter shared by all resources") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    client.Create(kConfigMaps, "ns", json::Parse(R"({"metadata": {"name": "c"}})"));
    json::Value updated = client.Update(kSpytClusters, "ns", Cluster("a", 2));
    CHECK(Meta(updated, "resourceVersion") == "3");
    CHECK(client.ResourceVersion() == "3");
  }

  TEST_CASE("Update with a stale resourceVersion is a Conflict") {
    FakeClient client;
    json::Value first = client.Create(kSpytClusters, "ns", Cluster("a"));
    client.Update(kSpytClusters, "ns", Cluster("a", 2));
    first["spec"]["workers"]["replicas"] = 3;
    CHECK(ErrorOf([&] { client.Update(kSpytClusters, "ns", first); }) == Reason::kConflict);
  }

  TEST_CASE("Update without a resourceVersion is unconditional") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    client.Update(kSpytClusters, "ns", Cluster("a", 2));
    CHECK(client.Update(kSpytClusters, "ns", Cluster("a", 3))["spec"]["workers"]["replicas"] == 3);
  }

  TEST_CASE("Update of a missing object is NotFound") {
    FakeClient client;
    CHECK(ErrorOf([&] { client.Update(kSpytClusters, "ns", Cluster("a")); }) == Reason::kNotFound);
  }

  TEST_CASE("Update keeps the stored status, the status subresource changes only the status") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    json::Value with_status = Cluster("a");
    with_status["status"]["phase"] = "Running";
    with_status["spec"]["workers"]["replicas"] = 9;
    json::Value after_status = client.Update(kSpytClusters, "ns", with_status, "status");
    CHECK(after_status["status"]["phase"] == "Running");
    CHECK(after_status["spec"]["workers"]["replicas"] == 1);
    json::Value main = Cluster("a", 2);
    main["status"]["phase"] = "Failed";
    CHECK(client.Update(kSpytClusters, "ns", main)["status"]["phase"] == "Running");
  }

  TEST_CASE("generation follows changes outside metadata and status only") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    CHECK(Generation(client.Update(kSpytClusters, "ns", Cluster("a", 2))) == 2);
    json::Value labelled = Cluster("a", 2);
    labelled["metadata"]["labels"]["team"] = "data";
    CHECK(Generation(client.Update(kSpytClusters, "ns", labelled)) == 2);
    labelled["status"]["phase"] = "Running";
    CHECK(Generation(client.Update(kSpytClusters, "ns", labelled, "status")) == 2);
  }

  TEST_CASE("an update that changes nothing keeps the resourceVersion") {
    FakeClient client;
    json::Value created = client.Create(kSpytClusters, "ns", Cluster("a"));
    CHECK(Meta(client.Update(kSpytClusters, "ns", created), "resourceVersion") == "1");
    CHECK(client.ResourceVersion() == "1");
  }

  TEST_CASE("Apply creates a missing object") {
    FakeClient client;
    json::Value applied = client.Apply(kSpytClusters, "ns", Cluster("a"), {"spyt-operator"});
    CHECK(Generation(applied) == 1);
    CHECK(client.Peek(kSpytClusters, "ns", "a").has_value());
  }

  TEST_CASE("Apply merges the given fields into the stored object") {
    FakeClient client;
    json::Value obj = Cluster("a");
    obj["spec"]["image"] = "spyt:2.6";
    client.Create(kSpytClusters, "ns", obj);
    json::Value applied = client.Apply(kSpytClusters, "ns", Cluster("a", 4), {"spyt-operator"});
    CHECK(applied["spec"]["workers"]["replicas"] == 4);
    CHECK(applied["spec"]["image"] == "spyt:2.6");
  }

  TEST_CASE("an Apply that changes nothing keeps the resourceVersion") {
    FakeClient client;
    client.Apply(kSpytClusters, "ns", Cluster("a"), {"spyt-operator"});
    json::Value again = client.Apply(kSpytClusters, "ns", Cluster("a"), {"spyt-operator"});
    CHECK(Meta(again, "resourceVersion") == "1");
  }

  TEST_CASE("Apply needs a field manager, apiVersion and kind") {
    FakeClient client;
    CHECK(ErrorOf([&] { client.Apply(kSpytClusters, "ns", Cluster("a"), {}); }) ==
          Reason::kBadRequest);
    json::Value no_kind = Cluster("a");
    no_kind.as_object().erase("kind");
    CHECK(ErrorOf([&] { client.Apply(kSpytClusters, "ns", no_kind, {"m"}); }) ==
          Reason::kBadRequest);
  }

  TEST_CASE("a merge patch sets, replaces and deletes fields as RFC 7386 says") {
    FakeClient client;
    json::Value obj = Cluster("a");
    obj["spec"]["image"] = "spyt:2.6";
    obj["spec"]["tags"] = json::Parse(R"(["x", "y"])");
    client.Create(kSpytClusters, "ns", obj);
    json::Value patched = client.Patch(
        kSpytClusters, "ns", "a", kube::PatchType::kMerge,
        json::Parse(R"({"spec": {"image": null, "tags": ["z"], "workers": {"cores": 2}}})"));
    CHECK(patched["spec"].find("image") == nullptr);
    CHECK(patched["spec"]["tags"] == json::Parse(R"(["z"])"));
    CHECK(patched["spec"]["workers"] == json::Parse(R"({"cores": 2, "replicas": 1})"));
    CHECK(Generation(patched) == 2);
  }

  TEST_CASE("a merge patch carrying a stale resourceVersion is a Conflict") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    client.Update(kSpytClusters, "ns", Cluster("a", 2));
    auto patch = json::Parse(R"({"metadata": {"resourceVersion": "1"}, "spec": {"x": 1}})");
    CHECK(ErrorOf([&] {
            client.Patch(kSpytClusters, "ns", "a", kube::PatchType::kMerge, patch);
          }) == Reason::kConflict);
  }

  TEST_CASE("a status merge patch changes only the status") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    json::Value patched =
        client.Patch(kSpytClusters, "ns", "a", kube::PatchType::kMerge,
                     json::Parse(R"({"status": {"phase": "Running"}, "spec": null})"), "status");
    CHECK(patched["status"]["phase"] == "Running");
    CHECK(patched.find("spec") != nullptr);
  }

  TEST_CASE("JSON and strategic merge patches and the scale subresource are refused") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    json::Value patch = json::Parse("{}");
    CHECK(ErrorOf([&] { client.Patch(kSpytClusters, "ns", "a", kube::PatchType::kJson, patch); }) ==
          Reason::kBadRequest);
    CHECK(ErrorOf([&] {
            client.Patch(kSpytClusters, "ns", "a", kube::PatchType::kStrategicMerge, patch);
          }) == Reason::kBadRequest);
    CHECK(ErrorOf([&] { client.Update(kSpytClusters, "ns", Cluster("a"), "scale"); }) ==
          Reason::kBadRequest);
  }

  TEST_CASE("Delete removes the object, and a second Delete is NotFound") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    client.Delete(kSpytClusters, "ns", "a");
    CHECK_FALSE(client.Peek(kSpytClusters, "ns", "a").has_value());
    CHECK(ErrorOf([&] { client.Delete(kSpytClusters, "ns", "a"); }) == Reason::kNotFound);
  }

  TEST_CASE("Delete with a stale uid or resourceVersion precondition is a Conflict") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    kube::DeleteOptions by_uid;
    by_uid.precondition_uid = "someone-else";
    CHECK(ErrorOf([&] { client.Delete(kSpytClusters, "ns", "a", by_uid); }) == Reason::kConflict);
    kube::DeleteOptions by_rv;
    by_rv.precondition_resource_version = "0";
    CHECK(ErrorOf([&] { client.Delete(kSpytClusters, "ns", "a", by_rv); }) == Reason::kConflict);
    CHECK(client.Peek(kSpytClusters, "ns", "a").has_value());
  }

  TEST_CASE("an object with finalizers is only marked for deletion until they are removed") {
    FakeClock clock;
    FakeClient client(&clock);
    json::Value obj = Cluster("a");
    obj["metadata"]["finalizers"] = json::Parse(R"(["spyt.dev/cleanup"])");
    client.Create(kSpytClusters, "ns", obj);
    client.Delete(kSpytClusters, "ns", "a");
    json::Value marked = *client.Peek(kSpytClusters, "ns", "a");
    CHECK(Meta(marked, "deletionTimestamp") == "2026-01-01T00:00:00Z");
    marked["metadata"]["finalizers"] = json::Array{};
    client.Update(kSpytClusters, "ns", marked);
    CHECK_FALSE(client.Peek(kSpytClusters, "ns", "a").has_value());
  }

  TEST_CASE("requests are counted by verb and by resource, failed ones included") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    client.Get(kSpytClusters, "ns", "a");
    ErrorOf([&] { client.Get(kConfigMaps, "ns", "missing"); });
    CHECK(client.Requests("get") == 2);
    CHECK(client.Requests("get", kSpytClusters) == 1);
    CHECK(client.Requests("create") == 1);
    CHECK(client.Writes() == 1);
    client.ResetCounts();
    CHECK(client.Requests("get") == 0);
  }

  TEST_CASE("FailNext fails the next N calls of a verb, then calls succeed again") {
    FakeClient client;
    client.Create(kSpytClusters, "ns", Cluster("a"));
    client.FailNext("get", ApiError(Reason::kServerError, 500, "boom"), 2);
    CHECK(ErrorOf([&] { client.Get(kSpytClusters, "ns", "a"); }) == Reason::kServerError);
    CHECK(ErrorOf([&] { client.Get(kSpytClusters, "ns", "a"); }) == Reason::kServerError);
    CHECK(ErrorOf([&] { client.Get(kSpytClusters, "ns", "a"); }) == Reason::kUnknown);
  }

  TEST_CASE("FailNext for one resource leaves the others alone") {
    FakeClient client;
    client.FailNext("create", kConfigMaps, ApiError(Reason::kForbidden, 403, "no"));
    CHECK(ErrorOf([&] { client.Create(kSpytClusters, "ns", Cluster("a")); }) == Reason::kUnknown);
    CHECK(ErrorOf([&] {
            client.Create(kConfigMaps, "ns", json::Parse(R"({"metadata": {"name": "c"}})"));
          }) == Reason::kForbidden);
  }

  TEST_CASE("FailNext rejects a verb it does not know") {
    FakeClient client;
    CHECK_THROWS_AS(client.FailNext("put", ApiError(Reason::kConflict, 409, "x")),
                    std::invalid_argument);
  }

  TEST_CASE("Seed stores the status as given and is not a request") {
    FakeClient client;
    json::Value obj = Cluster("a");
    obj["status"]["phase"] = "Running";
    client.Seed(kSpytClusters, obj);
    CHECK((*client.Peek(kSpytClusters, "ns", "a"))["status"]["phase"] == "Running");
    CHECK(client.Requests("create") == 0);
  }
}

}  // namespace spyt::fakes
