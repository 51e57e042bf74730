// The retries RestClient makes by itself: 429 on reads, 401 with a rotated token file.

#include <doctest/doctest.h>

#include "kube/config_fixtures.h"
#include "kube/rest_client.h"
#include "kube/rest_client_fixture.h"

namespace spyt::kube {
namespace {

using testing::ClientFixture;
using testing::StatusBody;

const char* kCm = R"({"metadata":{"name":"cm"}})";

std::string ThrottledBody(int seconds) {
  return R"({"kind":"Status","reason":"TooManyRequests","code":429,"details":{"retryAfterSeconds":)" +
         std::to_string(seconds) + "}}";
}

}  // namespace

TEST_SUITE("kube.rest_client.retry") {
  TEST_CASE("a GET answered 429 is retried after the Retry-After header") {
    ClientFixture f;
    f.transport->Reply(429, StatusBody(429, "TooManyRequests"), {{"retry-after", "2"}});
    f.transport->Reply(200, kCm);
    CHECK(f.client->Get(resources::kConfigMaps, "ns", "cm")["metadata"]["name"].as_string() ==
          "cm");
    CHECK(f.transport->requests().size() == 2);
    REQUIRE(f.time.sleeps().size() == 1);
    CHECK(f.time.sleeps()[0] == std::chrono::seconds(2));
  }

  TEST_CASE("a LIST answered 429 waits retryAfterSeconds from the Status") {
    ClientFixture f;
    f.transport->Reply(429, ThrottledBody(4));
    f.transport->Reply(200, R"({"items":[]})");
    f.client->List(resources::kConfigMaps, "ns", {});
    REQUIRE(f.time.sleeps().size() == 1);
    CHECK(f.time.sleeps()[0] == std::chrono::seconds(4));
  }

  TEST_CASE("a 429 without any hint waits one second") {
    ClientFixture f;
    f.transport->Reply(429, "too many");
    f.transport->Reply(200, kCm);
    f.client->Get(resources::kConfigMaps, "ns", "cm");
    REQUIRE(f.time.sleeps().size() == 1);
    CHECK(f.time.sleeps()[0] == std::chrono::seconds(1));
  }

  TEST_CASE("reads give up after three throttled retries with TooManyRequests") {
    ClientFixture f;
    for (int i = 0; i < 4; ++i) {
      f.transport->Reply(429, ThrottledBody(1));
    }
    try {
      f.client->Get(resources::kConfigMaps, "ns", "cm");
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(e.reason() == Reason::kTooManyRequests);
      CHECK(e.retry_after() == std::chrono::seconds(1));
    }
    CHECK(f.transport->requests().size() == 4);
    CHECK(f.time.sleeps().size() == 3);
  }

  TEST_CASE("writes answered 429 are not retried") {
    ClientFixture f;
    f.transport->Reply(429, ThrottledBody(1));
    CHECK_THROWS_AS(f.client->Create(resources::kConfigMaps, "ns", testing::ConfigMap("ns", "cm")),
                    ApiError);
    CHECK(f.transport->requests().size() == 1);
    CHECK(f.time.sleeps().empty());
  }

  TEST_CASE("a 401 re-reads a rotated token file and sends the request again") {
    testing::TempDir dir;
    std::string token_file = dir.Write("token", "old\n");
    RestConfig config = testing::TestConfig();
    config.bearer_token_file = token_file;
    ClientFixture f(config);
    dir.Write("token", "new\n");
    f.transport->Reply(401, StatusBody(401, "Unauthorized"));
    f.transport->Reply(201, kCm);
    f.client->Create(resources::kConfigMaps, "ns", testing::ConfigMap("ns", "cm"));
    auto requests = f.transport->requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].headers["authorization"] == "Bearer old");
    CHECK(requests[1].headers["authorization"] == "Bearer new");
  }

  TEST_CASE("a 401 with an unchanged token is Unauthorized at once") {
    testing::TempDir dir;
    RestConfig config = testing::TestConfig();
    config.bearer_token_file = dir.Write("token", "same");
    ClientFixture f(config);
    f.transport->Reply(401, StatusBody(401, "Unauthorized"));
    try {
      f.client->Get(resources::kConfigMaps, "ns", "cm");
      FAIL("expected ApiError");
    } catch (const ApiError& e) {
      CHECK(e.reason() == Reason::kUnauthorized);
    }
    CHECK(f.transport->requests().size() == 1);
  }

  TEST_CASE("the token file is re-read once a minute has passed") {
    testing::TempDir dir;
    RestConfig config = testing::TestConfig();
    config.bearer_token_file = dir.Write("token", "first");
    ClientFixture f(config);
    dir.Write("token", "second");
    f.transport->Reply(200, kCm);
    f.client->Get(resources::kConfigMaps, "ns", "cm");
    CHECK(f.transport->last().headers["authorization"] == "Bearer first");
    f.time.Advance(std::chrono::seconds(61));
    f.transport->Reply(200, kCm);
    f.client->Get(resources::kConfigMaps, "ns", "cm");
    CHECK(f.transport->last().headers["authorization"] == "Bearer second");
  }
}

}  // namespace spyt::kube
