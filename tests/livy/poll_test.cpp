#include "livy/poll.h"

#include <doctest/doctest.h>

#include "fakes/fake_transport.h"

namespace spyt::livy {
namespace {

std::string List(int total, std::initializer_list<const char*> states) {
  std::string items;
  int id = 0;
  for (const char* s : states) {
    items += std::string(items.empty() ? "" : ",") + R"({"id":)" + std::to_string(id++) +
             R"(,"state":")" + s + "\"}";
  }
  return R"({"from":0,"total":)" + std::to_string(total) + R"(,"sessions":[)" + items + "]}";
}

}  // namespace

TEST_SUITE("livy poll") {
  TEST_CASE("sessions and batches are read with one GET each") {
    fakes::FakeTransport t;
    t.Reply(200, List(2, {"idle", "busy"}));
    t.Reply(200, List(1, {"running"}));
    Usage u = FetchUsage(t, std::chrono::milliseconds(1500));
    CHECK(u.in_use == 3);
    CHECK(u.sessions.at("idle") == 1);
    CHECK(u.batches.at("running") == 1);
    auto requests = t.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "GET");
    CHECK(requests[0].path == "/sessions?from=0&size=100");
    CHECK(requests[0].timeout == std::chrono::milliseconds(1500));
    CHECK(requests[1].path == "/batches?from=0&size=100");
  }

  TEST_CASE("a list longer than a page is read page by page") {
    fakes::FakeTransport t;
    std::string page1 = R"({"from":0,"total":101,"sessions":[)";
    for (int i = 0; i < 100; ++i) page1 += std::string(i ? "," : "") + R"({"state":"idle"})";
    page1 += "]}";
    t.Reply(200, page1);
    t.Reply(200, List(101, {"dead"}));
    t.Reply(200, List(0, {}));
    Usage u = FetchUsage(t, std::chrono::seconds(1));
    CHECK(u.sessions.at("idle") == 100);
    CHECK(u.sessions.at("dead") == 1);
    CHECK(u.in_use == 100);
    CHECK(t.requests()[1].path == "/sessions?from=100&size=100");
    CHECK(t.requests()[2].path == "/batches?from=0&size=100");
  }

  TEST_CASE("a page that shrinks under the poll ends it instead of looping") {
    fakes::FakeTransport t;
    t.Reply(200, List(50, {}));  // total says 50, the list is empty: sessions ended meanwhile
    t.Reply(200, List(0, {}));
    CHECK(FetchUsage(t, std::chrono::seconds(1)).in_use == 0);
    CHECK(t.pending() == 0);
  }

  TEST_CASE("failures name the endpoint and the cause") {
    SUBCASE("connection refused") {
      fakes::FakeTransport t;
      t.Fail("connection refused");
      CHECK_THROWS_WITH_AS(FetchUsage(t, std::chrono::seconds(1)),
                           "GET /sessions: connection refused", LivyError);
    }
    SUBCASE("an HTTP error") {
      fakes::FakeTransport t;
      t.Reply(200, List(0, {}));
      t.Reply(503, "busy");
      CHECK_THROWS_WITH_AS(FetchUsage(t, std::chrono::seconds(1)),
                           "GET /batches answered HTTP 503: busy", LivyError);
    }
    SUBCASE("not a session list") {
      fakes::FakeTransport t;
      t.Reply(200, "{}");
      CHECK_THROWS_WITH_AS(FetchUsage(t, std::chrono::seconds(1)),
                           doctest::Contains("GET /sessions: the session list has no"), LivyError);
    }
  }
}

}  // namespace spyt::livy
