#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "fakes/fake_reattach.h"
#include "fakes/fake_state_store.h"
#include "livy_server/server.h"
#include "temp_dir.h"

namespace spyt::livy_server {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

Statement Stmt(std::int64_t id, StatementState state) {
  Statement st;
  st.id = id;
  st.code = "spark.range(10).count()";
  st.state = state;
  if (state == StatementState::kAvailable) {
    st.output = json::Parse(R"({"status":"ok","execution_count":0,"data":{"text/plain":"10"}})");
    st.progress = 1;
  }
  return st;
}

Session Stored(std::int64_t id, SessionState state, const std::string& owner,
               std::vector<Statement> statements, const std::string& dir) {
  Session s;
  s.id = id;
  s.state = state;
  s.owner = owner;
  s.app_id = "app-20260101000000-000" + std::to_string(id);
  s.request.proxy_user = owner;
  s.request.conf = {{"spark.hadoop.yt.user", owner}};
  s.statements = std::move(statements);
  s.log_path = (fs::path(dir) / ("driver-" + std::to_string(id) + ".log")).string();
  return s;
}

// A server restarted on a store that holds: session 0 idle (alice, one
// finished statement) and session 1 busy (bob, one statement running), both
// with drivers that survived; session 2 idle (carol) with a running statement
// whose driver is gone; batch 0 finished; batch 1 running at the kill, which
// has since ended with exit code 0.
struct Fixture {
  testing::TempDir dir;
  fakes::FakeStateStore store;
  fakes::FakeReattachingDriverFactory drivers;
  fakes::FakeReattachingBatchFactory batches;
  std::shared_ptr<fakes::FakeDriverState> idle_driver = drivers.Survivor(0);
  std::shared_ptr<fakes::FakeDriverState> busy_driver = drivers.Survivor(1);
  std::unique_ptr<LivyServer> server;

  Fixture() {
    const std::string d = dir.path().string();
    store.SaveSession(
        Stored(0, SessionState::kIdle, "alice", {Stmt(0, StatementState::kAvailable)}, d));
    store.SaveSession(
        Stored(1, SessionState::kBusy, "bob", {Stmt(0, StatementState::kRunning)}, d));
    store.SaveSession(
        Stored(2, SessionState::kBusy, "carol", {Stmt(0, StatementState::kRunning)}, d));
    Batch done;
    done.id = 0;
    done.state = BatchState::kSuccess;
    done.request.file = "job.py";
    store.SaveBatch(done);
    Batch running = done;
    running.id = 1;
    running.state = BatchState::kRunning;
    store.SaveBatch(running);
    batches.Survivor(1, BatchProcess::Exit{0, "exit code 0"});
    store.SaveNextIds(3, 2);
    store.problems = {{"/state/sessions/7.json", "unexpected end of input"}};
    ServerConfig c;
    c.address = "127.0.0.1:0";
    c.registry.max_sessions = 5;
    c.work_dir = d;
    server = std::make_unique<LivyServer>(c, drivers, batches, RealClock(), &store);
    server->Start();
  }

  json::Value Get(const std::string& path) {
    http::Request r;
    r.method = "GET";
    r.path = path;
    return json::Parse(server->Handle(r).body);
  }

  http::Response Post(const std::string& path, const std::string& body) {
    http::Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    return server->Handle(r);
  }

