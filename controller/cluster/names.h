#pragma once

// Names and labels of a SpytCluster's child objects, and the addresses derived
// from them. Pure functions of the cluster object: the builders, the reconciler
// (pruning, status) and the tests share them so a name is spelled in one place.

#include <map>
#include <string>
#include <string_view>

#include "api/types.h"

namespace spyt::cluster {

using Labels = std::map<std::string, std::string>;

// The parts of a cluster that run as pods.
enum class Component { kMaster, kWorker, kHistoryServer, kLivy };

// "master", "worker", "history-server", "livy": the component label value,
// the child name suffix and the container name.
std::string_view ComponentName(Component component);

namespace label {
inline constexpr const char* kName = "app.kubernetes.io/name";
inline constexpr const char* kInstance = "app.kubernetes.io/instance";
inline constexpr const char* kComponent = "app.kubernetes.io/component";
inline constexpr const char* kManagedBy = "app.kubernetes.io/managed-by";
inline constexpr const char* kPartOf = "app.kubernetes.io/part-of";
inline constexpr const char* kVersion = "app.kubernetes.io/version";
inline constexpr const char* kCluster = "spyt.dev/cluster";
}  // namespace label

namespace annotation {
// Hash of the spark-conf ConfigMap's content, on pod templates: pods roll when it changes.
inline constexpr const char* kConfigHash = "spyt.dev/config-hash";
}  // namespace annotation

inline constexpr const char* kAppName = "spyt";
inline constexpr const char* kManagerName = "spyt-operator";

// Child names: "<cluster>-master", "<cluster>-worker", "<cluster>-history-server",
// "<cluster>-livy" (each names the workload and its Service).
std::string ChildName(const api::SpytCluster& cluster, Component component);
std::string SparkConfName(const api::SpytCluster& cluster);  // "<cluster>-spark-conf"
std::string DiscoveryName(const api::SpytCluster& cluster);  // "<cluster>-discovery"

// Labels of objects that belong to the whole cluster (the spark-conf ConfigMap):
// name, instance, managed-by, part-of, version and spyt.dev/cluster.
Labels ClusterLabels(const api::SpytCluster& cluster);
// ClusterLabels plus the component label: on every component object and pod.
Labels ComponentLabels(const api::SpytCluster& cluster, Component component);
// The stable subset (name, instance, component) used by selectors: it never
// changes over a cluster's life, so immutable StatefulSet selectors stay valid.
Labels SelectorLabels(const api::SpytCluster& cluster, Component component);
// The worker pods' selector as a string, for status.selector (scale subresource):
// "app.kubernetes.io/component=worker,app.kubernetes.io/instance=<c>,app.kubernetes.io/name=spyt".
std::string WorkerSelector(const api::SpytCluster& cluster);

// "<ChildName>.<namespace>.svc.<domain>": the DNS name of a component's Service.
std::string ServiceHost(const api::SpytCluster& cluster, Component component,
                        std::string_view cluster_domain);
// ServiceHost of the master.
std::string MasterHost(const api::SpytCluster& cluster, std::string_view cluster_domain);
// "spark://<MasterHost>:<rpc port>".
std::string MasterUrl(const api::SpytCluster& cluster, std::string_view cluster_domain);

// The YT discovery path: spec.yt.discoveryPath, or "//tmp/spyt/<namespace>/<name>".
std::string DiscoveryPath(const api::SpytCluster& cluster);
// The Spark event log directory: spec.historyServer.logDirectory, or
// "yt:/" + DiscoveryPath + "/logs/event_log".
std::string EventLogDirectory(const api::SpytCluster& cluster);

}  // namespace spyt::cluster
