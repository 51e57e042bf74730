#include "kube/errors.h"

#include <doctest/doctest.h>

namespace spyt::kube {
namespace {

http::Response Status(int code, const std::string& reason, const std::string& details = "") {
  http::Response r;
  r.status = code;
  r.body = R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"the message",)"
           R"("reason":")" +
           reason + R"(","code":)" + std::to_string(code) +
           (details.empty() ? "" : R"(,"details":)" + details) + "}";
  return r;
}

}  // namespace

TEST_SUITE("kube.errors") {
  TEST_CASE("404 with reason NotFound is NotFound and keeps the server's message") {
    ApiError e = ErrorFromResponse(Status(404, "NotFound"));
    CHECK(IsNotFound(e));
    CHECK(e.code() == 404);
    CHECK(std::string(e.what()) == "the message");
  }

  TEST_CASE("409 with reason AlreadyExists is AlreadyExists, not Conflict") {
    ApiError e = ErrorFromResponse(Status(409, "AlreadyExists"));
    CHECK(IsAlreadyExists(e));
    CHECK_FALSE(IsConflict(e));
  }

  TEST_CASE("409 with reason Conflict is Conflict") {
    ApiError e = ErrorFromResponse(Status(409, "Conflict"));
    CHECK(IsConflict(e));
    CHECK_FALSE(IsAlreadyExists(e));
  }

  TEST_CASE("410 with reason Expired is Gone") {
    CHECK(IsGone(ErrorFromResponse(Status(410, "Expired"))));
    CHECK(IsGone(ErrorFromResponse(Status(410, "Gone"))));
  }

  TEST_CASE("422 Invalid carries each cause with its field path") {
    ApiError e = ErrorFromResponse(Status(
        422, "Invalid",
        R"({"name":"Bad_Name","kind":"ConfigMap","causes":[)"
        R"({"reason":"FieldValueInvalid","message":"Invalid value: \"Bad_Name\"","field":"metadata.name"},)"
        R"({"reason":"FieldValueRequired","message":"Required value","field":"data[x]"}]})"));
    CHECK(IsInvalid(e));
    REQUIRE(e.causes().size() == 2);
    CHECK(e.causes()[0].type == "FieldValueInvalid");
    CHECK(e.causes()[0].field == "metadata.name");
    CHECK(e.causes()[0].message == "Invalid value: \"Bad_Name\"");
    CHECK(e.causes()[1].field == "data[x]");
  }

  TEST_CASE("429 takes its wait from the Retry-After header") {
    http::Response r = Status(429, "TooManyRequests");
    r.headers["retry-after"] = "7";
    ApiError e = ErrorFromResponse(r);
    CHECK(e.reason() == Reason::kTooManyRequests);
    REQUIRE(e.retry_after().has_value());
    CHECK(*e.retry_after() == std::chrono::seconds(7));
    CHECK(e.IsRetryable());
  }

  TEST_CASE("429 without a header takes its wait from details.retryAfterSeconds") {
    ApiError e = ErrorFromResponse(Status(429, "TooManyRequests", R"({"retryAfterSeconds":3})"));
    REQUIRE(e.retry_after().has_value());
    CHECK(*e.retry_after() == std::chrono::seconds(3));
  }

  TEST_CASE("a body that is not JSON keeps the code's reason and the raw text") {
    http::Response r;
    r.status = 502;
    r.body = "<html>Bad Gateway</html>";
    ApiError e = ErrorFromResponse(r);
    CHECK(e.reason() == Reason::kServerError);
    CHECK(std::string(e.what()).find("Bad Gateway") != std::string::npos);
    CHECK(std::string(e.what()).find("502") != std::string::npos);
  }

  TEST_CASE("403 is Forbidden and not retryable") {
    ApiError e = ErrorFromResponse(Status(403, "Forbidden"));
    CHECK(IsForbidden(e));
    CHECK_FALSE(e.IsRetryable());
  }

  TEST_CASE("504 and reason Timeout are Timeout and retryable") {
    CHECK(ErrorFromResponse(Status(504, "")).reason() == Reason::kTimeout);
    ApiError e = ErrorFromResponse(Status(500, "ServerTimeout"));
    CHECK(e.reason() == Reason::kTimeout);
    CHECK(e.IsRetryable());
  }

  TEST_CASE("every reason has a name") {
    CHECK(std::string(ReasonName(Reason::kAlreadyExists)) == "AlreadyExists");
    CHECK(std::string(ReasonName(Reason::kTransport)) == "Transport");
  }
}

}  // namespace spyt::kube
