#include <doctest/doctest.h>

#include "fakes/fake_clock.h"
#include "livy_server/registry.h"

namespace spyt::livy_server {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  fakes::FakeClock clock;
  Registry registry{RegistryConfig{4, 10min, 600s}, clock};
};

Session Stored(std::int64_t id, SessionState state, const std::string& owner) {
  Session s;
  s.id = id;
  s.state = state;
  s.owner = owner;
  s.request.proxy_user = owner;
  s.request.conf = {{"spark.hadoop.yt.user", owner}};
  return s;
}

std::int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_SUITE("livy_server registry restore") {
  TEST_CASE("restored sessions keep their ids, states, owners and conf") {
    Fixture f;
    StoredState stored;
    stored.sessions = {Stored(2, SessionState::kIdle, "alice"),
                       Stored(5, SessionState::kBusy, "bob")};
    f.registry.Restore(stored);
    const auto sessions = f.registry.Sessions();
    REQUIRE(sessions.size() == 2);
    CHECK(sessions[0].id == 2);
    CHECK(sessions[0].state == SessionState::kIdle);
    CHECK(sessions[0].owner == "alice");
    CHECK(sessions[1].state == SessionState::kBusy);
    CHECK(sessions[1].request.conf.at("spark.hadoop.yt.user") == "bob");
  }

  TEST_CASE("ids continue above the highest stored id and the stored counter") {
    Fixture f;
    StoredState stored;
    stored.sessions = {Stored(5, SessionState::kIdle, "a")};
    stored.next_session = 9;  // sessions 6..8 were deleted before the restart
    stored.next_batch = 3;
    f.registry.Restore(stored);
    CHECK(f.registry.AddSession(SessionRequest{}, "").id == 9);
    CHECK(f.registry.AddBatch(BatchRequest{}, "").id == 3);
  }

  TEST_CASE("restored live sessions count toward the limit") {
    Fixture f;
    StoredState stored;
    for (int i = 0; i < 4; ++i) stored.sessions.push_back(Stored(i, SessionState::kIdle, "u"));
    f.registry.Restore(stored);
    CHECK_THROWS_AS(f.registry.AddSession(SessionRequest{}, ""), LimitReached);
  }

  TEST_CASE("a restored idle session's timer restarts at the restore") {
    Fixture f;
    StoredState stored;
    stored.sessions = {Stored(0, SessionState::kIdle, "a")};
    f.registry.Restore(stored);
    f.clock.Advance(9min);
    CHECK(f.registry.Sweep().empty());
    f.clock.Advance(1min);
    CHECK(f.registry.Sweep() == std::vector<std::int64_t>{0});
  }

  TEST_CASE("an ended restored record keeps only the rest of its retention") {
    Fixture f;
    Session ended = Stored(1, SessionState::kKilled, "a");
    ended.ended_ms = EpochMs(f.clock.WallNow() - 500s);
    StoredState stored;
    stored.sessions = {ended};
    f.registry.Restore(stored);
    f.clock.Advance(99s);
    f.registry.Sweep();
    CHECK(f.registry.GetSession(1).has_value());
    f.clock.Advance(2s);
    f.registry.Sweep();
    CHECK_FALSE(f.registry.GetSession(1).has_value());
  }

  TEST_CASE("a restore marks nothing changed, later changes are handed once") {
    Fixture f;
    StoredState stored;
    stored.sessions = {Stored(0, SessionState::kIdle, "a")};
    f.registry.Restore(stored);
    CHECK(f.registry.TakeChanges().empty());
    f.registry.AddStatement(0, StatementRequest{"1 + 1", std::nullopt});
    const RegistryChanges changes = f.registry.TakeChanges();
    REQUIRE(changes.sessions.size() == 1);
    CHECK(changes.sessions[0].statements.size() == 1);
    CHECK_FALSE(changes.next_ids);
    CHECK(f.registry.TakeChanges().empty());
  }

  TEST_CASE("a new session changes the next ids and a deleted one is handed as removed") {
    Fixture f;
    const Session s = f.registry.AddSession(SessionRequest{}, "");
    RegistryChanges changes = f.registry.TakeChanges();
    CHECK(changes.next_ids);
    CHECK(changes.next_session == 1);
    f.registry.RemoveSession(s.id);
    changes = f.registry.TakeChanges();
    CHECK(changes.sessions.empty());
    CHECK(changes.removed_sessions == std::vector<std::int64_t>{0});
  }

  TEST_CASE("a lost session is dead and its unfinished statements say why") {
    Fixture f;
    Session s = Stored(0, SessionState::kBusy, "a");
    Statement done;
    done.id = 0;
    done.state = StatementState::kAvailable;
    done.output = json::Parse(R"({"status":"ok"})");
    Statement running;
    running.id = 1;
    running.state = StatementState::kRunning;
    s.statements = {done, running};
    StoredState stored;
    stored.sessions = {s};
    f.registry.Restore(stored);
    f.registry.SessionLost(0, "its driver is gone");
    const Session now = *f.registry.GetSession(0);
    CHECK(now.state == SessionState::kDead);
    CHECK(now.statements[0].state == StatementState::kAvailable);
    CHECK(now.statements[0].output == done.output);
    CHECK(now.statements[1].state == StatementState::kCancelled);
    CHECK(json::StringAt(now.statements[1].output, {"evalue"}) == "its driver is gone");
  }
}

}  // namespace spyt::livy_server
