#include <doctest/doctest.h>

#include <future>

#include "fakes/fake_client.h"

namespace spyt::fakes {
namespace {

using namespace std::chrono_literals;
using kube::WatchEvent;
using kube::resources::kConfigMaps;
using kube::resources::kSecrets;
using Type = WatchEvent::Type;

json::Value ConfigMap(const std::string& name, const std::string& ns = "ns",
                      const std::string& app = "") {
  json::Value obj(json::Object{});
  obj["metadata"]["name"] = name;
  obj["metadata"]["namespace"] = ns;
  if (!app.empty()) {
    obj["metadata"]["labels"]["app"] = app;
  }
  return obj;
}

kube::WatchOptions From(const std::string& rv, const std::string& selector = "") {
  kube::WatchOptions opts;
  opts.resource_version = rv;
  opts.label_selector = selector;
  return opts;
}

// "ADDED a@3" for an event on object a at resourceVersion 3.
std::string Describe(const std::optional<WatchEvent>& e) {
  if (!e) {
    return "end";
  }
  static const char* names[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
  const json::Value* meta = e->object.find("metadata");
  const json::Value* name = meta != nullptr ? meta->find("name") : nullptr;
  const json::Value* rv = meta != nullptr ? meta->find("resourceVersion") : nullptr;
  return std::string(names[static_cast<int>(e->type)]) + " " +
         (name != nullptr ? name->as_string() : "") + "@" + (rv != nullptr ? rv->as_string() : "");
}

}  // namespace

TEST_SUITE("fake_client") {
  TEST_CASE("a watch delivers the events after its resourceVersion, in order") {
    FakeClient client;
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    auto watch = client.StartWatch(kConfigMaps, "ns", From(client.ResourceVersion()));
    json::Value b = client.Create(kConfigMaps, "ns", ConfigMap("b"));
    b["data"]["k"] = "v";
    client.Update(kConfigMaps, "ns", b);
    client.Delete(kConfigMaps, "ns", "a");
    CHECK(Describe(watch->Next()) == "ADDED b@2");
    CHECK(Describe(watch->Next()) == "MODIFIED b@3");
    CHECK(Describe(watch->Next()) == "DELETED a@4");
  }

  TEST_CASE("a watch resumed from an older resourceVersion replays what came after it") {
    FakeClient client;
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    client.Create(kConfigMaps, "ns", ConfigMap("b"));
    client.Create(kConfigMaps, "ns", ConfigMap("c"));
    auto watch = client.StartWatch(kConfigMaps, "ns", From("1"));
    CHECK(Describe(watch->Next()) == "ADDED b@2");
    CHECK(Describe(watch->Next()) == "ADDED c@3");
  }

  TEST_CASE("a watch without a resourceVersion starts with the current objects as ADDED") {
    FakeClient client;
    client.Create(kConfigMaps, "ns", ConfigMap("b"));
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    auto watch = client.StartWatch(kConfigMaps, "ns", From(""));
    client.Create(kConfigMaps, "ns", ConfigMap("c"));
    CHECK(Describe(watch->Next()) == "ADDED a@2");
    CHECK(Describe(watch->Next()) == "ADDED b@1");
    CHECK(Describe(watch->Next()) == "ADDED c@3");
  }

  TEST_CASE("a watch from before the compaction point is Gone") {
    FakeClient client;
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    client.Create(kConfigMaps, "ns", ConfigMap("b"));
    client.Compact();
    try {
      client.StartWatch(kConfigMaps, "ns", From("1"));
      FAIL("no error");
    } catch (const kube::ApiError& e) {
      CHECK(kube::IsGone(e));
    }
    CHECK(client.StartWatch(kConfigMaps, "ns", From("2")) != nullptr);
  }

  TEST_CASE("with error events on, an expired watch yields a 410 ERROR event and ends") {
    FakeClient client;
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    client.Create(kConfigMaps, "ns", ConfigMap("b"));
    client.Compact();
    client.SetExpiredAsErrorEvent(true);
    auto watch = client.StartWatch(kConfigMaps, "ns", From("1"));
    auto event = watch->Next();
    REQUIRE(event.has_value());
    CHECK(event->type == Type::kError);
    CHECK(event->object["code"] == 410);
    CHECK(event->object["reason"] == "Expired");
    CHECK_FALSE(watch->Next().has_value());
  }

  TEST_CASE("ExpireWatches makes an open watch fail with Gone") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    client.ExpireWatches();
    CHECK_THROWS_AS(watch->Next(), kube::ApiError);
    CHECK_FALSE(watch->Next().has_value());
  }

