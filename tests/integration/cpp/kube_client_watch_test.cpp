// RestClient watches against the real API server.

#include <doctest/doctest.h>

#include <thread>

#include "integration/cpp/kube_env.h"

namespace spyt::kube {
namespace {

using testing::AdminClient;
using testing::TestNamespace;

json::Value ConfigMap(const std::string& ns, const std::string& name, const std::string& value) {
  return json::Object{{"metadata", json::Object{{"name", name}, {"namespace", ns}}},
                      {"data", json::Object{{"key", value}}}};
}

WatchOptions From(const std::string& rv) {
  WatchOptions opts;
  opts.resource_version = rv;
  opts.timeout_seconds = 20;  // a missing event ends the test instead of hanging it
  return opts;
}

// The next event that is not a bookmark; fails the test when the watch ends first.
WatchEvent NextEvent(Watch& watch) {
  while (std::optional<WatchEvent> e = watch.Next()) {
    if (e->type != WatchEvent::Type::kBookmark) {
      return *e;
    }
  }
  FAIL("the watch ended before the expected event");
  return {};
}

std::string Name(const WatchEvent& e) {
  return e.object.find("metadata")->find("name")->as_string();
}

std::string Rv(const json::Value& obj) {
  return obj.find("metadata")->find("resourceVersion")->as_string();
}

}  // namespace

TEST_SUITE("integration.kube_client.watch") {
  TEST_CASE("a watch sees ADDED, MODIFIED and DELETED in order") {
    auto client = AdminClient();
    TestNamespace ns(*client, "watch");
    ListResult list = client->List(resources::kConfigMaps, ns.name(), {});
    auto watch = client->StartWatch(resources::kConfigMaps, ns.name(), From(list.resource_version));
    json::Value cm =
        client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "w", "1"));
    cm["data"]["key"] = "2";
    client->Update(resources::kConfigMaps, ns.name(), cm);
    client->Delete(resources::kConfigMaps, ns.name(), "w");

    WatchEvent added = NextEvent(*watch);
    // kube-root-ca.crt may be published into the new namespace meanwhile: skip it.
    while (Name(added) != "w") {
      added = NextEvent(*watch);
    }
    CHECK(added.type == WatchEvent::Type::kAdded);
    WatchEvent modified = NextEvent(*watch);
    CHECK(modified.type == WatchEvent::Type::kModified);
    CHECK(modified.object["data"]["key"].as_string() == "2");
    WatchEvent deleted = NextEvent(*watch);
    CHECK(deleted.type == WatchEvent::Type::kDeleted);
    CHECK(Name(deleted) == "w");
  }

  TEST_CASE("a watch resumed from a resourceVersion replays only later events") {
    auto client = AdminClient();
    TestNamespace ns(*client, "resume");
    json::Value cm =
        client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "r", "1"));
    const std::string created_rv = Rv(cm);
    cm["data"]["key"] = "2";
    client->Update(resources::kConfigMaps, ns.name(), cm);
    client->Delete(resources::kConfigMaps, ns.name(), "r");

    WatchOptions opts = From(created_rv);
    opts.field_selector = "metadata.name=r";
    auto watch = client->StartWatch(resources::kConfigMaps, ns.name(), opts);
    WatchEvent first = NextEvent(*watch);
    CHECK(first.type == WatchEvent::Type::kModified);
    CHECK(NextEvent(*watch).type == WatchEvent::Type::kDeleted);
  }

  TEST_CASE("an event made while Next waits is delivered at once") {
    auto client = AdminClient();
    TestNamespace ns(*client, "live");
    WatchOptions opts = From("");
    opts.field_selector = "metadata.name=live";
    auto watch = client->StartWatch(resources::kConfigMaps, ns.name(), opts);
    std::thread writer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "live", "1"));
    });
    auto start = std::chrono::steady_clock::now();
    WatchEvent added = NextEvent(*watch);
    writer.join();
    CHECK(added.type == WatchEvent::Type::kAdded);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));  // not at timeout
  }

  TEST_CASE("stop unblocks a watch that waits for events") {
    auto client = AdminClient();
    TestNamespace ns(*client, "stop");
    WatchOptions opts;
    opts.field_selector = "metadata.name=never";
    opts.allow_bookmarks = false;
    auto watch = client->StartWatch(resources::kConfigMaps, ns.name(), opts);
    auto start = std::chrono::steady_clock::now();
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      watch->Stop();
    });
    CHECK_FALSE(watch->Next().has_value());
    stopper.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }

  TEST_CASE("a watch the server times out ends with nullopt") {
    auto client = AdminClient();
    TestNamespace ns(*client, "timeout");
    WatchOptions opts;
    opts.field_selector = "metadata.name=never";
    opts.allow_bookmarks = false;
    opts.timeout_seconds = 1;
    auto watch = client->StartWatch(resources::kConfigMaps, ns.name(), opts);
    CHECK_FALSE(watch->Next().has_value());
  }
}

}  // namespace spyt::kube
