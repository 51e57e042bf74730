#pragma once

// spark-defaults.conf for a SpytCluster: what every Spark process of the cluster
// (master, workers, history server, Livy's session drivers) reads from
// /opt/spyt/conf.

#include <map>
#include <string>

#include "api/types.h"
#include "cluster/desired_state.h"

namespace spyt::cluster {

inline constexpr const char* kSparkDefaultsKey = "spark-defaults.conf";

// spec.sparkConf over the operator's entries: spark.yt.version, spark.yt.jars,
// spark.yt.pyFiles (the release's files in Cypress) and spark.eventLog.dir when
// the history server is enabled. spark.master is always the operator's (the API
// forbids setting it).
std::map<std::string, std::string> SparkDefaults(const api::SpytCluster& cluster,
                                                 const BuildOptions& options);

// The cluster-wide file text the operator writes (the spark-conf ConfigMap, and
// the local controller's conf directory): a comment naming the owner, then one
// "key value" line per entry in key order, escaped as java.util.Properties
// (which Spark loads it with) reads it back. Not the per-role file spyt-launcher
// renders from it at start (launcher/config.h).
std::string RenderClusterSparkDefaults(const api::SpytCluster& cluster,
                                       const std::map<std::string, std::string>& entries);

// The <cluster>-spark-conf ConfigMap holding `text` under kSparkDefaultsKey.
DesiredObject SparkConfConfigMap(const api::SpytCluster& cluster, const std::string& text);

}  // namespace spyt::cluster