  TEST_CASE("Stop unblocks a Next waiting in another thread") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    auto next = std::async(std::launch::async, [&] { return watch->Next(); });
    CHECK(next.wait_for(20ms) == std::future_status::timeout);
    watch->Stop();
    CHECK_FALSE(next.get().has_value());
  }

  TEST_CASE("a Next waiting in another thread receives a later write") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    auto next = std::async(std::launch::async, [&] { return watch->Next(); });
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    CHECK(Describe(next.get()) == "ADDED a@1");
  }

  TEST_CASE("CloseWatches ends every open watch, as a server timeout does") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    CHECK(client.OpenWatches() == 1);
    client.CloseWatches();
    CHECK_FALSE(watch->Next().has_value());
    CHECK(client.OpenWatches() == 0);
  }

  TEST_CASE("a watch sees only its own resource and namespace") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    client.Create(kSecrets, "ns", ConfigMap("secret"));
    client.Create(kConfigMaps, "other", ConfigMap("elsewhere", "other"));
    client.Create(kConfigMaps, "ns", ConfigMap("mine"));
    CHECK(Describe(watch->Next()) == "ADDED mine@3");
  }

  TEST_CASE("a watch across all namespaces sees every namespace") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "", From("0"));
    client.Create(kConfigMaps, "one", ConfigMap("a", "one"));
    client.Create(kConfigMaps, "two", ConfigMap("b", "two"));
    CHECK(Describe(watch->Next()) == "ADDED a@1");
    CHECK(Describe(watch->Next()) == "ADDED b@2");
  }

  TEST_CASE("with a label selector, objects entering are ADDED and leaving are DELETED") {
    FakeClient client;
    client.Create(kConfigMaps, "ns", ConfigMap("a", "ns", "other"));
    auto watch = client.StartWatch(kConfigMaps, "ns", From("1", "app=spyt"));
    client.Update(kConfigMaps, "ns", ConfigMap("a", "ns", "spyt"));
    client.Update(kConfigMaps, "ns", ConfigMap("a", "ns", "other"));
    CHECK(Describe(watch->Next()) == "ADDED a@2");
    auto left = watch->Next();
    CHECK(Describe(left) == "DELETED a@3");
    CHECK(left->object["metadata"]["labels"]["app"] == "spyt");  // the last state it matched in
  }

  TEST_CASE("bookmarks carry the current resourceVersion and never overtake events") {
    FakeClient client;
    auto watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    client.SendBookmarks();
    CHECK(Describe(watch->Next()) == "ADDED a@1");
    auto bookmark = watch->Next();
    REQUIRE(bookmark.has_value());
    CHECK(bookmark->type == Type::kBookmark);
    CHECK(bookmark->object["metadata"]["resourceVersion"] == "1");
  }

  TEST_CASE("a watch that does not allow bookmarks gets none") {
    FakeClient client;
    kube::WatchOptions opts = From("0");
    opts.allow_bookmarks = false;
    auto watch = client.StartWatch(kConfigMaps, "ns", opts);
    client.SendBookmarks();
    client.Create(kConfigMaps, "ns", ConfigMap("a"));
    CHECK(Describe(watch->Next()) == "ADDED a@1");
  }

  TEST_CASE("a no-op write sends no watch event") {
    FakeClient client;
    json::Value a = client.Create(kConfigMaps, "ns", ConfigMap("a"));
    auto watch = client.StartWatch(kConfigMaps, "ns", From("1"));
    client.Update(kConfigMaps, "ns", a);
    client.Create(kConfigMaps, "ns", ConfigMap("b"));
    CHECK(Describe(watch->Next()) == "ADDED b@2");
  }

  TEST_CASE("a watch may outlive its client") {
    std::unique_ptr<kube::Watch> watch;
    {
      FakeClient client;
      watch = client.StartWatch(kConfigMaps, "ns", From("0"));
    }
    CHECK_FALSE(watch->Next().has_value());
  }
}

}  // namespace spyt::fakes
