#pragma once

// The SpytCluster reconciler. Each pass, for one cluster, in a fixed order:
//   fetch (from the cache) -> deletion (nothing to do: every child is owned and
//   garbage-collected) -> validate -> build desired (pure) -> apply what differs
//   (server-side apply, one field manager) -> prune disabled components ->
//   status (with the Livy monitor's latest poll) and discovery, written only when
//   they change, and not again while the cache has yet to show our last write.
// A spec that fails validation marks the cluster Degraded/InvalidSpec, records a
// Warning event and touches nothing that runs. An unchanged cluster costs no writes.

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "cluster/desired_state.h"
#include "cluster/own_writes.h"
#include "common/clock.h"
#include "kube/client.h"
#include "livy/monitor.h"
#include "runtime/cache.h"
#include "runtime/controller.h"
#include "runtime/event_recorder.h"

namespace spyt::cluster {

inline constexpr const char* kFieldManager = "spyt-operator";
// On every child: hash of the desired object, so a removed field is noticed too.
inline constexpr const char* kDesiredHashAnnotation = "spyt.dev/desired-hash";

// Counters of what reconciles did, for metrics and tests.
class ReconcileObserver {
 public:
  virtual ~ReconcileObserver() = default;
  virtual void ChildApplied(const std::string& kind) = 0;
  virtual void ChildDeleted(const std::string& kind) = 0;
  virtual void StatusWritten() = 0;
  // The cluster as the last reconcile saw it (per-cluster metrics), and its removal.
  virtual void ClusterObserved(const api::SpytCluster& cluster,
                               const api::SpytClusterStatus& status) = 0;
  virtual void ClusterGone(const std::string& ns, const std::string& name) = 0;
};

class ClusterReconciler : public runtime::Reconciler {
 public:
  ClusterReconciler(kube::Client& client, const runtime::Cache& cache,
                    runtime::EventRecorder& events, Clock& clock, BuildOptions options,
                    ReconcileObserver* observer = nullptr,
                    const livy::ObservationSource* livy = nullptr);

  runtime::Result Reconcile(const runtime::Request& request) override;

 private:
  void ApplyChild(const DesiredObject& desired, const std::string& ns, const std::string& cluster);
  static std::string VerifiedKey(const std::string& ns, const std::string& cluster);
  bool WasVerified(const std::string& key, const std::string& live_version,
                   const std::string& want_hash) const;
  void ForgetVerified(const std::string& ns, const std::string& cluster);
  void WriteStatus(const json::Value& live, const api::SpytClusterStatus& old_status,
                   const api::SpytClusterStatus& status);

  kube::Client& client_;
  const runtime::Cache& cache_;
  runtime::EventRecorder& events_;
  Clock& clock_;
  BuildOptions options_;
  ReconcileObserver* observer_;
  const livy::ObservationSource* livy_;  // null: Livy polling is off

  // Children found to hold their desired object, by "ns/cluster/plural/name": the
  // cached resourceVersion and the desired hash of that check. While both stay the
  // same the child needs no parse from the cache (most reconciles are of unchanged
  // children). Forgotten when the cluster is gone.
  mutable std::mutex verified_mutex_;
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> verified_;
  // Status writes and child updates the cache has not shown yet, by the same keys
  // ("ns/cluster/status" for the status): a pass on a stale cache does not repeat them.
  OwnWrites own_writes_;
};

// True when every field of `desired` is present in `live` with the same value
// (objects recursively; arrays element by element): fields the API server adds
// as defaults do not count as drift.
bool Contains(const json::Value& live, const json::Value& desired);

// The desired object with its hash annotation added.
json::Value WithDesiredHash(json::Value object);

}  // namespace spyt::cluster
