#pragma once

// The desired state of a SpytCluster: every child object the operator applies,
// built by pure functions (no I/O, no clock), so the same cluster and options
// always give byte-identical objects. Each object is complete for server-side
// apply: apiVersion, kind, metadata (namespace, labels, ownerReferences) and
// spec, and nothing the operator does not mean to own.
//
// The objects, for a cluster named C:
//   ConfigMap    C-spark-conf       spark-defaults.conf
//   Service      C-master           rpc, webui, rest (ClusterIP)
//   StatefulSet  C-master           1 replica: a StatefulSet never runs two pods of one ordinal
//   Service      C-worker           headless, governs the worker StatefulSet
//   StatefulSet  C-worker           spec.workers.replicas, Parallel pod management
//   Service      C-history-server   when spec.historyServer.enabled
//   Deployment   C-history-server
//   Service      C-livy             when spec.livy.enabled
//   Deployment   C-livy             1 replica, Recreate: never two Livy servers at once
//
// Every container runs `spyt-launcher <role> ...` (the launcher's flag contract
// is in the builders) with the ConfigMap mounted read-only at /opt/spyt/conf.

#include <string>
#include <vector>

#include "api/types.h"
#include "common/json.h"
#include "kube/resource.h"

namespace spyt::cluster {

inline constexpr const char* kDefaultImageRepository = "ghcr.io/ytsaurus/spyt";
inline constexpr const char* kDefaultClusterDomain = "cluster.local";

// The operator's settings that shape child objects.
struct BuildOptions {
  // Image used when spec.image is unset: "<repository>:<spytVersion>".
  std::string image_repository = kDefaultImageRepository;
  // The Kubernetes cluster's DNS domain, for the master's address.
  std::string cluster_domain = kDefaultClusterDomain;
};

struct DesiredObject {
  kube::Resource resource;  // where to apply it
  std::string name;         // metadata.name, for logs and lookups
  json::Value object;       // the full object
};

struct DesiredState {
  // In apply order: the ConfigMap before the pods that mount it, each Service
  // before its workload.
  std::vector<DesiredObject> objects;
  // Hash of the spark-conf ConfigMap's content (also on every pod template).
  std::string config_hash;
};

// Every kind of object BuildDesiredState produces (the discovery ConfigMap too):
// the operator caches these with informers and applies nothing else.
const std::vector<kube::Resource>& ChildResources();

// `cluster` must be defaulted and valid (api::Validate), with metadata.namespace
// and metadata.uid set.
DesiredState BuildDesiredState(const api::SpytCluster& cluster, const BuildOptions& options);

// A child the operator may have created earlier that must not exist now.
struct ChildRef {
  kube::Resource resource;
  std::string name;

  friend bool operator==(const ChildRef&, const ChildRef&) = default;
};

// The optional children this spec disables (the history server's and Livy's
// Deployment and Service), for the reconciler to delete if present.
std::vector<ChildRef> UndesiredChildren(const api::SpytCluster& cluster);

}  // namespace spyt::cluster
