#include "runtime/manager.h"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "fakes/fake_client.h"
#include "fakes/fake_clock.h"

namespace spyt::runtime {
namespace {

using namespace std::chrono_literals;
using fakes::FakeClient;
using fakes::FakeClock;
using kube::resources::kLeases;

LeaderElectionConfig Election(const std::string& identity) {
  LeaderElectionConfig c;
  c.lease_namespace = "spyt-system";
  c.lease_name = "spyt-operator";
  c.identity = identity;
  return c;
}

ManagerOptions Options(bool leader_elect = false) {
  ManagerOptions o;
  o.health_probe_bind_address = "";
  o.leader_elect = leader_elect;
  o.leader_election = Election("me");
  return o;
}

// Real-time wait for something another thread does (bounded, for a failing test).
bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 5000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

// Records its lifecycle; a stubborn probe ignores the stop request until Release().
class Probe : public Runnable {
 public:
  explicit Probe(bool needs_leader, bool stubborn = false)
      : needs_leader_(needs_leader), stubborn_(stubborn) {}
  std::string Name() const override { return "probe"; }
  bool NeedsLeaderElection() const override { return needs_leader_; }
  void Run(std::stop_token stop) override {
    running = true;
    if (stubborn_) {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return released_; });
    } else {
      WaitForStopRequest(stop);
    }
    running = false;
    returned = true;
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }

  std::atomic<bool> running{false};
  std::atomic<bool> returned{false};

