#include "runtime/manager.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "fakes/fake_client.h"
#include "fakes/fake_clock.h"

namespace spyt::runtime {
namespace {

using namespace std::chrono_literals;
using fakes::FakeClient;
using fakes::FakeClock;

ManagerOptions ElectingOptions() {
  ManagerOptions o;
  o.health_probe_bind_address = "";
  o.leader_elect = true;
  o.leader_election.lease_namespace = "spyt-system";
  o.leader_election.lease_name = "spyt-operator";
  o.leader_election.identity = "me";
  return o;
}

TEST_SUITE("runtime.manager") {
  TEST_CASE("leadership may be asked from another thread while the manager elects") {
    FakeClock clock;
    FakeClient client(&clock);
    Manager manager(client, clock, ElectingOptions());
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
}

}  // namespace
}  // namespace spyt::runtime
