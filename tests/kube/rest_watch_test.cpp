#include "kube/rest_watch.h"

#include <doctest/doctest.h>

#include <thread>

#include "kube/rest_client_fixture.h"

namespace spyt::kube {
namespace {

using testing::ClientFixture;

std::string Event(const std::string& type, const std::string& name, const std::string& rv) {
  return R"({"type":")" + type + R"(","object":{"kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","resourceVersion":")" + rv + R"("}}})";
}

const char* kExpired =
    R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure",)"
    R"json("message":"too old resource version: 1 (5)","reason":"Expired","code":410}})json";

}  // namespace

TEST_SUITE("kube.watch") {
  TEST_CASE("each line type maps to its event type") {
    CHECK(ParseWatchLine(Event("ADDED", "a", "1")).type == WatchEvent::Type::kAdded);
    CHECK(ParseWatchLine(Event("MODIFIED", "a", "2")).type == WatchEvent::Type::kModified);
    CHECK(ParseWatchLine(Event("DELETED", "a", "3")).type == WatchEvent::Type::kDeleted);
  }

  TEST_CASE("a bookmark carries only the resource version to resume from") {
    WatchEvent e = ParseWatchLine(
        R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"77"}}})");
    CHECK(e.type == WatchEvent::Type::kBookmark);
    CHECK(e.object["metadata"]["resourceVersion"].as_string() == "77");
  }

  TEST_CASE("an ERROR event with a 410 Expired status throws Gone") {
    try {
      ParseWatchLine(kExpired);
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(IsGone(e));
      CHECK(e.code() == 410);
    }
  }

  TEST_CASE("other ERROR events are returned with their Status") {
    WatchEvent e = ParseWatchLine(
        R"({"type":"ERROR","object":{"kind":"Status","reason":"InternalError","code":500}})");
    CHECK(e.type == WatchEvent::Type::kError);
    CHECK(e.object["code"].as_int() == 500);
  }

  TEST_CASE("a line that is not a watch event is a typed error") {
    CHECK_THROWS_AS(ParseWatchLine("not json"), ApiError);
    CHECK_THROWS_AS(ParseWatchLine(R"({"type":"ADDED"})"), ApiError);
    CHECK_THROWS_AS(ParseWatchLine(R"({"type":"RENAMED","object":{}})"), ApiError);
  }

  TEST_CASE("starting a watch sends watch=1, bookmarks, resume point and server timeout") {
    ClientFixture f;
    f.transport->ReplyStream(200, {});
    WatchOptions opts;
    opts.label_selector = "app=x";
    opts.resource_version = "123";
    opts.timeout_seconds = 60;
    f.client->StartWatch(resources::kConfigMaps, "ns", opts);
    http::Request r = f.transport->last();
    CHECK(r.method == "GET");
    CHECK(r.path ==
          "/api/v1/namespaces/ns/configmaps?watch=1&labelSelector=app%3Dx&resourceVersion=123"
          "&allowWatchBookmarks=true&timeoutSeconds=60");
    CHECK(r.timeout > std::chrono::seconds(60));
  }

  TEST_CASE("a watch yields events in order and ends with the stream") {
    ClientFixture f;
    f.transport->ReplyStream(200, {Event("ADDED", "a", "1"), "", Event("DELETED", "a", "2")});
    auto watch = f.client->StartWatch(resources::kConfigMaps, "ns", {});
    auto first = watch->Next();
    REQUIRE(first.has_value());
    CHECK(first->object["metadata"]["name"].as_string() == "a");
    auto second = watch->Next();
    REQUIRE(second.has_value());
    CHECK(second->type == WatchEvent::Type::kDeleted);
    CHECK_FALSE(watch->Next().has_value());
  }

  TEST_CASE("a 410 inside the stream is thrown from Next") {
    ClientFixture f;
    f.transport->ReplyStream(200, {Event("ADDED", "a", "1"), kExpired});
    auto watch = f.client->StartWatch(resources::kConfigMaps, "ns", {});
    CHECK(watch->Next().has_value());
    try {
      watch->Next();
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(IsGone(e));
    }
  }

  TEST_CASE("a watch refused by the server throws its typed error") {
    ClientFixture f;
    f.transport->ReplyStream(403, {R"({"kind":"Status","reason":"Forbidden","code":403})"});
    try {
      f.client->StartWatch(resources::kConfigMaps, "ns", {});
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(IsForbidden(e));
    }
  }

  TEST_CASE("a throttled watch is opened again after the wait") {
    ClientFixture f;
    f.transport->ReplyStream(429,
                             {R"({"kind":"Status","code":429,"details":{"retryAfterSeconds":2}})"});
    f.transport->ReplyStream(200, {});
    f.client->StartWatch(resources::kConfigMaps, "ns", {});
    CHECK(f.transport->requests().size() == 2);
    REQUIRE(f.time.sleeps().size() == 1);
    CHECK(f.time.sleeps()[0] == std::chrono::seconds(2));
    auto seen = f.metrics.observations();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].verb == "WATCH");
    CHECK(seen[0].code == 429);
  }

  TEST_CASE("a broken connection is a transport error") {
    ClientFixture f;
    auto script = f.transport->ReplyStream(200, {}, true);
    script->Break();
    auto watch = f.client->StartWatch(resources::kConfigMaps, "ns", {});
    try {
      watch->Next();
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(e.reason() == Reason::kTransport);
    }
  }

  TEST_CASE("stop from another thread unblocks a waiting Next") {
    ClientFixture f;
    auto script = f.transport->ReplyStream(200, {}, true);
    auto watch = f.client->StartWatch(resources::kConfigMaps, "ns", {});
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      watch->Stop();
    });
    CHECK_FALSE(watch->Next().has_value());
    stopper.join();
    CHECK(script->canceled());
  }
}

}  // namespace spyt::kube
