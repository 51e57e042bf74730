#include "runtime/store.h"

#include <doctest/doctest.h>

namespace spyt::runtime {
namespace {

json::Value Obj(const std::string& ns, const std::string& name, const std::string& owner = "") {
  json::Value meta = json::Object{{"name", name}, {"namespace", ns}, {"resourceVersion", "1"}};
  if (!owner.empty()) meta["labels"] = json::Object{{"owner", owner}};
  return json::Object{{"metadata", meta}};
}

std::vector<std::string> OwnerIndex(const json::Value& obj) {
  const json::Value* labels = obj.find("metadata")->find("labels");
  const json::Value* owner = labels ? labels->find("owner") : nullptr;
  if (owner == nullptr) return {};
  return {owner->as_string()};
}

}  // namespace

TEST_SUITE("store") {
  TEST_CASE("keys are namespace/name, or name for cluster-scoped objects") {
    CHECK(ObjectKey(Obj("ns", "a")) == "ns/a");
    CHECK(ObjectKey(json::Object{{"metadata", json::Object{{"name", "node1"}}}}) == "node1");
  }

  TEST_CASE("upsert returns the previous object and get returns a copy") {
    Store s;
    CHECK_FALSE(s.Upsert(Obj("ns", "a")).has_value());
    CHECK(s.Upsert(Obj("ns", "a")).has_value());
    CHECK(s.Size() == 1);
    CHECK(s.Get("ns/a").has_value());
    CHECK_FALSE(s.Get("ns/b").has_value());
  }

  TEST_CASE("indexes follow updates and removals") {
    Store s;
    s.AddIndex("owner", OwnerIndex);
    s.Upsert(Obj("ns", "a", "x"));
    s.Upsert(Obj("ns", "b", "x"));
    CHECK(s.ByIndex("owner", "x").size() == 2);
    s.Upsert(Obj("ns", "a", "y"));
    CHECK(s.ByIndex("owner", "x").size() == 1);
    CHECK(s.ByIndex("owner", "y").size() == 1);
    s.Remove("ns/b");
    CHECK(s.ByIndex("owner", "x").empty());
  }

  TEST_CASE("an index added late covers objects already cached") {
    Store s;
    s.Upsert(Obj("ns", "a", "x"));
    s.AddIndex("owner", OwnerIndex);
    CHECK(s.ByIndex("owner", "x").size() == 1);
  }
}

}  // namespace spyt::runtime
