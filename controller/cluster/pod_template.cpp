#include "api/codec.h"
#include "cluster/builders.h"
#include "cluster/pod_flags.h"
#include "cluster/spark_conf.h"
#include "common/json.h"

namespace spyt::cluster::detail {
namespace {

constexpr const char* kConfVolume = "spark-conf";
constexpr const char* kTmpVolume = "tmp";

json::Value FieldEnv(const std::string& name, const std::string& field_path) {
  return json::Object{
      {"name", name},
      {"valueFrom", json::Object{{"fieldRef", json::Object{{"fieldPath", field_path}}}}}};
}

// The token reaches the container only as a reference to the user's Secret.
json::Value SecretEnv(const std::string& name, const api::SecretKeyRef& ref) {
  return json::Object{
      {"name", name},
      {"valueFrom",
       json::Object{{"secretKeyRef", json::Object{{"name", ref.name}, {"key", ref.key}}}}}};
}

// POD_IP comes first: later entries may refer to it as $(POD_IP).
json::Array CommonEnv(const api::SpytCluster& cluster) {
  const auto& yt = cluster.spec.yt;
  json::Array env = {FieldEnv("POD_IP", "status.podIP"),
                     EnvVar("SPARK_LOCAL_HOSTNAME", "$(POD_IP)")};
  if (yt.proxy) {
    env.push_back(EnvVar("YT_PROXY", *yt.proxy));
  }
  if (yt.user) {
    env.push_back(EnvVar("YT_USER", *yt.user));
  }
  if (yt.token_secret_ref) {
    env.push_back(SecretEnv("YT_TOKEN", *yt.token_secret_ref));
  }
  env.push_back(EnvVar("SPYT_DISCOVERY_PATH", DiscoveryPath(cluster)));
  return env;
}

json::Value TcpProbe(const std::string& port, int period_seconds, int failure_threshold) {
  return json::Object{{"tcpSocket", json::Object{{"port", port}}},
                      {"periodSeconds", period_seconds},
                      {"timeoutSeconds", 5},
                      {"failureThreshold", failure_threshold}};
}

// Restricted Pod Security Standard. The root filesystem is read-only: the
// launcher and Spark write only under /tmp (an emptyDir).
json::Value ContainerSecurity() {
  return json::Object{
      {"allowPrivilegeEscalation", false},
      {"capabilities", json::Object{{"drop", json::Array{"ALL"}}}},
      {"readOnlyRootFilesystem", true},
  };
}

std::string Image(const BuildContext& ctx) {
  const auto& spec = ctx.cluster.spec;
  return spec.image ? *spec.image : ctx.options.image_repository + ":" + spec.spyt_version;
}

json::Value Container(const BuildContext& ctx, const ContainerSpec& c) {
  json::Array args;
  for (const auto& arg : launcher::ToArgs(PodFlags(ctx.cluster, ctx.options, c.component))) {
    args.push_back(arg);
  }
  json::Array env = CommonEnv(ctx.cluster);
  env.insert(env.end(), c.env.begin(), c.env.end());
  // All probes check that the main port accepts connections. The startup probe
  // allows 5 minutes (a JVM on a small CPU share; Livy waits up to 5 minutes for
  // the master) before the liveness probe takes over.
  return json::Object{
      {"name", std::string(ComponentName(c.component))},
      {"image", Image(ctx)},
      {"imagePullPolicy", ctx.cluster.spec.image_pull_policy},
      {"command", json::Array{kLauncher}},
      {"args", std::move(args)},
      {"env", std::move(env)},
      {"ports", c.ports},
      {"resources", api::EncodeResources(c.resources)},
      {"startupProbe", TcpProbe(c.probe_port, 5, 60)},
      {"readinessProbe", TcpProbe(c.probe_port, 10, 3)},
      {"livenessProbe", TcpProbe(c.probe_port, 20, 3)},
      {"securityContext", ContainerSecurity()},
      {"volumeMounts",
       json::Array{json::Object{{"name", kConfVolume}, {"mountPath", kConfDir}, {"readOnly", true}},
                   json::Object{{"name", kTmpVolume}, {"mountPath", "/tmp"}}}},
  };
}

// spec.pod's scheduling settings, each only when set.
void AddScheduling(const api::PodTemplateSettings& pod, json::Value& spec) {
  if (!pod.node_selector.empty()) {
    json::Object selector(pod.node_selector.begin(), pod.node_selector.end());
    spec["nodeSelector"] = std::move(selector);
  }
  if (!pod.tolerations.empty()) {
    spec["tolerations"] = pod.tolerations;
  }
  if (pod.affinity) {
    spec["affinity"] = *pod.affinity;
  }
  if (pod.service_account_name) {
    spec["serviceAccountName"] = *pod.service_account_name;
  }
  if (pod.priority_class_name) {
    spec["priorityClassName"] = *pod.priority_class_name;
  }
  if (!pod.image_pull_secrets.empty()) {
    json::Array secrets;
    for (const auto& name : pod.image_pull_secrets) {
      secrets.push_back(json::Object{{"name", name}});
    }
    spec["imagePullSecrets"] = std::move(secrets);
  }
}

json::Value PodMetadata(const BuildContext& ctx, Component component) {
  const auto& pod = ctx.cluster.spec.pod;
  json::Object labels(pod.labels.begin(), pod.labels.end());
  for (const auto& [key, value] : ComponentLabels(ctx.cluster, component)) {
    labels.insert_or_assign(key, value);  // ours win: selectors depend on them
  }
  json::Object annotations(pod.annotations.begin(), pod.annotations.end());
  annotations.insert_or_assign(annotation::kConfigHash, ctx.config_hash);
  return json::Object{{"labels", std::move(labels)}, {"annotations", std::move(annotations)}};
}

}  // namespace

json::Value ContainerPort(const std::string& name, int port) {
  return json::Object{{"name", name}, {"containerPort", port}, {"protocol", "TCP"}};
}

json::Value EnvVar(const std::string& name, const std::string& value) {
  return json::Object{{"name", name}, {"value", value}};
}

json::Value PodTemplate(const BuildContext& ctx, const ContainerSpec& container) {
  // No API token in the pod (nothing in it talks to Kubernetes), and no Service
  // environment variables: a Service named "spark-master" would set
  // SPARK_MASTER_PORT=tcp://..., which Spark reads as its own setting.
  json::Value spec = json::Object{
      {"automountServiceAccountToken", false},
      {"enableServiceLinks", false},
      {"securityContext",
       json::Object{{"runAsNonRoot", true},
                    {"seccompProfile", json::Object{{"type", "RuntimeDefault"}}}}},
      {"terminationGracePeriodSeconds", 30},
      {"containers", json::Array{Container(ctx, container)}},
      {"volumes",
       json::Array{json::Object{{"name", kConfVolume},
                                {"configMap", json::Object{{"name", SparkConfName(ctx.cluster)}}}},
                   json::Object{{"name", kTmpVolume}, {"emptyDir", json::Object{}}}}},
  };
  AddScheduling(ctx.cluster.spec.pod, spec);
  return json::Object{{"metadata", PodMetadata(ctx, container.component)},
                      {"spec", std::move(spec)}};
}

}  // namespace spyt::cluster::detail
