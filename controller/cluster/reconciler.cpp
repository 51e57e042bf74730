#include "cluster/reconciler.h"

#include "api/codec.h"
#include "api/validation.h"
#include "cluster/discovery.h"
#include "cluster/kube_observation.h"
#include "cluster/names.h"
#include "cluster/status.h"
#include "common/hash.h"
#include "common/log.h"

namespace spyt::cluster {
namespace {

bool NumbersEqual(const json::Value& a, const json::Value& b) {
  return a.is_number() && b.is_number() && a.as_double() == b.as_double();
}

}  // namespace

bool Contains(const json::Value& live, const json::Value& desired) {
  if (desired.is_object()) {
    if (!live.is_object()) return false;
    for (const auto& [key, want] : desired.as_object()) {
      const json::Value* have = live.find(key);
      if (have == nullptr) {
        if (want.is_null()) continue;
        return false;
      }
      if (!Contains(*have, want)) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!live.is_array() || live.as_array().size() != desired.as_array().size()) return false;
    for (std::size_t i = 0; i < desired.as_array().size(); ++i) {
      if (!Contains(live.as_array()[i], desired.as_array()[i])) return false;
    }
    return true;
  }
  return live == desired || NumbersEqual(live, desired);
}

json::Value WithDesiredHash(json::Value object) {
  std::string hash = hash::Fnv1a64Hex(json::Dump(object));
  object["metadata"]["annotations"][kDesiredHashAnnotation] = hash;
  return object;
}

ClusterReconciler::ClusterReconciler(kube::Client& client, const runtime::Cache& cache,
                                     runtime::EventRecorder& events, Clock& clock,
                                     BuildOptions options, ReconcileObserver* observer,
                                     const livy::ObservationSource* livy)
    : client_(client),
      cache_(cache),
      events_(events),
      clock_(clock),
      options_(std::move(options)),
      observer_(observer),
      livy_(livy) {}

void ClusterReconciler::ApplyChild(const DesiredObject& desired, const std::string& ns,
                                   const std::string& cluster) {
  json::Value object = WithDesiredHash(desired.object);
  std::string want_hash =
      json::StringAt(object, {"metadata", "annotations", kDesiredHashAnnotation});
  const std::string key = VerifiedKey(ns, cluster) + desired.resource.plural + "/" + desired.name;
  auto live_version = cache_.ResourceVersion(desired.resource, ns, desired.name);
  if (live_version && WasVerified(key, *live_version, want_hash)) return;
  if (live_version && own_writes_.InFlight(key, *live_version, want_hash)) return;
  auto live = live_version ? cache_.Get(desired.resource, ns, desired.name) : std::nullopt;
  if (live) {
    std::string live_hash =
        json::StringAt(*live, {"metadata", "annotations", kDesiredHashAnnotation});
    if (!live_hash.empty() && live_hash == want_hash && Contains(*live, object)) {
      std::lock_guard lock(verified_mutex_);
      verified_[key] = {runtime::ResourceVersionOf(*live), want_hash};
      return;
    }
  }
  json::Value applied = client_.Apply(desired.resource, ns, object, {kFieldManager, true});
  if (live_version) own_writes_.Wrote(key, *live_version, want_hash);
  // What the server answered holds the desired object: once the cache shows this
  // version, the child needs no check.
  if (std::string version = runtime::ResourceVersionOf(applied); !version.empty()) {
    std::lock_guard lock(verified_mutex_);
    verified_[key] = {std::move(version), want_hash};
  }
  log::Info(live ? "updated child" : "created child",
            {{"kind", desired.resource.kind}, {"object", ns + "/" + desired.name}});
  if (observer_ != nullptr) observer_->ChildApplied(desired.resource.kind);
}

std::string ClusterReconciler::VerifiedKey(const std::string& ns, const std::string& cluster) {
  return ns + "/" + cluster + "/";
}

bool ClusterReconciler::WasVerified(const std::string& key, const std::string& live_version,
                                    const std::string& want_hash) const {
  std::lock_guard lock(verified_mutex_);
  auto it = verified_.find(key);
  return it != verified_.end() && it->second.first == live_version &&
         it->second.second == want_hash;
}

void ClusterReconciler::ForgetVerified(const std::string& ns, const std::string& cluster) {
  const std::string prefix = VerifiedKey(ns, cluster);
  std::lock_guard lock(verified_mutex_);
  auto it = verified_.lower_bound(prefix);
  while (it != verified_.end() && it->first.starts_with(prefix)) it = verified_.erase(it);
  own_writes_.ForgetPrefix(prefix);
}

void ClusterReconciler::WriteStatus(const json::Value& live,
                                    const api::SpytClusterStatus& old_status,
                                    const api::SpytClusterStatus& status) {
  if (!StatusChanged(old_status, status)) return;
  const runtime::ObjectRef ref = runtime::RefOf(live);
  const std::string key = VerifiedKey(ref.ns, ref.name) + "status";
  const std::string based_on = runtime::ResourceVersionOf(live);
  std::string digest = StatusDigest(status);
  if (own_writes_.InFlight(key, based_on, digest)) return;
  json::Value patch = json::Object{{"status", api::EncodeStatus(status)}};
  client_.Patch(kube::resources::kSpytClusters, ref.ns, ref.name, kube::PatchType::kMerge, patch,
                "status");
  own_writes_.Wrote(key, based_on, std::move(digest));
  if (observer_ != nullptr) observer_->StatusWritten();
  auto ready = [](const api::SpytClusterStatus& s) {
    return IsConditionTrue(s.conditions, api::condition::kReady);
  };
  if (ready(status) && !ready(old_status))
    events_.Normal(ref, "ClusterReady", "every enabled component is ready");
  if (!ready(status) && ready(old_status)) {
    const api::Condition* c = FindCondition(status.conditions, api::condition::kReady);
    events_.Warning(ref, "ClusterNotReady", c ? c->message : "not ready");
  }
}

runtime::Result ClusterReconciler::Reconcile(const runtime::Request& request) {
  auto live = cache_.Get(kube::resources::kSpytClusters, request.ns, request.name);
  if (!live) {  // deleted: owner references let the garbage collector remove the children
    ForgetVerified(request.ns, request.name);
    if (observer_ != nullptr) observer_->ClusterGone(request.ns, request.name);
    return {};
  }
  api::DecodeResult decoded = api::Decode(*live);
  api::SpytCluster& cluster = decoded.cluster;
  if (cluster.metadata.deletion_timestamp) return {};
  std::string now = FormatRfc3339(clock_.WallNow());

  api::FieldErrors errors = decoded.ok() ? api::Validate(cluster) : decoded.errors;
  if (!errors.empty()) {
    api::SpytClusterStatus status = InvalidSpecStatus(cluster, errors, now);
    bool first = StatusChanged(cluster.status, status);
    WriteStatus(*live, cluster.status, status);
    if (observer_ != nullptr) observer_->ClusterObserved(cluster, status);
    if (first) events_.Warning(runtime::RefOf(*live), "InvalidSpec", api::Summarize(errors));
    log::Warn("invalid spec; leaving running components alone",
              {{"cluster", request.Key()}, {"errors", api::Summarize(errors)}});
    return {};
  }

  DesiredState desired = BuildDesiredState(cluster, options_);
  for (const auto& obj : desired.objects) ApplyChild(obj, request.ns, request.name);
  for (const auto& child : UndesiredChildren(cluster)) {
    if (!cache_.ResourceVersion(child.resource, request.ns, child.name)) continue;
    try {
      client_.Delete(child.resource, request.ns, child.name,
                     {"Background", std::nullopt, std::nullopt});
    } catch (const kube::ApiError& e) {
      if (!kube::IsNotFound(e)) throw;
    }
    log::Info("deleted disabled child",
              {{"kind", child.resource.kind}, {"object", request.ns + "/" + child.name}});
    if (observer_ != nullptr) observer_->ChildDeleted(child.resource.kind);
  }

  Observation observed =
      ObserveWorkloads(cluster, ReadChildren(cache_, cluster), options_.cluster_domain);
  observed.livy_polls = livy_;
  api::SpytClusterStatus status = ComputeStatus(cluster, observed, now);
  ApplyChild(
      DiscoveryConfigMap(cluster, BuildDiscoveryEntries(cluster, status, observed.addresses)),
      request.ns, request.name);
  WriteStatus(*live, cluster.status, status);
  if (observer_ != nullptr) observer_->ClusterObserved(cluster, status);
  return {};
}

}  // namespace spyt::cluster
