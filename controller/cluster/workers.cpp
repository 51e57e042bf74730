// Spark standalone workers: a StatefulSet (stable pod names, which the master's
// UI and logs show) with Parallel pod management, so scaling starts or stops
// all the workers at once, governed by a headless Service.

#include <algorithm>

#include "cluster/builders.h"
#include "cluster/names.h"

namespace spyt::cluster::detail {
namespace {

// The worker daemon lives in the memory overhead, next to the executors' own
// JVM overheads: three quarters of it, at least 256m and at most Spark's 1g.
api::MemorySize WorkerDaemonHeap(const api::WorkersSpec& workers) {
  return std::clamp(DaemonHeap(workers.memory_overhead), api::MemorySize::FromMiB(256),
                    api::MemorySize::FromMiB(1024));
}

ContainerSpec WorkerContainer(const BuildContext& ctx) {
  const auto& w = ctx.cluster.spec.workers;
  // The container holds what the worker offers plus SPYT's overheads.
  api::ResourceRequirements computed =
      Guaranteed(Cpu(w.cores + w.cores_overhead), w.memory + w.memory_overhead);
  return ContainerSpec{
      .component = Component::kWorker,
      .ports = {ContainerPort("webui", w.web_ui_port)},
      .probe_port = "webui",
      .env = {EnvVar("SPARK_DAEMON_MEMORY", WorkerDaemonHeap(w).ToSparkString()),
              // Executors' working directories; the root filesystem is read-only.
              EnvVar("SPARK_WORKER_DIR", "/tmp/spark-worker")},
      .resources = MergeResources(computed, w.resources),
  };
}

}  // namespace

std::vector<DesiredObject> WorkerObjects(const BuildContext& ctx) {
  const auto& cluster = ctx.cluster;
  const std::string name = ChildName(cluster, Component::kWorker);

  DesiredObject service =
      ComponentService(cluster, Component::kWorker,
                       {ServicePort("webui", cluster.spec.workers.web_ui_port)}, /*headless=*/true);

  DesiredObject set = NewObject(kube::resources::kStatefulSets, cluster, name,
                                ComponentLabels(cluster, Component::kWorker));
  json::Value spec = WorkloadSpec(cluster, Component::kWorker, cluster.spec.workers.replicas,
                                  PodTemplate(ctx, WorkerContainer(ctx)));
  spec["serviceName"] = name;
  spec["podManagementPolicy"] = "Parallel";
  set.object["spec"] = std::move(spec);
  return {std::move(service), std::move(set)};
}

}  // namespace spyt::cluster::detail
