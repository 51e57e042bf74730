#pragma once

// Subcommands of the spyt-operator binary. Each takes the arguments after its
// name and returns the process exit code; main.cpp only dispatches.

#include <string>
#include <vector>

namespace spyt::cli {

// validate FILE...: checks SpytCluster manifests as the API server would.
int RunValidate(const std::vector<std::string>& args);
// default FILE: prints the manifest with every default filled in.
int RunDefault(const std::vector<std::string>& args);
// run [flags]: the operator against a Kubernetes cluster.
int RunOperator(const std::vector<std::string>& args);
// discovery NAME [-n NS]: the cluster's addresses in spark-discovery-yt's format.
int RunDiscovery(const std::vector<std::string>& args);
// local --manifests DIR --state-dir DIR: the one-machine runtime.
int RunLocal(const std::vector<std::string>& args);

}  // namespace spyt::cli
