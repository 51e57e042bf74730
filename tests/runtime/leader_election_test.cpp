#include "runtime/leader_election.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <stdexcept>

#include "fakes/fake_client.h"
#include "fakes/fake_clock.h"
#include "fakes/gated_client.h"
#include "temp_dir.h"

namespace spyt::runtime {
namespace {

using namespace std::chrono_literals;
using fakes::FakeClient;
using fakes::FakeClock;
using kube::resources::kLeases;

constexpr const char* kNamespace = "spyt-system";
constexpr const char* kName = "spyt-operator";

LeaderElectionConfig Config(const std::string& identity) {
  LeaderElectionConfig config;
  config.lease_namespace = kNamespace;
  config.lease_name = kName;
  config.identity = identity;
  config.lease_duration = 15s;
  config.renew_deadline = 10s;
  config.retry_period = 2s;
  return config;
}

json::Value LeaseSpec(FakeClient& client) {
  auto lease = client.Peek(kLeases, kNamespace, kName);
  REQUIRE(lease.has_value());
  return (*lease)["spec"];
}

std::string Holder(FakeClient& client) { return LeaseSpec(client)["holderIdentity"].as_string(); }

// One candidate with its own clock (so tests can skew it) and recorded callbacks.
// Start() runs the elector on a thread; Step() advances its clock by one retry
// period and waits until the Run loop and its watchdog are parked again.
struct Candidate {
  Candidate(kube::Client& client, const std::string& identity,
            LeaderElectionConfig config_override = {})
      : elector(client, clock,
                config_override.identity.empty() ? Config(identity) : config_override,
                Callbacks()) {}

  ~Candidate() {
    elector.Stop();
    if (thread.joinable()) {
      thread.join();
    }
  }

  LeaderElector::Callbacks Callbacks() {
    LeaderElector::Callbacks callbacks;
    callbacks.on_started_leading = [this] { ++started; };
    callbacks.on_stopped_leading = [this] { ++stopped; };
    callbacks.on_new_leader = [this](const std::string& id) {
      std::lock_guard lock(mutex);
      leaders.push_back(id);
    };
    return callbacks;
  }

  void Start() {
    thread = std::thread([this] { elector.Run(); });
    REQUIRE(clock.WaitForBlockedWaiters(2));
  }

  void Step(Clock::Duration d = 2s) {
    clock.Advance(d);
    REQUIRE(clock.WaitForBlockedWaiters(2));
  }

  void StopAndJoin() {
    elector.Stop();
    thread.join();
  }

  std::vector<std::string> Leaders() {
    std::lock_guard lock(mutex);
    return leaders;
  }

