#include "api/defaults.h"

#include <sstream>

namespace spyt::api {

const std::vector<DefaultEntry>& DefaultTable() {
  // The values are spark-launch-yt's defaults (shared/reference/spyt-and-livy.md).
  static const std::vector<DefaultEntry> kTable = {
      {"spec.spytVersion", kDefaultSpytVersion},
      {"spec.imagePullPolicy", "IfNotPresent"},
      {"spec.yt", json::Object{}},
      {"spec.yt.tokenSecretRef.key", "token"},
      {"spec.master", json::Object{}},
      {"spec.master.memory", "4G"},
      {"spec.master.ports", json::Object{}},
      {"spec.master.ports.rpc", 7077},
      {"spec.master.ports.webUI", 8080},
      {"spec.master.ports.rest", 6066},
      {"spec.workers.coresOverhead", 0},
      {"spec.workers.memoryOverhead", "2G"},
      {"spec.workers.timeout", "10m"},
      {"spec.workers.webUIPort", 8081},
      {"spec.historyServer", json::Object{}},
      {"spec.historyServer.enabled", true},
      {"spec.historyServer.memory", "4G"},
      {"spec.historyServer.cpu", "1"},
      {"spec.historyServer.port", 18080},
      {"spec.livy", json::Object{}},
      {"spec.livy.enabled", false},
      {"spec.livy.maxSessions", 3},
      {"spec.livy.driverCores", 1},
      {"spec.livy.driverMemory", "1024m"},
      {"spec.livy.sessionTimeout", "10m"},
      {"spec.livy.port", 8998},
  };
  return kTable;
}

void ApplyDefaults(json::Value& object) {
  for (const auto& entry : DefaultTable()) {
    std::vector<std::string> parts;
    std::stringstream ss(entry.path);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    json::Value* node = &object;
    for (std::size_t i = 0; i + 1 < parts.size() && node != nullptr; ++i) {
      node = node->find(parts[i]);
    }
    if (node == nullptr || !node->is_object()) continue;
    // The API server drops a null for a defaulted field and then defaults it.
    const json::Value* current = node->find(parts.back());
    if (current == nullptr || current->is_null()) (*node)[parts.back()] = entry.value;
  }
}

}  // namespace spyt::api
