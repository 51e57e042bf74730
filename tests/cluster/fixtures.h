#pragma once

// Shared by the tests of controller/cluster: examples loaded as the reconciler
// would see them, and lookups into built objects that fail the test (rather
// than crash) when something is missing.

#include <doctest/doctest.h>

#include <string>

#include "api/codec.h"
#include "cluster/desired_state.h"
#include "test_files.h"

namespace spyt::cluster::testing {

inline constexpr const char* kUid = "00000000-0000-0000-0000-000000000001";

// examples/<name>.yaml, in namespace "default" with a fixed uid.
inline api::SpytCluster LoadExample(const std::string& name) {
  api::SpytCluster cluster = api::DecodeValidYaml(
      spyt::testing::ReadText(spyt::testing::SourcePath("examples/" + name + ".yaml")));
  cluster.metadata.namespace_ = "default";
  cluster.metadata.uid = kUid;
  return cluster;
}

// A StatefulSet or Deployment as its controller reports it: `ready` of `replicas`
// ready, every replica updated, status.observedGeneration `observed` of
// metadata.generation `generation`.
inline json::Value Workload(int replicas, int ready, int generation = 1, int observed = 1) {
  return json::Object{{"metadata", json::Object{{"generation", generation}}},
                      {"spec", json::Object{{"replicas", replicas}}},
                      {"status", json::Object{{"readyReplicas", ready},
                                              {"updatedReplicas", replicas},
                                              {"observedGeneration", observed}}}};
}

inline DesiredState Build(const api::SpytCluster& cluster) {
  return BuildDesiredState(cluster, BuildOptions{});
}

inline const DesiredObject* FindObject(const DesiredState& state, const std::string& kind,
                                       const std::string& name) {
  for (const auto& o : state.objects) {
    if (o.resource.kind == kind && o.name == name) return &o;
  }
  return nullptr;
}

// StatefulSets and Deployments: the objects with a pod template.
inline bool IsWorkload(const DesiredObject& o) {
  return o.resource.kind == "StatefulSet" || o.resource.kind == "Deployment";
}

inline const json::Value& Object(const DesiredState& state, const std::string& kind,
                                 const std::string& name) {
  const DesiredObject* o = FindObject(state, kind, name);
  REQUIRE_MESSAGE(o != nullptr, kind << " " << name << " is not built");
  return o->object;
}

// Follows a path of object keys; fails the test when one is missing.
inline const json::Value& At(const json::Value& v, std::initializer_list<const char*> path) {
  const json::Value* node = &v;
  for (const char* key : path) {
    node = node->find(key);
    REQUIRE_MESSAGE(node != nullptr, "missing key " << key);
  }
  return *node;
}

inline const json::Value& PodTemplateOf(const json::Value& workload) {
  return At(workload, {"spec", "template"});
}

inline const json::Value& ContainerOf(const json::Value& workload) {
  const auto& containers = At(workload, {"spec", "template", "spec", "containers"}).as_array();
  REQUIRE(containers.size() == 1);
  return containers.front();
}

inline std::vector<std::string> ArgsOf(const json::Value& workload) {
  std::vector<std::string> args;
  for (const auto& a : At(ContainerOf(workload), {"args"}).as_array())
    args.push_back(a.as_string());
  return args;
}

inline const json::Value* EnvOf(const json::Value& workload, const std::string& name) {
  for (const auto& e : At(ContainerOf(workload), {"env"}).as_array()) {
    if (e.find("name") != nullptr && e.find("name")->as_string() == name) return &e;
  }
  return nullptr;
}

// "requests.cpu" -> "500m".
inline std::string ResourceOf(const json::Value& workload, const char* kind, const char* name) {
  return At(ContainerOf(workload), {"resources", kind, name}).as_string();
}

}  // namespace spyt::cluster::testing
