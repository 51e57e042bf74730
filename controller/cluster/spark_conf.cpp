#include "cluster/spark_conf.h"

#include "cluster/builders.h"
#include "cluster/names.h"

namespace spyt::cluster {
namespace {

std::string ReleaseFile(const api::SpytCluster& cluster, const std::string& file) {
  return "yt:///home/spark/spyt/releases/" + cluster.spec.spyt_version + "/" + file;
}

// The escapes java.util.Properties reads back as these characters.
const char* NamedEscape(char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\f':
      return "\\f";
    default:
      return nullptr;
  }
}

// A key escapes every separator; a value only a leading space (which the
// reader would otherwise take as part of the separator).
std::string EscapeProperty(const std::string& text, bool is_key) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (const char* named = NamedEscape(c)) {
      out += named;
      continue;
    }
    const bool separator = c == ' ' || c == '=' || c == ':' || c == '#' || c == '!';
    if ((is_key && separator) || (!is_key && i == 0 && c == ' ')) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> SparkDefaults(const api::SpytCluster& cluster,
                                                 const BuildOptions& options) {
  std::map<std::string, std::string> entries = {
      {"spark.yt.version", cluster.spec.spyt_version},
      {"spark.yt.jars", ReleaseFile(cluster, "spark-yt-data-source.jar")},
      {"spark.yt.pyFiles", ReleaseFile(cluster, "spyt.zip")},
  };
  if (cluster.spec.history_server.enabled) {
    entries["spark.eventLog.dir"] = EventLogDirectory(cluster);
  }
  for (const auto& [key, value] : cluster.spec.spark_conf) {
    entries[key] = value;
  }
  entries["spark.master"] = MasterUrl(cluster, options.cluster_domain);
  return entries;
}

std::string RenderClusterSparkDefaults(const api::SpytCluster& cluster,
                                       const std::map<std::string, std::string>& entries) {
  std::string text = "# Written by spyt-operator for SpytCluster " + cluster.metadata.namespace_ +
                     "/" + cluster.metadata.name + "; edit spec.sparkConf instead of this file.\n";
  for (const auto& [key, value] : entries) {
    text += EscapeProperty(key, true) + " " + EscapeProperty(value, false) + "\n";
  }
  return text;
}

DesiredObject SparkConfConfigMap(const api::SpytCluster& cluster, const std::string& text) {
  DesiredObject out = detail::NewObject(kube::resources::kConfigMaps, cluster,
                                        SparkConfName(cluster), ClusterLabels(cluster));
  out.object["data"] = json::Object{{kSparkDefaultsKey, text}};
  return out;
}

}  // namespace spyt::cluster
