#include "spyt/discovery.h"

#include "common/json.h"
#include "spyt/builders.h"
#include "spyt/names.h"
#include "spyt/status.h"

namespace spyt::cluster {
namespace {

std::string HostPort(const api::SpytCluster& c, Component comp, const std::string& domain,
                     int port) {
  return ChildName(c, comp) + "." + c.metadata.namespace_ + ".svc." + domain + ":" +
         std::to_string(port);
}

}  // namespace

DiscoveryEntries BuildDiscoveryEntries(const api::SpytCluster& c, const api::SpytClusterStatus& st,
                                       const std::string& domain) {
  DiscoveryEntries e;
  e["version"] = c.spec.spyt_version;
  e["discovery_path"] = DiscoveryPath(c);
  json::Object conf;
  for (const auto& [k, v] : c.spec.spark_conf) conf.emplace(k, v);
  e["conf"] = json::Dump(json::Value(json::Object{{"spark_conf", json::Value(std::move(conf))}}));
  const auto& ports = c.spec.master.ports;
  if (IsConditionTrue(st.conditions, api::condition::kMasterReady)) {
    e["spark_address"] = HostPort(c, Component::kMaster, domain, ports.rpc);
    e["webui"] = HostPort(c, Component::kMaster, domain, ports.web_ui);
    e["rest"] = HostPort(c, Component::kMaster, domain, ports.rest);
  }
  if (c.spec.history_server.enabled &&
      IsConditionTrue(st.conditions, api::condition::kHistoryServerReady)) {
    e["shs"] = HostPort(c, Component::kHistoryServer, domain, c.spec.history_server.port);
  }
  if (c.spec.livy.enabled && IsConditionTrue(st.conditions, api::condition::kLivyReady)) {
    e["livy"] = HostPort(c, Component::kLivy, domain, c.spec.livy.port);
  }
  return e;
}

DesiredObject DiscoveryConfigMap(const api::SpytCluster& c, const DiscoveryEntries& entries) {
  DesiredObject cm =
      detail::NewObject(kube::resources::kConfigMaps, c, DiscoveryName(c), ClusterLabels(c));
  json::Object data;
  for (const auto& [k, v] : entries) data.emplace(k, v);
  cm.object["data"] = json::Value(std::move(data));
  return cm;
}

std::string FormatDiscovery(const DiscoveryEntries& e) {
  auto get = [&](const char* key) -> std::string {
    auto it = e.find(key);
    return it == e.end() ? std::string() : it->second;
  };
  auto plain = [&](const char* key) {
    std::string v = get(key);
    return v.empty() ? std::string("None") : v;
  };
  auto url = [&](const char* key) {
    std::string v = get(key);
    return v.empty() ? std::string("None") : "http://" + v + "/";
  };
  std::string out;
  out += "Master: " + plain("spark_address") + "\n";
  out += "Master Web UI: " + url("webui") + "\n";
  out += "Master REST API Endpoint: " + plain("rest") + "\n";
  out += "Operation: " + plain("operation") + "\n";
  out += "Spark History Server: " + url("shs") + "\n";
  out += "Livy Server: " + url("livy") + "\n";
  out += "SPYT Cluster version: " + plain("version") + "\n";
  return out;
}

}  // namespace spyt::cluster
