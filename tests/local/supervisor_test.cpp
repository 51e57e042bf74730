#include "local/supervisor.h"

#include <doctest/doctest.h>

#include "fakes/fake_clock.h"
#include "fakes/fake_process_runner.h"

namespace spyt::local {
namespace {

using FakeRunner = fakes::FakeProcessRunner;

ProcessSpec Spec(const std::string& id, std::vector<std::string> args = {"master"}) {
  return {id, cluster::Component::kMaster, std::move(args), 7077, "/tmp/" + id};
}

}  // namespace

TEST_SUITE("supervisor") {
  TEST_CASE("desired processes are started once") {
    FakeRunner runner;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/master"), Spec("c/worker-0")});
    s.Sync({Spec("c/master"), Spec("c/worker-0")});
    CHECK(runner.starts == std::vector<std::string>{"c/master", "c/worker-0"});
  }

  TEST_CASE("a process no longer desired is stopped with SIGTERM") {
    FakeRunner runner;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/master"), Spec("c/livy")});
    int livy = runner.PidOf("c/livy");
    s.Sync({Spec("c/master")});
    REQUIRE(runner.signals.size() == 1);
    CHECK(runner.signals[0] == std::make_pair(livy, false));
    CHECK(s.processes().count("c/livy") == 0);
  }

  TEST_CASE("a crashed process is restarted after a backoff that doubles") {
    FakeRunner runner;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/worker-0")});
    runner.Exit(runner.PidOf("c/worker-0"), 1);
    s.Sync({Spec("c/worker-0")});
    CHECK(runner.starts.size() == 1);  // waits 1 s
    clock.Advance(std::chrono::milliseconds(1000));
    s.Sync({Spec("c/worker-0")});
    CHECK(runner.starts.size() == 2);
    runner.Exit(runner.PidOf("c/worker-0"), 1);
    s.Sync({Spec("c/worker-0")});
    clock.Advance(std::chrono::milliseconds(1500));
    s.Sync({Spec("c/worker-0")});
    CHECK(runner.starts.size() == 2);  // second crash: 2 s
    clock.Advance(std::chrono::milliseconds(500));
    s.Sync({Spec("c/worker-0")});
    CHECK(runner.starts.size() == 3);
    CHECK(s.processes().at("c/worker-0").last_exit == 1);
  }

  TEST_CASE("a run that lasted a minute resets the backoff") {
    FakeRunner runner;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/worker-0")});
    for (int i = 0; i < 4; ++i) {  // crash loop: backoff grows to 8 s
      runner.Exit(runner.PidOf("c/worker-0"), 1);
      s.Sync({Spec("c/worker-0")});
      clock.Advance(std::chrono::seconds(10));
      s.Sync({Spec("c/worker-0")});
    }
    clock.Advance(std::chrono::seconds(61));
    runner.Exit(runner.PidOf("c/worker-0"), 1);
    s.Sync({Spec("c/worker-0")});
    clock.Advance(std::chrono::milliseconds(1000));
    s.Sync({Spec("c/worker-0")});
    CHECK(runner.PidOf("c/worker-0") != 0);
  }

  TEST_CASE("a process with changed flags is restarted") {
    FakeRunner runner;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/livy", {"livy", "--livy-max-sessions", "3"})});
    s.Sync({Spec("c/livy", {"livy", "--livy-max-sessions", "5"})});
    CHECK(runner.signals.size() == 1);
    CHECK(runner.starts.size() == 2);
  }

  TEST_CASE("a process with changed flags starts again only once its old instance exited") {
    FakeRunner runner;
    runner.ignores_term = true;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/livy", {"livy", "--livy-max-sessions", "3"})});
    const int old_pid = runner.starts.size() == 1 ? s.processes().at("c/livy").pid : 0;
    s.Sync({Spec("c/livy", {"livy", "--livy-max-sessions", "5"})});
    CHECK(runner.signals.size() == 1);
    CHECK(runner.starts.size() == 1);  // the old one still runs: not yet
    s.Sync({Spec("c/livy", {"livy", "--livy-max-sessions", "5"})});
    CHECK(runner.starts.size() == 1);
    runner.Exit(old_pid, 143);
    s.Sync({Spec("c/livy", {"livy", "--livy-max-sessions", "5"})});
    CHECK(runner.starts.size() == 2);
    CHECK(s.stopping() == 0);
  }

  TEST_CASE("a process that ignores SIGTERM is killed after the grace period") {
    FakeRunner runner;
    runner.ignores_term = true;
    fakes::FakeClock clock;
    Supervisor s(runner, clock,
                 {std::chrono::milliseconds(1000), std::chrono::milliseconds(60000),
                  std::chrono::seconds(60), std::chrono::seconds(30)});
    s.Sync({Spec("c/master")});
    s.Sync({});
    CHECK(s.stopping() == 1);
    clock.Advance(std::chrono::seconds(31));
    s.Sync({});
    CHECK(runner.signals.back().second == true);
    s.Sync({});
    CHECK(s.stopping() == 0);
  }

  TEST_CASE("a process that cannot be started is retried with backoff") {
    FakeRunner runner;
    runner.fail_starts = 1;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/master")});
    CHECK(runner.starts.empty());
    clock.Advance(std::chrono::milliseconds(1000));
    s.Sync({Spec("c/master")});
    CHECK(runner.starts.size() == 1);
  }

  TEST_CASE("StopAll stops every process") {
    FakeRunner runner;
    fakes::FakeClock clock;
    Supervisor s(runner, clock);
    s.Sync({Spec("c/master"), Spec("c/worker-0"), Spec("c/livy")});
    s.StopAll();
    CHECK(runner.running.empty());
    CHECK(s.processes().empty());
    CHECK(s.stopping() == 0);
  }
}

}  // namespace spyt::local
