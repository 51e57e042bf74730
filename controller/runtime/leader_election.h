#pragma once

// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it:
// a candidate acquires the Lease when there is none, when its holderIdentity is
// empty, when it holds it already, or when the Lease record has not changed for
// leaseDurationSeconds as measured on the candidate's OWN clock since it last
// saw it change (never from the remote renewTime, so clock skew cannot steal a
// lease). Writes use the Lease's resourceVersion: a Conflict means another
// candidate won. The leader renews every retry period and stops leading
// (on_stopped_leading) the moment it has not renewed for the renew deadline --
// a watchdog thread enforces this even while an API call hangs -- or as soon as
// it sees another holder. On a graceful stop the leader first stops its work,
// then releases the Lease (holderIdentity "", leaseDurationSeconds 1,
// leaseTransitions kept) so a successor need not wait out the lease.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/clock.h"
#include "kube/client.h"

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
  // Callbacks must return promptly (start or stop work, do not wait for it to
  // finish); leadership changes are serialised, so they never run concurrently.
  struct Callbacks {
    std::function<void()> on_started_leading;  // called on the elector's thread
    // Lost the lease or stopped while leading; called on the elector's thread or
    // on its watchdog thread (renew deadline passed).
    std::function<void()> on_stopped_leading;
    // A new non-empty holder identity was seen (ourselves included).
    std::function<void(const std::string&)> on_new_leader;
  };

  // Throws std::invalid_argument for an invalid config (ValidateLeaderElectionConfig).
  LeaderElector(kube::Client& client, Clock& clock, LeaderElectionConfig config,
                Callbacks callbacks);
  // Stops; a thread running Run() must have been joined before destruction.
  ~LeaderElector();

  // Runs the acquire/renew loop until Stop(). Blocks; run it on its own thread.
  // After losing the lease it keeps trying as a candidate, and on_started_leading
  // fires again if it wins. Returns at once if Stop() came first. One-shot.
  void Run();
  // Ends Run() (without waiting for it); releases the Lease when leading and
  // release_on_cancel is set. Without a running Run(), releases a Lease taken by
  // TryAcquireOrRenew() itself. Thread-safe.
  void Stop();

  bool IsLeader() const { return leader_.load(); }

  // One attempt to acquire or renew (exposed for tests): true when this process
  // holds the Lease afterwards. Does not change IsLeader() or call the
  // leading callbacks (Run() does); on_new_leader fires as usual.
  bool TryAcquireOrRenew();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> leader_{false};
};

}  // namespace spyt::runtime
