#include "api/validation.h"

#include <algorithm>
#include <string_view>

namespace spyt::api {
namespace {

using Type = FieldError::Type;

class Checker {
 public:
  explicit Checker(FieldErrors& errors) : errors_(errors) {}

  void Range(const std::string& path, std::int64_t v, std::int64_t lo, std::int64_t hi) {
    if (v < lo)
      Add(Type::kInvalid, path, std::to_string(v), "must be at least " + std::to_string(lo));
    if (v > hi)
      Add(Type::kInvalid, path, std::to_string(v), "must be at most " + std::to_string(hi));
  }
  void Port(const std::string& path, int port) { Range(path, port, 1, 65535); }
  void Positive(const std::string& path, const MemorySize& m) {
    if (m.bytes() == 0) Add(Type::kInvalid, path, m.ToString(), "must be positive");
  }
  void Matches(const std::string& path, const std::string& v, bool (*matches)(std::string_view),
               const std::string& what) {
    if (!matches(v)) Add(Type::kInvalid, path, "\"" + v + "\"", what);
  }
  void Add(Type type, std::string path, std::string value, std::string detail) {
    errors_.push_back({type, std::move(path), std::move(value), std::move(detail)});
  }

 private:
  FieldErrors& errors_;
};

// Hand-written syntax checks (std::regex allocates and backtracks on every match, and
// every reconcile validates). Each comment gives the pattern it matches, whole-string;
// tests/api/validation_test.cpp holds them against std::regex.
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool IsDnsLabel(std::string_view s) {
  return !s.empty() && IsLowerAlnum(s.front()) && IsLowerAlnum(s.back()) &&
         AllOf(s, [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

// [a-z]([-a-z0-9]{0,38}[a-z0-9])?
bool IsDns1035Label(std::string_view s) {
  return s.size() <= 40 && IsDnsLabel(s) && !IsDigit(s.front());
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
bool IsDns1123Subdomain(std::string_view s) {
  for (;;) {
    const std::size_t dot = s.find('.');
    if (!IsDnsLabel(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// [0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?
bool IsVersion(std::string_view s) {
  std::size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t from = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == from) return false;
  }
  if (i == s.size()) return true;
  const std::string_view pre = s.substr(i + 1);
  return s[i] == '-' && !pre.empty() &&
         AllOf(pre, [](char c) { return IsAlnum(c) || c == '.' || c == '-'; });
}

// (([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?
bool IsLabelValue(std::string_view s) {
  return s.empty() || (IsAlnum(s.front()) && IsAlnum(s.back()) && AllOf(s, [](char c) {
                         return IsAlnum(c) || c == '-' || c == '_' || c == '.';
                       }));
}

// [-._a-zA-Z0-9]+
bool IsSecretKey(std::string_view s) {
  return !s.empty() &&
         AllOf(s, [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters
bool IsQualifiedNamePart(std::string_view s) {
  return !s.empty() && s.size() <= 63 && IsLabelValue(s);
}

// [prefix/]name: a label or annotation key. The prefix is a DNS-1123 subdomain of at
// most 253 characters.
bool IsQualifiedName(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return IsQualifiedNamePart(s);
  const std::string_view prefix = s.substr(0, slash);
  return prefix.size() <= 253 && IsDns1123Subdomain(prefix) &&
         IsQualifiedNamePart(s.substr(slash + 1));
}

// What the API server accepts as a container's resource name: a standard one (cpu,
// memory, ephemeral-storage, hugepages-<size>) or a qualified name with a domain prefix
// (example.com/gpu), which must not start with "requests.".
bool IsContainerResourceName(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    return s == "cpu" || s == "memory" || s == "ephemeral-storage" ||
           (s.starts_with("hugepages-") && s.size() > 10 && IsQualifiedNamePart(s));
  }
  return IsQualifiedName(s) && !s.starts_with("requests.");
}

void CheckResources(Checker& c, const std::string& path, const ResourceRequirements& r) {
  for (const auto* m : {&r.limits, &r.requests}) {
    for (const auto& [name, q] : *m) {
      if (!IsContainerResourceName(name)) {
        c.Add(Type::kInvalid, path + (m == &r.limits ? ".limits[" : ".requests[") + name + "]",
              "\"" + name + "\"",
              "must be cpu, memory, ephemeral-storage, hugepages-<size>, or a name with a "
              "domain prefix such as example.com/gpu");
      }
    }
    for (const auto& [name, q] : *m) {
      if (q.nanos() < 0) {
        c.Add(Type::kInvalid, path + (m == &r.limits ? ".limits" : ".requests"), q.ToString(),
              "quantities must not be negative");
        break;
      }
    }
  }
}

// A limit the user set must leave room for what SPYT computes the container needs.
void CheckLimitFits(Checker& c, const std::string& path, const ResourceRequirements& r,
                    std::int64_t cpu_needed, const MemorySize& memory_needed,
                    const std::string& why) {
  if (auto it = r.limits.find("cpu");
      it != r.limits.end() && it->second < Quantity::FromUnits(cpu_needed)) {
    c.Add(Type::kInvalid, path + ".limits[cpu]", it->second.ToString(),
          "must be at least " + std::to_string(cpu_needed) + " (" + why + ")");
  }
  if (auto it = r.limits.find("memory");
      it != r.limits.end() &&
      it->second < Quantity::FromUnits(static_cast<std::int64_t>(memory_needed.bytes()))) {
    c.Add(Type::kInvalid, path + ".limits[memory]", it->second.ToString(),
          "must be at least " + memory_needed.ToQuantityString() + " (" + why + ")");
  }
}

void CheckEnum(Checker& c, const std::string& path, const json::Value* v,
               std::initializer_list<const char*> allowed) {
  if (v == nullptr) return;
  std::string list;
  for (const char* a : allowed) {
    if (v->is_string() && v->as_string() == a) return;
    list += std::string(list.empty() ? "" : ", ") + "\"" + a + "\"";
  }
  c.Add(Type::kNotSupported, path, v->is_string() ? "\"" + v->as_string() + "\"" : json::Dump(*v),
        "supported values: " + list);
}

void CheckToleration(Checker& c, const std::string& path, const json::Value& t) {
  if (!t.is_object()) {
    c.Add(Type::kTypeInvalid, path, json::KindName(t.kind()), "must be of type object");
    return;
  }
  CheckEnum(c, path + ".operator", t.find("operator"), {"Exists", "Equal"});
  CheckEnum(c, path + ".effect", t.find("effect"), {"NoSchedule", "PreferNoSchedule", "NoExecute"});
}

void CheckSpec(Checker& c, const SpytClusterSpec& s) {
  c.Matches("spec.spytVersion", s.spyt_version, IsVersion, "must be a release version like 2.9.3");
  if (s.image && s.image->empty()) c.Add(Type::kInvalid, "spec.image", "\"\"", "must not be empty");
  if (s.image_pull_policy != "Always" && s.image_pull_policy != "IfNotPresent" &&
      s.image_pull_policy != "Never") {
    c.Add(Type::kNotSupported, "spec.imagePullPolicy", "\"" + s.image_pull_policy + "\"",
          "supported values: \"Always\", \"IfNotPresent\", \"Never\"");
  }
  if (s.yt.discovery_path && !s.yt.discovery_path->starts_with("//")) {
    c.Add(Type::kInvalid, "spec.yt.discoveryPath", "\"" + *s.yt.discovery_path + "\"",
          "must be a Cypress path starting with //");
  }
  if (s.yt.token_secret_ref) {
    c.Matches("spec.yt.tokenSecretRef.name", s.yt.token_secret_ref->name, IsDns1123Subdomain,
              "must be a Secret name (a DNS-1123 subdomain)");
    c.Matches("spec.yt.tokenSecretRef.key", s.yt.token_secret_ref->key, IsSecretKey,
              "must be a Secret key");
  }

  c.Positive("spec.master.memory", s.master.memory);
  c.Port("spec.master.ports.rpc", s.master.ports.rpc);
  c.Port("spec.master.ports.webUI", s.master.ports.web_ui);
  c.Port("spec.master.ports.rest", s.master.ports.rest);
  const auto& p = s.master.ports;
  if (p.rpc == p.web_ui || p.rpc == p.rest || p.web_ui == p.rest) {
    c.Add(Type::kInvalid, "spec.master.ports", "", "rpc, webUI and rest ports must differ");
  }
  CheckResources(c, "spec.master.resources", s.master.resources);

  const auto& w = s.workers;
  c.Range("spec.workers.replicas", w.replicas, 0, 1000);
  c.Range("spec.workers.cores", w.cores, 1, 1024);
  c.Positive("spec.workers.memory", w.memory);
  c.Range("spec.workers.coresOverhead", w.cores_overhead, 0, 1024);
  c.Port("spec.workers.webUIPort", w.web_ui_port);
  CheckResources(c, "spec.workers.resources", w.resources);
  CheckLimitFits(c, "spec.workers.resources", w.resources, w.cores + w.cores_overhead,
                 w.memory + w.memory_overhead, "cores + coresOverhead, memory + memoryOverhead");

  const auto& h = s.history_server;
  c.Positive("spec.historyServer.memory", h.memory);
  if (h.cpu.nanos() <= 0)
    c.Add(Type::kInvalid, "spec.historyServer.cpu", h.cpu.ToString(), "must be positive");
  c.Port("spec.historyServer.port", h.port);
  CheckResources(c, "spec.historyServer.resources", h.resources);

  const auto& l = s.livy;
  c.Range("spec.livy.maxSessions", l.max_sessions, 1, 100);
  c.Range("spec.livy.driverCores", l.driver_cores, 1, 64);
  c.Positive("spec.livy.driverMemory", l.driver_memory);
  if (l.session_timeout.millis() <= 0) {
    c.Add(Type::kInvalid, "spec.livy.sessionTimeout", l.session_timeout.ToString(),
          "must be positive");
  }
  c.Port("spec.livy.port", l.port);
  CheckResources(c, "spec.livy.resources", l.resources);
  if (l.max_sessions >= 1 && l.driver_cores >= 1) {
    CheckLimitFits(c, "spec.livy.resources", l.resources, LivyContainerCpu(l),
                   LivyContainerMemory(l),
                   "1 + driverCores x maxSessions cores and 1G + driverMemory x maxSessions: "
                   "session drivers run in the Livy container");
  }

  for (const char* key : {"spark.master", "spark.hadoop.yt.token"}) {
    if (s.spark_conf.count(key) != 0) {
      c.Add(Type::kForbidden, "spec.sparkConf", "",
            std::string("\"") + key + "\" is set by the operator and must not be given here");
    }
  }

  for (const auto* keys : {&s.pod.labels, &s.pod.annotations, &s.pod.node_selector}) {
    const std::string field = keys == &s.pod.labels        ? "spec.pod.labels"
                              : keys == &s.pod.annotations ? "spec.pod.annotations"
                                                           : "spec.pod.nodeSelector";
    for (const auto& [k, v] : *keys) {
      c.Matches(field, k, IsQualifiedName,
                "keys must be qualified names ([prefix/]name: a name of at most 63 "
                "alphanumerics, '-', '_' or '.', and a DNS subdomain as prefix)");
    }
  }
  for (const auto& [k, v] : s.pod.node_selector) {
    c.Matches(
        "spec.pod.nodeSelector." + k, v,
        [](std::string_view value) { return value.size() <= 63 && IsLabelValue(value); },
        "must be a valid label value (at most 63 characters)");
  }
  for (const auto& [k, v] : s.pod.labels) {
    if (v.size() > 63)
      c.Add(Type::kInvalid, "spec.pod.labels." + k, "\"" + v + "\"",
            "must be at most 63 characters");
    c.Matches("spec.pod.labels." + k, v, IsLabelValue, "must be a valid label value");
  }
  for (std::size_t i = 0; i < s.pod.tolerations.size(); ++i) {
    CheckToleration(c, "spec.pod.tolerations[" + std::to_string(i) + "]", s.pod.tolerations[i]);
  }
  if (s.pod.service_account_name) {
    c.Matches("spec.pod.serviceAccountName", *s.pod.service_account_name, IsDns1123Subdomain,
              "must be a ServiceAccount name (a DNS-1123 subdomain)");
  }
}

}  // namespace

MemorySize LivyContainerMemory(const LivySpec& livy) {
  return MemorySize::FromMiB(1024) +
         livy.driver_memory * static_cast<std::uint64_t>(livy.max_sessions);
}

std::int64_t LivyContainerCpu(const LivySpec& livy) {
  return 1 + static_cast<std::int64_t>(livy.driver_cores) * livy.max_sessions;
}

FieldErrors Validate(const SpytCluster& cluster) {
  FieldErrors errors;
  Checker c(errors);
  if (!IsDns1035Label(cluster.metadata.name)) {
    c.Add(Type::kInvalid, "metadata.name", "\"" + cluster.metadata.name + "\"",
          "must be a lower-case DNS-1035 label of at most 40 characters (child objects add "
          "suffixes to it)");
  }
  CheckSpec(c, cluster.spec);
  return errors;
}

}  // namespace spyt::api
