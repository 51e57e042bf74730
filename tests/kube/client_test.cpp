// ListAll and RetryOnConflict (kube/client.cpp).

#include "kube/client.h"

#include <doctest/doctest.h>

#include "kube/rest_client_fixture.h"

namespace spyt::kube {
namespace {

using testing::ClientFixture;

std::string Page(const std::vector<std::string>& names, const std::string& rv,
                 const std::string& next) {
  std::string items;
  for (const std::string& name : names) {
    items += (items.empty() ? "" : ",") + std::string(R"({"metadata":{"name":")") + name + "\"}}";
  }
  return R"({"metadata":{"resourceVersion":")" + rv + R"(","continue":")" + next +
         R"("},"items":[)" + items + "]}";
}

ApiError Conflict() { return ApiError(Reason::kConflict, 409, "conflict"); }

}  // namespace

TEST_SUITE("kube.client") {
  TEST_CASE("list all follows continue tokens and joins the pages") {
    ClientFixture f;
    f.transport->Reply(200, Page({"a", "b"}, "10", "t1"));
    f.transport->Reply(200, Page({"c", "d"}, "10", "t2"));
    f.transport->Reply(200, Page({"e"}, "10", ""));
    ListOptions opts;
    opts.label_selector = "x=y";
    ListResult all = ListAll(*f.client, resources::kConfigMaps, "ns", opts, 2);
    CHECK(all.items.size() == 5);
    CHECK(all.resource_version == "10");
    CHECK(all.continue_token.empty());
    auto requests = f.transport->requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].path == "/api/v1/namespaces/ns/configmaps?labelSelector=x%3Dy&limit=2");
    CHECK(requests[2].path ==
          "/api/v1/namespaces/ns/configmaps?labelSelector=x%3Dy&continue=t2&limit=2");
  }

  TEST_CASE("list all falls back to one unpaged list when a continue token expires") {
    ClientFixture f;
    f.transport->Reply(200, Page({"a", "b"}, "10", "t1"));
    f.transport->Reply(410, R"({"kind":"Status","reason":"Expired","code":410})");
    f.transport->Reply(200, Page({"a", "b", "c"}, "20", ""));
    ListResult all = ListAll(*f.client, resources::kConfigMaps, "ns", {}, 2);
    CHECK(all.items.size() == 3);
    CHECK(all.resource_version == "20");
    CHECK(f.transport->last().path == "/api/v1/namespaces/ns/configmaps");
  }

  TEST_CASE("list all passes a 410 on the first page to the caller") {
    ClientFixture f;
    f.transport->Reply(410, R"({"kind":"Status","reason":"Expired","code":410})");
    ListOptions opts;
    opts.resource_version = "5";
    CHECK_THROWS_AS(ListAll(*f.client, resources::kConfigMaps, "ns", opts, 2), ApiError);
  }

  TEST_CASE("retry on conflict runs the mutation again until it succeeds") {
    int calls = 0;
    json::Value out = RetryOnConflict([&]() -> json::Value {
      if (++calls < 3) {
        throw Conflict();
      }
      return "done";
    });
    CHECK(calls == 3);
    CHECK(out.as_string() == "done");
  }

  TEST_CASE("retry on conflict gives up after the allowed attempts") {
    int calls = 0;
    CHECK_THROWS_AS(RetryOnConflict(
                        [&]() -> json::Value {
                          ++calls;
                          throw Conflict();
                        },
                        4),
                    ApiError);
    CHECK(calls == 4);
  }

  TEST_CASE("retry on conflict does not retry other errors") {
    int calls = 0;
    CHECK_THROWS_AS(RetryOnConflict([&]() -> json::Value {
                      ++calls;
                      throw ApiError(Reason::kNotFound, 404, "gone");
                    }),
                    ApiError);
    CHECK(calls == 1);
  }
}

}  // namespace spyt::kube
