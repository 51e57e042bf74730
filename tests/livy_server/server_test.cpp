#include "livy_server/server.h"

#include <doctest/doctest.h>

#include <thread>

#include "fakes/fake_livy_driver.h"
#include "temp_dir.h"

namespace spyt::livy_server {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  testing::TempDir dir;
  fakes::FakeDriverFactory drivers;
  fakes::FakeBatchFactory batches;
  std::unique_ptr<LivyServer> server;

  explicit Fixture(bool csrf = false) {
    ServerConfig c;
    c.registry.max_sessions = 2;
    c.csrf_protection = csrf;
    c.work_dir = dir.path();
    c.max_body_bytes = 1024;
    c.max_code_bytes = 512;
    server = std::make_unique<LivyServer>(c, drivers, batches, RealClock());
  }

  http::Response Call(const std::string& method, const std::string& path,
                      const std::string& body = "", http::Headers headers = {}) {
    http::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers = std::move(headers);
    return server->Handle(r);
  }

  json::Value Json(const http::Response& r) { return json::Parse(r.body); }

  // Polls GET path until `key` is `value` (10 s at most: CI machines are loaded).
  bool WaitFor(const std::string& path, const std::string& key, const std::string& value) {
    for (int i = 0; i < 1000; ++i) {
      if (json::StringAt(Json(Call("GET", path)), {key}) == value) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

std::string Msg(const http::Response& r) { return json::StringAt(json::Parse(r.body), {"msg"}); }

}  // namespace

TEST_SUITE("livy_server server") {
  TEST_CASE("a created session answers 201 with its Location and becomes idle") {
    Fixture f;
    const auto r = f.Call("POST", "/sessions", R"({"kind":"spark","proxyUser":"alice"})");
    CHECK(r.status == 201);
    CHECK(*r.header("Location") == "/sessions/0");
    CHECK(r.headers.at("Content-Type").find("application/json") == 0);
    CHECK(json::StringAt(f.Json(r), {"owner"}) == "alice");
    CHECK(f.WaitFor("/sessions/0", "state", "idle"));
    CHECK(json::StringAt(f.Json(f.Call("GET", "/sessions/0/state")), {"state"}) == "idle");
  }

  TEST_CASE("listings page with from and size") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    f.Call("POST", "/sessions", "{}");
    const json::Value all = f.Json(f.Call("GET", "/sessions"));
    CHECK(json::IntAt(all, {"total"}) == 2);
    CHECK(all.find("sessions")->as_array().size() == 2);
    const json::Value page = f.Json(f.Call("GET", "/sessions?from=1&size=5"));
    CHECK(json::IntAt(page, {"from"}) == 1);
    CHECK(page.find("sessions")->as_array().size() == 1);
    CHECK(f.Call("GET", "/sessions?from=x").status == 400);
  }

  TEST_CASE("one session more than the limit gets Livy's 400, a deleted one frees its slot") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    f.Call("POST", "/sessions", "{}");
    const auto refused = f.Call("POST", "/sessions", "{}");
    CHECK(refused.status == 400);
    CHECK(Msg(refused) == "Rejected, too many sessions are being created!");
    CHECK(f.Call("POST", "/batches", R"({"file":"/jobs/job.py"})").status == 400);
    const auto deleted = f.Call("DELETE", "/sessions/0");
    CHECK(deleted.status == 200);
    CHECK(Msg(deleted) == "deleted");
    CHECK(f.drivers.driver(0)->stopped);
    CHECK(f.Call("GET", "/sessions/0").status == 404);
    CHECK(f.Call("POST", "/sessions", "{}").status == 201);
    CHECK(f.Call("GET", "/metrics")
              .body.find("spyt_livy_server_rejected_total{reason=\"limit\"} 2") !=
          std::string::npos);
  }

  TEST_CASE("unknown ids and paths answer 404 with Livy's message") {
    Fixture f;
    CHECK(Msg(f.Call("GET", "/sessions/7")) == "Session '7' not found.");
    CHECK(f.Call("GET", "/sessions/7/log").status == 404);
    CHECK(f.Call("DELETE", "/batches/3").status == 404);
    CHECK(f.Call("GET", "/sessions/abc").status == 404);
    CHECK(f.Call("GET", "/nothing").status == 404);
  }

