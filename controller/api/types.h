#pragma once

// The SpytCluster API (spyt.dev/v1alpha1) as C++ values.
//
// These types hold a *defaulted* object: the codec fills every field that has a
// default before decoding (api/defaults.h), so only fields that are genuinely
// optional are std::optional here. Kubernetes-native sub-objects the operator
// only passes through (tolerations, affinity) stay as JSON.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/quantity.h"
#include "api/units.h"
#include "common/json.h"

namespace spyt::api {

inline constexpr const char* kGroup = "spyt.dev";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "spyt.dev/v1alpha1";
inline constexpr const char* kKind = "SpytCluster";
inline constexpr const char* kPlural = "spytclusters";

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  std::string creation_timestamp;
  std::optional<std::string> deletion_timestamp;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> finalizers;

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// Container resources as Kubernetes spells them; each map is resource name -> quantity.
struct ResourceRequirements {
  std::map<std::string, Quantity> limits;
  std::map<std::string, Quantity> requests;

  bool empty() const { return limits.empty() && requests.empty(); }
  friend bool operator==(const ResourceRequirements&, const ResourceRequirements&) = default;
};

struct SecretKeyRef {
  std::string name;
  std::string key;  // defaulted to "token"

  friend bool operator==(const SecretKeyRef&, const SecretKeyRef&) = default;
};

struct YtConnection {
  std::optional<std::string> proxy;
  // Where discovery records go; when unset the operator derives one per cluster.
  std::optional<std::string> discovery_path;
  std::optional<std::string> user;
  std::optional<SecretKeyRef> token_secret_ref;

  friend bool operator==(const YtConnection&, const YtConnection&) = default;
};

struct MasterPorts {
  int rpc = 0;
  int web_ui = 0;
  int rest = 0;

  friend bool operator==(const MasterPorts&, const MasterPorts&) = default;
};

struct MasterSpec {
  MemorySize memory;
  MasterPorts ports;
  ResourceRequirements resources;  // overrides the computed container resources

  friend bool operator==(const MasterSpec&, const MasterSpec&) = default;
};

struct WorkersSpec {
  int replicas = 0;
  int cores = 0;
  MemorySize memory;
  int cores_overhead = 0;
  MemorySize memory_overhead;
  Duration timeout;
  int web_ui_port = 0;
  ResourceRequirements resources;

  friend bool operator==(const WorkersSpec&, const WorkersSpec&) = default;
};

struct HistoryServerSpec {
  bool enabled = false;
  MemorySize memory;
  Quantity cpu;
  std::optional<std::string> log_directory;
  int port = 0;
  ResourceRequirements resources;

  friend bool operator==(const HistoryServerSpec&, const HistoryServerSpec&) = default;
};

struct LivySpec {
  bool enabled = false;
  int max_sessions = 0;
  int driver_cores = 0;
  MemorySize driver_memory;
  Duration session_timeout;
  int port = 0;
  ResourceRequirements resources;

  friend bool operator==(const LivySpec&, const LivySpec&) = default;
};

struct PodTemplateSettings {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> node_selector;
  json::Array tolerations;              // core/v1 Toleration objects
  std::optional<json::Value> affinity;  // core/v1 Affinity
  std::optional<std::string> service_account_name;
  std::vector<std::string> image_pull_secrets;
  std::optional<std::string> priority_class_name;

  friend bool operator==(const PodTemplateSettings&, const PodTemplateSettings&) = default;
};

struct SpytClusterSpec {
  std::string spyt_version;
  std::optional<std::string> image;
  std::string image_pull_policy;
  YtConnection yt;
  MasterSpec master;
  WorkersSpec workers;
  HistoryServerSpec history_server;
  LivySpec livy;
  std::map<std::string, std::string> spark_conf;
  PodTemplateSettings pod;

  friend bool operator==(const SpytClusterSpec&, const SpytClusterSpec&) = default;
};

// metav1.Condition.
struct Condition {
  std::string type;
  std::string status;  // "True", "False", "Unknown"
  std::int64_t observed_generation = 0;
  std::string last_transition_time;
  std::string reason;
  std::string message;

  friend bool operator==(const Condition&, const Condition&) = default;
};

namespace condition {
inline constexpr const char* kReady = "Ready";
inline constexpr const char* kMasterReady = "MasterReady";
inline constexpr const char* kWorkersReady = "WorkersReady";
inline constexpr const char* kLivyReady = "LivyReady";
inline constexpr const char* kHistoryServerReady = "HistoryServerReady";
inline constexpr const char* kReconciling = "Reconciling";
inline constexpr const char* kDegraded = "Degraded";
// kstatus' (Flux, Argo CD, kpt) condition for "cannot make progress without a
// change to the spec": True only with an invalid spec or a spytVersion that names
// no SPYT release, so GitOps tools report it as Failed instead of waiting on it
// forever.
inline constexpr const char* kStalled = "Stalled";
// Whether the operator's poll of GET /sessions got an answer; reason
// SessionLimitReached when every session slot is taken. Present only while
// Livy is enabled and polling is on; it does not gate Ready.
inline constexpr const char* kLivyResponding = "LivyResponding";
}  // namespace condition

struct WorkersStatus {
  int desired = 0;
  int ready = 0;
  std::string summary;  // "ready/desired", for the printer column

  friend bool operator==(const WorkersStatus&, const WorkersStatus&) = default;
};

struct Endpoints {
  std::optional<std::string> master;  // spark://host:port
  std::optional<std::string> web_ui;
  std::optional<std::string> rest;
  std::optional<std::string> history_server;
  std::optional<std::string> livy;

  friend bool operator==(const Endpoints&, const Endpoints&) = default;
};

struct DiscoveryStatus {
  std::optional<std::string> path;        // the YT-style discovery path
  std::optional<std::string> config_map;  // where the records are published

  friend bool operator==(const DiscoveryStatus&, const DiscoveryStatus&) = default;
};

struct SpytClusterStatus {
  std::int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  WorkersStatus workers;
  std::string selector;  // label selector of worker pods, for the scale subresource
  Endpoints endpoints;
  DiscoveryStatus discovery;

  friend bool operator==(const SpytClusterStatus&, const SpytClusterStatus&) = default;
};

struct SpytCluster {
  ObjectMeta metadata;
  SpytClusterSpec spec;
  SpytClusterStatus status;

  friend bool operator==(const SpytCluster&, const SpytCluster&) = default;
};

}  // namespace spyt::api
