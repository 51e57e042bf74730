#pragma once

// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it:
// a candidate acquires the Lease when it is free or its holder's renewTime +
// leaseDurationSeconds has passed; the leader renews every retry period and gives
// up (OnStoppedLeading) if it cannot renew within the renew deadline. On a
// graceful stop the leader releases the Lease (clears holderIdentity) so a
// successor does not wait a full lease duration.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "kube/client.h"
#include "runtime/clock.h"

namespace spyt::runtime {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per process: pod name + random suffix
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds renew_deadline{10};
  std::chrono::seconds retry_period{2};
  bool release_on_cancel = true;
};

// Validates the timing relations (lease > renew deadline > retry period > 0,
// non-empty identity); throws std::invalid_argument naming the setting.
void ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// "<hostname or POD_NAME>_<8 random hex digits>".
std::string DefaultIdentity();

class LeaderElector {
 public:
  struct Callbacks {
    std::function<void()> on_started_leading;  // called on the elector's thread
    std::function<void()> on_stopped_leading;  // lost the lease or stopped while leading
    std::function<void(const std::string&)> on_new_leader;  // holder identity changed
  };

  LeaderElector(kube::Client& client, Clock& clock, LeaderElectionConfig config, Callbacks callbacks);
  ~LeaderElector();

  // Runs the acquire/renew loop until Stop(). Blocks; run it on its own thread.
  void Run();
  // Ends Run(); releases the Lease when leading and release_on_cancel is set.
  void Stop();

  bool IsLeader() const { return leader_.load(); }

  // One attempt to acquire or renew (exposed for tests): true when this process
  // holds the Lease afterwards.
  bool TryAcquireOrRenew();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> leader_{false};
};

}  // namespace spyt::runtime