  FakeClock clock;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mutex;
  std::vector<std::string> leaders;
  LeaderElector elector;
  std::thread thread;
};

kube::ApiError ServerError() {
  return kube::ApiError(kube::Reason::kServerError, 500, "etcd down");
}

}  // namespace

TEST_SUITE("leader_election") {
  TEST_CASE("the first candidate creates the Lease and holds it") {
    FakeClient client;
    Candidate a(client, "a");
    CHECK(a.elector.TryAcquireOrRenew());
    json::Value spec = LeaseSpec(client);
    std::string now = FormatRfc3339Micro(a.clock.WallNow());
    CHECK(spec["holderIdentity"] == "a");
    CHECK(spec["leaseDurationSeconds"] == 15);
    CHECK(spec["leaseTransitions"] == 0);
    CHECK(spec["acquireTime"] == now);
    CHECK(spec["renewTime"] == now);
  }

  TEST_CASE("a renewal moves renewTime and keeps acquireTime and leaseTransitions") {
    FakeClient client;
    Candidate a(client, "a");
    REQUIRE(a.elector.TryAcquireOrRenew());
    std::string acquired = FormatRfc3339Micro(a.clock.WallNow());
    a.clock.Advance(2s);
    REQUIRE(a.elector.TryAcquireOrRenew());
    json::Value spec = LeaseSpec(client);
    CHECK(spec["acquireTime"] == acquired);
    CHECK(spec["renewTime"] == FormatRfc3339Micro(a.clock.WallNow()));
    CHECK(spec["leaseTransitions"] == 0);
  }

  TEST_CASE("a second candidate cannot acquire while the holder renews") {
    FakeClient client;
    Candidate a(client, "a");
    Candidate b(client, "b");
    REQUIRE(a.elector.TryAcquireOrRenew());
    for (int i = 0; i < 6; ++i) {
      CHECK_FALSE(b.elector.TryAcquireOrRenew());
      a.clock.Advance(10s);
      b.clock.Advance(10s);
      REQUIRE(a.elector.TryAcquireOrRenew());
    }
    CHECK(Holder(client) == "a");
  }

  TEST_CASE("a candidate takes an abandoned lease once leaseDuration passes on its own clock") {
    FakeClient client;
    Candidate a(client, "a");
    Candidate b(client, "b");
    REQUIRE(a.elector.TryAcquireOrRenew());
    CHECK_FALSE(b.elector.TryAcquireOrRenew());  // first sight of a's record
    b.clock.Advance(14s);
    CHECK_FALSE(b.elector.TryAcquireOrRenew());
    b.clock.Advance(1s);
    CHECK(b.elector.TryAcquireOrRenew());
    json::Value spec = LeaseSpec(client);
    CHECK(spec["holderIdentity"] == "b");
    CHECK(spec["leaseTransitions"] == 1);
    CHECK(spec["acquireTime"] == FormatRfc3339Micro(b.clock.WallNow()));
  }

  TEST_CASE("expiry ignores the remote renewTime, so a skewed wall clock steals nothing") {
    FakeClient client;
    Candidate a(client, "a");
    Candidate b(client, "b");
    REQUIRE(a.elector.TryAcquireOrRenew());
    b.clock.SetTime(b.clock.WallNow() + 1h);  // renewTime looks an hour old to b
    CHECK_FALSE(b.elector.TryAcquireOrRenew());
    CHECK(Holder(client) == "a");
  }

  TEST_CASE("a Conflict on the update means the lease was not acquired") {
    FakeClient client;
    Candidate a(client, "a");
    Candidate b(client, "b");
    REQUIRE(a.elector.TryAcquireOrRenew());
    CHECK_FALSE(b.elector.TryAcquireOrRenew());
    b.clock.Advance(15s);
    client.FailNext("update", kube::ApiError(kube::Reason::kConflict, 409, "modified"));
    CHECK_FALSE(b.elector.TryAcquireOrRenew());
    CHECK(Holder(client) == "a");
    CHECK(b.elector.TryAcquireOrRenew());
  }

  TEST_CASE("an error reading the lease means it was not acquired, and nothing is written") {
    FakeClient client;
    Candidate a(client, "a");
    client.FailNext("get", ServerError());
    CHECK_FALSE(a.elector.TryAcquireOrRenew());
    CHECK(client.Writes() == 0);
  }

  TEST_CASE("Run starts leading once it holds the lease") {
    FakeClient client;
    Candidate a(client, "a");
    a.Start();
    CHECK(a.elector.IsLeader());
    CHECK(a.started == 1);
    a.Step();
    CHECK(a.started == 1);
    CHECK(client.Requests("update", kLeases) == 1);
  }

  TEST_CASE("a leader whose renewals keep failing stops leading at renew_deadline") {
    FakeClient client;
    Candidate a(client, "a");
    a.Start();
    client.FailNext("update", ServerError(), 100);
    for (int i = 0; i < 4; ++i) {
      a.Step();  // t = 2, 4, 6, 8 s
      CHECK(a.elector.IsLeader());
    }
    CHECK(a.stopped == 0);
    a.Step();  // t = 10 s = renew_deadline since the last renewal
    CHECK_FALSE(a.elector.IsLeader());
    CHECK(a.stopped == 1);
  }

  TEST_CASE("leadership ends at renew_deadline even while a renewal hangs") {
    FakeClient fake;
    fakes::GatedClient client(fake);
    Candidate a(client, "a");
    a.Start();
    client.Close();
    a.clock.Advance(2s);
    REQUIRE(client.WaitForHeldCalls(1));  // the Run loop is stuck in Get
    a.clock.Advance(8s);
    REQUIRE(a.clock.WaitForBlockedWaiters(1));  // the watchdog acted and sleeps again
    CHECK_FALSE(a.elector.IsLeader());
    CHECK(a.stopped == 1);
    client.Open();  // the late renewal succeeds but does not restore leadership
    REQUIRE(a.clock.WaitForBlockedWaiters(2));
    CHECK_FALSE(a.elector.IsLeader());
    CHECK(a.started == 1);
  }

  TEST_CASE("a candidate that lost the lease leads again after a later successful renewal") {
    FakeClient client;
    Candidate a(client, "a");
    a.Start();
    client.FailNext("update", ServerError(), 5);
    for (int i = 0; i < 5; ++i) {
      a.Step();
    }
    REQUIRE(a.stopped == 1);
    a.Step();
    CHECK(a.elector.IsLeader());
    CHECK(a.started == 2);
  }

  TEST_CASE("a leader that sees another holder stops leading at once") {
    FakeClient client;
    Candidate a(client, "a");
    a.Start();
    json::Value lease = *client.Peek(kLeases, kNamespace, kName);
    lease["spec"]["holderIdentity"] = "intruder";
    client.Seed(kLeases, lease);
    a.Step();
    CHECK_FALSE(a.elector.IsLeader());
    CHECK(a.stopped == 1);
    CHECK(a.Leaders() == std::vector<std::string>{"a", "intruder"});
  }

  TEST_CASE(
      "Stop while leading stops the work, then releases the lease for an immediate successor") {
    FakeClient client;
    Candidate a(client, "a");
    Candidate b(client, "b");
    a.Start();
    a.StopAndJoin();
    CHECK(a.stopped == 1);
    CHECK_FALSE(a.elector.IsLeader());
    json::Value spec = LeaseSpec(client);
    CHECK(spec["holderIdentity"] == "");
    CHECK(spec["leaseDurationSeconds"] == 1);
    CHECK(spec["leaseTransitions"] == 0);
    CHECK(b.elector.TryAcquireOrRenew());
    CHECK(LeaseSpec(client)["leaseTransitions"] == 1);
  }

  TEST_CASE("Stop without Run releases a lease taken by TryAcquireOrRenew") {
    FakeClient client;
    Candidate a(client, "a");
    REQUIRE(a.elector.TryAcquireOrRenew());
    a.elector.Stop();
    CHECK(Holder(client) == "");
  }

  TEST_CASE("with release_on_cancel off, Stop leaves the lease held") {
    FakeClient client;
    LeaderElectionConfig config = Config("a");
    config.release_on_cancel = false;
    Candidate a(client, "a", config);
    a.Start();
    a.StopAndJoin();
    CHECK(a.stopped == 1);
    CHECK(Holder(client) == "a");
  }

  TEST_CASE("Stop before Run makes Run return at once") {
    FakeClient client;
    Candidate a(client, "a");
    a.elector.Stop();
    a.elector.Run();
    CHECK(client.Requests("get") == 0);
  }

  TEST_CASE("on_new_leader reports each new holder once") {
    FakeClient client;
    Candidate a(client, "a");
    Candidate b(client, "b");
    REQUIRE(a.elector.TryAcquireOrRenew());
    b.elector.TryAcquireOrRenew();
    b.elector.TryAcquireOrRenew();
    a.elector.Stop();
    REQUIRE(b.elector.TryAcquireOrRenew());
    CHECK(b.Leaders() == std::vector<std::string>{"a", "b"});
  }

  TEST_CASE("config validation names the setting at fault") {
    struct Case {
      const char* setting;
      std::function<void(LeaderElectionConfig&)> change;
    };
    const Case cases[] = {
        {"lease_name", [](auto& c) { c.lease_name = ""; }},
        {"lease_namespace", [](auto& c) { c.lease_namespace = ""; }},
        {"identity", [](auto& c) { c.identity = ""; }},
        {"retry_period", [](auto& c) { c.retry_period = 0s; }},
        {"renew_deadline", [](auto& c) { c.renew_deadline = c.retry_period; }},
        {"lease_duration", [](auto& c) { c.lease_duration = c.renew_deadline; }},
    };
    for (const auto& c : cases) {
      CAPTURE(c.setting);
      LeaderElectionConfig config = Config("a");
      c.change(config);
      try {
        ValidateLeaderElectionConfig(config);
        FAIL("accepted");
      } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find(c.setting) != std::string::npos);
      }
    }
  }

  TEST_CASE("the elector refuses an invalid config") {
    FakeClient client;
    FakeClock clock;
    LeaderElectionConfig config = Config("a");
    config.lease_duration = 5s;
    CHECK_THROWS_AS(LeaderElector(client, clock, config, {}), std::invalid_argument);
  }

  TEST_CASE("the default identity is POD_NAME plus an underscore and 8 hex digits") {
    std::string id, other;
    {
      spyt::testing::ScopedEnv pod("POD_NAME", "spyt-operator-7d9f");
      id = DefaultIdentity();
      other = DefaultIdentity();
    }
    REQUIRE(id.size() == std::string("spyt-operator-7d9f_").size() + 8);
    CHECK(id.rfind("spyt-operator-7d9f_", 0) == 0);
    CHECK(id.find_first_not_of("0123456789abcdef", id.size() - 8) == std::string::npos);
    CHECK(id != other);
  }
}

}  // namespace spyt::runtime
