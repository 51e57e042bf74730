#include "runtime/store.h"

#include <doctest/doctest.h>

namespace spyt::runtime {
namespace {

json::Value Obj(const std::string& ns, const std::string& name, const std::string& owner = "") {
  json::Value meta = json::Object{{"name", name}, {"namespace", ns}, {"resourceVersion", "1"}};
  if (!owner.empty()) meta["labels"] = json::Object{{"owner", owner}};
  return json::Object{{"metadata", meta}};
}

}  // namespace

TEST_SUITE("store") {
  TEST_CASE("keys are namespace/name, or name for cluster-scoped objects") {
    CHECK(ObjectKey(Obj("ns", "a")) == "ns/a");
    CHECK(ObjectKey(json::Object{{"metadata", json::Object{{"name", "node1"}}}}) == "node1");
  }

  TEST_CASE("upsert returns the previous resourceVersion and get returns a parsed copy") {
    Store s;
    CHECK_FALSE(s.Upsert(Obj("ns", "a")).has_value());
    json::Value changed = Obj("ns", "a", "x");
    changed["metadata"]["resourceVersion"] = "2";
    CHECK(s.Upsert(changed) == std::optional<std::string>("1"));
    CHECK(s.Size() == 1);
    CHECK(s.Get("ns/a") == changed);
    CHECK_FALSE(s.Get("ns/b").has_value());
  }

  TEST_CASE("the object read back equals the object stored, numbers and escapes included") {
    Store s;
    json::Value obj = Obj("ns", "a");
    obj["spec"] = json::Object{{"replicas", 3},
                               {"ratio", 0.25},
                               {"text", "a\"b\n\u00e9"},
                               {"list", json::Array{true, nullptr}},
                               {"empty", json::Object{}}};
    s.Upsert(obj);
    CHECK(s.Get("ns/a") == obj);
    CHECK(s.List() == std::vector<json::Value>{obj});
  }

  TEST_CASE("remove returns the object and forgets the key") {
    Store s;
    s.Upsert(Obj("ns", "a"));
    s.Upsert(Obj("ns", "b"));
    CHECK(s.Remove("ns/a") == Obj("ns", "a"));
    CHECK_FALSE(s.Remove("ns/a").has_value());
    CHECK(s.Keys() == std::vector<std::string>{"ns/b"});
  }
}

}  // namespace spyt::runtime
