#pragma once

// The one-machine controller: SpytCluster manifests in a directory (the files
// `kubectl apply` takes; a GitOps checkout works) become supervised launcher
// processes. Each pass of the loop is level-triggered: read every manifest,
// plan every valid cluster (local/plan.h), let the supervisor converge, probe
// ports for readiness (local/local_observation.h), then write each cluster's
// status (cluster/status.h: the same conditions as on Kubernetes, counting
// processes) and its discovery records (cluster/discovery.h) in SPYT's layout:
//   <state>/clusters/<name>/status.yaml
//   <state>/discovery/<name>/discovery/<entry>/<value>/
// While Livy is Ready it is polled (livy/monitor.h) and the answer becomes the
// LivyResponding condition, as on Kubernetes.
// Each cluster's SPYT release (spec.spytVersion) comes from `spyt_releases`
// (local/spyt_releases.h); a cluster starts once it is installed, and Livy's
// drivers get its jars. Until then the status says InstallingSpyt, or
// SpytVersionUnavailable when it cannot be installed; a running cluster whose
// spytVersion changes keeps its processes until the new release is there.
// A manifest that fails validation gets Degraded/InvalidSpec in its status and
// its running processes are left as they were; so are the clusters of a file that
// cannot be read or parsed. A removed manifest stops its cluster.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/field_error.h"
#include "api/types.h"
#include "cluster/discovery.h"
#include "cluster/reconciler.h"
#include "common/clock.h"
#include "livy/monitor.h"
#include "local/plan.h"
#include "local/spyt_releases.h"
#include "local/supervisor.h"
#include "runtime/runnable.h"

namespace spyt::local {

struct LocalOptions {
  std::string manifests_dir;
  std::string state_dir;
  std::chrono::milliseconds interval{1000};
  // Polling of each Ready Livy (GET /sessions) for the LivyResponding condition and
  // the spyt_livy_* metrics; off when the interval is 0 or no transports are given.
  livy::MonitorOptions livy{std::chrono::milliseconds(10000)};
  livy::TransportFactory livy_transports;
  // Where clusters' SPYT releases come from; null: clusters run plain Spark.
  SpytReleases* spyt_releases = nullptr;
};

// A Runnable: a manager (runtime/manager.h) runs its loop, and its Livy monitor
// (livy_monitor()) beside it.
class LocalController : public runtime::Runnable {
 public:
  // `observer` (optional) receives every cluster's status, for per-cluster metrics;
  // `livy_observer` every Livy poll.
  LocalController(ProcessRunner& runner, Clock& clock, LocalOptions options,
                  cluster::ReconcileObserver* observer = nullptr,
                  livy::Observer* livy_observer = nullptr);

  // One pass: manifests -> processes -> readiness -> status and discovery.
  void RunOnce();
  // Passes every interval until `stop` is requested, then stops every process.
  void Run(std::stop_token stop) override;
  std::string Name() const override { return "local controller"; }
  bool NeedsLeaderElection() const override { return false; }
  // Polls each Ready Livy for the next passes' status; null when polling is off.
  runtime::Runnable* livy_monitor() { return livy_.get(); }

  const Supervisor& supervisor() const { return supervisor_; }
  // True once a first pass completed (for /readyz).
  bool started() const { return passes_.load() > 0; }

 private:
  struct Known {
    api::SpytCluster cluster;  // the last valid spec
    ClusterPlan plan;
    // True while the plan waits for its SPYT release: its processes do not run.
    bool held = false;
    std::optional<cluster::SpytReleaseProblem> release_problem;
    api::SpytClusterStatus status;
    std::string status_text;
    cluster::DiscoveryEntries discovery;
  };

  struct Manifests {
    std::map<std::string, std::pair<std::optional<api::SpytCluster>, api::FieldErrors>> clusters;
    // False when a file could not be opened, was empty (an editor half-way through
    // saving it) or was not YAML: clusters not seen then are kept, not stopped.
    bool complete = true;
  };
  Manifests ReadManifests() const;
  void UpdateStatus(Known& k, const api::FieldErrors& errors);
  void Forget(const std::string& name);
  // Plans a valid cluster once its SPYT release is there (see the header comment).
  void Plan(const std::string& name, const api::SpytCluster& cluster);
  std::string ClusterDir(const std::string& name) const;
  std::string DiscoveryDir(const std::string& name) const;

  Clock& clock_;
  LocalOptions options_;
  Supervisor supervisor_;
  PortBook ports_;
  std::map<std::string, Known> clusters_;
  cluster::ReconcileObserver* observer_;
  std::atomic<int> passes_{0};
  std::unique_ptr<livy::Monitor> livy_;
  mutable std::mutex livy_targets_mutex_;
  std::vector<livy::Target> livy_targets_;  // from the last pass, for the monitor's thread
};

// Writes entries as directories <dir>/discovery/<entry>/<value>/, replacing what was there.
void WriteDiscoveryDirectory(const std::string& dir, const cluster::DiscoveryEntries& entries);
// Reads them back (for `spyt-operator discovery --local`).
cluster::DiscoveryEntries ReadDiscoveryDirectory(const std::string& dir);

}  // namespace spyt::local