 private:
  bool needs_leader_;
  bool stubborn_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST_SUITE("runtime.manager") {
  TEST_CASE("leadership may be asked from another thread while the manager elects") {
    FakeClock clock;
    FakeClient client(&clock);
    Manager manager(client, clock, Options(true));
    std::thread run([&] { manager.Run(); });
    // Metrics and the Livy monitor ask from their own threads while Run() elects.
    bool leading = false;
    for (int i = 0; i < 5000 && !leading; ++i) {
      leading = manager.IsLeader();
      if (!leading) std::this_thread::sleep_for(1ms);
    }
    CHECK(leading);
    manager.RequestStop();
    run.join();
  }

  TEST_CASE("without leader election every runnable starts at once and stops on request") {
    FakeClock clock;
    Manager manager(clock, Options());
    Probe always(false), leader(true);
    manager.Add(always);
    manager.Add(leader);
    std::atomic<int> code{-1};
    std::thread run([&] { code = manager.Run(); });
    CHECK(Eventually([&] { return always.running && leader.running; }));
    CHECK(manager.IsLeader());
    manager.RequestStop();
    run.join();
    CHECK(code == kExitOk);
    CHECK(always.returned);
    CHECK(leader.returned);
  }

  TEST_CASE("leader-only runnables start on election and stop when the lease is lost") {
    FakeClock clock;
    FakeClient client(&clock);
    FakeClock other_clock;
    LeaderElector other(client, other_clock, Election("other"), {});
    REQUIRE(other.TryAcquireOrRenew());  // holds the Lease when the manager starts
    Manager manager(client, clock, Options(true));
    Probe always(false), leader(true);
    manager.Add(always);
    manager.Add(leader);
    std::atomic<int> code{-1};
    std::thread run([&] { code = manager.Run(); });
    REQUIRE(clock.WaitForBlockedWaiters(2));  // the elector's loop and watchdog
    CHECK(Eventually([&] { return always.running.load(); }));
    CHECK_FALSE(leader.running);
    CHECK_FALSE(manager.IsLeader());

    // The other holder stops renewing: after the lease duration this replica leads.
    for (int i = 0; i < 9 && !manager.IsLeader(); ++i) {
      clock.Advance(2s);
      REQUIRE(clock.WaitForBlockedWaiters(2));
    }
    CHECK(manager.IsLeader());
    CHECK(Eventually([&] { return leader.running.load(); }));
    // Asleep again after starting the leaders: an Advance before that would be missed.
    REQUIRE(clock.WaitForBlockedWaiters(2));

    json::Value lease = *client.Peek(kLeases, "spyt-system", "spyt-operator");
    lease["spec"]["holderIdentity"] = "intruder";
    client.Seed(kLeases, lease);
    clock.Advance(2s);
    if (!Eventually([&] { return code.load() != -1; })) manager.RequestStop();  // fail, not hang
    run.join();
    CHECK(code == kExitLostLease);
    CHECK(leader.returned);
    CHECK(always.returned);
  }

  TEST_CASE("a lost lease calls on_lost_lease before a reconcile in flight has returned") {
    FakeClock clock;
    FakeClient client(&clock);
    ManagerOptions o = Options(true);
    std::atomic<int> lost{-1};
    std::atomic<bool> leader_running_when_lost{false};
    Probe busy(true, true);  // a reconcile that has not returned yet
    o.on_lost_lease = [&](int code) {
      leader_running_when_lost = busy.running.load();
      lost = code;
    };
    Manager manager(client, clock, o);
    manager.Add(busy);
    std::atomic<int> code{-1};
    std::thread run([&] { code = manager.Run(); });
    REQUIRE(Eventually([&] { return busy.running.load(); }));
    // The elector's loop and watchdog asleep after starting the leaders: an Advance
    // before that would be missed, and nothing would ever notice the lost lease.
    REQUIRE(clock.WaitForBlockedWaiters(2));

    json::Value lease = *client.Peek(kLeases, "spyt-system", "spyt-operator");
    lease["spec"]["holderIdentity"] = "intruder";
    client.Seed(kLeases, lease);
    clock.Advance(2s);
    CHECK(Eventually([&] { return lost.load() == kExitLostLease; }));
    CHECK(leader_running_when_lost);
    if (lost.load() != kExitLostLease) manager.RequestStop();  // fail, not hang
    busy.Release();
    run.join();
    CHECK(code == kExitLostLease);
  }

  TEST_CASE("shutdown waits for runnables until the deadline, then gives up with an exit code") {
    FakeClock clock;
    ManagerOptions o = Options();
    o.graceful_shutdown_timeout = 30s;
    std::atomic<int> abandoned{-1};
    o.on_shutdown_timeout = [&](int code) { abandoned = code; };
    Manager manager(clock, o);
    Probe stubborn(false, true);
    manager.Add(stubborn);
    std::atomic<int> code{-1};
    std::thread run([&] { code = manager.Run(); });
    REQUIRE(Eventually([&] { return stubborn.running.load(); }));
    manager.RequestStop();
    REQUIRE(clock.WaitForBlockedWaiters(1));  // the shutdown, waiting for the probe
    clock.Advance(29s);
    REQUIRE(clock.WaitForBlockedWaiters(1));
    CHECK(code == -1);
    clock.Advance(1s);
    run.join();
    CHECK(code == kExitShutdownTimedOut);
    CHECK(abandoned == kExitShutdownTimedOut);
    stubborn.Release();  // the late thread was left detached; let it finish
    CHECK(Eventually([&] { return stubborn.returned.load(); }));
  }

  TEST_CASE("a runnable that throws stops the manager and its error comes out of Run") {
    FakeClock clock;
    Manager manager(clock, Options());
    Probe other(false);
    manager.Add(other);
    manager.Add(MakeRunnable("failing", false, [](std::stop_token) {
      throw std::runtime_error("cannot read the manifests");
    }));
    CHECK_THROWS_WITH(manager.Run(), "cannot read the manifests");
    CHECK(other.returned);
  }

  TEST_CASE("a manager without a Kubernetes client refuses leader election and informers") {
    FakeClock clock;
    CHECK_THROWS_AS(Manager(clock, Options(true)), std::invalid_argument);
    Manager manager(clock, Options());
    CHECK_THROWS_AS(manager.AddInformer({kube::resources::kConfigMaps, "ns", ""}),
                    std::logic_error);
  }
}

}  // namespace
}  // namespace spyt::runtime