  TEST_CASE("bad bodies answer 400 and change nothing") {
    Fixture f;
    CHECK(f.Call("POST", "/sessions", "{bad").status == 400);
    CHECK(f.Call("POST", "/sessions", R"({"kind":"sparkr"})").status == 400);
    CHECK(json::IntAt(f.Json(f.Call("GET", "/sessions")), {"total"}) == 0);
  }

  TEST_CASE("a body over the limit answers 413") {
    Fixture f;
    http::Request r;
    r.method = "POST";
    r.path = "/sessions";
    r.body_too_large = true;
    CHECK(f.server->Handle(r).status == 413);
  }

  TEST_CASE("code over the limit answers 413 naming the field, the session goes on") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    REQUIRE(f.WaitFor("/sessions/0", "state", "idle"));
    const std::string at_limit = "\"" + std::string(512, 'x') + "\"";
    const std::string over = "\"" + std::string(513, 'x') + "\"";
    CHECK(f.Call("POST", "/sessions/0/statements", "{\"code\":" + at_limit + "}").status == 201);
    const auto r = f.Call("POST", "/sessions/0/statements", "{\"code\":" + over + "}");
    CHECK(r.status == 413);
    CHECK(Msg(r).find("'code' is 513 bytes, more than the 512") != std::string::npos);
    CHECK(f.Call("POST", "/sessions/7/statements", "{\"code\":" + over + "}").status == 404);
    CHECK(json::IntAt(f.Json(f.Call("GET", "/sessions/0/statements")), {"total_statements"}) == 1);
    CHECK(f.Call("POST", "/sessions/0/statements", R"({"code":"1+1"})").status == 201);
    auto driver = f.drivers.driver(0);
    std::lock_guard<std::mutex> lock(driver->mu);
    CHECK(driver->submitted.size() <= 2);  // the one over the limit never reached the driver
    for (const auto& s : driver->submitted) CHECK(s.code.size() <= 512);
  }

  TEST_CASE("statements are sent to the driver in order and their changes show") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    REQUIRE(f.WaitFor("/sessions/0", "state", "idle"));
    const auto r = f.Call("POST", "/sessions/0/statements", R"({"code":"1+1"})");
    CHECK(r.status == 201);
    CHECK(*r.header("Location") == "/sessions/0/statements/0");
    CHECK(json::StringAt(f.Json(r), {"state"}) == "waiting");
    CHECK(json::StringAt(f.Json(f.Call("GET", "/sessions/0")), {"state"}) == "busy");
    auto driver = f.drivers.driver(0);
    {
      std::lock_guard<std::mutex> lock(driver->mu);
      REQUIRE(driver->submitted.size() == 1);
      CHECK(driver->submitted[0].code == "1+1");
    }
    Statement done;
    done.id = 0;
    done.code = "1+1";
    done.state = StatementState::kAvailable;
    done.output =
        json::Parse(R"({"status":"ok","execution_count":0,"data":{"text/plain":"res0: Int = 2"}})");
    done.progress = 1;
    driver->Report(done);
    CHECK(f.WaitFor("/sessions/0/statements/0", "state", "available"));
    CHECK(f.WaitFor("/sessions/0", "state", "idle"));
    const json::Value list = f.Json(f.Call("GET", "/sessions/0/statements"));
    CHECK(json::IntAt(list, {"total_statements"}) == 1);
    CHECK(f.Call("GET", "/sessions/0/statements/5").status == 404);
  }

  TEST_CASE("statements posted while the session starts are sent once it is ready") {
    Fixture f;
    f.drivers.ready_at_once = false;
    f.Call("POST", "/sessions", "{}");
    CHECK(f.Call("POST", "/sessions/0/statements", R"({"code":"a"})").status == 201);
    CHECK(f.Call("POST", "/sessions/0/statements", R"({"code":"b"})").status == 201);
    auto driver = f.drivers.driver(0);
    driver->Ready();
    // The lock only while looking: the session's thread takes it to submit.
    auto submitted = [&] {
      std::lock_guard<std::mutex> lock(driver->mu);
      return driver->submitted.size();
    };
    for (int i = 0; i < 1000 && submitted() < 2; ++i) std::this_thread::sleep_for(10ms);
    std::lock_guard<std::mutex> lock(driver->mu);
    REQUIRE(driver->submitted.size() == 2);
    CHECK(driver->submitted[0].code == "a");
    CHECK(driver->submitted[1].code == "b");
  }

  TEST_CASE("cancel reaches the driver") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    REQUIRE(f.WaitFor("/sessions/0", "state", "idle"));
    f.Call("POST", "/sessions/0/statements", R"({"code":"long"})");
    const auto r = f.Call("POST", "/sessions/0/statements/0/cancel", "{}");
    CHECK(r.status == 200);
    CHECK(Msg(r) == "canceled");
    CHECK(json::StringAt(f.Json(f.Call("GET", "/sessions/0/statements/0")), {"state"}) ==
          "cancelling");
    std::lock_guard<std::mutex> lock(f.drivers.driver(0)->mu);
    CHECK(f.drivers.driver(0)->cancelled == std::vector<std::int64_t>{0});
  }

  TEST_CASE("a driver that dies leaves its session dead, the others unaffected") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    f.Call("POST", "/sessions", "{}");
    // Both idle first: a driver that exits before its session saw it ready is an error, not dead.
    REQUIRE(f.WaitFor("/sessions/0", "state", "idle"));
    REQUIRE(f.WaitFor("/sessions/1", "state", "idle"));
    f.drivers.driver(0)->Exit("killed by SIGKILL");
    CHECK(f.WaitFor("/sessions/0", "state", "dead"));
    CHECK(json::StringAt(f.Json(f.Call("GET", "/sessions/1")), {"state"}) == "idle");
    CHECK(f.Call("POST", "/sessions/0/statements", R"({"code":"1"})").status == 400);
  }

  TEST_CASE("a driver that cannot start leaves the session in error with the reason logged") {
    Fixture f;
    f.drivers.fail_next = true;
    const auto r = f.Call("POST", "/sessions", "{}");
    CHECK(r.status == 201);
    CHECK(json::StringAt(f.Json(r), {"state"}) == "error");
    CHECK(f.Json(r).find("log")->as_array().back().as_string().find("not found on PATH") !=
          std::string::npos);
  }

  TEST_CASE("find-by-user returns the session with its secrets, listings do not") {
    Fixture f;
    f.Call("POST", "/sessions",
           R"({"kind":"spark","proxyUser":"qt","conf":{"spark.hadoop.yt.token":"tok-123"}})");
    CHECK(f.Call("GET", "/sessions").body.find("tok-123") == std::string::npos);
    CHECK(f.Call("GET", "/sessions/0").body.find("tok-123") == std::string::npos);
    const auto found = f.Call("POST", "/sessions/find-by-user", R"({"proxyUser":"qt"})");
    CHECK(found.status == 200);
    CHECK(*found.header("Location") == "/sessions/0");
    CHECK(json::StringAt(f.Json(found), {"conf", "spark.hadoop.yt.token"}) == "tok-123");
    const auto none = f.Call("POST", "/sessions/find-by-user", R"({"proxyUser":"other"})");
    CHECK(none.status == 404);
    CHECK(Msg(none) == "Session not found");
    const auto nobody = f.Call("POST", "/sessions/find-by-user", "{}");
    CHECK(nobody.status == 400);
    CHECK(Msg(nobody) == "Rejected, Reason: User is not defined");
    CHECK(f.Call("GET", "/metrics").body.find("tok-123") == std::string::npos);
  }

  TEST_CASE("with CSRF protection, POST and DELETE need X-Requested-By") {
    Fixture f(true);
    CHECK(f.Call("POST", "/sessions", "{}").status == 400);
    CHECK(f.Call("GET", "/sessions").status == 200);
    CHECK(f.Call("POST", "/sessions", "{}", {{"x-requested-by", "me"}}).status == 201);
    CHECK(f.Call("DELETE", "/sessions/0").status == 400);
  }

  TEST_CASE("batches are created, listed and deleted") {
    Fixture f;
    const auto r = f.Call("POST", "/batches", R"({"file":"/jobs/job.py"})");
    CHECK(r.status == 201);
    CHECK(*r.header("Location") == "/batches/0");
    CHECK(json::StringAt(f.Json(r), {"state"}) == "starting");
    CHECK(json::IntAt(f.Json(f.Call("GET", "/batches")), {"total"}) == 1);
    CHECK(f.Call("GET", "/batches/0/log").status == 200);
    CHECK(Msg(f.Call("DELETE", "/batches/0")) == "deleted");
    CHECK(f.Call("GET", "/batches/0").status == 404);
  }

  TEST_CASE("stop ends every driver") {
    Fixture f;
    f.Call("POST", "/sessions", "{}");
    REQUIRE(f.WaitFor("/sessions/0", "state", "idle"));
    f.server->Stop();
    CHECK(f.drivers.driver(0)->stopped);
  }
}

}  // namespace spyt::livy_server
