#pragma once

// Subcommands of the spyt-operator binary. Each takes the arguments after its
// name and returns the process exit code; main.cpp only dispatches.

#include <functional>
#include <string>
#include <vector>

namespace spyt::cli {

// How a command that runs a manager exits at once when its shutdown deadline
// passes with work still running (main passes std::_Exit; the process cannot
// unwind while those threads run).
using ExitNow = std::function<void(int exit_code)>;

// validate FILE...: checks SpytCluster manifests as the API server would.
int RunValidate(const std::vector<std::string>& args);
// default FILE: prints the manifest with every default filled in.
int RunDefault(const std::vector<std::string>& args);
// render FILE...: the child objects the operator would apply for each cluster,
// as a v1 List (the discovery ConfigMap without its entries).
int RunRender(const std::vector<std::string>& args);
// run [flags]: the operator against a Kubernetes cluster.
int RunOperator(const std::vector<std::string>& args, const ExitNow& exit_now);
// discovery NAME [-n NS]: the cluster's addresses in spark-discovery-yt's format.
int RunDiscovery(const std::vector<std::string>& args);
// permissions [--leader-election-id NAME]: the API permissions `run` needs, as JSON.
int RunPermissions(const std::vector<std::string>& args);
// local --manifests DIR --state-dir DIR: the one-machine controller.
int RunLocal(const std::vector<std::string>& args, const ExitNow& exit_now);

}  // namespace spyt::cli
