#include "cluster/discovery.h"

#include "cluster/builders.h"
#include "cluster/names.h"
#include "cluster/status.h"
#include "common/json.h"

namespace spyt::cluster {
DiscoveryEntries BuildDiscoveryEntries(const api::SpytCluster& c, const api::SpytClusterStatus& st,
                                       const Addresses& a) {
  DiscoveryEntries e;
  e["version"] = c.spec.spyt_version;
  e["discovery_path"] = DiscoveryPath(c);
  json::Object conf;
  for (const auto& [k, v] : c.spec.spark_conf) conf.emplace(k, v);
  e["conf"] = json::Dump(json::Value(json::Object{{"spark_conf", json::Value(std::move(conf))}}));
  if (IsConditionTrue(st.conditions, api::condition::kMasterReady)) {
    e["spark_address"] = a.master_rpc;
    e["webui"] = a.master_web_ui;
    e["rest"] = a.master_rest;
  }
  if (a.history_server && IsConditionTrue(st.conditions, api::condition::kHistoryServerReady)) {
    e["shs"] = *a.history_server;
  }
  if (a.livy && IsConditionTrue(st.conditions, api::condition::kLivyReady)) e["livy"] = *a.livy;
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
