#include "livy_server/registry.h"

#include <doctest/doctest.h>

#include "fakes/fake_clock.h"

namespace spyt::livy_server {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  fakes::FakeClock clock;
  Registry registry{RegistryConfig{2, 10min, 600s}, clock};

  std::int64_t IdleSession(const std::string& user = "") {
    SessionRequest r;
    if (!user.empty()) r.proxy_user = user;
    const Session s = registry.AddSession(r, user);
    registry.SessionReady(s.id, "app-1", "");
    return s.id;
  }

  static Statement Finished(std::int64_t id) {
    Statement u;
    u.id = id;
    u.state = StatementState::kAvailable;
    u.output = json::Parse(R"({"status":"ok"})");
    u.progress = 1;
    return u;
  }
};

}  // namespace

TEST_SUITE("livy_server registry") {
  TEST_CASE("the limit counts live sessions and batches, idle ones included") {
    Fixture f;
    f.IdleSession();
    BatchRequest b;
    b.file = "job.py";
    f.registry.AddBatch(b, "");
    CHECK_THROWS_AS(f.registry.AddSession({}, ""), LimitReached);
    CHECK_THROWS_AS(f.registry.AddBatch(b, ""), LimitReached);
    CHECK(f.registry.Stats().live == 2);
  }

  TEST_CASE("an ended session frees its slot but stays listed") {
    Fixture f;
    const auto a = f.IdleSession();
    f.IdleSession();
    f.registry.SessionExited(a, "exit code 137");
    CHECK(f.registry.GetSession(a)->state == SessionState::kDead);
    CHECK_NOTHROW(f.registry.AddSession({}, ""));
  }

  TEST_CASE("a deleted session frees its slot and is gone") {
    Fixture f;
    const auto a = f.IdleSession();
    f.IdleSession();
    CHECK(f.registry.RemoveSession(a));
    CHECK(!f.registry.GetSession(a));
    CHECK_THROWS_AS(f.registry.SessionOrThrow(a), NotFound);
    CHECK_NOTHROW(f.registry.AddSession({}, ""));
  }

  TEST_CASE("ids are never reused") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.RemoveSession(a);
    CHECK(f.IdleSession() == a + 1);
  }

  TEST_CASE("an idle session ends after the timeout") {
    Fixture f;
    const auto a = f.IdleSession();
    f.clock.Advance(9min);
    CHECK(f.registry.Sweep().empty());
    f.clock.Advance(1min);
    CHECK(f.registry.Sweep() == std::vector<std::int64_t>{a});
    CHECK(f.registry.GetSession(a)->state == SessionState::kShuttingDown);
    f.registry.SessionExited(a, "stopped");
    CHECK(f.registry.GetSession(a)->state == SessionState::kKilled);
  }

  TEST_CASE("a busy session is never ended for the timeout") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.AddStatement(a, {"Thread.sleep(99999999)", {}});
    CHECK(f.registry.GetSession(a)->state == SessionState::kBusy);
    f.clock.Advance(60min);
    CHECK(f.registry.Sweep().empty());
    CHECK(f.registry.GetSession(a)->state == SessionState::kBusy);
  }

  TEST_CASE("a statement's end restarts the idle timer") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.AddStatement(a, {"1+1", {}});
    f.clock.Advance(9min);
    f.registry.ApplyUpdates(a, {f.Finished(0)});
    CHECK(f.registry.GetSession(a)->state == SessionState::kIdle);
    f.clock.Advance(9min);
    CHECK(f.registry.Sweep().empty());
    f.clock.Advance(1min);
    CHECK(f.registry.Sweep().size() == 1);
  }

  TEST_CASE("reading a session does not keep it alive") {
    Fixture f;
    const auto a = f.IdleSession();
    for (int i = 0; i < 10; ++i) {
      f.clock.Advance(1min);
      f.registry.GetSession(a);
      f.registry.Sessions();
    }
    CHECK(f.registry.Sweep().size() == 1);
  }

  TEST_CASE("find-by-user returns an active session of the user and restarts its timer") {
    Fixture f;
    f.IdleSession("bob");
    const auto alice = f.IdleSession("alice");
    f.clock.Advance(9min);
    auto found = f.registry.FindByUser("alice");
    REQUIRE(found);
    CHECK(found->id == alice);
    f.clock.Advance(9min);
    CHECK(f.registry.Sweep() == std::vector<std::int64_t>{0});  // bob's only
    CHECK(!f.registry.FindByUser("carol"));
  }

  TEST_CASE("find-by-user skips ended sessions") {
    Fixture f;
    const auto a = f.IdleSession("alice");
    f.registry.SessionExited(a, "exit code 1");
    CHECK(!f.registry.FindByUser("alice"));
  }

  TEST_CASE("ended sessions and batches are forgotten after retention") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.SessionExited(a, "exit code 1");
    BatchRequest b;
    b.file = "x";
    const auto batch = f.registry.AddBatch(b, "").id;
    f.registry.BatchExited(batch, true);
    f.clock.Advance(599s);
    f.registry.Sweep();
    CHECK(f.registry.GetSession(a));
    CHECK(f.registry.GetBatch(batch)->state == BatchState::kSuccess);
    f.clock.Advance(1s);
    f.registry.Sweep();
    CHECK(!f.registry.GetSession(a));
    CHECK(!f.registry.GetBatch(batch));
  }

  TEST_CASE("statements get ids in order and take the session's kind unless they name one") {
    Fixture f;
    SessionRequest r;
    r.kind = Kind::kPySpark;
    const auto a = f.registry.AddSession(r, "").id;
    CHECK(f.registry.AddStatement(a, {"1", {}}).id == 0);
    const Statement sql = f.registry.AddStatement(a, {"select 1", Kind::kSql});
    CHECK(sql.id == 1);
    CHECK(sql.kind == Kind::kSql);
    CHECK(f.registry.GetSession(a)->statements[0].kind == Kind::kPySpark);
    CHECK(f.registry.WaitingStatements(a, 0).size() == 1);
  }

  TEST_CASE("an ended session takes no statements") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.SessionExited(a, "exit code 1");
    CHECK_THROWS_AS(f.registry.AddStatement(a, {"1", {}}), BadRequest);
    CHECK_THROWS_AS(f.registry.AddStatement(99, {"1", {}}), NotFound);
  }

  TEST_CASE("a cancel wins over a driver that still reports the statement running") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.AddStatement(a, {"long", {}});
    CHECK(f.registry.CancelStatement(a, 0).state == StatementState::kCancelling);
    Statement running;
    running.id = 0;
    running.state = StatementState::kRunning;
    running.progress = 0.5;
    f.registry.ApplyUpdates(a, {running});
    CHECK(f.registry.GetSession(a)->statements[0].state == StatementState::kCancelling);
    Statement cancelled = running;
    cancelled.state = StatementState::kCancelled;
    f.registry.ApplyUpdates(a, {cancelled});
    CHECK(f.registry.GetSession(a)->statements[0].state == StatementState::kCancelled);
    CHECK(f.registry.GetSession(a)->state == SessionState::kIdle);
    CHECK_THROWS_AS(f.registry.CancelStatement(a, 5), NotFound);
  }

  TEST_CASE("a driver that dies ends the session dead and its unfinished statements cancelled") {
    Fixture f;
    const auto a = f.IdleSession();
    f.registry.AddStatement(a, {"long", {}});
    f.registry.SessionExited(a, "killed by SIGKILL");
    const Session s = *f.registry.GetSession(a);
    CHECK(s.state == SessionState::kDead);
    CHECK(s.statements[0].state == StatementState::kCancelled);
  }

  TEST_CASE("a driver that never comes up ends the session in error") {
    Fixture f;
    const auto a = f.registry.AddSession({}, "").id;
    f.registry.SessionExited(a, "exit code 1");
    CHECK(f.registry.GetSession(a)->state == SessionState::kError);
  }

  TEST_CASE("batches go starting, running, then success or dead") {
    Fixture f;
    BatchRequest b;
    b.file = "x";
    const auto id = f.registry.AddBatch(b, "").id;
    CHECK(f.registry.GetBatch(id)->state == BatchState::kStarting);
    f.registry.BatchRunning(id, "app-2");
    CHECK(f.registry.GetBatch(id)->state == BatchState::kRunning);
    CHECK(f.registry.GetBatch(id)->app_id == "app-2");
    f.registry.BatchExited(id, false);
    CHECK(f.registry.GetBatch(id)->state == BatchState::kDead);
  }
}

}  // namespace spyt::livy_server
