#pragma once

// Discovery records in the layout SPYT's clients read. On YT each entry is a
// directory under <discovery_path>/discovery/ whose single child's name is the
// value (discovery/livy/<host:port>); on Kubernetes the operator publishes the
// same entries as the keys of the ConfigMap <cluster>-discovery, and the local
// runtime as directories. An entry appears once its component is Ready and goes
// away when it is not, so a client never gets an address that does not answer.
// Pure functions; the addresses are the platform's (cluster/observation.h).

#include <map>
#include <string>

#include "api/types.h"
#include "cluster/desired_state.h"
#include "cluster/observation.h"

namespace spyt::cluster {

// spark_address, webui, rest, shs, livy (host:port), version, conf, discovery_path.
using DiscoveryEntries = std::map<std::string, std::string>;

DiscoveryEntries BuildDiscoveryEntries(const api::SpytCluster& cluster,
                                       const api::SpytClusterStatus& status,
                                       const Addresses& addresses);

// The <cluster>-discovery ConfigMap holding the entries, owned by the cluster.
DesiredObject DiscoveryConfigMap(const api::SpytCluster& cluster, const DiscoveryEntries& entries);

// The seven lines spark-discovery-yt prints; a missing entry prints as "None".
std::string FormatDiscovery(const DiscoveryEntries& entries);

}  // namespace spyt::cluster