  bool WaitFor(const std::string& path, const std::string& key, const std::string& value) {
    for (int i = 0; i < 300; ++i) {
      if (json::StringAt(Get(path), {key}) == value) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

}  // namespace

TEST_SUITE("livy_server server recovery") {
  TEST_CASE("a restarted server lists its sessions with their ids, states, owners and conf") {
    Fixture f;
    const json::Value list = f.Get("/sessions");
    REQUIRE(json::IntAt(list, {"total"}) == 3);
    const auto& sessions = list.find("sessions")->as_array();
    CHECK(json::StringAt(sessions[0], {"state"}) == "idle");
    CHECK(json::StringAt(sessions[0], {"owner"}) == "alice");
    CHECK(json::StringAt(sessions[0], {"conf", "spark.hadoop.yt.user"}) == "alice");
    CHECK(json::StringAt(sessions[1], {"state"}) == "busy");
    CHECK(json::StringAt(sessions[1], {"appId"}) == "app-20260101000000-0001");
  }

  TEST_CASE("a finished statement's result is readable at once after a restart") {
    Fixture f;
    const json::Value st = f.Get("/sessions/0/statements/0");
    CHECK(json::StringAt(st, {"state"}) == "available");
    CHECK(json::StringAt(st, {"output", "data", "text/plain"}) == "10");
  }

  TEST_CASE("a statement running at the restart is followed to its end") {
    Fixture f;
    Statement done = Stmt(0, StatementState::kAvailable);
    f.busy_driver->Report(done);
    CHECK(f.WaitFor("/sessions/1/statements/0", "state", "available"));
    CHECK(f.WaitFor("/sessions/1", "state", "idle"));
  }

  TEST_CASE("a session whose driver is gone is dead, says why in its log, its statement too") {
    Fixture f;
    CHECK(json::StringAt(f.Get("/sessions/2"), {"state"}) == "dead");
    const json::Value st = f.Get("/sessions/2/statements/0");
    CHECK(json::StringAt(st, {"state"}) == "cancelled");
    CHECK(json::StringAt(st, {"output", "evalue"}).find("driver is gone") != std::string::npos);
    std::string log;
    const json::Value page = f.Get("/sessions/2/log");
    for (const auto& line : page.find("log")->as_array()) {
      log += line.as_string();
    }
    CHECK(log.find("the server restarted and the session's driver is gone") != std::string::npos);
  }

  TEST_CASE("a re-attached session runs the next statement") {
    Fixture f;
    const auto r = f.Post("/sessions/0/statements", R"({"code":"1 + 1"})");
    REQUIRE(r.status == 201);
    CHECK(*r.header("Location") == "/sessions/0/statements/1");
    bool sent = false;
    for (int i = 0; i < 1000 && !sent; ++i) {
      {
        std::lock_guard<std::mutex> lock(f.idle_driver->mu);
        for (const auto& s : f.idle_driver->submitted) sent = sent || s.id == 1;
      }
      std::this_thread::sleep_for(10ms);
    }
    CHECK(sent);
    CHECK(f.store.StoredSession(0).statements.size() == 2);  // stored before the answer
  }

  TEST_CASE("ids continue after a restart: a new session gets the next one") {
    Fixture f;
    const auto r = f.Post("/sessions", R"({"kind":"pyspark"})");
    REQUIRE(r.status == 201);
    CHECK(json::IntAt(json::Parse(r.body), {"id"}) == 3);
    CHECK(f.store.next_session == 4);
  }

  TEST_CASE("batches keep their end state and a batch running at the kill gets its exit") {
    Fixture f;
    CHECK(json::StringAt(f.Get("/batches/0"), {"state"}) == "success");
    CHECK(f.WaitFor("/batches/1", "state", "success"));
  }

  TEST_CASE("a full disk refuses new sessions and batches with 503, running ones go on") {
    Fixture f;
    f.store.SetFailure("/state/sessions/3.json.tmp: No space left on device");
    const auto refused = f.Post("/sessions", R"({"kind":"spark"})");
    CHECK(refused.status == 503);
    CHECK(json::StringAt(json::Parse(refused.body), {"msg"}) ==
          "Rejected: the session cannot be stored in the state directory "
          "(/state/sessions/3.json.tmp: No space left on device); running sessions are not "
          "affected");
    CHECK(f.Post("/batches", R"({"file":"/opt/app.jar"})").status == 503);
    CHECK(json::IntAt(f.Get("/sessions"), {"total"}) == 3);  // nothing half-created
    CHECK(f.Post("/sessions/0/statements", R"({"code":"1 + 1"})").status == 201);
    http::Request metrics;
    metrics.method = "GET";
    metrics.path = "/metrics";
    const std::string text = f.server->Handle(metrics).body;
    CHECK(text.find("spyt_livy_server_rejected_total{reason=\"state_unwritable\"} 2") !=
          std::string::npos);
    CHECK(text.find("spyt_livy_server_state_write_failures_total 0") == std::string::npos);

    f.store.SetFailure("");  // space again: what was not written is, with the next change
    const auto created = f.Post("/sessions", R"({"kind":"spark"})");
    REQUIRE(created.status == 201);
    const auto id = json::IntAt(json::Parse(created.body), {"id"});
    CHECK(id == 4);  // the refused ones' ids are not handed out again
    CHECK(f.store.StoredSession(0).statements.size() == 2);
    CHECK(f.store.sessions.count(3) == 0);
    CHECK(f.store.next_session == 5);
  }

  TEST_CASE("the re-attached drivers were asked for the session's own directory") {
    Fixture f;
    CHECK(f.idle_driver->launch.dir == (f.dir.path() / "sessions" / "0").string());
    CHECK(f.idle_driver->launch.request.proxy_user == "alice");
  }
}

}  // namespace spyt::livy_server
