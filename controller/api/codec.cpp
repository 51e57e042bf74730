#include "api/codec.h"

#include "api/decoder.h"
#include "api/defaults.h"
#include "api/validation.h"
#include "common/yaml.h"

namespace spyt::api {
namespace {

using detail::ObjectReader;

template <typename T>
void Set(T& field, std::optional<T> value) {
  if (value) field = std::move(*value);
}

int ToInt(std::optional<std::int64_t> v) { return v ? static_cast<int>(*v) : 0; }

ResourceRequirements ReadResources(ObjectReader& parent) {
  ResourceRequirements out;
  ObjectReader r = parent.Object("resources");
  for (const char* which : {"limits", "requests"}) {
    auto& target = std::string(which) == "limits" ? out.limits : out.requests;
    const json::Value* obj = r.Raw(which, json::Value::Kind::kObject);
    if (obj == nullptr) continue;
    ObjectReader m(obj, r.Child(which), r.errors());
    for (const auto& [name, ignored] : obj->as_object()) {
      if (auto q = m.Parsed<Quantity>(name, Quantity::Parse)) target.emplace(name, *q);
    }
  }
  r.RejectUnknown();
  return out;
}

ObjectMeta ReadMetadata(ObjectReader r) {
  ObjectMeta m;
  r.AllowUnknown();  // managedFields, ownerReferences, ... are not ours to judge
  Set(m.name, r.String("name"));
  Set(m.namespace_, r.String("namespace"));
  Set(m.uid, r.String("uid"));
  Set(m.resource_version, r.String("resourceVersion"));
  m.generation = r.Int("generation").value_or(0);
  Set(m.creation_timestamp, r.String("creationTimestamp"));
  m.deletion_timestamp = r.String("deletionTimestamp");
  m.labels = r.StringMap("labels");
  m.annotations = r.StringMap("annotations");
  m.finalizers = r.StringList("finalizers");
  return m;
}

YtConnection ReadYt(ObjectReader r) {
  YtConnection yt;
  yt.proxy = r.String("proxy");
  yt.discovery_path = r.String("discoveryPath");
  yt.user = r.String("user");
  if (r.Has("tokenSecretRef")) {
    ObjectReader s = r.Object("tokenSecretRef");
    SecretKeyRef ref;
    Set(ref.name, s.String("name", true));
    Set(ref.key, s.String("key", true));
    s.RejectUnknown();
    yt.token_secret_ref = ref;
  } else {
    r.Object("tokenSecretRef");
  }
  r.RejectUnknown();
  return yt;
}

MasterSpec ReadMaster(ObjectReader r) {
  MasterSpec m;
  Set(m.memory, r.Parsed<MemorySize>("memory", MemorySize::Parse, true));
  ObjectReader p = r.Object("ports", true);
  m.ports.rpc = ToInt(p.Int("rpc", true));
  m.ports.web_ui = ToInt(p.Int("webUI", true));
  m.ports.rest = ToInt(p.Int("rest", true));
  p.RejectUnknown();
  m.resources = ReadResources(r);
  r.RejectUnknown();
  return m;
}

WorkersSpec ReadWorkers(ObjectReader r) {
  WorkersSpec w;
  w.replicas = ToInt(r.Int("replicas", true));
  w.cores = ToInt(r.Int("cores", true));
  Set(w.memory, r.Parsed<MemorySize>("memory", MemorySize::Parse, true));
  w.cores_overhead = ToInt(r.Int("coresOverhead", true));
  Set(w.memory_overhead, r.Parsed<MemorySize>("memoryOverhead", MemorySize::Parse, true));
  Set(w.timeout, r.Parsed<Duration>("timeout", Duration::Parse, true));
  w.web_ui_port = ToInt(r.Int("webUIPort", true));
  w.resources = ReadResources(r);
  r.RejectUnknown();
  return w;
}

HistoryServerSpec ReadHistory(ObjectReader r) {
  HistoryServerSpec h;
  Set(h.enabled, r.Bool("enabled", true));
  Set(h.memory, r.Parsed<MemorySize>("memory", MemorySize::Parse, true));
  Set(h.cpu, r.Parsed<Quantity>("cpu", Quantity::Parse, true));
  h.log_directory = r.String("logDirectory");
  h.port = ToInt(r.Int("port", true));
  h.resources = ReadResources(r);
  r.RejectUnknown();
  return h;
}

LivySpec ReadLivy(ObjectReader r) {
  LivySpec l;
  Set(l.enabled, r.Bool("enabled", true));
  l.max_sessions = ToInt(r.Int("maxSessions", true));
  l.driver_cores = ToInt(r.Int("driverCores", true));
  Set(l.driver_memory, r.Parsed<MemorySize>("driverMemory", MemorySize::Parse, true));
  Set(l.session_timeout, r.Parsed<Duration>("sessionTimeout", Duration::Parse, true));
  l.port = ToInt(r.Int("port", true));
  l.resources = ReadResources(r);
  r.RejectUnknown();
  return l;
}

PodTemplateSettings ReadPod(ObjectReader r) {
  PodTemplateSettings p;
  p.labels = r.StringMap("labels");
  p.annotations = r.StringMap("annotations");
  p.node_selector = r.StringMap("nodeSelector");
  if (const auto* t = r.Raw("tolerations", json::Value::Kind::kArray))
    p.tolerations = t->as_array();
  if (const auto* a = r.Raw("affinity", json::Value::Kind::kObject)) p.affinity = *a;
  p.service_account_name = r.String("serviceAccountName");
  p.image_pull_secrets = r.StringList("imagePullSecrets");
  p.priority_class_name = r.String("priorityClassName");
  r.RejectUnknown();
  return p;
}

SpytClusterSpec ReadSpec(ObjectReader r) {
  SpytClusterSpec s;
  Set(s.spyt_version, r.String("spytVersion", true));
  s.image = r.String("image");
  Set(s.image_pull_policy, r.String("imagePullPolicy", true));
  s.yt = ReadYt(r.Object("yt", true));
  s.master = ReadMaster(r.Object("master", true));
  s.workers = ReadWorkers(r.Object("workers", true));
  s.history_server = ReadHistory(r.Object("historyServer", true));
  s.livy = ReadLivy(r.Object("livy", true));
  s.spark_conf = r.StringMap("sparkConf");
  s.pod = ReadPod(r.Object("pod"));
  r.RejectUnknown();
  return s;
}

SpytClusterStatus ReadStatus(ObjectReader r) {
  SpytClusterStatus st;
  r.AllowUnknown();  // written by the operator; an older or newer one may differ
  st.observed_generation = r.Int("observedGeneration").value_or(0);
  if (const auto* conds = r.Raw("conditions", json::Value::Kind::kArray)) {
    for (const auto& c : conds->as_array()) {
      ObjectReader cr(&c, r.Child("conditions"), r.errors());
      Condition cond;
      Set(cond.type, cr.String("type"));
      Set(cond.status, cr.String("status"));
      cond.observed_generation = cr.Int("observedGeneration").value_or(0);
      Set(cond.last_transition_time, cr.String("lastTransitionTime"));
      Set(cond.reason, cr.String("reason"));
      Set(cond.message, cr.String("message"));
      st.conditions.push_back(std::move(cond));
    }
  }
  ObjectReader w = r.Object("workers");
  st.workers.desired = ToInt(w.Int("desired"));
  st.workers.ready = ToInt(w.Int("ready"));
  Set(st.workers.summary, w.String("summary"));
  Set(st.selector, r.String("selector"));
  ObjectReader e = r.Object("endpoints");
  st.endpoints.master = e.String("master");
  st.endpoints.web_ui = e.String("webUI");
  st.endpoints.rest = e.String("rest");
  st.endpoints.history_server = e.String("historyServer");
  st.endpoints.livy = e.String("livy");
  ObjectReader d = r.Object("discovery");
  st.discovery.path = d.String("path");
  st.discovery.config_map = d.String("configMap");
  return st;
}

void PutOptional(json::Value& obj, const char* key, const std::optional<std::string>& v) {
  if (v) obj[key] = *v;
}

void PutMap(json::Value& obj, const char* key, const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  json::Object out;
  for (const auto& [k, v] : m) out.emplace(k, v);
  obj[key] = std::move(out);
}

void PutResources(json::Value& obj, const ResourceRequirements& r) {
  if (!r.empty()) obj["resources"] = EncodeResources(r);
}

}  // namespace

DecodeResult Decode(const json::Value& document) {
  DecodeResult result;
  if (!document.is_object()) {
    result.errors.push_back({FieldError::Type::kTypeInvalid, "<root>",
                             json::KindName(document.kind()), "must be of type object"});
    return result;
  }
  json::Value defaulted = document;
  ApplyDefaults(defaulted);
  ObjectReader root(&defaulted, "", result.errors);
  auto check_const = [&](const char* key, const char* want) {
    auto v = root.String(key, true);
    if (v && *v != want) {
      result.errors.push_back(
          {FieldError::Type::kNotSupported, key, *v, std::string("must be \"") + want + "\""});
    }
  };
  check_const("apiVersion", kApiVersion);
  check_const("kind", kKind);
  // Paths start at the root object, without a leading dot.
  FieldErrors& errs = result.errors;
  result.cluster.metadata =
      ReadMetadata(ObjectReader(defaulted.find("metadata"), "metadata", errs));
  root.Object("metadata");
  result.cluster.spec = ReadSpec(ObjectReader(defaulted.find("spec"), "spec", errs));
  if (!root.Has("spec")) errs.push_back({FieldError::Type::kRequired, "spec", "", ""});
  root.Object("spec");
  result.cluster.status = ReadStatus(ObjectReader(defaulted.find("status"), "status", errs));
  root.Object("status");
  root.RejectUnknown();
  for (auto& e : errs) {
    if (e.path.starts_with(".")) e.path.erase(0, 1);
  }
  return result;
}

namespace {

SpytCluster DecodeValid(const json::Value& document) {
  DecodeResult r = Decode(document);
  if (!r.ok()) throw InvalidObject(std::move(r.errors));
  FieldErrors errors = Validate(r.cluster);
  if (!errors.empty()) throw InvalidObject(std::move(errors));
  return std::move(r.cluster);
}

}  // namespace

SpytCluster DecodeValidJson(std::string_view text) { return DecodeValid(json::Parse(text)); }
SpytCluster DecodeValidYaml(std::string_view text) { return DecodeValid(yaml::ParseOne(text)); }

json::Value EncodeResources(const ResourceRequirements& resources) {
  json::Value out = json::Object{};
  auto put = [&](const char* key, const std::map<std::string, Quantity>& m) {
    if (m.empty()) return;
    json::Object o;
    for (const auto& [k, q] : m) o.emplace(k, q.ToString());
    out[key] = std::move(o);
  };
  put("limits", resources.limits);
  put("requests", resources.requests);
  return out;
}

json::Value EncodeSpec(const SpytClusterSpec& s) {
  json::Value spec = json::Object{};
  spec["spytVersion"] = s.spyt_version;
  PutOptional(spec, "image", s.image);
  spec["imagePullPolicy"] = s.image_pull_policy;

  json::Value& yt = spec["yt"] = json::Object{};
  PutOptional(yt, "proxy", s.yt.proxy);
  PutOptional(yt, "discoveryPath", s.yt.discovery_path);
  PutOptional(yt, "user", s.yt.user);
  if (s.yt.token_secret_ref) {
    yt["tokenSecretRef"] =
        json::Object{{"name", s.yt.token_secret_ref->name}, {"key", s.yt.token_secret_ref->key}};
  }

  json::Value& master = spec["master"] = json::Object{};
  master["memory"] = s.master.memory.ToString();
  master["ports"] = json::Object{
      {"rpc", s.master.ports.rpc}, {"webUI", s.master.ports.web_ui}, {"rest", s.master.ports.rest}};
  PutResources(master, s.master.resources);

  json::Value& workers = spec["workers"] = json::Object{};
  workers["replicas"] = s.workers.replicas;
  workers["cores"] = s.workers.cores;
  workers["memory"] = s.workers.memory.ToString();
  workers["coresOverhead"] = s.workers.cores_overhead;
  workers["memoryOverhead"] = s.workers.memory_overhead.ToString();
  workers["timeout"] = s.workers.timeout.ToString();
  workers["webUIPort"] = s.workers.web_ui_port;
  PutResources(workers, s.workers.resources);

  json::Value& history = spec["historyServer"] = json::Object{};
  history["enabled"] = s.history_server.enabled;
  history["memory"] = s.history_server.memory.ToString();
  history["cpu"] = s.history_server.cpu.ToString();
  PutOptional(history, "logDirectory", s.history_server.log_directory);
  history["port"] = s.history_server.port;
  PutResources(history, s.history_server.resources);

  json::Value& livy = spec["livy"] = json::Object{};
  livy["enabled"] = s.livy.enabled;
  livy["maxSessions"] = s.livy.max_sessions;
  livy["driverCores"] = s.livy.driver_cores;
  livy["driverMemory"] = s.livy.driver_memory.ToString();
  livy["sessionTimeout"] = s.livy.session_timeout.ToString();
  livy["port"] = s.livy.port;
  PutResources(livy, s.livy.resources);

  PutMap(spec, "sparkConf", s.spark_conf);

  json::Value pod = json::Object{};
  PutMap(pod, "labels", s.pod.labels);
  PutMap(pod, "annotations", s.pod.annotations);
  PutMap(pod, "nodeSelector", s.pod.node_selector);
  if (!s.pod.tolerations.empty()) pod["tolerations"] = s.pod.tolerations;
  if (s.pod.affinity) pod["affinity"] = *s.pod.affinity;
  PutOptional(pod, "serviceAccountName", s.pod.service_account_name);
  if (!s.pod.image_pull_secrets.empty()) {
    json::Array secrets;
    for (const auto& name : s.pod.image_pull_secrets) secrets.emplace_back(name);
    pod["imagePullSecrets"] = std::move(secrets);
  }
  PutOptional(pod, "priorityClassName", s.pod.priority_class_name);
  if (!pod.as_object().empty()) spec["pod"] = std::move(pod);
  return spec;
}

json::Value EncodeStatus(const SpytClusterStatus& st) {
  json::Value out = json::Object{};
  out["observedGeneration"] = st.observed_generation;
  json::Array conds;
  for (const auto& c : st.conditions) {
    conds.push_back(json::Object{{"type", c.type},
                                 {"status", c.status},
                                 {"observedGeneration", c.observed_generation},
                                 {"lastTransitionTime", c.last_transition_time},
                                 {"reason", c.reason},
                                 {"message", c.message}});
  }
  out["conditions"] = std::move(conds);
  out["workers"] = json::Object{{"desired", st.workers.desired},
                                {"ready", st.workers.ready},
                                {"summary", st.workers.summary}};
  if (!st.selector.empty()) out["selector"] = st.selector;
  json::Value endpoints = json::Object{};
  PutOptional(endpoints, "master", st.endpoints.master);
  PutOptional(endpoints, "webUI", st.endpoints.web_ui);
  PutOptional(endpoints, "rest", st.endpoints.rest);
  PutOptional(endpoints, "historyServer", st.endpoints.history_server);
  PutOptional(endpoints, "livy", st.endpoints.livy);
  out["endpoints"] = std::move(endpoints);
  json::Value discovery = json::Object{};
  PutOptional(discovery, "path", st.discovery.path);
  PutOptional(discovery, "configMap", st.discovery.config_map);
  out["discovery"] = std::move(discovery);
  return out;
}

json::Value Encode(const SpytCluster& c) {
  json::Value out = json::Object{};
  out["apiVersion"] = kApiVersion;
  out["kind"] = kKind;
  json::Value& meta = out["metadata"] = json::Object{};
  meta["name"] = c.metadata.name;
  if (!c.metadata.namespace_.empty()) meta["namespace"] = c.metadata.namespace_;
  if (!c.metadata.uid.empty()) meta["uid"] = c.metadata.uid;
  if (!c.metadata.resource_version.empty()) meta["resourceVersion"] = c.metadata.resource_version;
  if (c.metadata.generation != 0) meta["generation"] = c.metadata.generation;
  if (!c.metadata.creation_timestamp.empty()) {
    meta["creationTimestamp"] = c.metadata.creation_timestamp;
  }
  PutOptional(meta, "deletionTimestamp", c.metadata.deletion_timestamp);
  PutMap(meta, "labels", c.metadata.labels);
  PutMap(meta, "annotations", c.metadata.annotations);
  if (!c.metadata.finalizers.empty()) {
    json::Array f;
    for (const auto& s : c.metadata.finalizers) f.emplace_back(s);
    meta["finalizers"] = std::move(f);
  }
  out["spec"] = EncodeSpec(c.spec);
  if (!(c.status == SpytClusterStatus{})) out["status"] = EncodeStatus(c.status);
  return out;
}

}  // namespace spyt::api
