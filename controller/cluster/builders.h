#pragma once

// Internal to controller/cluster: the pieces BuildDesiredState assembles. Not a
// public interface; desired_state.h is.

#include <string>
#include <vector>

#include "api/types.h"
#include "cluster/desired_state.h"
#include "cluster/names.h"

namespace spyt::cluster::detail {

inline constexpr const char* kConfDir = "/opt/spyt/conf";
inline constexpr const char* kLauncher = "spyt-launcher";

struct BuildContext {
  const api::SpytCluster& cluster;
  const BuildOptions& options;
  std::string config_hash;  // of the spark-conf ConfigMap, annotated on pod templates
};

// --- objects.cpp: metadata, Services, workload specs.

// apiVersion, kind and metadata (name, namespace, labels, the controller owner reference).
DesiredObject NewObject(const kube::Resource& resource, const api::SpytCluster& cluster,
                        const std::string& name, const Labels& labels);
json::Value ServicePort(const std::string& name, int port);
// The component's Service; headless ones (clusterIP None) only give pods DNS names.
DesiredObject ComponentService(const api::SpytCluster& cluster, Component component,
                               json::Array ports, bool headless);
// replicas, selector and template: what StatefulSet and Deployment specs share.
json::Value WorkloadSpec(const api::SpytCluster& cluster, Component component, int replicas,
                         json::Value pod_template);

// --- pod_template.cpp: the pod every component runs.

// The launcher's arguments are not here: PodTemplate derives them from the
// component (cluster/pod_flags.h), as the local controller does from its placement.
struct ContainerSpec {
  Component component;
  json::Array ports;       // container ports
  std::string probe_port;  // name of the port the probes check
  json::Array env;         // component env, after the common env
  api::ResourceRequirements resources;
};

json::Value ContainerPort(const std::string& name, int port);
json::Value EnvVar(const std::string& name, const std::string& value);
json::Value PodTemplate(const BuildContext& ctx, const ContainerSpec& container);

// The computed resources with each key the user set (requests.cpu, limits.memory,
// ...) replaced. A computed request left above a user's lower limit is lowered to
// it, as Kubernetes itself defaults a request to its limit.
api::ResourceRequirements MergeResources(api::ResourceRequirements computed,
                                         const api::ResourceRequirements& overrides);
// requests = limits = {cpu, memory}.
api::ResourceRequirements Guaranteed(const api::Quantity& cpu, const api::MemorySize& memory);
api::Quantity Cpu(std::int64_t cores);
api::Quantity Memory(const api::MemorySize& size);
// The heap of a JVM daemon alone in a container of `container` memory: three
// quarters of it, leaving the rest to metaspace, threads and direct buffers.
api::MemorySize DaemonHeap(const api::MemorySize& container);

// --- one file per component.

std::vector<DesiredObject> MasterObjects(const BuildContext& ctx);
std::vector<DesiredObject> WorkerObjects(const BuildContext& ctx);
std::vector<DesiredObject> HistoryServerObjects(const BuildContext& ctx);
std::vector<DesiredObject> LivyObjects(const BuildContext& ctx);

}  // namespace spyt::cluster::detail
